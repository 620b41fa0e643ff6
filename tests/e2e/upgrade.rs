//! A runtime upgrade without a fork: four validators on `--chain local`, two of them on the
//! next release (`ludus-node-next`, which carries runtime 101 beside 100) from the start;
//! governance schedules runtime 101; the other two are upgraded in place before the height;
//! all four switch there and finalize one chain. A full node left on the old release stops
//! before the height saying what to install, refuses to start again, and follows the chain
//! once it runs the new release. An upgrade that too few validators installed is dropped
//! before its height, and the chain runs on.

use std::time::Duration;

use codec::Decode;
use ludus_node::test_utils::{pair, sign};
use ludus_primitives::{spec_version_of, Hash, Header, ScheduledUpgrade};
use ludus_runtime::RuntimeCall;
use serde_json::{json, Value};
use sp_runtime::{traits::Header as _, DigestItem};

use crate::{
    harness::{next_node_binary, Node},
    network::{assert_no_equivocation, local_node, wait_all_finalized, wait_included_and_final, VALIDATORS},
    tx::{account, to_hex},
};

const START: Duration = Duration::from_secs(60);
const PROGRESS: Duration = Duration::from_secs(90);
/// This release's runtime and the next one's.
const CURRENT: u32 = ludus_runtime::SPEC_VERSION;
const NEXT: u32 = CURRENT + 1;
/// Blocks between the schedule's submission and its height: the runtime's minimum notice (10)
/// plus time for the call to be included and for two validators to restart.
const NOTICE: u64 = 30;

/// The runtime a block's header says executed it.
fn spec_of(node: &Node, number: u64) -> Option<u32> {
    let hash = node.block_hash(number).expect("the block is known");
    let json = node.header(&hash);
    let logs: Vec<DigestItem> = json["digest"]["logs"]
        .as_array()
        .expect("digest logs")
        .iter()
        .map(|log| {
            let bytes = hex::decode(log.as_str().unwrap().trim_start_matches("0x")).unwrap();
            DigestItem::decode(&mut &bytes[..]).unwrap()
        })
        .collect();
    let header = Header::new(number as u32, Hash::zero(), Hash::zero(), Hash::zero(), sp_runtime::Digest { logs });
    spec_version_of(&header)
}

/// `state_getRuntimeVersion` at block `number`: the runtime that executes its child.
fn runtime_version_at(node: &Node, number: u64) -> u64 {
    let hash = node.block_hash(number).expect("the block is known");
    node.rpc("state_getRuntimeVersion", json!([hash]))["specVersion"].as_u64().unwrap()
}

/// Follows `state_subscribeRuntimeVersion` on `node` (as polkadot.js does) on a thread of its
/// own; the thread returns the spec versions notified, up to the first that is `until`.
fn watch_runtime_versions(node: &Node, until: u32) -> std::thread::JoinHandle<Vec<u64>> {
    use jsonrpsee::{
        core::client::{Subscription, SubscriptionClientT},
        rpc_params,
        ws_client::WsClientBuilder,
    };
    let url = node.ws_url();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let client = WsClientBuilder::default().build(url).await.unwrap();
            let mut versions: Subscription<Value> = client
                .subscribe("state_subscribeRuntimeVersion", rpc_params![], "state_unsubscribeRuntimeVersion")
                .await
                .unwrap();
            let mut seen = Vec::new();
            while let Ok(Some(Ok(version))) = tokio::time::timeout(PROGRESS, versions.next()).await {
                seen.push(version["specVersion"].as_u64().unwrap());
                if seen.last() == Some(&u64::from(until)) {
                    break;
                }
            }
            seen
        })
    })
}

/// Governance (Sudo, Alice's key, through `node`) schedules runtime [`NEXT`] for block `at`;
/// returns the number of the finalized block that did.
fn schedule_upgrade(node: &Node, at: u64) -> u64 {
    let schedule =
        RuntimeCall::RuntimeUpgrade(pallet_runtime_upgrade::Call::schedule { spec_version: NEXT, at: at as u32 });
    let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(schedule) });
    let nonce = node.rpc("system_accountNextIndex", json!([account("//Alice").to_string()])).as_u64().unwrap();
    let sudo_xt = to_hex(&sign(sudo, &pair("//Alice"), nonce as u32, crate::tx::hash(&node.genesis_hash())));
    let from = node.best_number();
    node.rpc("author_submitExtrinsic", json!([sudo_xt]));
    wait_included_and_final(node, &sudo_xt, from, PROGRESS)
}

