//! Every transfer of one kind and the stages it went through: a pure state machine, told
//! the time with each report, that the [`Tracker`](super::Tracker) drives under its lock.
//!
//! Per transfer the ledger keeps its current stage, since when (unix milliseconds) and the
//! stages before it. Per stage it keeps how long the last [`DURATION_SAMPLES`] transfers
//! that left the stage spent in it: their mean, added to the time a transfer entered the
//! stage, estimates when that transfer reaches its next stage.
//!
//! Memory is bounded: at most [`MAX_FINISHED`] finished transfers (the one that finished
//! first is dropped first), [`MAX_HISTORY`] stages per transfer and [`DURATION_SAMPLES`]
//! durations per stage. Pending transfers are all kept.

use std::{
    collections::{BTreeMap, VecDeque},
    fmt,
};

use serde::Serialize;

use super::{DepositStage, WithdrawalStage};

/// Finished transfers (minted or refunded deposits, paid withdrawals) kept of each kind;
/// past it, the one that finished first is forgotten.
pub const MAX_FINISHED: usize = 10_000;
/// Stages kept in one transfer's history, the current one included; past it, the oldest
/// is forgotten (a withdrawal whose checkpoints keep being abandoned could cycle forever).
pub const MAX_HISTORY: usize = 16;
/// Per stage, how many of the latest transfers to leave it the estimates average over.
pub const DURATION_SAMPLES: usize = 32;

/// What the ledger needs of a transfer's stage.
pub(super) trait Stage: Copy + fmt::Debug + Serialize {
    /// The metrics' `stage` label of each variant, in the order of [`Stage::kind`].
    const LABELS: &'static [&'static str];

    /// The variant, as an index into [`Stage::LABELS`]; equal for values of one variant
    /// whatever their fields.
    fn kind(&self) -> usize;

    /// Whether the transfer is done in this stage.
    fn is_final(&self) -> bool;

    /// The earliest the next stage can be reached, when this stage says (unix ms).
    fn earliest_next(&self) -> Option<u64> {
        None
    }

    fn label(&self) -> &'static str {
        Self::LABELS.get(self.kind()).copied().unwrap_or("unknown")
    }
}

impl Stage for DepositStage {
    const LABELS: &'static [&'static str] = &["seen", "final_on_l1", "attested", "minted", "refunded"];

    fn kind(&self) -> usize {
        match self {
            Self::Seen => 0,
            Self::FinalOnL1 => 1,
            Self::Attested { .. } => 2,
            Self::Minted => 3,
            Self::Refunded { .. } => 4,
        }
    }

    fn is_final(&self) -> bool {
        matches!(self, Self::Minted | Self::Refunded { .. })
    }
}

impl Stage for WithdrawalStage {
    const LABELS: &'static [&'static str] = &["burned", "in_checkpoint", "signed", "on_l1", "queued", "paid"];

    fn kind(&self) -> usize {
        match self {
            Self::Burned => 0,
            Self::InCheckpoint { .. } => 1,
            Self::Signed { .. } => 2,
            Self::OnL1 { .. } => 3,
            Self::Queued { .. } => 4,
            Self::Paid { .. } => 5,
        }
    }

    fn is_final(&self) -> bool {
        matches!(self, Self::Paid { .. })
    }

    fn earliest_next(&self) -> Option<u64> {
        match self {
            Self::Queued { unlock_at } => Some(unlock_at.saturating_mul(1000)),
            _ => None,
        }
    }
}

/// A stage and when the transfer entered it (unix ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(super) struct StageEntry<S> {
    pub(super) stage: S,
    pub(super) since: u64,
}

/// One transfer and the stages it went through.
#[derive(Debug)]
pub(super) struct Transfer<I, S> {
    /// The transfer as last reported.
    pub(super) info: I,
    pub(super) current: StageEntry<S>,
    /// The stages before `current`, oldest first; at most `MAX_HISTORY - 1`.
    earlier: VecDeque<StageEntry<S>>,
}

impl<I, S: Copy> Transfer<I, S> {
    /// Every stage held, oldest first, the current one last.
    pub(super) fn history(&self) -> impl Iterator<Item = StageEntry<S>> + '_ {
        self.earlier.iter().copied().chain([self.current])
    }
}

/// How long the latest transfers to leave one stage spent in it (ms).
#[derive(Debug, Default)]
struct Durations {
    latest: VecDeque<u64>,
    sum: u64,
}

impl Durations {
    fn record(&mut self, ms: u64) {
        if self.latest.len() == DURATION_SAMPLES {
            let oldest = self.latest.pop_front().unwrap_or_default();
            self.sum = self.sum.saturating_sub(oldest);
        }
        self.latest.push_back(ms);
        self.sum = self.sum.saturating_add(ms);
    }

    fn mean(&self) -> Option<u64> {
        u64::try_from(self.latest.len()).ok().filter(|n| *n > 0).map(|n| self.sum / n)
    }
}

