//! What each transfer is doing, for people and machines.
//!
//! The relayer's loops report what they see to one [`Tracker`] (cheap to clone): both
//! chains' heads, the checkpoints, every deposit and withdrawal as it moves through its
//! stages, the L1 gas the relayer spends and whether its endpoints answer. With
//! [`Metrics`] attached ([`Tracker::with_metrics`]) the tracker updates them as well, so a
//! loop reports each fact once.
//!
//! Per transfer the tracker keeps its current stage, since when (unix milliseconds) and the
//! stages before it. Per stage it keeps how long the last [`DURATION_SAMPLES`] transfers
//! that left the stage spent in it: their mean, added to the time a transfer entered the
//! stage, estimates when that transfer reaches its next stage.
//!
//! [`serve_status`] answers in JSON (camelCase fields, amounts as decimal strings, hashes
//! and addresses as 0x hex, times as unix milliseconds):
//!
//! - `GET /status`: both chains, the checkpoints, pending transfers and gas ([`StatusJson`]);
//! - `GET /deposits/{nonce}`, `GET /deposits/tx/{l1 tx hash}`, `GET /withdrawals/{id}`: the
//!   transfer's fields, `stage`, `stageSince`, `history` and `nextStageEstimate`;
//! - errors as `{"error": "…"}`: 404 for an unknown page or transfer (saying which transfers
//!   are known), 400 for a bad parameter, 405 for any method but GET, and 300 (with the
//!   `nonces`) when one L1 transaction holds several deposits.
//!
//! Memory is bounded: at most [`MAX_FINISHED`] finished transfers of each kind (the one that
//! finished first is dropped first), [`MAX_HISTORY`] stages per transfer and
//! [`DURATION_SAMPLES`] durations per stage. Pending transfers are all kept: each is one the
//! relayer is still working on, and it leaves them when it finishes or (a deposit) when an
//! L1 reorg removes it.
//!
//! The GET-only HTTP server here (`serve_get`) also serves `/metrics`.

use std::{
    collections::{BTreeMap, VecDeque},
    convert::Infallible,
    fmt,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use alloy::primitives::{Address, B256, U256};
use http_body_util::Full;
use hyper::{
    body::{Bytes, Incoming},
    header::{HeaderValue, ALLOW, CONTENT_TYPE},
    server::conn::http1,
    service::service_fn,
    Method, Request, Response, StatusCode,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::{Serialize, Serializer};
use tokio::{net::TcpListener, sync::Semaphore};

use crate::metrics::Metrics;

/// Finished transfers (minted or refunded deposits, paid withdrawals) kept of each kind;
/// past it, the one that finished first is forgotten.
pub const MAX_FINISHED: usize = 10_000;
/// Stages kept in one transfer's history, the current one included; past it, the oldest
/// is forgotten (a withdrawal whose checkpoints keep being abandoned could cycle forever).
pub const MAX_HISTORY: usize = 16;
/// Per stage, how many of the latest transfers to leave it the estimates average over.
pub const DURATION_SAMPLES: usize = 32;

/// Connections served at once: the status port may face the public, and a client opening
/// connections without end must not take the file descriptors the relayer needs for its
/// chains. Further connections wait in the listen queue.
const MAX_CONNECTIONS: usize = 64;
/// Longest a client may take to send its request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed accept (out of file descriptors, say) before the next.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// What every JSON answer is.
const JSON: &str = "application/json";

/// Where a deposit (L1 → Ludus) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "name", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum DepositStage {
    /// Its `Deposited` log is in an L1 block the relayer saw, not yet finalized.
    Seen,
    /// Its L1 block is finalized: validators may attest it.
    FinalOnL1,
    /// Attested on Ludus by some validators, not yet enough to execute it.
    Attested {
        /// Attestations so far.
        attestations: u32,
        /// Attestations that execute it.
        threshold: u32,
    },
    /// Minted on Ludus. Final.
    Minted,
    /// Could not be minted and goes back to the depositor on the L1. Final.
    Refunded {
        /// The refund's withdrawal; `None` when there is none (the pallet's
        /// `DepositFailed`) or the relayer does not know it.
        withdrawal_id: Option<u64>,
    },
}

/// Where a withdrawal (Ludus → L1) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "name", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum WithdrawalStage {
    /// Burned on Ludus, waiting for a checkpoint.
    Burned,
    /// Committed to a checkpoint the validators are signing.
    InCheckpoint {
        /// The checkpoint's number.
        checkpoint: u64,
    },
    /// Its checkpoint is signed, not yet accepted on the L1.
    Signed {
        /// The checkpoint's number.
        checkpoint: u64,
    },
    /// Its checkpoint is accepted on the L1: it can be claimed.
    OnL1 {
        /// The checkpoint's number.
        checkpoint: u64,
    },
    /// Claimed, but the Vault holds it until `unlock_at`; then it can be executed.
    Queued {
        /// When it unlocks, in unix seconds (the L1's block time).
        unlock_at: u64,
    },
    /// Paid on the L1. Final.
    Paid {
        /// The L1 transaction that paid it, when the relayer knows it.
        #[serde(serialize_with = "display_option")]
        l1_tx: Option<B256>,
    },
}

