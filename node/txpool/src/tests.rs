//! Pool behaviour against a small runtime stand-in that validates like
//! FRAME's `CheckNonce`: a transaction `(sender, nonce, priority)` provides
//! `(sender, nonce)` and, when its nonce is ahead of the chain's, requires
//! `(sender, nonce - 1)`; an old nonce is `Stale`.

use crate::*;
use codec::{Decode, Encode};
use futures::{executor::block_on, FutureExt, StreamExt};
use parking_lot::Mutex;
use std::{collections::HashMap, sync::Arc, time::Duration};

#[derive(Default)]
struct Chain {
    validations: usize,
    /// Calls of `validate_many`.
    batches: usize,
    nonces: HashMap<u8, u64>,
    invalid_senders: Vec<u8>,
    longevity: Option<u64>,
}

#[derive(Clone, Default)]
struct TestApi(Arc<Mutex<Chain>>);

impl TestApi {
    fn set_nonce(&self, sender: u8, nonce: u64) {
        self.0.lock().nonces.insert(sender, nonce);
    }
    fn make_invalid(&self, sender: u8) {
        self.0.lock().invalid_senders.push(sender);
    }
    fn validations(&self) -> usize {
        self.0.lock().validations
    }
    fn batches(&self) -> usize {
        self.0.lock().batches
    }
    fn set_longevity(&self, longevity: u64) {
        self.0.lock().longevity = Some(longevity);
    }
}

impl ChainApi for TestApi {
    fn validate(&self, _at: Hash, _source: TransactionSource, xt: &[u8]) -> Result<TransactionValidity, String> {
        let Ok((sender, nonce, priority)) = <(u8, u64, u64)>::decode(&mut &xt[..]) else {
            return Ok(Err(InvalidTransaction::Call.into()));
        };
        let mut chain = self.0.lock();
        chain.validations += 1;
        if chain.invalid_senders.contains(&sender) {
            return Ok(Err(InvalidTransaction::BadProof.into()));
        }
        let chain_nonce = chain.nonces.get(&sender).copied().unwrap_or(0);
        if nonce < chain_nonce {
            return Ok(Err(InvalidTransaction::Stale.into()));
        }
        let requires = if nonce > chain_nonce { vec![(sender, nonce - 1).encode()] } else { vec![] };
        Ok(Ok(ValidTransaction {
            priority,
            requires,
            provides: vec![(sender, nonce).encode()],
            longevity: chain.longevity.unwrap_or(64),
            propagate: true,
        }))
    }

    fn validate_many(&self, at: Hash, xts: &[(TransactionSource, &[u8])]) -> Vec<Result<TransactionValidity, String>> {
        self.0.lock().batches += 1;
        xts.iter().map(|(source, xt)| self.validate(at, *source, xt)).collect()
    }

    fn sender(&self, xt: &[u8]) -> Option<Vec<u8>> {
        xt.first().map(|sender| vec![*sender])
    }
}

/// A transaction; `pad` makes distinct (or larger) transactions with the same meaning.
fn xt(sender: u8, nonce: u64, priority: u64) -> Vec<u8> {
    (sender, nonce, priority).encode()
}

fn xt_padded(sender: u8, nonce: u64, priority: u64, pad: usize) -> Vec<u8> {
    let mut bytes = xt(sender, nonce, priority);
    bytes.extend(std::iter::repeat_n(0xAB, pad));
    bytes
}

fn pool_with(options: Options) -> Pool<TestApi> {
    Pool::new(options, TestApi::default())
}

fn pool() -> Pool<TestApi> {
    pool_with(Options::default())
}

fn block(n: u8) -> Hash {
    Hash::repeat_byte(n)
}

fn submit(pool: &Pool<TestApi>, bytes: Vec<u8>) -> Result<Hash, Error> {
    pool.submit(block(0), TransactionSource::External, bytes)
}

fn ready_hashes(pool: &Pool<TestApi>) -> Vec<Hash> {
    pool.ready().into_iter().map(|tx| tx.hash).collect()
}

/// Every status the watcher has received so far, without waiting.
fn drain(watcher: &mut Watcher) -> Vec<TransactionStatus> {
    let mut out = Vec::new();
    while let Some(Some(status)) = watcher.next().now_or_never() {
        out.push(status);
    }
    out
}

/// Whether the watcher's stream has ended.
fn is_closed(watcher: &mut Watcher) -> bool {
    matches!(watcher.next().now_or_never(), Some(None))
}

