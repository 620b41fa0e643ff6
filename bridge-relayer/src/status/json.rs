//! What each status page answers: the JSON views of the [`Tracker`]'s state, and the
//! errors that say why a page or transfer is not there.
//!
//! Fields are camelCase, amounts decimal strings, hashes and addresses 0x hex, times unix
//! milliseconds.

use std::fmt;

use alloy::primitives::B256;
use hyper::StatusCode;
use serde::{Serialize, Serializer};

use super::{
    ledger::{Ledger, Stage, StageEntry, MAX_FINISHED},
    GasAction, Tracker,
};
use crate::http::Reply;

/// Why a deposit within the known nonces may be missing.
const DEPOSIT_GONE: &str = "an L1 reorg removed it, or it finished";
/// Why a withdrawal within the known ids may be missing.
const WITHDRAWAL_GONE: &str = "it finished";

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
    pub(super) fn of(&mut self, action: GasAction) -> &mut GasJson {
        match action {
            GasAction::Checkpoint => &mut self.checkpoint,
            GasAction::ValidatorSet => &mut self.validator_set,
            GasAction::Claim => &mut self.claim,
            GasAction::ExecuteDelayed => &mut self.execute_delayed,
            GasAction::Equivocation => &mut self.equivocation,
        }
    }

    pub(super) fn total(&self) -> GasJson {
        [self.checkpoint, self.validator_set, self.claim, self.execute_delayed, self.equivocation].into_iter().fold(
            GasJson::default(),
            |sum, one| GasJson { gas: sum.gas.saturating_add(one.gas), wei: sum.wei.saturating_add(one.wei) },
        )
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

impl<'a, I, S: Stage> TransferJson<'a, I, S> {
    /// Transfer `key` of `ledger`, if held.
    fn of(ledger: &'a Ledger<I, S>, key: u64) -> Option<Self> {
        let transfer = ledger.transfers().get(&key)?;
        Some(Self {
            info: &transfer.info,
            stage: transfer.current.stage,
            stage_since: transfer.current.since,
            history: transfer.history().collect(),
            next_stage_estimate: ledger.next_stage_estimate(&transfer.current),
        })
    }
}

impl Tracker {
    /// The answer to `GET {path}`.
    pub(super) fn answer(&self, path: &str) -> Reply {
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
                Ok(nonce) => {
                    self.with_state(|state| transfer(&state.deposits, nonce, "deposit", "nonce", DEPOSIT_GONE))
                }
                Err(_) => Reply::error(
                    StatusCode::BAD_REQUEST,
                    "a deposit nonce is a whole number, such as /deposits/42".into(),
                ),
            },
            ["withdrawals", id] => match id.parse::<u64>() {
                Ok(id) => {
                    self.with_state(|state| transfer(&state.withdrawals, id, "withdrawal", "id", WITHDRAWAL_GONE))
                }
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
                .transfers()
                .iter()
                .filter(|(_, deposit)| deposit.info.l1_tx == tx)
                .map(|(nonce, _)| *nonce)
                .collect();
            match nonces.as_slice() {
                [nonce] => transfer(&state.deposits, *nonce, "deposit", "nonce", DEPOSIT_GONE),
                [] => Reply::error(
                    StatusCode::NOT_FOUND,
                    format!(
                        "no deposit from L1 transaction {tx} seen: a deposit shows once the relayer has read its \
                         L1 block, and {}",
                        known(&state.deposits, "deposit", "nonce")
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

/// The answer for transfer `key` of `ledger`: it, or 404 saying which are known.
fn transfer<I: Serialize, S: Stage>(ledger: &Ledger<I, S>, key: u64, noun: &str, key_name: &str, gone: &str) -> Reply {
    if let Some(view) = TransferJson::of(ledger, key) {
        return Reply::json(StatusCode::OK, &view);
    }
    let message = match ledger.transfers().last_key_value() {
        Some((newest, _)) if key > *newest => {
            format!("no {noun} with {key_name} {key} seen yet: {}", known(ledger, noun, key_name))
        }
        Some(_) => format!(
            "{noun} with {key_name} {key} is not held: {gone} before the last {MAX_FINISHED} finished {noun}s, \
             which are all the relayer keeps; {}",
            known(ledger, noun, key_name)
        ),
        None => format!("no {noun} with {key_name} {key} seen yet: {}", known(ledger, noun, key_name)),
    };
    Reply::error(StatusCode::NOT_FOUND, message)
}

/// Which transfers `ledger` holds, in words.
fn known<I, S: Stage>(ledger: &Ledger<I, S>, noun: &str, key_name: &str) -> String {
    let transfers = ledger.transfers();
    match (transfers.first_key_value(), transfers.last_key_value()) {
        (Some((first, _)), Some((last, _))) if first == last => {
            format!("the relayer has seen {key_name} {first} only")
        }
        (Some((first, _)), Some((last, _))) => format!(
            "the relayer has seen {key_name}s {first}–{last} (it holds {} {noun}s, {} of them pending)",
            transfers.len(),
            ledger.pending()
        ),
        _ => format!("the relayer has seen no {noun} since it started"),
    }
}

/// `U256` and `u128` as decimal strings, `B256` as 0x hex, `Address` as checksummed 0x hex.
pub(super) fn display<T: fmt::Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// [`display`], or `null`.
pub(super) fn display_option<T: fmt::Display, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use alloy::primitives::Address;
    use serde_json::json;

    use super::*;
    use crate::status::{
        tests::{body, deposit, withdrawal},
        DepositStage, Endpoint, WithdrawalStage,
    };

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

    #[test]
    fn a_transfer_that_fell_out_is_explained() {
        let tracker = Tracker::new();
        tracker.deposit_at(deposit(0), DepositStage::Seen, 0);
        let last = MAX_FINISHED as u64 + 5;
        for nonce in 1..=last {
            tracker.deposit_at(deposit(nonce), DepositStage::Minted, nonce);
        }
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
    }
}