/// A deposit as the L1 Vault's `Deposited` log gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositInfo {
    /// The Vault's nonce for it, which names it on both chains.
    pub nonce: u64,
    /// The L1 transaction that made it.
    #[serde(serialize_with = "display")]
    pub l1_tx: B256,
    /// The L1 block that holds that transaction.
    pub l1_block: u64,
    /// The L1 token deposited.
    #[serde(serialize_with = "display")]
    pub token: Address,
    /// The L1 account that deposited.
    #[serde(serialize_with = "display")]
    pub depositor: Address,
    /// The Ludus account credited (32 bytes).
    #[serde(serialize_with = "display")]
    pub recipient: B256,
    /// How much, in the token's smallest unit.
    #[serde(serialize_with = "display")]
    pub amount: U256,
}

/// A withdrawal as the bridge pallet records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawalInfo {
    /// The pallet's id for it.
    pub id: u64,
    /// The L1 token paid out.
    #[serde(serialize_with = "display")]
    pub token: Address,
    /// The L1 account paid.
    #[serde(serialize_with = "display")]
    pub recipient: Address,
    /// How much, in the token's smallest unit, before the fee.
    #[serde(serialize_with = "display")]
    pub amount: U256,
    /// What the Vault pays whoever claims it, out of `amount`.
    #[serde(serialize_with = "display")]
    pub fee: U256,
}

/// What the relayer spent L1 gas on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GasAction {
    /// Posting a signed checkpoint.
    Checkpoint,
    /// Posting a new validator set.
    ValidatorSet,
    /// Claiming a withdrawal for its user.
    Claim,
    /// Executing a claim the Vault had queued.
    ExecuteDelayed,
    /// Proving a validator signed two checkpoints for one number.
    Equivocation,
}

impl GasAction {
    /// Every action, as the metrics label them.
    const ALL: [Self; 5] =
        [Self::Checkpoint, Self::ValidatorSet, Self::Claim, Self::ExecuteDelayed, Self::Equivocation];

    fn label(self) -> &'static str {
        match self {
            Self::Checkpoint => "checkpoint",
            Self::ValidatorSet => "validator_set",
            Self::Claim => "claim",
            Self::ExecuteDelayed => "execute_delayed",
            Self::Equivocation => "equivocation",
        }
    }
}

/// A node the relayer talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The Ethereum L1's JSON-RPC.
    L1,
    /// The Ludus node's JSON-RPC.
    Ludus,
}

impl Endpoint {
    const ALL: [Self; 2] = [Self::L1, Self::Ludus];

    fn label(self) -> &'static str {
        match self {
            Self::L1 => "l1",
            Self::Ludus => "ludus",
        }
    }
}

/// What `GET /status` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusJson {
    /// The L1 as the relayer last saw it.
    pub l1: L1Json,
    /// Ludus as the relayer last saw it.
    pub ludus: LudusJson,
    /// Checkpoints on both chains.
    pub checkpoints: CheckpointsJson,
    /// The newest deposit nonce this relayer attested; `None` before the first.
    pub last_attested_nonce: Option<u64>,
    /// Deposits seen and neither minted nor refunded yet.
    pub pending_deposits: usize,
    /// Withdrawals burned and not yet paid on the L1.
    pub pending_claims: usize,
    /// L1 gas the relayer paid for since it started.
    pub gas_spent: GasSpentJson,
}

/// The L1's heads; `None` until first reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct L1Json {
    /// Number of the newest block.
    pub head: Option<u64>,
    /// Number of the newest finalized block.
    pub finalized: Option<u64>,
    /// Whether the L1 endpoint answered the relayer's last call (`false` until it has).
    pub up: bool,
}

/// Ludus's finalized head; `None` until first reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LudusJson {
    /// Number of the newest finalized block.
    pub finalized: Option<u64>,
    /// Whether the Ludus endpoint answered the relayer's last call (`false` until it has).
    pub up: bool,
}

/// Checkpoints; all `None` until first reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointsJson {
    /// The newest checkpoint the L1 accepted.
    pub l1_latest: Option<u64>,
    /// The newest checkpoint signed on Ludus (`None` also while none is).
    pub ludus_latest_signed: Option<u64>,
    /// Signed checkpoints the L1 has not accepted yet.
    pub lag: Option<u64>,
}

/// Gas spent, in total and per [`GasAction`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GasSpentJson {
    /// Over every action.
    pub total: GasJson,
    /// Per action.
    pub by_action: GasByActionJson,
}

/// Gas used and wei paid for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GasJson {
    /// Gas used.
    pub gas: u64,
    /// Wei paid (a decimal string).
    #[serde(serialize_with = "display")]
    pub wei: u128,
}

/// Gas per [`GasAction`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GasByActionJson {
    /// [`GasAction::Checkpoint`].
    pub checkpoint: GasJson,
    /// [`GasAction::ValidatorSet`].
    pub validator_set: GasJson,
    /// [`GasAction::Claim`].
    pub claim: GasJson,
    /// [`GasAction::ExecuteDelayed`].
    pub execute_delayed: GasJson,
    /// [`GasAction::Equivocation`].
    pub equivocation: GasJson,
}

impl GasByActionJson {
    fn of(&mut self, action: GasAction) -> &mut GasJson {
        match action {
            GasAction::Checkpoint => &mut self.checkpoint,
            GasAction::ValidatorSet => &mut self.validator_set,
            GasAction::Claim => &mut self.claim,
            GasAction::ExecuteDelayed => &mut self.execute_delayed,
            GasAction::Equivocation => &mut self.equivocation,
        }
    }

