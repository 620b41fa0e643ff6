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
//! Here are the types the loops report in and the [`Tracker`] that takes their reports;
//! `ledger` is the state machine of one kind of transfer (stages, history, estimates,
//! bounds), `json` what each page answers, and [`crate::http`] the server.

mod json;
mod ledger;

use std::{
    sync::{Arc, Mutex},
};

use alloy::primitives::{Address, B256, U256};
use ludus_primitives::now_ms;
use serde::Serialize;
use tokio::net::TcpListener;

use self::{
    json::{display, display_option},
    ledger::{Ledger, Stage},
};
pub use self::{
    json::{CheckpointsJson, GasByActionJson, GasJson, GasSpentJson, L1Json, LudusJson, StatusJson},
    ledger::{DURATION_SAMPLES, MAX_FINISHED, MAX_HISTORY},
};
use crate::{http::serve_get, metrics::Metrics};

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
            if state.deposits.transfers().get(&nonce).is_some_and(|known| known.info.l1_tx != info.l1_tx) {
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
}

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

/// Answers `GET /status`, `/deposits/{nonce}`, `/deposits/tx/{hash}` and
/// `/withdrawals/{id}` on `listener` from `tracker` (see the module's docs for the answers).
///
/// Runs until the future is dropped: it never returns on its own, since a failed accept
/// (out of file descriptors, say) is retried.
pub async fn serve_status(listener: TcpListener, tracker: Tracker) {
    serve_get("status", listener, move |path| tracker.answer(path)).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use hyper::StatusCode;
    use serde_json::{json, Value};

    use super::*;
    use crate::http::{tests::get, Reply};

    pub(super) fn deposit(nonce: u64) -> DepositInfo {
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

    pub(super) fn withdrawal(id: u64) -> WithdrawalInfo {
        WithdrawalInfo {
            id,
            token: Address::repeat_byte(0x11),
            recipient: Address::repeat_byte(0x44),
            amount: U256::from(5_000),
            fee: U256::from(7),
        }
    }

    pub(super) fn body(reply: &Reply) -> Value {
        serde_json::from_slice(&reply.body).unwrap()
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

    #[test]
    fn tracker_updates_reach_the_text_format() {
        let metrics = Metrics::new().unwrap();
        let tracker = Tracker::with_metrics(metrics.clone());
        tracker.l1_heads(120, 100);
        tracker.ludus_finalized(77);
        tracker.checkpoints(4, Some(6));
        tracker.last_attested_nonce(9);
        tracker.deposit(deposit(1), DepositStage::Seen);
        tracker.deposit(deposit(1), DepositStage::FinalOnL1);
        tracker.deposit(deposit(2), DepositStage::Seen);
        tracker.gas_spent(GasAction::Claim, 50_000, 1_000_000);
        tracker.gas_spent(GasAction::Claim, 30_000, 500_000);
        tracker.endpoint(Endpoint::L1, true);
        tracker.error("attest");

        let text = metrics.render().unwrap();
        for line in [
            "ludus_relayer_l1_head 120",
            "ludus_relayer_l1_finalized 100",
            "ludus_relayer_ludus_finalized 77",
            "ludus_relayer_checkpoint_l1_latest 4",
            "ludus_relayer_checkpoint_lag 2",
            "ludus_relayer_last_attested_nonce 9",
            "ludus_relayer_deposits_total{stage=\"seen\"} 2",
            "ludus_relayer_deposits_total{stage=\"final_on_l1\"} 1",
            "ludus_relayer_deposits_total{stage=\"minted\"} 0",
            "ludus_relayer_withdrawals_total{stage=\"paid\"} 0",
            "ludus_relayer_pending_deposits 2",
            "ludus_relayer_pending_claims 0",
            "ludus_relayer_gas_used_total{action=\"claim\"} 80000",
            "ludus_relayer_gas_used_total{action=\"validator_set\"} 0",
            "ludus_relayer_gas_wei_total{action=\"claim\"} 1500000",
            "ludus_relayer_endpoint_up{endpoint=\"l1\"} 1",
            "ludus_relayer_endpoint_up{endpoint=\"ludus\"} 0",
            "ludus_relayer_errors_total{duty=\"attest\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
        }
    }
}