#[test]
fn nonce_gap_waits_in_future_until_the_gap_is_filled() {
    let pool = pool();
    let second = submit(&pool, xt(1, 1, 10)).unwrap();
    assert_eq!(pool.status(), PoolStatus { ready: 0, ready_bytes: 0, future: 1, future_bytes: 17 });
    assert!(pool.ready().is_empty());

    let first = submit(&pool, xt(1, 0, 10)).unwrap();
    assert_eq!(ready_hashes(&pool), vec![first, second]);
    assert_eq!(pool.status().future, 0);
    assert_eq!(pool.status().ready_bytes, 34);
}

#[test]
fn watcher_sees_future_then_ready_on_promotion() {
    let pool = pool();
    let (_, mut watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 1, 10)).unwrap();
    submit(&pool, xt(1, 0, 10)).unwrap();
    assert_eq!(drain(&mut watcher), vec![TransactionStatus::Future, TransactionStatus::Ready]);
}

#[test]
fn ready_orders_by_priority_then_arrival_and_respects_dependencies() {
    let pool = pool();
    let a0 = submit(&pool, xt(1, 0, 10)).unwrap();
    let a1 = submit(&pool, xt(1, 1, 100)).unwrap();
    let b0 = submit(&pool, xt(2, 0, 50)).unwrap();
    let c0 = submit(&pool, xt(3, 0, 50)).unwrap();
    // a1 has the highest priority but needs a0; b0 and c0 tie, b0 came first.
    assert_eq!(ready_hashes(&pool), vec![b0, c0, a0, a1]);
    assert_eq!(pool.pending().len(), 4);
}

#[test]
fn duplicate_is_rejected_as_already_imported() {
    let pool = pool();
    let hash = submit(&pool, xt(1, 0, 10)).unwrap();
    let err = submit(&pool, xt(1, 0, 10)).unwrap_err();
    assert_eq!(err, Error::AlreadyImported(hash));
    assert_eq!(err.rpc_code(), 1013);
    assert!(err.to_string().starts_with("Transaction Already Imported"));
}

#[test]
fn same_nonce_replaces_only_with_strictly_higher_priority() {
    let pool = pool();
    let (old, mut watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 0, 10)).unwrap();
    let dependant = submit(&pool, xt(1, 1, 10)).unwrap();

    let err = submit(&pool, xt_padded(1, 0, 10, 1)).unwrap_err();
    assert_eq!(err, Error::TooLowPriority { old: 10, new: 10 });
    assert_eq!(err.rpc_code(), 1014);
    assert!(err.to_string().starts_with("Priority is too low: (10 vs 10)"));

    let new = submit(&pool, xt(1, 0, 20)).unwrap();
    assert!(!pool.contains(&old));
    assert_eq!(ready_hashes(&pool), vec![new, dependant]);
    assert_eq!(drain(&mut watcher), vec![TransactionStatus::Ready, TransactionStatus::Usurped(new)]);
    assert!(is_closed(&mut watcher));
}

#[test]
fn invalid_transaction_is_banned_for_ban_time() {
    let pool = pool_with(Options { ban_time: Duration::from_millis(200), ..Options::default() });
    pool.api().set_nonce(1, 5);
    let err = submit(&pool, xt(1, 3, 10)).unwrap_err();
    assert_eq!(err, Error::InvalidTransaction(InvalidTransaction::Stale));
    assert_eq!(err.rpc_code(), 1010);
    assert!(err.to_string().starts_with("Invalid Transaction: Transaction is outdated"));

    // The chain went back (e.g. a fork): still refused while banned.
    pool.api().set_nonce(1, 3);
    let err = submit(&pool, xt(1, 3, 10)).unwrap_err();
    assert_eq!(err, Error::TemporarilyBanned);
    assert_eq!(err.rpc_code(), 1012);

    std::thread::sleep(Duration::from_millis(250));
    assert!(submit(&pool, xt(1, 3, 10)).is_ok());
}

#[test]
fn too_large_transaction_is_refused_before_validation() {
    let pool = pool_with(Options { max_tx_bytes: 100, ..Options::default() });
    let err = submit(&pool, xt_padded(1, 0, 1, 100)).unwrap_err();
    assert_eq!(err, Error::TooLarge { size: 117, limit: 100 });
    assert_eq!(err.rpc_code(), 1002);
    assert!(submit(&pool, xt_padded(1, 0, 1, 83)).is_ok());
}

#[test]
fn full_ready_queue_evicts_lowest_priority() {
    let limit = Limit { count: 2, total_bytes: usize::MAX };
    let pool = pool_with(Options { ready_limit: limit, ..Options::default() });
    let (low, mut low_watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 0, 10)).unwrap();
    let mid = pool.submit_relayed(block(0), xt(2, 0, 20)).unwrap();

    let err = submit(&pool, xt(3, 0, 5)).unwrap_err();
    assert_eq!(err, Error::ImmediatelyDropped);
    assert_eq!(err.rpc_code(), 1016);

    let high = submit(&pool, xt(4, 0, 30)).unwrap();
    assert_eq!(ready_hashes(&pool), vec![high, mid]);
    assert!(!pool.contains(&low));
    assert_eq!(drain(&mut low_watcher), vec![TransactionStatus::Ready, TransactionStatus::Dropped]);
    assert!(is_closed(&mut low_watcher));
}