    fn total(&self) -> GasJson {
        [self.checkpoint, self.validator_set, self.claim, self.execute_delayed, self.equivocation].into_iter().fold(
            GasJson::default(),
            |sum, one| GasJson { gas: sum.gas.saturating_add(one.gas), wei: sum.wei.saturating_add(one.wei) },
        )
    }
}

/// Where every transfer is, and the chains around them: the relayer's loops report here,
/// [`serve_status`] reads. Cheap to clone; clones share one state.
///
/// Keeps at most [`MAX_FINISHED`] finished deposits and as many finished withdrawals (the
/// one that finished first is dropped first), every pending one, and [`MAX_HISTORY`] stages
/// per transfer. The lock is held for a few map operations and never across an await.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    state: Arc<Mutex<State>>,
    metrics: Option<Metrics>,
}

impl Tracker {
    /// A tracker with nothing seen yet, updating no metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tracker with nothing seen yet that updates `metrics` as it is told things; every
    /// labelled series is created at zero now.
    pub fn with_metrics(metrics: Metrics) -> Self {
        metrics.declare_labels(
            DepositStage::LABELS,
            WithdrawalStage::LABELS,
            &GasAction::ALL.map(GasAction::label),
            &Endpoint::ALL.map(Endpoint::label),
        );
        Self { state: Arc::default(), metrics: Some(metrics) }
    }

    /// The L1's newest block and newest finalized block.
    pub fn l1_heads(&self, head: u64, finalized: u64) {
        self.with_state(|state| {
            state.l1.head = Some(head);
            state.l1.finalized = Some(finalized);
        });
        if let Some(metrics) = &self.metrics {
            metrics.l1_heads(head, finalized);
        }
    }

    /// Ludus's newest finalized block.
    pub fn ludus_finalized(&self, number: u64) {
        self.with_state(|state| state.ludus.finalized = Some(number));
        if let Some(metrics) = &self.metrics {
            metrics.ludus_finalized(number);
        }
    }

    /// The newest checkpoint the L1 accepted, and the newest signed on Ludus (if any).
    pub fn checkpoints(&self, l1_latest: u64, ludus_latest_signed: Option<u64>) {
        let lag = ludus_latest_signed.map_or(0, |signed| signed.saturating_sub(l1_latest));
        self.with_state(|state| {
            state.checkpoints = CheckpointsJson { l1_latest: Some(l1_latest), ludus_latest_signed, lag: Some(lag) };
        });
        if let Some(metrics) = &self.metrics {
            metrics.checkpoints(l1_latest, lag);
        }
    }

    /// The newest deposit nonce this relayer attested.
    pub fn last_attested_nonce(&self, nonce: u64) {
        self.with_state(|state| state.last_attested_nonce = Some(nonce));
        if let Some(metrics) = &self.metrics {
            metrics.last_attested_nonce(nonce);
        }
    }

    /// Deposit `info.nonce` is in `stage`: recorded if new, moved if its stage changed. The
    /// same stage again (say one more attestation) updates its details but keeps its time.
    /// A different L1 transaction at a known nonce (an L1 reorg) replaces the deposit.
    pub fn deposit(&self, info: DepositInfo, stage: DepositStage) {
        self.deposit_at(info, stage, now_ms());
    }

    /// Forgets deposit `nonce`: an L1 reorg removed it before its block was finalized.
    pub fn forget_deposit(&self, nonce: u64) {
        let pending = self.with_state(|state| {
            state.deposits.remove(nonce);
            state.pending()
        });
        if let Some(metrics) = &self.metrics {
            metrics.pending(pending.0, pending.1);
        }
    }

    /// Withdrawal `info.id` is in `stage`: recorded if new, moved if its stage changed. The
    /// same stage again (say another checkpoint) updates its details but keeps its time.
    pub fn withdrawal(&self, info: WithdrawalInfo, stage: WithdrawalStage) {
        self.withdrawal_at(info, stage, now_ms());
    }

    /// The relayer spent `gas_used` gas, costing `wei`, on one L1 transaction for `action`.
    pub fn gas_spent(&self, action: GasAction, gas_used: u64, wei: u128) {
        self.with_state(|state| {
            let spent = state.gas.of(action);
            spent.gas = spent.gas.saturating_add(gas_used);
            spent.wei = spent.wei.saturating_add(wei);
        });
        if let Some(metrics) = &self.metrics {
            metrics.gas_spent(action.label(), gas_used, wei);
        }
    }

    /// Whether `endpoint` answered the relayer's last call.
    pub fn endpoint(&self, endpoint: Endpoint, up: bool) {
        self.with_state(|state| match endpoint {
            Endpoint::L1 => state.l1.up = up,
            Endpoint::Ludus => state.ludus.up = up,
        });
        if let Some(metrics) = &self.metrics {
            metrics.endpoint(endpoint.label(), up);
        }
    }

    /// One error in the relayer's `duty` (such as `"attest"` or `"claim"`); counted in the
    /// metrics' `errors_total{duty}`, nothing without metrics.
    pub fn error(&self, duty: &'static str) {
        if let Some(metrics) = &self.metrics {
            metrics.error(duty);
        }
    }

    /// What `GET /status` answers, now.
    pub fn snapshot(&self) -> StatusJson {
        self.with_state(|state| {
            let (pending_deposits, pending_claims) = state.pending();
            StatusJson {
                l1: state.l1,
                ludus: state.ludus,
                checkpoints: state.checkpoints,
                last_attested_nonce: state.last_attested_nonce,
                pending_deposits,
                pending_claims,
                gas_spent: GasSpentJson { total: state.gas.total(), by_action: state.gas },
            }
        })
    }