/// The upgrade pending in the state of block `number`.
fn scheduled_at(node: &Node, number: u64) -> Option<ScheduledUpgrade> {
    let hash = node.block_hash(number).expect("the block is known");
    let key = to_hex(&ludus_primitives::scheduled_upgrade_key());
    match node.rpc("state_getStorage", json!([key, hash])) {
        Value::Null => None,
        Value::String(raw) => {
            let bytes = hex::decode(raw.trim_start_matches("0x")).unwrap();
            Some(ScheduledUpgrade::decode(&mut &bytes[..]).unwrap())
        }
        other => panic!("state_getStorage returned {other}"),
    }
}

#[test]
fn validators_switch_runtime_at_the_scheduled_height_without_a_fork_and_an_old_node_stops_before_it() {
    let next = next_node_binary();
    // Alice and Bob install the next release early; Charlie and Dave are still on this one.
    let alice = Node::start_binary(&next, &["--chain", "local", "--alice", "--name", "alice"], &[]);
    let boot = alice.multiaddr();
    let validator = |name: &str, binary: Option<&std::path::Path>| {
        let flag = format!("--{name}");
        match binary {
            Some(binary) => Node::start_binary(
                binary,
                &["--chain", "local", flag.as_str(), "--name", name, "--bootnodes", boot.as_str()],
                &[],
            ),
            None => local_node(&[flag.as_str(), "--name", name], Some(&alice)),
        }
    };
    let bob = validator(VALIDATORS[1], Some(&next));
    let mut charlie = validator(VALIDATORS[2], None);
    let mut dave = validator(VALIDATORS[3], None);
    // A full node whose operator never installs the new release.
    let mut old = local_node(&["--name", "old"], Some(&alice));
    wait_all_finalized(&[&alice, &bob, &charlie, &dave, &old], 3, START);
    assert_eq!(alice.rpc("system_version", json!([])), json!(format!("0.1.0-{CURRENT}+{NEXT}")));
    assert_eq!(charlie.rpc("system_version", json!([])), json!(format!("0.1.0-{CURRENT}")));
    assert_eq!(runtime_version_at(&alice, 2), CURRENT as u64, "the next release runs the current runtime until told");

    // A client following the runtime version, as polkadot.js does.
    let versions = watch_runtime_versions(&bob, NEXT);

    // Governance schedules runtime 101.
    let at = alice.best_number() + NOTICE;
    let scheduled_in = schedule_upgrade(&alice, at);
    assert_eq!(scheduled_at(&alice, scheduled_in), Some(ScheduledUpgrade { spec_version: NEXT, at: at as u32 }));

    // The old release warns, naming the runtime, the height and what to do; the next one
    // notes it carries the runtime.
    let warning = format!("Runtime upgrade scheduled: runtime {NEXT} from block #{at}");
    for node in [&charlie, &dave, &old] {
        node.wait_for("the old release to warn", PROGRESS, || {
            node.log_lines_with(&warning).iter().any(|line| line.contains("carries only")).then_some(())
        });
    }
    alice.wait_for("the next release to note the schedule", PROGRESS, || {
        (!alice.log_lines_with(&format!("{warning} (")).is_empty()).then_some(())
    });

    // Charlie's and Dave's operators install the next release before the height.
    assert!(alice.best_number() + 5 < at, "the height is still ahead when the validators upgrade");
    charlie.restart_as(&next);
    dave.restart_as(&next);

    // The old full node stops at the block before the height, saying what to install.
    let status = old.wait_for_exit(PROGRESS);
    assert!(!status.success(), "the old node stopped with {status}");
    let stop = format!("the chain runs runtime {NEXT} from block #{at} on, and this release carries only {CURRENT}");
    assert!(!old.log_lines_with(&stop).is_empty(), "no stop message; log:\n{}", old.log_tail(20));
    assert!(!old.log_lines_with("install a ludus-node release that carries runtime").is_empty());
    // It never had a block of the new runtime; started again, it refuses at once, saying why.
    let stops = old.log_lines_with(&stop).len();
    let status = old.run_to_exit(START);
    assert!(!status.success());
    assert!(old.log_lines_with(&stop).len() > stops, "the restart refused with the same message");

    // Every validator switches at the height, and all finalize one chain past it.
    let nodes = [&alice, &bob, &charlie, &dave];
    wait_all_finalized(&nodes, at + 5, PROGRESS);
    for number in scheduled_in..=at + 5 {
        let hash = alice.block_hash(number);
        for node in &nodes[1..] {
            assert_eq!(node.block_hash(number), hash, "#{number} differs between validators");
        }
    }
    assert_eq!(spec_of(&alice, at - 1), Some(CURRENT), "the block before the height is the old runtime's");
    assert_eq!(spec_of(&alice, at), Some(NEXT), "the block at the height is the new runtime's");
    assert_eq!(spec_of(&alice, at + 5), Some(NEXT));
    assert_eq!(runtime_version_at(&charlie, at - 2), CURRENT as u64);
    assert_eq!(runtime_version_at(&charlie, at - 1), NEXT as u64, "the runtime at a block executes its child");
    assert_eq!(runtime_version_at(&dave, at + 5), NEXT as u64);
    assert!(
        scheduled_at(&bob, at - 1).is_some() && scheduled_at(&bob, at).is_none(),
        "applied and cleared at the height"
    );
    // Blocks of the new runtime were authored by each validator's new release, not only by the
    // early two.
    for node in nodes {
        node.wait_for("the validator to author with the new runtime", PROGRESS, || {
            node.log_lines_with("Authored #")
                .iter()
                .filter_map(|line| line.split("Authored #").nth(1)?.split_whitespace().next()?.parse::<u64>().ok())
                .any(|number| number >= at)
                .then_some(())
        });
    }
    assert_no_equivocation(&nodes);
    let versions = versions.join().unwrap();
    assert_eq!(versions, vec![CURRENT as u64, NEXT as u64], "the client is told of the switch, once");

    // The operator installs the new release at last: the old node follows the chain again.
    old.restart_as(&next);
    let target = alice.finalized_number();
    old.wait_for_finalized(target, PROGRESS);
    assert_eq!(old.block_hash(target), alice.block_hash(target));
}