#[test]
fn a_full_pool_refuses_gossip_without_validating_it() {
    let limit = Limit { count: 2, total_bytes: usize::MAX };
    let pool = pool_with(Options { ready_limit: limit, ..Options::default() });
    pool.submit_relayed(block(0), xt(1, 0, 10)).unwrap();
    pool.submit_relayed(block(0), xt(2, 1, 10)).unwrap();
    let validations = pool.api().validations();

    let err = pool.submit_relayed(block(0), xt(3, 0, 50)).unwrap_err();
    assert_eq!(err, Error::ImmediatelyDropped);
    assert_eq!(pool.api().validations(), validations, "refused before the runtime was asked");
    assert_eq!(pool.counters(), PoolCounters { refused_full: 1, ..PoolCounters::default() });
    // A client's submission (also `External`) is still weighed against what the pool holds.
    submit(&pool, xt(3, 0, 50)).unwrap();
}

#[test]
fn a_full_pool_evicts_futures_first_and_never_an_accepted_equal() {
    let limit = Limit { count: 3, total_bytes: usize::MAX };
    let pool = pool_with(Options { ready_limit: limit, ..Options::default() });
    let (gap, mut gap_watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(2, 1, 10)).unwrap();
    let a0 = pool.submit_relayed(block(0), xt(1, 0, 10)).unwrap();
    let b0 = pool.submit_relayed(block(0), xt(3, 0, 10)).unwrap();
    // Full; a ready newcomer pushes out the future transaction, not a ready one.
    let c0 = submit(&pool, xt(4, 0, 10)).unwrap();
    assert!(!pool.contains(&gap));
    assert_eq!(drain(&mut gap_watcher), vec![TransactionStatus::Future, TransactionStatus::Dropped]);
    assert_eq!(ready_hashes(&pool), vec![a0, b0, c0]);

    // Full of ready equals: the newcomer is refused at the door; nothing accepted is lost.
    assert_eq!(submit(&pool, xt(5, 0, 10)).unwrap_err(), Error::ImmediatelyDropped);
    assert_eq!(submit(&pool, xt(5, 1, 10)).unwrap_err(), Error::ImmediatelyDropped, "a future newcomer too");
    assert_eq!(ready_hashes(&pool), vec![a0, b0, c0]);
    assert_eq!(pool.counters(), PoolCounters { refused_full: 2, evicted: 1, ..PoolCounters::default() });
}

#[test]
fn new_submissions_leave_room_for_relays() {
    let limit = Limit { count: 8, total_bytes: usize::MAX };
    let pool = pool_with(Options { ready_limit: limit, ..Options::default() });
    for sender in 0..2 {
        submit(&pool, xt(sender, 0, 10)).unwrap();
    }
    // A quarter full: a new submission of equal rank waits, relays still get in.
    assert_eq!(submit(&pool, xt(2, 0, 10)).unwrap_err(), Error::ImmediatelyDropped);
    for sender in 3..9 {
        pool.submit_relayed(block(0), xt(sender, 0, 10)).unwrap();
    }
    // One that outranks the least still gets in, and the least makes room.
    submit(&pool, xt(9, 0, 20)).unwrap();
    assert_eq!(pool.status().ready, 8);
    assert_eq!(pool.counters(), PoolCounters { refused_full: 1, evicted: 1, ..PoolCounters::default() });
    // The least is worked out again after the change: another 20 gets in, a 10 does not.
    submit(&pool, xt(10, 0, 20)).unwrap();
    assert_eq!(submit(&pool, xt(11, 0, 10)).unwrap_err(), Error::ImmediatelyDropped);
    assert_eq!(pool.counters(), PoolCounters { refused_full: 2, evicted: 2, ..PoolCounters::default() });
}