    fn deposit_at(&self, info: DepositInfo, stage: DepositStage, now: u64) {
        let (entered, pending) = self.with_state(|state| {
            let nonce = info.nonce;
            if state.deposits.transfers.get(&nonce).is_some_and(|known| known.info.l1_tx != info.l1_tx) {
                state.deposits.remove(nonce);
            }
            (state.deposits.enter(nonce, info, stage, now), state.pending())
        });
        if let Some(metrics) = &self.metrics {
            if let Some(stage) = entered {
                metrics.deposit_entered(stage);
            }
            metrics.pending(pending.0, pending.1);
        }
    }

    fn withdrawal_at(&self, info: WithdrawalInfo, stage: WithdrawalStage, now: u64) {
        let (entered, pending) =
            self.with_state(|state| (state.withdrawals.enter(info.id, info, stage, now), state.pending()));
        if let Some(metrics) = &self.metrics {
            if let Some(stage) = entered {
                metrics.withdrawal_entered(stage);
            }
            metrics.pending(pending.0, pending.1);
        }
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        // A panic elsewhere while holding the lock leaves a state still worth reporting.
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut state)
    }

    /// The answer to `GET {path}`.
    fn answer(&self, path: &str) -> Reply {
        let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
        match segments.as_slice() {
            ["status"] => Reply::json(StatusCode::OK, &self.snapshot()),
            ["deposits", "tx", hash] => match hash.parse::<B256>() {
                Ok(hash) => self.deposit_by_tx(hash),
                Err(_) => Reply::error(
                    StatusCode::BAD_REQUEST,
                    "an L1 transaction hash is 32 bytes in hex, such as /deposits/tx/0x5c50…(64 digits)".into(),
                ),
            },
            ["deposits", nonce] => match nonce.parse::<u64>() {
                Ok(nonce) => self.with_state(|state| state.deposits.answer(nonce, "deposit", "nonce", DEPOSIT_GONE)),
                Err(_) => Reply::error(
                    StatusCode::BAD_REQUEST,
                    "a deposit nonce is a whole number, such as /deposits/42".into(),
                ),
            },
            ["withdrawals", id] => match id.parse::<u64>() {
                Ok(id) => self.with_state(|state| state.withdrawals.answer(id, "withdrawal", "id", WITHDRAWAL_GONE)),
                Err(_) => Reply::error(
                    StatusCode::BAD_REQUEST,
                    "a withdrawal id is a whole number, such as /withdrawals/7".into(),
                ),
            },
            _ => Reply::error(
                StatusCode::NOT_FOUND,
                "no such page: ask for /status, /deposits/{nonce}, /deposits/tx/{l1 tx hash} or /withdrawals/{id}"
                    .into(),
            ),
        }
    }

    fn deposit_by_tx(&self, tx: B256) -> Reply {
        self.with_state(|state| {
            // A scan rather than an index: at most MAX_FINISHED plus the pending deposits take
            // microseconds, and there is no second map to keep in step through reorgs.
            let nonces: Vec<u64> = state
                .deposits
                .transfers
                .iter()
                .filter(|(_, deposit)| deposit.info.l1_tx == tx)
                .map(|(nonce, _)| *nonce)
                .collect();
            match nonces.as_slice() {
                [nonce] => state.deposits.answer(*nonce, "deposit", "nonce", DEPOSIT_GONE),
                [] => Reply::error(
                    StatusCode::NOT_FOUND,
                    format!(
                        "no deposit from L1 transaction {tx} seen: a deposit shows once the relayer has read its \
                         L1 block, and {}",
                        state.deposits.known("deposit", "nonce")
                    ),
                ),
                _ => Reply::json(
                    StatusCode::MULTIPLE_CHOICES,
                    &serde_json::json!({
                        "error": format!(
                            "L1 transaction {tx} made {} deposits: ask for each at /deposits/{{nonce}}",
                            nonces.len()
                        ),
                        "nonces": nonces,
                    }),
                ),
            }
        })
    }
}

/// Why a deposit within the known nonces may be missing.
const DEPOSIT_GONE: &str = "an L1 reorg removed it, or it finished";
/// Why a withdrawal within the known ids may be missing.
const WITHDRAWAL_GONE: &str = "it finished";

/// Everything the tracker knows.
#[derive(Debug, Default)]
struct State {
    l1: L1Json,
    ludus: LudusJson,
    checkpoints: CheckpointsJson,
    last_attested_nonce: Option<u64>,
    deposits: Ledger<DepositInfo, DepositStage>,
    withdrawals: Ledger<WithdrawalInfo, WithdrawalStage>,
    gas: GasByActionJson,
}

impl State {
    /// Pending deposits and pending claims.
    fn pending(&self) -> (usize, usize) {
        (self.deposits.pending(), self.withdrawals.pending())
    }
}

/// What the tracker needs of a transfer's stage.
trait Stage: Copy + fmt::Debug + Serialize {
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
struct StageEntry<S> {
    stage: S,
    since: u64,
}

/// One transfer and the stages it went through.
#[derive(Debug)]
struct Transfer<I, S> {
    info: I,
    current: StageEntry<S>,
    /// The stages before `current`, oldest first; at most `MAX_HISTORY - 1`.
    earlier: VecDeque<StageEntry<S>>,
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
struct Ledger<I, S> {
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

impl<I: Serialize, S: Stage> Ledger<I, S> {
    /// Transfer `key` is in `stage` at `now`; the label of the stage it entered, if it did.
    fn enter(&mut self, key: u64, info: I, stage: S, now: u64) -> Option<&'static str> {
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

