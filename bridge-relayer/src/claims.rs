//! Claims, Ludus → L1: a user's burn on Ludus is enough. The relayer follows every withdrawal
//! from its burn, claims it on the L1 once its checkpoint is there (the Vault pays the
//! withdrawal's fee to the claimer, the rest to the recipient), and executes a queued claim
//! when its delay is over, so nobody has to come back to send an exit transaction.
//!
//! A withdrawal whose fee is below `--min-fee` is left to its user (who can claim it with
//! the proof from `ludus_bridge_withdrawalProof` and collect the fee themselves) or to another
//! relayer; the relayer keeps following it until someone claims it. The Vault's claimed
//! bitmap says what is done: a claim another relayer made first is success, not an error.

use std::{collections::BTreeMap, sync::Arc};

use alloy::primitives::{Address, B256, U256};
use futures::StreamExt;
use ludus_rpc::bridge::{WithdrawalJson, WithdrawalProofJson, WithdrawalStatusJson};

use crate::{
    l1::{withdrawal_from_json, L1Error, Sent, L1},
    ludus::Ludus,
    relayer::{DutyError, SharedCursor},
    status::{GasAction, Tracker, WithdrawalInfo, WithdrawalStage},
};

/// Most new withdrawals discovered in one look.
const MAX_DISCOVERED_PER_STEP: u64 = 1_000;
/// Most withdrawals followed at once; discovery waits while this many are unfinished.
const MAX_FOLLOWED: usize = 10_000;

/// Most claims of one relayer waiting for their receipts at once.
const MAX_CLAIMS_IN_FLIGHT: usize = 32;

/// What a followed withdrawal needs next.
enum Next {
    /// Paid: stop following it.
    Done,
    /// Nothing to do now.
    Wait,
    /// Claim it with this proof.
    Claim(WithdrawalJson, WithdrawalProofJson),
}

impl From<bool> for Next {
    fn from(done: bool) -> Self {
        if done {
            Next::Done
        } else {
            Next::Wait
        }
    }
}

/// Where one followed withdrawal stands.
#[derive(Clone, Debug)]
struct Followed {
    withdrawal: Option<WithdrawalJson>,
    checkpoint: Option<u64>,
    signed: bool,
    /// The L1 time (seconds) from which a queued claim may be executed.
    queued_until: Option<u64>,
    left_to_user: bool,
    /// The Vault refused our claim once (logged); we keep trying.
    refused: bool,
}

/// The claim duty's state.
pub struct Claimer {
    l1: Arc<L1>,
    ludus: Ludus,
    tracker: Tracker,
    cursor: SharedCursor,
    claim: bool,
    min_fee: u128,
    followed: BTreeMap<u64, Followed>,
    next_unseen: u64,
}

fn info(id: u64, withdrawal: Option<&WithdrawalJson>) -> WithdrawalInfo {
    match withdrawal {
        Some(w) => WithdrawalInfo {
            id,
            token: Address::from(w.token.0),
            recipient: Address::from(w.recipient.0),
            amount: U256::from(w.amount),
            fee: U256::from(w.fee),
        },
        None => {
            WithdrawalInfo { id, token: Address::ZERO, recipient: Address::ZERO, amount: U256::ZERO, fee: U256::ZERO }
        }
    }
}

impl Claimer {
    /// A claimer starting at the cursor's withdrawal.
    pub fn new(l1: Arc<L1>, ludus: Ludus, tracker: Tracker, cursor: SharedCursor, claim: bool, min_fee: u128) -> Self {
        let next_unseen = cursor.get().next_withdrawal.max(1);
        Self { l1, ludus, tracker, cursor, claim, min_fee, followed: BTreeMap::new(), next_unseen }
    }