#[test]
fn promoted_futures_never_push_accepted_transactions_out() {
    // Under the old per-queue limits, a block that unblocked futures pushed the newest ready
    // transactions (accepted, never to be included) out of a full ready queue.
    let limit = Limit { count: 4, total_bytes: usize::MAX };
    let pool = pool_with(Options { ready_limit: limit, ..Options::default() });
    let relay = |bytes| pool.submit_relayed(block(0), bytes);
    let ready = [relay(xt(1, 0, 10)).unwrap(), relay(xt(2, 0, 10)).unwrap()];
    let futures = [relay(xt(3, 1, 10)).unwrap(), relay(xt(3, 2, 10)).unwrap()];
    assert_eq!(relay(xt(3, 3, 10)).unwrap_err(), Error::ImmediatelyDropped, "full, futures counted");

    // A block of another node includes sender 3's nonce 0.
    pool.api().set_nonce(3, 1);
    pool.on_block_imported(block(1), &[tx_hash(&xt(3, 0, 10))]);
    let status = pool.status();
    assert_eq!((status.ready, status.future), (4, 0));
    assert!(ready.iter().chain(&futures).all(|h| pool.contains(h)));
    assert_eq!(pool.counters().evicted, 0);
}

#[test]
fn a_pool_full_of_relays_still_takes_its_own_submitters_work_up_to_a_floor() {
    let limit = Limit { count: 32, total_bytes: usize::MAX };
    let pool = pool_with(Options { ready_limit: limit, ..Options::default() });
    for sender in 0..16 {
        pool.submit_relayed(block(0), xt(sender, 0, 10)).unwrap();
    }
    // Half the pool is peers' work, past the new-work share: this node's own submitters
    // still get a sixteenth of it.
    let own: Vec<Hash> = (16..18).map(|sender| submit(&pool, xt(sender, 0, 10)).unwrap()).collect();
    assert_eq!(submit(&pool, xt(18, 0, 10)).unwrap_err(), Error::ImmediatelyDropped);
    assert_eq!(pool.status().ready, 18);
    // Its own work included, they get in again.
    pool.on_block_imported(block(1), &own);
    submit(&pool, xt(18, 0, 10)).unwrap();
    assert_eq!(pool.status().ready, 17);
}

#[test]
fn transactions_of_a_retracted_block_keep_their_turn_in_a_full_pool() {
    let limit = Limit { count: 2, total_bytes: usize::MAX };
    let pool = pool_with(Options { ready_limit: limit, ..Options::default() });
    let x = pool.submit_relayed(block(0), xt(1, 0, 10)).unwrap();
    let y = pool.submit_relayed(block(0), xt(2, 0, 10)).unwrap();
    // Accepted by the network before x and y: it goes back ahead of them, and the newest
    // arrival makes room.
    let z = pool.submit(block(0), TransactionSource::InBlock, xt(3, 0, 10)).unwrap();
    assert_eq!(ready_hashes(&pool), vec![z, x]);
    assert!(!pool.contains(&y));
}

#[test]
fn byte_limit_on_future_queue_is_enforced() {
    let limit = Limit { count: usize::MAX, total_bytes: 40 };
    let pool = pool_with(Options { future_limit: limit, ..Options::default() });
    submit(&pool, xt(1, 1, 10)).unwrap();
    submit(&pool, xt(2, 1, 20)).unwrap();
    // 3 × 17 bytes exceeds 40: the lowest priority future goes.
    submit(&pool, xt(3, 1, 30)).unwrap();
    let status = pool.status();
    assert_eq!((status.future, status.future_bytes), (2, 34));
    assert!(!pool.contains(&tx_hash(&xt(1, 1, 10))));
}

#[test]
fn watcher_sees_ready_in_block_finalized_then_ends() {
    let pool = pool();
    let (hash, mut watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 0, 10)).unwrap();
    pool.api().set_nonce(1, 1);
    pool.on_block_imported(block(1), &[hash]);
    assert!(!pool.contains(&hash));
    assert!(pool.status().is_empty());
    pool.on_block_finalized(block(1), &[hash]);
    assert_eq!(
        block_on(watcher.by_ref().collect::<Vec<_>>()),
        vec![TransactionStatus::Ready, TransactionStatus::InBlock(block(1)), TransactionStatus::Finalized(block(1)),]
    );
}

#[test]
fn dependant_stays_ready_after_its_predecessor_is_included() {
    let pool = pool();
    let a0 = submit(&pool, xt(1, 0, 10)).unwrap();
    let a1 = submit(&pool, xt(1, 1, 10)).unwrap();
    pool.api().set_nonce(1, 1);
    pool.on_block_imported(block(1), &[a0]);
    assert_eq!(ready_hashes(&pool), vec![a1]);
}

