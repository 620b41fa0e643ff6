//! Deposits, L1 → Ludus: the validator's relayer reads the Vault's `Deposited` logs up to the
//! L1's final block and has its node attest each deposit Ludus has not executed yet.
//!
//! Only logs read at or below the final block count: deposits in later blocks are shown as
//! `seen` and forgotten again if a reorg removes them, so an orphaned deposit is never
//! attested. The node signs with the validator's bridge key from its keystore and answers
//! per key whether it submitted, had already attested, or found the deposit executed; a node
//! whose keys are not in the current set makes nothing count. Pending deposits are attested
//! again every [`REATTEST_AFTER`], which also brings in a new validator set's attestations
//! after a handoff. Without `--attest` the relayer only follows deposits for its status API.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::{Duration, Instant},
};

use alloy::primitives::{Address, B256, U256};
use ludus_rpc::bridge::{AttestationResultJson, DepositOutcomeJson, DepositStatusJson};

use crate::{
    l1::{DepositLog, L1},
    ludus::Ludus,
    relayer::{DutyError, SharedCursor},
    status::{DepositInfo, DepositStage, Tracker},
};

/// How long a pending deposit waits before this relayer asks its node to attest it again.
pub const REATTEST_AFTER: Duration = Duration::from_secs(12);

/// The deposit duty's state.
pub struct DepositWatcher {
    l1: Arc<L1>,
    ludus: Ludus,
    tracker: Tracker,
    cursor: SharedCursor,
    attest: bool,
    /// Final deposits not executed on Ludus yet, by nonce.
    pending: BTreeMap<u64, DepositLog>,
    /// Deposits in blocks above the final one, by nonce (replaced at every look).
    tentative: BTreeMap<u64, DepositLog>,
    /// The last final block whose logs were read.
    final_scanned_to: Option<u64>,
    last_attested: HashMap<u64, Instant>,
    warned_no_key: bool,
}

fn info(log: &DepositLog) -> DepositInfo {
    DepositInfo {
        nonce: log.deposit.nonce,
        l1_tx: log.tx,
        l1_block: log.block,
        token: Address::from(log.deposit.token),
        depositor: Address::from(log.deposit.depositor),
        recipient: B256::from(log.deposit.recipient),
        amount: U256::from(log.deposit.amount),
    }
}

impl DepositWatcher {
    /// A watcher starting at the cursor's L1 block.
    pub fn new(l1: Arc<L1>, ludus: Ludus, tracker: Tracker, cursor: SharedCursor, attest: bool) -> Self {
        let from = cursor.get().deposit_scan_from;
        Self {
            l1,
            ludus,
            tracker,
            cursor,
            attest,
            pending: BTreeMap::new(),
            tentative: BTreeMap::new(),
            final_scanned_to: from.checked_sub(1),
            last_attested: HashMap::new(),
            warned_no_key: false,
        }
    }