/// Every tracked transfer of one kind, by nonce or id, and how long each stage lasts.
///
/// # Invariants
///
/// `finished` holds exactly the keys of the transfers in a final stage, in the order they
/// finished, and never more than `MAX_FINISHED`.
#[derive(Debug)]
pub(super) struct Ledger<I, S> {
    transfers: BTreeMap<u64, Transfer<I, S>>,
    finished: VecDeque<u64>,
    /// Per stage kind ([`Stage::kind`]).
    durations: Vec<Durations>,
}

impl<I, S: Stage> Default for Ledger<I, S> {
    fn default() -> Self {
        Self {
            transfers: BTreeMap::new(),
            finished: VecDeque::new(),
            durations: S::LABELS.iter().map(|_| Durations::default()).collect(),
        }
    }
}

impl<I, S: Stage> Ledger<I, S> {
    /// Transfer `key` is in `stage` at `now`; the label of the stage it entered, if it did.
    pub(super) fn enter(&mut self, key: u64, info: I, stage: S, now: u64) -> Option<&'static str> {
        let Some(transfer) = self.transfers.get_mut(&key) else {
            let current = StageEntry { stage, since: now };
            self.transfers.insert(key, Transfer { info, current, earlier: VecDeque::new() });
            if stage.is_final() {
                self.finish(key);
            }
            return Some(stage.label());
        };
        transfer.info = info;
        if transfer.current.stage.kind() == stage.kind() {
            transfer.current.stage = stage;
            return None;
        }
        let left = transfer.current;
        if let Some(durations) = self.durations.get_mut(left.stage.kind()) {
            durations.record(now.saturating_sub(left.since));
        }
        if transfer.earlier.len() + 1 >= MAX_HISTORY {
            transfer.earlier.pop_front();
        }
        transfer.earlier.push_back(left);
        transfer.current = StageEntry { stage, since: now };
        match (left.stage.is_final(), stage.is_final()) {
            (false, true) => self.finish(key),
            // Never expected, but a report of a later stage must not leave `finished` stale.
            (true, false) => self.finished.retain(|finished| *finished != key),
            _ => {}
        }
        Some(stage.label())
    }

    fn finish(&mut self, key: u64) {
        self.finished.push_back(key);
        while self.finished.len() > MAX_FINISHED {
            if let Some(oldest) = self.finished.pop_front() {
                self.transfers.remove(&oldest);
            }
        }
    }

    /// Forgets transfer `key`, pending or finished.
    pub(super) fn remove(&mut self, key: u64) {
        if let Some(removed) = self.transfers.remove(&key) {
            if removed.current.stage.is_final() {
                self.finished.retain(|finished| *finished != key);
            }
        }
    }

    /// Every transfer held, by key.
    pub(super) fn transfers(&self) -> &BTreeMap<u64, Transfer<I, S>> {
        &self.transfers
    }

    /// Transfers held and not finished.
    pub(super) fn pending(&self) -> usize {
        self.transfers.len().saturating_sub(self.finished.len())
    }

    /// When the transfer in `current` should reach its next stage (unix ms): it entered
    /// `current` plus the mean time transfers spent there, or, when the stage itself says,
    /// not before then. `None` once final, or when nothing left the stage yet.
    pub(super) fn next_stage_estimate(&self, current: &StageEntry<S>) -> Option<u64> {
        if current.stage.is_final() {
            return None;
        }
        let observed = self
            .durations
            .get(current.stage.kind())
            .and_then(Durations::mean)
            .map(|mean| current.since.saturating_add(mean));
        match (observed, current.stage.earliest_next()) {
            (Some(observed), Some(earliest)) => Some(observed.max(earliest)),
            (observed, earliest) => observed.or(earliest),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::status::{
        tests::{deposit, withdrawal},
        DepositInfo, WithdrawalInfo,
    };

    type Deposits = Ledger<DepositInfo, DepositStage>;
    type Withdrawals = Ledger<WithdrawalInfo, WithdrawalStage>;

    fn entry<S>(stage: S, since: u64) -> StageEntry<S> {
        StageEntry { stage, since }
    }

    fn history<I, S: Stage>(ledger: &Ledger<I, S>, key: u64) -> Vec<StageEntry<S>> {
        ledger.transfers()[&key].history().collect()
    }

    fn estimate<I, S: Stage>(ledger: &Ledger<I, S>, key: u64) -> Option<u64> {
        ledger.next_stage_estimate(&ledger.transfers()[&key].current)
    }

    #[test]
    fn a_stage_keeps_its_time_until_the_transfer_leaves_it() {
        let mut ledger = Deposits::default();
        assert_eq!(ledger.enter(1, deposit(1), DepositStage::Seen, 1_000), Some("seen"));
        assert_eq!(ledger.enter(1, deposit(1), DepositStage::Seen, 1_500), None, "no stage entered");
        assert_eq!(ledger.enter(1, deposit(1), DepositStage::FinalOnL1, 2_000), Some("final_on_l1"));
        let attested = |attestations| DepositStage::Attested { attestations, threshold: 3 };
        assert_eq!(ledger.enter(1, deposit(1), attested(1), 3_000), Some("attested"));
        assert_eq!(ledger.enter(1, deposit(1), attested(2), 3_500), None, "the same stage with new details");

        assert_eq!(ledger.transfers()[&1].current, entry(attested(2), 3_000));
        assert_eq!(
            history(&ledger, 1),
            [entry(DepositStage::Seen, 1_000), entry(DepositStage::FinalOnL1, 2_000), entry(attested(2), 3_000)]
        );

        assert_eq!(ledger.enter(1, deposit(1), DepositStage::Minted, 4_000), Some("minted"));
        assert_eq!(ledger.transfers()[&1].current, entry(DepositStage::Minted, 4_000));
        assert_eq!(history(&ledger, 1).len(), 4);
        assert_eq!(estimate(&ledger, 1), None, "a finished transfer goes nowhere");
        assert_eq!(ledger.pending(), 0);
    }

    #[test]
    fn estimates_average_the_latest_transfers_to_leave_the_stage() {
        let mut ledger = Deposits::default();
        ledger.enter(1, deposit(1), DepositStage::Seen, 10_000);
        assert_eq!(estimate(&ledger, 1), None, "nothing left `seen` yet");

        // Three deposits stayed in `seen` 100, 200 and 300 ms.
        for (nonce, stayed) in [(2, 100), (3, 200), (4, 300)] {
            ledger.enter(nonce, deposit(nonce), DepositStage::Seen, 0);
            ledger.enter(nonce, deposit(nonce), DepositStage::FinalOnL1, stayed);
        }
        assert_eq!(estimate(&ledger, 1), Some(10_200));
        assert_eq!(estimate(&ledger, 2), None, "nothing left `finalOnL1` yet");

        // Only the latest DURATION_SAMPLES count: enough of 1 s pushes the earlier ones out.
        for nonce in 10..10 + DURATION_SAMPLES as u64 {
            ledger.enter(nonce, deposit(nonce), DepositStage::Seen, 0);
            ledger.enter(nonce, deposit(nonce), DepositStage::FinalOnL1, 1_000);
        }
        assert_eq!(estimate(&ledger, 1), Some(11_000));

        // A queued withdrawal is not paid before it unlocks, whatever earlier ones took.
        let mut ledger = Withdrawals::default();
        ledger.enter(1, withdrawal(1), WithdrawalStage::Queued { unlock_at: 50 }, 20_000);
        assert_eq!(estimate(&ledger, 1), Some(50_000));
        ledger.enter(2, withdrawal(2), WithdrawalStage::Queued { unlock_at: 1 }, 0);
        ledger.enter(2, withdrawal(2), WithdrawalStage::Paid { l1_tx: None }, 90_000);
        assert_eq!(estimate(&ledger, 1), Some(110_000));
    }

    #[test]
    fn memory_is_bounded() {
        let mut ledger = Deposits::default();
        ledger.enter(0, deposit(0), DepositStage::Seen, 0);
        let last = MAX_FINISHED as u64 + 5;
        for nonce in 1..=last {
            ledger.enter(nonce, deposit(nonce), DepositStage::Minted, nonce);
        }
        assert_eq!(ledger.transfers.len(), MAX_FINISHED + 1);
        assert_eq!(ledger.finished.len(), MAX_FINISHED);
        assert!(ledger.transfers.contains_key(&0), "pending deposits are kept");
        assert!(!ledger.transfers.contains_key(&5), "the first to finish went first");
        assert!(ledger.transfers.contains_key(&6));
        assert_eq!(ledger.pending(), 1);

        // A withdrawal whose checkpoints keep being abandoned keeps only its latest stages.
        let mut ledger = Withdrawals::default();
        for checkpoint in 0..100 {
            ledger.enter(1, withdrawal(1), WithdrawalStage::InCheckpoint { checkpoint }, checkpoint * 10);
            ledger.enter(1, withdrawal(1), WithdrawalStage::Signed { checkpoint }, checkpoint * 10 + 5);
        }
        let history = history(&ledger, 1);
        assert_eq!(history.len(), MAX_HISTORY);
        assert_eq!(history[MAX_HISTORY - 1], entry(WithdrawalStage::Signed { checkpoint: 99 }, 995));
    }

    #[test]
    fn a_removed_transfer_leaves_no_trace() {
        let mut ledger = Deposits::default();
        ledger.enter(1, deposit(1), DepositStage::Seen, 0);
        ledger.enter(2, deposit(2), DepositStage::Minted, 0);
        ledger.remove(1);
        ledger.remove(2);
        ledger.remove(3);
        assert!(ledger.transfers.is_empty());
        assert!(ledger.finished.is_empty(), "a removed finished transfer is not counted as finished");
        assert_eq!(ledger.pending(), 0);
    }
}