#[test]
fn revalidation_removes_stale_nonces_and_promotes_futures() {
    let pool = pool();
    let a0 = submit(&pool, xt(1, 0, 10)).unwrap();
    let (a1, mut a1_watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 1, 10)).unwrap();
    let a2 = submit(&pool, xt(1, 2, 10)).unwrap();
    // Gap at nonce 3: waits in future.
    let a4 = submit(&pool, xt(1, 4, 10)).unwrap();
    assert_eq!(pool.status().future, 1);

    // A block from another node included nonces 0..=3 of sender 1 with
    // different bytes: only the chain state tells the pool.
    pool.api().set_nonce(1, 4);
    pool.on_block_imported(block(1), &[]);
    for stale in [a0, a1, a2] {
        assert!(!pool.contains(&stale));
    }
    assert_eq!(ready_hashes(&pool), vec![a4]);
    assert_eq!(pool.status().future, 0);
    assert_eq!(drain(&mut a1_watcher), vec![TransactionStatus::Ready, TransactionStatus::Invalid]);
    assert!(is_closed(&mut a1_watcher));
}

#[test]
fn transaction_turning_invalid_is_dropped_and_banned() {
    let pool = pool();
    let (hash, mut watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(7, 0, 10)).unwrap();
    pool.api().make_invalid(7);
    pool.on_block_imported(block(1), &[]);
    assert!(!pool.contains(&hash));
    assert_eq!(drain(&mut watcher), vec![TransactionStatus::Ready, TransactionStatus::Invalid]);
    assert_eq!(submit(&pool, xt(7, 0, 10)).unwrap_err(), Error::TemporarilyBanned);
}

#[test]
fn report_invalid_bans_and_sends_dependants_back_to_future() {
    let pool = pool();
    let a0 = submit(&pool, xt(1, 0, 10)).unwrap();
    let (a1, mut a1_watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 1, 10)).unwrap();
    pool.report_invalid(&[a0]);
    assert!(pool.ready().is_empty());
    assert!(pool.contains(&a1));
    assert_eq!(pool.status().future, 1);
    assert_eq!(drain(&mut a1_watcher), vec![TransactionStatus::Ready, TransactionStatus::Future]);
    assert_eq!(submit(&pool, xt(1, 0, 10)).unwrap_err(), Error::TemporarilyBanned);

    // A different transaction for nonce 0 unblocks the dependant.
    submit(&pool, xt(1, 0, 11)).unwrap();
    assert_eq!(ready_hashes(&pool).len(), 2);
}

#[test]
fn expired_longevity_drops_transactions_not_revalidated() {
    // No revalidation, so only longevity decides.
    let pool = pool_with(Options { revalidation_batch: 0, ..Options::default() });
    pool.api().set_longevity(2);
    let (hash, mut watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 0, 10)).unwrap();
    pool.on_block_imported(block(1), &[]);
    pool.on_block_imported(block(2), &[]);
    assert!(pool.contains(&hash));
    pool.on_block_imported(block(3), &[]);
    assert!(!pool.contains(&hash));
    assert_eq!(drain(&mut watcher), vec![TransactionStatus::Ready, TransactionStatus::Invalid]);
}

#[test]
fn revalidation_refreshes_longevity() {
    let pool = pool();
    pool.api().set_longevity(1);
    let hash = submit(&pool, xt(1, 0, 10)).unwrap();
    for n in 1..=5 {
        pool.on_block_imported(block(n), &[]);
    }
    assert!(pool.contains(&hash));
}

#[test]
fn remove_drops_with_status() {
    let pool = pool();
    let (hash, mut watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 0, 10)).unwrap();
    pool.remove(&[hash]);
    assert!(!pool.contains(&hash));
    assert_eq!(drain(&mut watcher), vec![TransactionStatus::Ready, TransactionStatus::Dropped]);
}