    /// One look at both chains.
    pub async fn step(&mut self) -> Result<(), DutyError> {
        let (finalized_hash, _) = self.ludus.finalized().await?;

        // New withdrawals (burns) in Ludus's final state.
        for _ in 0..MAX_DISCOVERED_PER_STEP {
            if self.followed.len() >= MAX_FOLLOWED {
                break;
            }
            let id = self.next_unseen;
            let Some(status) = self.ludus.withdrawal_status(id, finalized_hash).await? else { break };
            self.followed.insert(
                id,
                Followed {
                    withdrawal: None,
                    checkpoint: None,
                    signed: false,
                    queued_until: None,
                    left_to_user: false,
                    refused: false,
                },
            );
            self.apply_status(id, status);
            self.next_unseen += 1;
        }

        let l1_latest = self.l1.latest_checkpoint().await?;
        let ids: Vec<u64> = self.followed.keys().copied().collect();
        let mut claims = Vec::new();
        for id in ids {
            match self.follow(id, l1_latest, finalized_hash).await? {
                Next::Done => {
                    self.followed.remove(&id);
                }
                Next::Wait => {}
                Next::Claim(withdrawal, proof) => claims.push((withdrawal, proof)),
            }
        }

        // Claims go out together: sending is one at a time (the L1 client counts nonces), but
        // their receipts are awaited side by side, so a relayer claims many withdrawals per L1
        // block instead of one.
        let l1 = self.l1.clone();
        let results: Vec<(WithdrawalJson, Result<Sent, L1Error>)> = futures::stream::iter(claims)
            .map(|(withdrawal, proof)| {
                let l1 = l1.clone();
                async move {
                    let hashes: Vec<B256> = proof.proof.iter().map(|h| B256::from(h.0)).collect();
                    let result = l1.claim(withdrawal_from_json(&withdrawal), proof.checkpoint, hashes).await;
                    (withdrawal, result)
                }
            })
            .buffer_unordered(MAX_CLAIMS_IN_FLIGHT)
            .collect()
            .await;
        let mut failure = None;
        for (withdrawal, result) in results {
            match self.settle_claim(&withdrawal, result).await {
                Ok(true) => {
                    self.followed.remove(&withdrawal.id);
                }
                Ok(false) => {}
                Err(error) => failure = Some(error),
            }
        }
        if let Some(error) = failure {
            return Err(error);
        }
        let next = self.followed.keys().next().copied().unwrap_or(self.next_unseen);
        self.cursor.update(|c| c.next_withdrawal = next)?;
        Ok(())
    }

    fn apply_status(&mut self, id: u64, status: WithdrawalStatusJson) {
        let Some(followed) = self.followed.get_mut(&id) else { return };
        let stage = match status {
            WithdrawalStatusJson::Pending => WithdrawalStage::Burned,
            WithdrawalStatusJson::InCheckpoint { checkpoint } => {
                followed.checkpoint = Some(checkpoint);
                WithdrawalStage::InCheckpoint { checkpoint }
            }
            WithdrawalStatusJson::Signed { checkpoint } => {
                followed.checkpoint = Some(checkpoint);
                followed.signed = true;
                WithdrawalStage::Signed { checkpoint }
            }
        };
        self.tracker.withdrawal(info(id, followed.withdrawal.as_ref()), stage);
    }

    /// Moves withdrawal `id` on as far as it goes without sending a claim.
    async fn follow(&mut self, id: u64, l1_latest: u64, finalized_hash: sp_core::H256) -> Result<Next, DutyError> {
        let Some(state) = self.followed.get(&id).cloned() else { return Ok(Next::Done) };

        if let Some(until) = state.queued_until {
            return Ok(Next::from(self.execute_when_due(id, until, &state).await?));
        }

        let on_l1 = state.checkpoint.is_some_and(|c| c <= l1_latest) && state.signed;
        if !on_l1 {
            if let Some(status) = self.ludus.withdrawal_status(id, finalized_hash).await? {
                self.apply_status(id, status);
            }
            let Some(state) = self.followed.get(&id) else { return Ok(Next::Done) };
            if !(state.signed && state.checkpoint.is_some_and(|c| c <= l1_latest)) {
                return Ok(Next::Wait);
            }
        }

        let proof = match state.withdrawal {
            Some(_) => None,
            None => self.ludus.withdrawal_proof(id, finalized_hash).await?,
        };
        let Some(followed) = self.followed.get_mut(&id) else { return Ok(Next::Done) };
        if let Some(proof) = &proof {
            followed.withdrawal = Some(proof.withdrawal);
            followed.checkpoint = Some(proof.checkpoint);
        }
        let Some(withdrawal) = followed.withdrawal else { return Ok(Next::Wait) };
        let checkpoint = followed.checkpoint.unwrap_or(l1_latest);
        self.tracker.withdrawal(info(id, Some(&withdrawal)), WithdrawalStage::OnL1 { checkpoint });

        if self.l1.is_claimed(id).await? {
            return Ok(Next::from(self.after_claim(id, &withdrawal, None).await?));
        }
        if !self.claim {
            return Ok(Next::Wait);
        }
        if withdrawal.fee < self.min_fee {
            if let Some(followed) = self.followed.get_mut(&id) {
                if !followed.left_to_user {
                    tracing::info!(
                        target: "relayer",
                        "Withdrawal #{id} pays a fee of {} (below --min-fee {}): left to its user or another relayer",
                        withdrawal.fee, self.min_fee
                    );
                    followed.left_to_user = true;
                }
            }
            return Ok(Next::Wait);
        }
        let proof = match proof {
            Some(proof) => proof,
            None => match self.ludus.withdrawal_proof(id, finalized_hash).await? {
                Some(proof) => proof,
                None => return Ok(Next::Wait),
            },
        };
        Ok(Next::Claim(withdrawal, proof))
    }

