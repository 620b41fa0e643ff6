//! Checkpoints, Ludus → L1: any relayer, without keys on Ludus, posts the validators' signed
//! checkpoints to `Checkpoints.submit` in order, installs the next validator set after a
//! handoff, and proves an equivocation when the L1 holds a checkpoint that differs from the
//! one Ludus's validators signed under the same number.
//!
//! The L1 says what is done (`latestCheckpoint`, `handoffPending`): the relayer reads it
//! before each transaction and simulates the transaction, so several relayers at once waste
//! no gas on each other, and a checkpoint another relayer posted first counts as success.

use std::sync::Arc;

use alloy::primitives::{Address, Bytes, B256};

use crate::{
    l1::{checkpoint_from_json, L1},
    ludus::Ludus,
    relayer::DutyError,
    status::{GasAction, Tracker},
};

/// Most checkpoints posted in one look (the rest follow at the next).
const MAX_CHECKPOINTS_PER_STEP: u64 = 16;

/// The checkpoint duty's state.
pub struct CheckpointPoster {
    l1: Arc<L1>,
    ludus: Ludus,
    tracker: Tracker,
    /// The highest L1 checkpoint already compared with Ludus's signed one.
    verified: u64,
    warned_paused: bool,
    /// The checkpoint the L1 last refused (logged once).
    refused: Option<u64>,
}

impl CheckpointPoster {
    /// A poster that has compared nothing yet.
    pub fn new(l1: Arc<L1>, ludus: Ludus, tracker: Tracker) -> Self {
        Self { l1, ludus, tracker, verified: 0, warned_paused: false, refused: None }
    }

    /// One look at both chains.
    pub async fn step(&mut self) -> Result<(), DutyError> {
        let (finalized_hash, finalized) = self.ludus.finalized().await?;
        self.tracker.ludus_finalized(finalized);
        let mut latest = self.l1.latest_checkpoint().await?;
        if self.l1.checkpoints_paused().await? {
            if !self.warned_paused {
                tracing::warn!(target: "relayer", "The Checkpoints contract is paused: no checkpoint can be posted until governance unpauses it");
                self.warned_paused = true;
            }
            self.tracker.checkpoints(latest, None);
            return Ok(());
        }
        self.warned_paused = false;

        if latest > self.verified {
            self.check_equivocation(latest, finalized_hash).await?;
        }

        let mut latest_signed = None;
        for _ in 0..MAX_CHECKPOINTS_PER_STEP {
            self.install_pending_set(finalized_hash).await?;
            let number = latest + 1;
            let Some(signed) = self.ludus.signed_checkpoint(number, finalized_hash).await? else { break };
            latest_signed = Some(number);
            let checkpoint = checkpoint_from_json(&signed.checkpoint);
            let signatures = l1_signatures(&signed.signatures);
            match self.l1.submit_checkpoint(checkpoint, signatures.clone()).await {
                Ok(sent) => {
                    tracing::info!(
                        target: "relayer",
                        "Posted checkpoint #{number} (Ludus blocks {}–{}, set {}, {} signatures) in L1 tx {} ({} gas)",
                        signed.checkpoint.first_block, signed.checkpoint.last_block, signed.checkpoint.validator_set_id,
                        signatures.len(), sent.tx, sent.gas_used,
                    );
                    self.tracker.gas_spent(GasAction::Checkpoint, sent.gas_used, sent.wei);
                }
                // The gas estimate may see another relayer's pending submission: the chain
                // decides, and a refusal is looked at again next poll, logged once.
                Err(error) => {
                    let Some((reason, spent)) = error.refusal() else { return Err(error.into()) };
                    if let Some(spent) = spent {
                        self.tracker.gas_spent(GasAction::Checkpoint, spent.gas_used, spent.wei);
                    }
                    if self.l1.latest_checkpoint().await? >= number {
                        tracing::info!(target: "relayer", "Checkpoint #{number} was posted by another relayer first ({reason})");
                    } else {
                        if self.refused != Some(number) {
                            tracing::warn!(target: "relayer", "The L1 does not take checkpoint #{number} now ({reason}); trying again");
                            self.refused = Some(number);
                        }
                        break;
                    }
                }
            }
            latest = self.l1.latest_checkpoint().await?;
            self.verified = self.verified.max(number);
        }
        self.install_pending_set(finalized_hash).await?;
        self.tracker.checkpoints(latest, latest_signed.or(if latest > 0 { Some(latest) } else { None }));
        Ok(())
    }