#[test]
fn status_json_matches_substrate() {
    let hash = Hash::repeat_byte(0x11);
    let hex = format!("\"0x{}\"", "11".repeat(32));
    let cases = [
        (TransactionStatus::Future, "\"future\"".to_owned()),
        (TransactionStatus::Ready, "\"ready\"".to_owned()),
        (TransactionStatus::Broadcast(vec!["peer".into()]), r#"{"broadcast":["peer"]}"#.to_owned()),
        (TransactionStatus::InBlock(hash), format!("{{\"inBlock\":{hex}}}")),
        (TransactionStatus::Retracted(hash), format!("{{\"retracted\":{hex}}}")),
        (TransactionStatus::FinalityTimeout(hash), format!("{{\"finalityTimeout\":{hex}}}")),
        (TransactionStatus::Finalized(hash), format!("{{\"finalized\":{hex}}}")),
        (TransactionStatus::Usurped(hash), format!("{{\"usurped\":{hex}}}")),
        (TransactionStatus::Dropped, "\"dropped\"".to_owned()),
        (TransactionStatus::Invalid, "\"invalid\"".to_owned()),
    ];
    for (status, json) in cases {
        assert_eq!(serde_json::to_string(&status).unwrap(), json);
        assert_eq!(serde_json::from_str::<TransactionStatus>(&json).unwrap(), status);
    }
}

#[test]
fn unknown_validity_is_reported_with_its_code() {
    struct Unknown;
    impl ChainApi for Unknown {
        fn validate(&self, _: Hash, _: TransactionSource, _: &[u8]) -> Result<TransactionValidity, String> {
            Ok(Err(UnknownTransaction::CannotLookup.into()))
        }
    }
    let pool = Pool::new(Options::default(), Unknown);
    let err = pool.submit(block(0), TransactionSource::Local, vec![1]).unwrap_err();
    assert_eq!(err.rpc_code(), 1011);
    assert!(err.is_retriable());
    assert!(pool.status().is_empty());
}

#[test]
fn transaction_without_provides_tag_is_refused() {
    struct Tagless;
    impl ChainApi for Tagless {
        fn validate(&self, _: Hash, _: TransactionSource, _: &[u8]) -> Result<TransactionValidity, String> {
            Ok(Ok(ValidTransaction::default()))
        }
    }
    let pool = Pool::new(Options::default(), Tagless);
    let err = pool.submit(block(0), TransactionSource::External, vec![1]).unwrap_err();
    assert_eq!(err, Error::NoTagsProvided);
    assert_eq!(err.rpc_code(), 1019);
    assert!(pool.status().is_empty());
}

#[test]
fn executor_failure_is_a_verification_error_and_not_a_ban() {
    struct Broken;
    impl ChainApi for Broken {
        fn validate(&self, _: Hash, _: TransactionSource, _: &[u8]) -> Result<TransactionValidity, String> {
            Err("wasm trap".into())
        }
    }
    let pool = Pool::new(Options::default(), Broken);
    for _ in 0..2 {
        let err = pool.submit(block(0), TransactionSource::External, vec![1]).unwrap_err();
        assert_eq!(err, Error::Validation("wasm trap".into()));
        assert_eq!(err.rpc_code(), 1002);
    }
}

#[test]
fn revalidation_is_bounded_per_block_and_rotates() {
    let pool = pool_with(Options { revalidation_batch: 2, ..Options::default() });
    for sender in 0..5 {
        submit(&pool, xt(sender, 0, 10)).unwrap();
    }
    for sender in 0..5 {
        pool.api().set_nonce(sender, 1);
    }
    let before = pool.api().validations();
    pool.on_block_imported(block(1), &[]);
    assert_eq!(pool.api().validations() - before, 2);
    assert_eq!(pool.status().ready, 3);
    // The next blocks reach the ones not yet revalidated.
    pool.on_block_imported(block(2), &[]);
    pool.on_block_imported(block(3), &[]);
    assert!(pool.status().is_empty());
}

#[test]
fn watchers_stop_waiting_for_finality_after_512_blocks() {
    let pool = pool();
    let (first, mut first_watcher) =
        pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 0, 10)).unwrap();
    pool.api().set_nonce(1, 1);
    pool.on_block_imported(block(1), &[first]);
    let mut last_watcher = None;
    for nonce in 1..=512u64 {
        let (hash, watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, nonce, 10)).unwrap();
        pool.api().set_nonce(1, nonce + 1);
        let mut block_hash = Hash::zero();
        block_hash.as_bytes_mut()[..8].copy_from_slice(&nonce.to_le_bytes());
        block_hash.as_bytes_mut()[31] = 0xff;
        pool.on_block_imported(block_hash, &[hash]);
        last_watcher = Some(watcher);
    }
    assert_eq!(
        drain(&mut first_watcher),
        vec![
            TransactionStatus::Ready,
            TransactionStatus::InBlock(block(1)),
            TransactionStatus::FinalityTimeout(block(1)),
        ]
    );
    assert!(is_closed(&mut first_watcher));
    // The newest is still waiting for finality.
    let mut last_watcher = last_watcher.unwrap();
    assert_eq!(drain(&mut last_watcher).len(), 2);
    assert!(!is_closed(&mut last_watcher));
}

#[test]
fn import_stream_reports_new_and_promoted_ready_transactions() {
    let pool = pool();
    let mut imports = pool.import_notification_stream(16);
    let a1 = submit(&pool, xt(1, 1, 10)).unwrap();
    let a0 = submit(&pool, xt(1, 0, 10)).unwrap();
    let mut seen = Vec::new();
    while let Some(Some(hash)) = imports.next().now_or_never() {
        seen.push(hash);
    }
    assert_eq!(seen, vec![a0, a1]);
}