    /// What came of our claim of `withdrawal`; true once it is paid.
    async fn settle_claim(
        &mut self,
        withdrawal: &WithdrawalJson,
        result: Result<Sent, L1Error>,
    ) -> Result<bool, DutyError> {
        let id = withdrawal.id;
        match result {
            Ok(sent) => {
                self.tracker.gas_spent(GasAction::Claim, sent.gas_used, sent.wei);
                self.after_claim(id, withdrawal, Some(sent.tx)).await
            }
            // Refused by the simulation or the gas estimate (which may see another relayer's
            // pending claim), or reverted on chain: the chain decides. Claimed by someone else
            // is success; anything else is looked at again next poll, logged once.
            Err(error) => {
                let Some((reason, spent)) = error.refusal() else { return Err(error.into()) };
                if let Some(spent) = spent {
                    self.tracker.gas_spent(GasAction::Claim, spent.gas_used, spent.wei);
                }
                if self.l1.is_claimed(id).await? {
                    tracing::info!(target: "relayer", "Withdrawal #{id} was claimed by someone else first ({reason})");
                    return self.after_claim(id, withdrawal, None).await;
                }
                if let Some(followed) = self.followed.get_mut(&id) {
                    if !followed.refused {
                        tracing::info!(target: "relayer", "The Vault does not take the claim of withdrawal #{id} now ({reason}); trying again");
                        followed.refused = true;
                    }
                }
                Ok(false)
            }
        }
    }

    /// Withdrawal `id` is claimed (by us if `tx`): paid, or queued until its delay is over.
    async fn after_claim(&mut self, id: u64, withdrawal: &WithdrawalJson, tx: Option<B256>) -> Result<bool, DutyError> {
        let queued = self.l1.queued_claim(id).await?;
        if queued.unlockAt != 0 {
            if let Some(followed) = self.followed.get_mut(&id) {
                if followed.queued_until.is_none() {
                    tracing::info!(
                        target: "relayer",
                        "Withdrawal #{id} ({} of token {:?} to {:?}) is queued on the L1 until {}{}",
                        withdrawal.amount, withdrawal.token, withdrawal.recipient, queued.unlockAt,
                        if queued.frozen { " (frozen by the guardian)" } else { "" },
                    );
                }
                followed.queued_until = Some(queued.unlockAt);
            }
            self.tracker.withdrawal(info(id, Some(withdrawal)), WithdrawalStage::Queued { unlock_at: queued.unlockAt });
            return Ok(false);
        }
        if let Some(tx) = tx {
            tracing::info!(
                target: "relayer",
                "Claimed withdrawal #{id} on the L1: {} of token {:?} to {:?} (fee {}) in tx {tx}",
                withdrawal.amount, withdrawal.token, withdrawal.recipient, withdrawal.fee,
            );
        }
        self.tracker.withdrawal(info(id, Some(withdrawal)), WithdrawalStage::Paid { l1_tx: tx });
        Ok(true)
    }

    /// A queued claim: executed once its delay is over (by us, or anyone).
    async fn execute_when_due(&mut self, id: u64, until: u64, state: &Followed) -> Result<bool, DutyError> {
        let Some(withdrawal) = state.withdrawal else { return Ok(false) };
        let queued = self.l1.queued_claim(id).await?;
        if queued.unlockAt == 0 {
            tracing::info!(target: "relayer", "Queued withdrawal #{id} was paid");
            self.tracker.withdrawal(info(id, Some(&withdrawal)), WithdrawalStage::Paid { l1_tx: None });
            return Ok(true);
        }
        if queued.unlockAt != until {
            if let Some(followed) = self.followed.get_mut(&id) {
                followed.queued_until = Some(queued.unlockAt);
            }
        }
        if !self.claim || queued.frozen || self.l1.now().await? < queued.unlockAt {
            return Ok(false);
        }
        match self.l1.execute_delayed(id).await {
            Ok(sent) => {
                tracing::info!(target: "relayer", "Paid queued withdrawal #{id} in L1 tx {} ({} gas)", sent.tx, sent.gas_used);
                self.tracker.gas_spent(GasAction::ExecuteDelayed, sent.gas_used, sent.wei);
                self.tracker.withdrawal(info(id, Some(&withdrawal)), WithdrawalStage::Paid { l1_tx: Some(sent.tx) });
                Ok(true)
            }
            Err(error) => {
                let Some((reason, spent)) = error.refusal() else { return Err(error.into()) };
                if let Some(spent) = spent {
                    self.tracker.gas_spent(GasAction::ExecuteDelayed, spent.gas_used, spent.wei);
                }
                if self.l1.queued_claim(id).await?.unlockAt == 0 {
                    self.tracker.withdrawal(info(id, Some(&withdrawal)), WithdrawalStage::Paid { l1_tx: None });
                    return Ok(true);
                }
                tracing::debug!(target: "relayer", "Queued withdrawal #{id} not executable yet ({reason})");
                Ok(false)
            }
        }
    }
}