    fn remove(&mut self, key: u64) {
        if let Some(removed) = self.transfers.remove(&key) {
            if removed.current.stage.is_final() {
                self.finished.retain(|finished| *finished != key);
            }
        }
    }

    fn pending(&self) -> usize {
        self.transfers.len().saturating_sub(self.finished.len())
    }

    /// When the transfer in `current` should reach its next stage (unix ms): it entered
    /// `current` plus the mean time transfers spent there, or, when the stage itself says,
    /// not before then. `None` once final, or when nothing left the stage yet.
    fn next_stage_estimate(&self, current: &StageEntry<S>) -> Option<u64> {
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

    fn view(&self, key: u64) -> Option<TransferJson<'_, I, S>> {
        let transfer = self.transfers.get(&key)?;
        Some(TransferJson {
            info: &transfer.info,
            stage: transfer.current.stage,
            stage_since: transfer.current.since,
            history: transfer.earlier.iter().copied().chain([transfer.current]).collect(),
            next_stage_estimate: self.next_stage_estimate(&transfer.current),
        })
    }

    /// The answer for transfer `key`: it, or 404 saying which are known.
    fn answer(&self, key: u64, noun: &str, key_name: &str, gone: &str) -> Reply {
        if let Some(view) = self.view(key) {
            return Reply::json(StatusCode::OK, &view);
        }
        let message = match self.transfers.last_key_value() {
            Some((newest, _)) if key > *newest => {
                format!("no {noun} with {key_name} {key} seen yet: {}", self.known(noun, key_name))
            }
            Some(_) => format!(
                "{noun} with {key_name} {key} is not held: {gone} before the last {MAX_FINISHED} finished {noun}s, \
                 which are all the relayer keeps; {}",
                self.known(noun, key_name)
            ),
            None => format!("no {noun} with {key_name} {key} seen yet: {}", self.known(noun, key_name)),
        };
        Reply::error(StatusCode::NOT_FOUND, message)
    }