#[test]
fn transaction_requiring_its_own_tag_is_a_cycle() {
    struct SelfCycle;
    impl ChainApi for SelfCycle {
        fn validate(&self, _: Hash, _: TransactionSource, _: &[u8]) -> Result<TransactionValidity, String> {
            Ok(Ok(ValidTransaction {
                requires: vec![b"slot".to_vec()],
                provides: vec![b"slot".to_vec()],
                ..ValidTransaction::default()
            }))
        }
    }
    let pool = Pool::new(Options::default(), SelfCycle);
    let err = pool.submit(block(0), TransactionSource::External, vec![1]).unwrap_err();
    assert_eq!(err, Error::CycleDetected);
    assert_eq!(err.rpc_code(), 1015);
}

#[test]
fn concurrent_submissions_from_many_threads_all_land() {
    let pool = Arc::new(pool());
    let threads: Vec<_> = (0..4u8)
        .map(|sender| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                for nonce in 0..50 {
                    submit(&pool, xt(sender, nonce, 10)).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let ready = pool.ready();
    assert_eq!(ready.len(), 200);
    // Each sender's nonces come out in order.
    let mut last_nonce: HashMap<u8, u64> = HashMap::new();
    for tx in ready {
        let (sender, nonce, _) = <(u8, u64, u64)>::decode(&mut &tx.data[..]).unwrap();
        let expected = last_nonce.get(&sender).map_or(0, |n| n + 1);
        assert_eq!(nonce, expected);
        last_nonce.insert(sender, nonce);
    }
}

#[test]
fn one_sender_cannot_fill_the_future_queue() {
    let pool = pool();
    let limit = pool.options().sender_future_limit;
    // Sender 1 queues transactions behind a nonce gap (nonce 0 missing) until its share is full.
    for nonce in 1..=limit as u64 {
        submit(&pool, xt(1, nonce, 10)).unwrap();
    }
    let refused = submit(&pool, xt(1, limit as u64 + 1, 10)).unwrap_err();
    assert_eq!(refused, Error::SenderLimit { limit, future: true });
    assert_eq!(refused.rpc_code(), 1016);
    assert!(refused.to_string().contains("submit the missing nonces first"), "{refused}");
    assert_eq!(pool.counters().refused_sender, 1);
    // Everyone else still gets in, waiting or not.
    submit(&pool, xt(2, 3, 10)).unwrap();
    let other = submit(&pool, xt(3, 0, 10)).unwrap();
    assert_eq!(ready_hashes(&pool), vec![other]);
    // And sender 1 may still fill its gap: that transaction is ready, and releases the rest.
    submit(&pool, xt(1, 0, 10)).unwrap();
    assert_eq!(pool.status().ready, limit + 2);
    assert_eq!(pool.status().future, 1);
    submit(&pool, xt(1, limit as u64 + 1, 10)).unwrap();
}

#[test]
fn one_sender_cannot_take_the_whole_pool() {
    let options =
        Options { ready_limit: Limit { count: 8, total_bytes: usize::MAX }, sender_limit: 4, ..Options::default() };
    let pool = pool_with(options);
    // Relayed, so the share of the pool new work may take does not come into it.
    let relay = |bytes| pool.submit_relayed(block(0), bytes);
    for nonce in 0..4 {
        relay(xt(1, nonce, 10)).unwrap();
    }
    assert_eq!(relay(xt(1, 4, 10)), Err(Error::SenderLimit { limit: 4, future: false }));
    // Replacing its own pending transaction with a higher tip adds nothing: allowed.
    let replacement = relay(xt(1, 3, 20)).unwrap();
    assert!(!pool.contains(&tx_hash(&xt(1, 3, 10))));
    // The rest of the pool is everyone else's.
    for sender in 2..6 {
        relay(xt(sender, 0, 10)).unwrap();
    }
    assert_eq!(pool.status().ready, 8);
    assert!(pool.contains(&replacement));
    // Once its transactions are included, the sender has room again.
    let included = ready_hashes(&pool);
    pool.api().set_nonce(1, 4);
    for sender in 2..6 {
        pool.api().set_nonce(sender, 1);
    }
    pool.on_block_imported(block(1), &included);
    assert!(pool.status().is_empty());
    relay(xt(1, 4, 10)).unwrap();
}

#[test]
fn a_retracted_blocks_transactions_go_back_whatever_their_senders_hold() {
    let options = Options { sender_limit: 1, sender_future_limit: 1, ..Options::default() };
    let pool = pool_with(options);
    submit(&pool, xt(1, 0, 10)).unwrap();
    for nonce in 1..4 {
        pool.submit(block(0), TransactionSource::InBlock, xt(1, nonce, 10)).unwrap();
    }
    assert_eq!(pool.status().ready, 4);
}

#[test]
fn a_future_transaction_waits_only_so_long() {
    let pool = pool_with(Options { future_lifetime: 3, ..Options::default() });
    let (waiting, mut watcher) = pool.submit_and_watch(block(0), TransactionSource::External, xt(1, 2, 10)).unwrap();
    let ready = submit(&pool, xt(2, 0, 10)).unwrap();
    for n in 1..=3 {
        pool.on_block_imported(block(n), &[]);
        assert!(pool.contains(&waiting), "dropped after {n} blocks");
    }
    pool.on_block_imported(block(4), &[]);
    assert!(!pool.contains(&waiting));
    assert_eq!(drain(&mut watcher), vec![TransactionStatus::Future, TransactionStatus::Dropped]);
    assert!(is_closed(&mut watcher));
    assert_eq!(pool.counters().expired, 1);
    // A ready transaction is not touched, however long it waits for a block.
    assert!(pool.contains(&ready));
    // The clock starts when a transaction enters the future queue, not when it arrived: one
    // that waited ready and then lost its predecessor gets the full lifetime.
    let first = submit(&pool, xt(3, 0, 10)).unwrap();
    let second = submit(&pool, xt(3, 1, 10)).unwrap();
    for n in 5..=7 {
        pool.on_block_imported(block(n), &[]);
    }
    pool.remove(&[first]);
    assert_eq!(pool.status().future, 1);
    for n in 8..=10 {
        pool.on_block_imported(block(n), &[]);
        assert!(pool.contains(&second), "dropped {} blocks after it became future", n - 7);
    }
    pool.on_block_imported(block(11), &[]);
    assert!(!pool.contains(&second));
}

/// What a batch submission answers and leaves in the pool, against the same transactions
/// submitted one by one: they must agree.
fn batch_against_one_by_one(
    options: Options,
    relayed: bool,
    prefill: &[Vec<u8>],
    batch: Vec<Vec<u8>>,
    validated_at_most: usize,
) {
    let (one_by_one, batched) = (pool_with(options.clone()), pool_with(options));
    for pool in [&one_by_one, &batched] {
        pool.api().make_invalid(9);
        for xt in prefill {
            submit(pool, xt.clone()).unwrap();
        }
    }
    let expected: Vec<_> = batch
        .iter()
        .map(|xt| match relayed {
            true => one_by_one.submit_relayed(block(0), xt.clone()),
            false => submit(&one_by_one, xt.clone()),
        })
        .collect();
    let (validations, batches) = (batched.api().validations(), batched.api().batches());
    let answers = batched.submit_many(block(0), TransactionSource::External, batch, relayed);
    assert_eq!(format!("{answers:?}"), format!("{expected:?}"));
    assert_eq!(ready_hashes(&batched), ready_hashes(&one_by_one));
    assert_eq!(batched.status(), one_by_one.status());
    assert_eq!(batched.counters(), one_by_one.counters());
    assert_eq!(batched.api().batches() - batches, 1, "one validation call for the batch");
    // Duplicates within the batch are validated (each is refused only once the first is
    // in); what the pool refuses beforehand is not.
    assert!(batched.api().validations() - validations <= validated_at_most);
}

#[test]
fn a_batch_submission_answers_as_one_by_one_submissions_would() {
    let batch = vec![
        xt(1, 1, 10),           // future, until the next one
        xt(1, 0, 10),           // ready, promotes the first
        xt(1, 0, 10),           // a duplicate within the batch
        xt(2, 0, 10),           // already in the pool
        xt(9, 0, 10),           // invalid: banned
        xt(9, 0, 10),           // banned meanwhile
        vec![0xff],             // undecodable: invalid
        xt_padded(3, 0, 10, 8), // ready
        xt(4, 3, 10),           // future
    ];
    // All but the one already in the pool.
    batch_against_one_by_one(Options::default(), false, &[xt(2, 0, 10)], batch, 8);
}

#[test]
fn a_batch_of_relays_stops_where_the_pool_fills() {
    let options = Options { ready_limit: Limit { count: 4, total_bytes: 1 << 20 }, ..Options::default() };
    let batch = (10..16).map(|sender| xt(sender, 0, 10)).collect();
    // Room for three: the other three are refused unvalidated.
    batch_against_one_by_one(options, true, &[xt(1, 0, 10)], batch, 3);
}

#[test]
fn revalidation_after_a_block_is_one_validation_call() {
    let pool = pool();
    for sender in 1..=5 {
        submit(&pool, xt(sender, 0, 10)).unwrap();
    }
    let batches = pool.api().batches();
    pool.api().set_nonce(1, 1);
    pool.on_block_imported(block(1), &[]);
    assert_eq!(pool.api().batches() - batches, 1);
    assert_eq!(pool.status().ready, 4, "sender 1's transaction went stale");
}