#[test]
fn an_upgrade_too_few_validators_installed_is_dropped_and_no_node_stops() {
    let next = next_node_binary();
    // Only Alice installed the next release: one validator of four.
    let alice = Node::start_binary(&next, &["--chain", "local", "--alice", "--name", "alice"], &[]);
    let others: Vec<Node> = VALIDATORS[1..]
        .iter()
        .map(|name| local_node(&[format!("--{name}").as_str(), "--name", name], Some(&alice)))
        .collect();
    let mut nodes = vec![&alice];
    nodes.extend(others.iter());
    wait_all_finalized(&nodes, 3, START);

    let at = alice.best_number() + 15;
    let scheduled_in = schedule_upgrade(&alice, at);
    assert!(scheduled_at(&alice, scheduled_in).is_some());

    // The block before the height drops the upgrade; every node runs on with the runtime it has.
    wait_all_finalized(&nodes, at + 3, PROGRESS);
    assert!(scheduled_at(&alice, at - 2).is_some() && scheduled_at(&alice, at - 1).is_none());
    for number in [at - 1, at, at + 3] {
        assert_eq!(spec_of(&alice, number), Some(CURRENT), "#{number}");
        assert_eq!(runtime_version_at(&others[0], number), CURRENT as u64);
    }
    for node in &nodes {
        node.wait_for("the node to say the upgrade is off", PROGRESS, || {
            (!node.log_lines_with(&format!("The upgrade to runtime {NEXT} at #{at} is off")).is_empty()).then_some(())
        });
    }
    let hash = alice.block_hash(at + 3);
    for node in &others {
        assert_eq!(node.block_hash(at + 3), hash);
    }
    assert_no_equivocation(&nodes);
}