    /// Which transfers are held, in words.
    fn known(&self, noun: &str, key_name: &str) -> String {
        match (self.transfers.first_key_value(), self.transfers.last_key_value()) {
            (Some((first, _)), Some((last, _))) if first == last => {
                format!("the relayer has seen {key_name} {first} only")
            }
            (Some((first, _)), Some((last, _))) => format!(
                "the relayer has seen {key_name}s {first}–{last} (it holds {} {noun}s, {} of them pending)",
                self.transfers.len(),
                self.pending()
            ),
            _ => format!("the relayer has seen no {noun} since it started"),
        }
    }
}

/// One transfer as `GET /deposits/…` and `GET /withdrawals/…` answer it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransferJson<'a, I, S> {
    #[serde(flatten)]
    info: &'a I,
    stage: S,
    stage_since: u64,
    /// Oldest first, the current stage last.
    history: Vec<StageEntry<S>>,
    next_stage_estimate: Option<u64>,
}

/// Now, in unix milliseconds.
fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
}

/// `U256` and `u128` as decimal strings, `B256` as 0x hex, `Address` as checksummed 0x hex.
fn display<T: fmt::Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// [`display`], or `null`.
fn display_option<T: fmt::Display, S: Serializer>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

/// Answers `GET /status`, `/deposits/{nonce}`, `/deposits/tx/{hash}` and
/// `/withdrawals/{id}` on `listener` from `tracker` (see the module's docs for the answers).
///
/// Runs until the future is dropped: it never returns on its own, since a failed accept
/// (out of file descriptors, say) is retried.
pub async fn serve_status(listener: TcpListener, tracker: Tracker) {
    serve_get("status", listener, move |path| tracker.answer(path)).await
}

/// One answer of [`serve_get`]'s server.
#[derive(Debug)]
pub(crate) struct Reply {
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Reply {
    pub(crate) fn new(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Self {
        Self { status, content_type, body }
    }

    pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self::new(status, JSON, body),
            Err(e) => Self::error(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot encode the answer: {e}")),
        }
    }

    /// `{"error": message}`.
    pub(crate) fn error(status: StatusCode, message: String) -> Self {
        Self::new(status, JSON, serde_json::json!({ "error": message }).to_string().into_bytes())
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = self.status;
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET"));
        }
        response
    }
}

/// Serves HTTP/1.1 GET requests on `listener`, answering each with `answer(path)`; any
/// other method gets 405. One request per connection (no keep-alive), at most
/// [`MAX_CONNECTIONS`] at once, [`HEADER_TIMEOUT`] to send the headers. `server` names it in
/// the logs. Never returns.
pub(crate) async fn serve_get<F>(server: &'static str, listener: TcpListener, answer: F)
where
    F: Fn(&str) -> Reply + Send + Sync + 'static,
{
    let answer = Arc::new(answer);
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            // Never closed: `permits` lives as long as this loop.
            return;
        };
        let (socket, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::debug!(target: "relayer", server, error = %e, "cannot accept a connection");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let answer = answer.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let reply = if request.method() == Method::GET {
                    answer(request.uri().path())
                } else {
                    Reply::error(
                        StatusCode::METHOD_NOT_ALLOWED,
                        format!("only GET is served here, not {}", request.method()),
                    )
                };
                std::future::ready(Ok::<_, Infallible>(reply.into_response()))
            });
            let served = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(false)
                .serve_connection(TokioIo::new(socket), service)
                .await;
            if let Err(e) = served {
                tracing::debug!(target: "relayer", server, %remote, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use std::{
        io::{Read, Write},
        net::SocketAddr,
    };

    use serde_json::{json, Value};

    use super::*;

    /// `method path` over a real TCP connection: the status code, the headers and the body.
    pub(crate) async fn get(address: SocketAddr, method: &str, path: &str) -> (u16, String, String) {
        let request = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        let response = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            response
        })
        .await
        .unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head.to_owned(), body.to_owned())
    }

    fn deposit(nonce: u64) -> DepositInfo {
        DepositInfo {
            nonce,
            l1_tx: B256::repeat_byte(0xaa),
            l1_block: 100 + nonce,
            token: Address::repeat_byte(0x11),
            depositor: Address::repeat_byte(0x22),
            recipient: B256::repeat_byte(0x33),
            amount: U256::from(10).pow(U256::from(24)),
        }
    }

    fn withdrawal(id: u64) -> WithdrawalInfo {
        WithdrawalInfo {
            id,
            token: Address::repeat_byte(0x11),
            recipient: Address::repeat_byte(0x44),
            amount: U256::from(5_000),
            fee: U256::from(7),
        }
    }

    fn body(reply: &Reply) -> Value {
        serde_json::from_slice(&reply.body).unwrap()
    }

    #[test]
    fn a_stage_keeps_its_time_until_the_transfer_leaves_it() {
        let tracker = Tracker::new();
        tracker.deposit_at(deposit(1), DepositStage::Seen, 1_000);
        tracker.deposit_at(deposit(1), DepositStage::Seen, 1_500);
        tracker.deposit_at(deposit(1), DepositStage::FinalOnL1, 2_000);
        tracker.deposit_at(deposit(1), DepositStage::Attested { attestations: 1, threshold: 3 }, 3_000);
        tracker.deposit_at(deposit(1), DepositStage::Attested { attestations: 2, threshold: 3 }, 3_500);

        let answer = body(&tracker.answer("/deposits/1"));
        assert_eq!(answer["stage"], json!({ "name": "attested", "attestations": 2, "threshold": 3 }));
        assert_eq!(answer["stageSince"], 3_000);
        assert_eq!(
            answer["history"],
            json!([
                { "stage": { "name": "seen" }, "since": 1_000 },
                { "stage": { "name": "finalOnL1" }, "since": 2_000 },
                { "stage": { "name": "attested", "attestations": 2, "threshold": 3 }, "since": 3_000 },
            ])
        );

        tracker.deposit_at(deposit(1), DepositStage::Minted, 4_000);
        let answer = body(&tracker.answer("/deposits/1"));
        assert_eq!(answer["stage"], json!({ "name": "minted" }));
        assert_eq!(answer["history"].as_array().unwrap().len(), 4);
        assert_eq!(answer["nextStageEstimate"], Value::Null);
    }

    #[test]
    fn estimates_average_the_latest_transfers_to_leave_the_stage() {
        let tracker = Tracker::new();
        tracker.deposit_at(deposit(1), DepositStage::Seen, 10_000);
        let estimate = |tracker: &Tracker, nonce: u64| {
            body(&tracker.answer(&format!("/deposits/{nonce}")))["nextStageEstimate"].clone()
        };
        assert_eq!(estimate(&tracker, 1), Value::Null, "nothing left `seen` yet");

        // Three deposits stayed in `seen` 100, 200 and 300 ms.
        for (nonce, stayed) in [(2, 100), (3, 200), (4, 300)] {
            tracker.deposit_at(deposit(nonce), DepositStage::Seen, 0);
            tracker.deposit_at(deposit(nonce), DepositStage::FinalOnL1, stayed);
        }
        assert_eq!(estimate(&tracker, 1), 10_200);
        assert_eq!(estimate(&tracker, 2), Value::Null, "nothing left `finalOnL1` yet");

        // Only the latest DURATION_SAMPLES count: enough of 1 s pushes the earlier ones out.
        for nonce in 10..10 + DURATION_SAMPLES as u64 {
            tracker.deposit_at(deposit(nonce), DepositStage::Seen, 0);
            tracker.deposit_at(deposit(nonce), DepositStage::FinalOnL1, 1_000);
        }
        assert_eq!(estimate(&tracker, 1), 11_000);

        // A queued withdrawal is not paid before it unlocks, whatever earlier ones took.
        tracker.withdrawal_at(withdrawal(1), WithdrawalStage::Queued { unlock_at: 50 }, 20_000);
        assert_eq!(body(&tracker.answer("/withdrawals/1"))["nextStageEstimate"], 50_000);
        tracker.withdrawal_at(withdrawal(2), WithdrawalStage::Queued { unlock_at: 1 }, 0);
        tracker.withdrawal_at(withdrawal(2), WithdrawalStage::Paid { l1_tx: None }, 90_000);
        assert_eq!(body(&tracker.answer("/withdrawals/1"))["nextStageEstimate"], 110_000);
    }

    #[test]
    fn memory_is_bounded() {
        let tracker = Tracker::new();
        tracker.deposit_at(deposit(0), DepositStage::Seen, 0);
        let last = MAX_FINISHED as u64 + 5;
        for nonce in 1..=last {
            tracker.deposit_at(deposit(nonce), DepositStage::Minted, nonce);
        }
        tracker.with_state(|state| {
            assert_eq!(state.deposits.transfers.len(), MAX_FINISHED + 1);
            assert_eq!(state.deposits.finished.len(), MAX_FINISHED);
            assert!(state.deposits.transfers.contains_key(&0), "pending deposits are kept");
            assert!(!state.deposits.transfers.contains_key(&5), "the first to finish went first");
            assert!(state.deposits.transfers.contains_key(&6));
        });
        assert_eq!(tracker.snapshot().pending_deposits, 1);
        let reply = tracker.answer("/deposits/3");
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(
            body(&reply)["error"],
            format!(
                "deposit with nonce 3 is not held: an L1 reorg removed it, or it finished before the last 10000 \
                 finished deposits, which are all the relayer keeps; the relayer has seen nonces 0–{last} (it holds \
                 10001 deposits, 1 of them pending)"
            )
        );

        // A withdrawal whose checkpoints keep being abandoned keeps only its latest stages.
        for checkpoint in 0..100 {
            tracker.withdrawal_at(withdrawal(1), WithdrawalStage::InCheckpoint { checkpoint }, checkpoint * 10);
            tracker.withdrawal_at(withdrawal(1), WithdrawalStage::Signed { checkpoint }, checkpoint * 10 + 5);
        }
        let history = body(&tracker.answer("/withdrawals/1"))["history"].clone();
        assert_eq!(history.as_array().unwrap().len(), MAX_HISTORY);
        assert_eq!(history[MAX_HISTORY - 1], json!({ "stage": { "name": "signed", "checkpoint": 99 }, "since": 995 }));
    }

    #[test]
    fn reorged_deposits_are_forgotten_or_replaced() {
        let tracker = Tracker::new();
        tracker.deposit_at(deposit(1), DepositStage::Seen, 1);
        tracker.deposit_at(deposit(2), DepositStage::Seen, 1);
        tracker.forget_deposit(2);
        assert_eq!(tracker.answer("/deposits/2").status, StatusCode::NOT_FOUND);

        let other = DepositInfo { l1_tx: B256::repeat_byte(0xbb), ..deposit(1) };
        tracker.deposit_at(other, DepositStage::Seen, 7);
        let answer = body(&tracker.answer("/deposits/1"));
        assert_eq!(answer["l1Tx"], format!("{}", B256::repeat_byte(0xbb)));
        assert_eq!(answer["history"], json!([{ "stage": { "name": "seen" }, "since": 7 }]));
        assert_eq!(tracker.snapshot().pending_deposits, 1);
    }

    #[test]
    fn status_json_has_the_documented_fields() {
        let tracker = Tracker::new();
        assert_eq!(
            serde_json::to_value(tracker.snapshot()).unwrap(),
            json!({
                "l1": { "head": null, "finalized": null, "up": false },
                "ludus": { "finalized": null, "up": false },
                "checkpoints": { "l1Latest": null, "ludusLatestSigned": null, "lag": null },
                "lastAttestedNonce": null,
                "pendingDeposits": 0,
                "pendingClaims": 0,
                "gasSpent": {
                    "total": { "gas": 0, "wei": "0" },
                    "byAction": {
                        "checkpoint": { "gas": 0, "wei": "0" },
                        "validatorSet": { "gas": 0, "wei": "0" },
                        "claim": { "gas": 0, "wei": "0" },
                        "executeDelayed": { "gas": 0, "wei": "0" },
                        "equivocation": { "gas": 0, "wei": "0" },
                    },
                },
            })
        );

        tracker.l1_heads(120, 88);
        tracker.ludus_finalized(40);
        tracker.checkpoints(3, Some(5));
        tracker.last_attested_nonce(9);
        tracker.endpoint(Endpoint::L1, true);
        tracker.gas_spent(GasAction::Checkpoint, 200_000, 3_000_000_000_000_000);
        tracker.gas_spent(GasAction::Claim, 60_000, u128::MAX);
        tracker.deposit_at(deposit(1), DepositStage::Seen, 1);
        tracker.withdrawal_at(withdrawal(1), WithdrawalStage::Burned, 1);
        tracker.withdrawal_at(withdrawal(2), WithdrawalStage::Paid { l1_tx: None }, 1);
        assert_eq!(
            serde_json::to_value(tracker.snapshot()).unwrap(),
            json!({
                "l1": { "head": 120, "finalized": 88, "up": true },
                "ludus": { "finalized": 40, "up": false },
                "checkpoints": { "l1Latest": 3, "ludusLatestSigned": 5, "lag": 2 },
                "lastAttestedNonce": 9,
                "pendingDeposits": 1,
                "pendingClaims": 1,
                "gasSpent": {
                    "total": { "gas": 260_000, "wei": u128::MAX.to_string() },
                    "byAction": {
                        "checkpoint": { "gas": 200_000, "wei": "3000000000000000" },
                        "validatorSet": { "gas": 0, "wei": "0" },
                        "claim": { "gas": 60_000, "wei": u128::MAX.to_string() },
                        "executeDelayed": { "gas": 0, "wei": "0" },
                        "equivocation": { "gas": 0, "wei": "0" },
                    },
                },
            })
        );
        tracker.checkpoints(6, None);
        assert_eq!(tracker.snapshot().checkpoints.lag, Some(0));
    }

    #[test]
    fn transfer_json_has_the_documented_fields() {
        let tracker = Tracker::new();
        tracker.deposit_at(deposit(4), DepositStage::Seen, 1_000);
        tracker.deposit_at(deposit(4), DepositStage::Refunded { withdrawal_id: Some(12) }, 2_000);
        assert_eq!(
            body(&tracker.answer("/deposits/4")),
            json!({
                "nonce": 4,
                "l1Tx": "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "l1Block": 104,
                "token": Address::repeat_byte(0x11).to_checksum(None),
                "depositor": Address::repeat_byte(0x22).to_checksum(None),
                "recipient": "0x3333333333333333333333333333333333333333333333333333333333333333",
                "amount": "1000000000000000000000000",
                "stage": { "name": "refunded", "withdrawalId": 12 },
                "stageSince": 2_000,
                "history": [
                    { "stage": { "name": "seen" }, "since": 1_000 },
                    { "stage": { "name": "refunded", "withdrawalId": 12 }, "since": 2_000 },
                ],
                "nextStageEstimate": null,
            })
        );
        assert_eq!(body(&tracker.answer(&format!("/deposits/tx/{}", B256::repeat_byte(0xaa))))["nonce"], 4);

        let paid_by = B256::repeat_byte(0x55);
        tracker.withdrawal_at(withdrawal(3), WithdrawalStage::OnL1 { checkpoint: 8 }, 500);
        tracker.withdrawal_at(withdrawal(3), WithdrawalStage::Paid { l1_tx: Some(paid_by) }, 900);
        assert_eq!(
            body(&tracker.answer("/withdrawals/3")),
            json!({
                "id": 3,
                "token": Address::repeat_byte(0x11).to_checksum(None),
                "recipient": Address::repeat_byte(0x44).to_checksum(None),
                "amount": "5000",
                "fee": "7",
                "stage": { "name": "paid", "l1Tx": paid_by.to_string() },
                "stageSince": 900,
                "history": [
                    { "stage": { "name": "onL1", "checkpoint": 8 }, "since": 500 },
                    { "stage": { "name": "paid", "l1Tx": paid_by.to_string() }, "since": 900 },
                ],
                "nextStageEstimate": null,
            })
        );
    }

    #[test]
    fn unknown_transfers_and_bad_parameters_are_explained() {
        let tracker = Tracker::new();
        let error = |path: &str| {
            let reply = tracker.answer(path);
            (reply.status.as_u16(), body(&reply)["error"].as_str().unwrap().to_owned())
        };
        assert_eq!(
            error("/withdrawals/1"),
            (404, "no withdrawal with id 1 seen yet: the relayer has seen no withdrawal since it started".into())
        );
        for nonce in 1..=5 {
            tracker.deposit_at(deposit(nonce), DepositStage::Seen, 0);
        }
        assert_eq!(
            error("/deposits/9"),
            (
                404,
                "no deposit with nonce 9 seen yet: the relayer has seen nonces 1–5 (it holds 5 deposits, 5 of them \
                 pending)"
                    .into()
            )
        );
        let (status, message) = error(&format!("/deposits/tx/{}", B256::repeat_byte(0xcc)));
        assert_eq!(status, 404);
        assert!(
            message.starts_with(&format!("no deposit from L1 transaction {} seen", B256::repeat_byte(0xcc))),
            "{message}"
        );
        assert_eq!(error("/deposits/nine").0, 400);
        assert_eq!(error("/deposits/-1").0, 400);
        assert_eq!(error("/deposits/tx/0x1234").0, 400);
        assert_eq!(error("/withdrawals/").0, 400);
        assert_eq!(error("/").0, 404);
        assert_eq!(error("/status/extra").0, 404);

        // One L1 transaction (all five share it here) with several deposits: which to ask for.
        let reply = tracker.answer(&format!("/deposits/tx/{}", B256::repeat_byte(0xaa)));
        assert_eq!(reply.status, StatusCode::MULTIPLE_CHOICES);
        assert_eq!(body(&reply)["nonces"], json!([1, 2, 3, 4, 5]));
    }

    #[tokio::test]
    async fn serves_json_over_http() {
        let tracker = Tracker::new();
        tracker.l1_heads(12, 10);
        tracker.deposit(deposit(1), DepositStage::Seen);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(serve_status(listener, tracker.clone()));

        let (status, headers, answer) = get(address, "GET", "/status").await;
        assert_eq!(status, 200);
        assert!(headers.to_ascii_lowercase().contains("content-type: application/json"), "{headers}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["l1"]["head"], 12);
        assert_eq!(answer["pendingDeposits"], 1);

        let (status, _, answer) = get(address, "GET", "/deposits/1?pretty").await;
        assert_eq!(status, 200);
        assert_eq!(serde_json::from_str::<Value>(&answer).unwrap()["stage"]["name"], "seen");

        let (status, _, answer) = get(address, "GET", "/nowhere").await;
        assert_eq!(status, 404);
        assert!(serde_json::from_str::<Value>(&answer).unwrap()["error"].is_string());
        assert_eq!(get(address, "GET", "/deposits/2").await.0, 404);
        assert_eq!(get(address, "GET", "/withdrawals/x").await.0, 400);

        let (status, headers, answer) = get(address, "POST", "/status").await;
        assert_eq!(status, 405);
        assert!(headers.to_ascii_lowercase().contains("allow: get"), "{headers}");
        assert_eq!(answer, r#"{"error":"only GET is served here, not POST"}"#);
        server.abort();
    }
}