    /// After a checkpoint committed to a new set, the L1 takes nothing until it is installed.
    async fn install_pending_set(&mut self, finalized_hash: sp_core::H256) -> Result<(), DutyError> {
        let (current, Some(pending_hash)) = self.l1.validator_sets().await? else { return Ok(()) };
        let next = current + 1;
        let Some(set) = self.ludus.validator_set(Some(next), finalized_hash).await? else {
            tracing::warn!(target: "relayer", "The L1 waits for validator set {next}, which Ludus does not know (yet)");
            return Ok(());
        };
        if B256::from(set.hash.0) != pending_hash {
            tracing::error!(
                target: "relayer",
                "Ludus's validator set {next} hashes to {:?} but the L1 was committed to {pending_hash}: not installing it",
                set.hash
            );
            return Ok(());
        }
        let members: Vec<Address> = set.validators.iter().map(|v| Address::from(v.0)).collect();
        match self.l1.install_validator_set(next, members).await {
            Ok(sent) => {
                tracing::info!(
                    target: "relayer",
                    "Installed validator set {next} ({} members) on the L1 in tx {} ({} gas)",
                    set.validators.len(), sent.tx, sent.gas_used
                );
                self.tracker.gas_spent(GasAction::ValidatorSet, sent.gas_used, sent.wei);
            }
            Err(error) => {
                let Some((reason, spent)) = error.refusal() else { return Err(error.into()) };
                if let Some(spent) = spent {
                    self.tracker.gas_spent(GasAction::ValidatorSet, spent.gas_used, spent.wei);
                }
                if self.l1.validator_sets().await?.1.is_none() {
                    tracing::info!(target: "relayer", "Validator set {next} was installed by another relayer first ({reason})");
                } else {
                    tracing::debug!(target: "relayer", "Validator set {next} not installed yet ({reason}); trying again");
                }
            }
        }
        Ok(())
    }

    /// Compares the L1's checkpoint `number` with the one Ludus's validators signed; proves
    /// the equivocation if both are signed and differ.
    async fn check_equivocation(&mut self, number: u64, finalized_hash: sp_core::H256) -> Result<(), DutyError> {
        let Some(signed) = self.ludus.signed_checkpoint(number, finalized_hash).await? else {
            // Not signed on Ludus yet (a checkpoint posted ahead of Ludus is forged until Ludus
            // signs its own under that number), or pruned there: look again next step, which
            // costs one Ludus call while the L1 stays where it is.
            return Ok(());
        };
        let Some(on_l1) = self.l1.submitted_checkpoint(number).await? else {
            self.verified = number;
            return Ok(());
        };
        let ours = checkpoint_from_json(&signed.checkpoint);
        if on_l1.0 == ours {
            self.verified = number;
            return Ok(());
        }
        tracing::error!(
            target: "relayer",
            "EQUIVOCATION: the L1's checkpoint #{number} ({:?}) differs from the one Ludus's validators signed ({:?}); proving it",
            on_l1.0, ours
        );
        let signatures = l1_signatures(&signed.signatures);
        match self.l1.prove_equivocation(on_l1, (ours, signatures)).await {
            Ok(sent) => {
                tracing::warn!(target: "relayer", "Proved the equivocation of checkpoint #{number} in L1 tx {}: the bridge is paused", sent.tx);
                self.tracker.gas_spent(GasAction::Equivocation, sent.gas_used, sent.wei);
                self.verified = number;
            }
            Err(e) if self.l1.checkpoints_paused().await? => {
                tracing::info!(target: "relayer", "The bridge is already paused ({e})");
                self.verified = number;
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }
}

/// The L1 form of a checkpoint's signatures.
pub fn l1_signatures(signatures: &[sp_core::Bytes]) -> Vec<Bytes> {
    signatures.iter().map(|s| Bytes::from(s.0.clone())).collect()
}