    /// One look at both chains.
    pub async fn step(&mut self) -> Result<(), DutyError> {
        let (head, finalized) = self.l1.heads().await?;
        self.tracker.l1_heads(head, finalized);

        // Final logs are the truth: they replace anything seen of those nonces before.
        let from = self.final_scanned_to.map_or(0, |n| n + 1);
        if finalized >= from {
            for log in self.l1.deposits(from, finalized).await? {
                self.tentative.remove(&log.deposit.nonce);
                self.tracker.deposit(info(&log), DepositStage::FinalOnL1);
                self.pending.insert(log.deposit.nonce, log);
            }
            self.final_scanned_to = Some(finalized);
        }

        // Above the final block: shown, never attested; gone again if a reorg removed them.
        let seen = if head > finalized { self.l1.deposits(finalized + 1, head).await? } else { Vec::new() };
        let mut tentative = BTreeMap::new();
        for log in seen {
            if !self.pending.contains_key(&log.deposit.nonce) {
                tentative.insert(log.deposit.nonce, log);
            }
        }
        for (nonce, old) in &self.tentative {
            if tentative.get(nonce) != Some(old) && !self.pending.contains_key(nonce) {
                tracing::info!(target: "relayer", "Deposit #{nonce} (L1 tx {}) left the L1 in a reorg before it was final", old.tx);
                self.tracker.forget_deposit(*nonce);
            }
        }
        for log in tentative.values() {
            self.tracker.deposit(info(log), DepositStage::Seen);
        }
        self.tentative = tentative;

        let lowest = self.ludus.lowest_unexecuted_nonce().await?;
        let done: Vec<u64> = self.pending.range(..lowest).map(|(nonce, _)| *nonce).collect();
        for nonce in done {
            if let Some(log) = self.pending.remove(&nonce) {
                self.last_attested.remove(&nonce);
                // The pallet keeps the outcome of its last `DepositOutcomeRetention` deposits;
                // a relayer that comes back later than that reads an older one as minted.
                let stage = match self.ludus.deposit_status(nonce).await? {
                    Some(DepositStatusJson::Executed {
                        outcome: Some(DepositOutcomeJson::Refunded | DepositOutcomeJson::Failed),
                        refund_withdrawal_id,
                        ..
                    }) => DepositStage::Refunded { withdrawal_id: refund_withdrawal_id },
                    _ => DepositStage::Minted,
                };
                tracing::info!(target: "relayer", "Deposit #{nonce} is done on Ludus: {stage:?}");
                self.tracker.deposit(info(&log), stage);
            }
        }

        let nonces: Vec<u64> = self.pending.keys().copied().collect();
        for nonce in nonces {
            let Some(log) = self.pending.get(&nonce).cloned() else { continue };
            if self.attest && self.last_attested.get(&nonce).is_none_or(|at| at.elapsed() >= REATTEST_AFTER) {
                self.attest_one(&log).await?;
            }
            if let Some(DepositStatusJson::Pending { attestations, threshold, .. }) =
                self.ludus.deposit_status(nonce).await?
            {
                if attestations > 0 {
                    self.tracker.deposit(info(&log), DepositStage::Attested { attestations, threshold });
                }
            }
        }

        let scan_from = self.pending.values().map(|log| log.block).min().unwrap_or(finalized + 1);
        self.cursor.update(|c| c.deposit_scan_from = scan_from)?;
        Ok(())
    }

    async fn attest_one(&mut self, log: &DepositLog) -> Result<(), DutyError> {
        let nonce = log.deposit.nonce;
        match self.ludus.attest_deposit(&log.deposit).await {
            Ok(answers) => {
                self.warned_no_key = false;
                self.last_attested.insert(nonce, Instant::now());
                for answer in answers {
                    if answer.result == AttestationResultJson::Submitted {
                        tracing::info!(
                            target: "relayer",
                            "Attested deposit #{nonce} ({} of token {:?} to {:?}, L1 tx {}) as validator {} ({:?})",
                            log.deposit.amount, Address::from(log.deposit.token), B256::from(log.deposit.recipient),
                            log.tx, answer.validator_index, answer.address,
                        );
                        self.tracker.last_attested_nonce(nonce);
                    } else {
                        tracing::debug!(target: "relayer", "Deposit #{nonce}: validator {} {:?}", answer.validator_index, answer.result);
                    }
                }
                Ok(())
            }
            // The node refuses for this deposit only (no key of the current set, paused,
            // beyond the window): say so once, keep following it, try again later.
            Err(crate::ludus::LudusError::Rpc { source: jsonrpsee::core::ClientError::Call(error), .. }) => {
                self.last_attested.insert(nonce, Instant::now());
                if !self.warned_no_key {
                    tracing::warn!(target: "relayer", "The node did not attest deposit #{nonce}: {}", error.message());
                    self.warned_no_key = true;
                }
                self.tracker.error("deposits");
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}
