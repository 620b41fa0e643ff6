//! The development chain as an operator meets it: `--dev` authors and finalizes, data
//! survives a restart, specs round-trip through `build-spec`, bad specs are refused by
//! name, and the key and purge subcommands do what they say.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{block_number, run_cli, Node};

/// Alice's well-known SS58 address (generic substrate prefix 42).
const ALICE_SS58: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

/// The genesis hash the node logs at startup (`Chain: … genesis 0x…`).
fn logged_genesis(node: &Node) -> String {
    let lines = node.log_lines_with("genesis 0x");
    let line =
        lines.first().unwrap_or_else(|| panic!("the node never logged its genesis hash; log:\n{}", node.log_tail(20)));
    let start = line.find("genesis 0x").expect("matched above") + "genesis ".len();
    line[start..].chars().take(66).collect()
}

#[test]
fn dev_node_authors_a_block_per_slot_and_finalizes_each() {
    let node = Node::dev();
    let start = node.best_number();
    let began = Instant::now();
    // One block per 1 s slot: three more blocks must come within ~5 s.
    let best = node.wait_for_best(start + 3, Duration::from_secs(6));
    assert!(best >= start + 3);
    // Instant finality on the dev chain: what is best is finalized right away.
    let finalized = node.wait_for_finalized(best, Duration::from_secs(3));
    assert!(finalized >= start + 3, "finalized #{finalized} after {:?}", began.elapsed());

    // Every block links to its parent, down to genesis.
    let mut parent = node.genesis_hash();
    for n in 1..=finalized {
        let hash = node.block_hash(n).unwrap_or_else(|| panic!("finalized block #{n} has no hash"));
        let header = node.header(&hash);
        assert_eq!(block_number(&header["number"]), n);
        assert_eq!(header["parentHash"], json!(parent), "block #{n} does not link to block #{}", n - 1);
        parent = hash;
    }
}

#[test]
fn genesis_hash_is_the_same_for_every_node_of_the_spec() {
    let first = Node::dev();
    let second = Node::dev();
    let genesis = first.genesis_hash();
    assert!(genesis.starts_with("0x") && genesis.len() == 66, "genesis hash {genesis:?}");
    assert_eq!(genesis, logged_genesis(&first), "RPC and the startup log disagree on the genesis hash");
    assert_eq!(second.genesis_hash(), genesis, "two dev nodes have different genesis blocks");
    first.wait_for_best(1, Duration::from_secs(5));
    let block_1 = first.block_hash(1).expect("block #1 exists");
    assert_eq!(first.header(&block_1)["parentHash"], json!(genesis));
}

#[test]
fn restart_on_the_same_base_path_continues_the_chain() {
    let mut node = Node::dev();
    node.wait_for_best(3, Duration::from_secs(8));
    let genesis = node.genesis_hash();
    let block_1 = node.block_hash(1).expect("block #1 exists");
    let before = node.best_number();
    let status = node.stop();
    assert!(status.success(), "ludus-node exited with {status} on SIGTERM; log:\n{}", node.log_tail(20));

    node.restart();
    let after = node.best_number();
    assert!(after >= before, "best went from #{before} to #{after} across a clean restart");
    assert_eq!(node.genesis_hash(), genesis);
    assert_eq!(node.block_hash(1), Some(block_1), "block #1 changed across a restart");
    // And it keeps authoring on top of what it stored.
    node.wait_for_best(after + 2, Duration::from_secs(5));
}

/// `build-spec` output, written to a file in `dir`.
fn build_spec(dir: &std::path::Path, raw: bool) -> std::path::PathBuf {
    let mut args = vec!["build-spec", "--chain", "dev"];
    if raw {
        args.push("--raw");
    }
    let output = run_cli(&args, Duration::from_secs(20));
    assert!(output.status.success(), "build-spec failed: {}", String::from_utf8_lossy(&output.stderr));
    let spec: Value = serde_json::from_slice(&output.stdout).expect("build-spec prints JSON");
    assert_eq!(spec["id"], "dev");
    let genesis = &spec["genesis"];
    if raw {
        assert!(genesis["raw"]["top"].is_object(), "--raw spec has no raw storage: {genesis}");
    } else {
        assert!(genesis["runtimeGenesis"]["patch"].is_object(), "spec has no genesis patch");
    }
    let path = dir.join(if raw { "dev-raw.json" } else { "dev.json" });
    std::fs::write(&path, &output.stdout).expect("write the spec");
    path
}

#[test]
fn build_spec_output_starts_the_same_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dev_genesis = {
        let mut node = Node::start(&["--chain", "dev"]);
        let genesis = node.genesis_hash();
        node.stop();
        genesis
    };
    for raw in [false, true] {
        let spec = build_spec(dir.path(), raw);
        let mut node = Node::start(&["--chain", spec.to_str().expect("utf-8 path")]);
        assert_eq!(node.genesis_hash(), dev_genesis, "spec from build-spec (raw: {raw}) gives another genesis");
        assert_eq!(node.rpc("system_chain", json!([])), json!("Development"));
        node.stop();
    }
}

/// Starts a node on `spec` and expects it to refuse, naming `field`.
fn assert_spec_refused(spec: &Value, field: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad-spec.json");
    std::fs::write(&path, spec.to_string()).expect("write the spec");
    let output = run_cli(
        &[
            "--chain",
            path.to_str().expect("utf-8 path"),
            "--base-path",
            dir.path().to_str().expect("utf-8"),
            "--rpc-port",
            "0",
        ],
        Duration::from_secs(15),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "node accepted a spec with a bad {field}; stderr:\n{stderr}");
    assert!(stderr.contains(field), "the error does not name `{field}`:\n{stderr}");
}

#[test]
fn a_spec_with_a_bad_field_is_refused_by_name() {
    let output = run_cli(&["build-spec", "--chain", "dev"], Duration::from_secs(20));
    let spec: Value = serde_json::from_slice(&output.stdout).expect("build-spec prints JSON");

    let mut bad_address = spec.clone();
    bad_address["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"] = json!([["notanaddress", 1]]);
    assert_spec_refused(&bad_address, "balances[0][0]");

    let mut unknown_field = spec;
    unknown_field["genesisOfTheUniverse"] = json!(true);
    assert_spec_refused(&unknown_field, "genesisOfTheUniverse");

    // A file that is not JSON at all.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("garbage.json");
    std::fs::write(&path, "{\"name\": ").expect("write");
    let output =
        run_cli(&["--chain", path.to_str().expect("utf-8"), "--tmp", "--rpc-port", "0"], Duration::from_secs(15));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "node accepted a truncated spec");
    assert!(stderr.contains("garbage.json"), "the error does not name the file:\n{stderr}");
}

#[test]
fn key_inspect_prints_alices_address() {
    let output = run_cli(&["key", "inspect", "//Alice"], Duration::from_secs(10));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "key inspect failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains(ALICE_SS58), "no Alice address in:\n{stdout}");
    assert!(
        stdout.contains("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"),
        "no Alice public key in:\n{stdout}"
    );
}

#[test]
fn purge_chain_deletes_the_database_and_the_node_starts_over() {
    let mut node = Node::dev();
    node.wait_for_best(4, Duration::from_secs(8));
    let genesis = node.genesis_hash();
    let old_block_1 = node.block_hash(1).expect("block #1 exists");
    node.stop();

    let base = node.base_path().to_str().expect("utf-8 path").to_string();
    let db = node.base_path().join("chains/dev/db");
    assert!(db.exists(), "no database at {}", db.display());
    let output = run_cli(&["purge-chain", "--dev", "--base-path", &base, "-y"], Duration::from_secs(10));
    assert!(output.status.success(), "purge-chain failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(!db.exists(), "purge-chain left {}", db.display());
    assert!(node.base_path().join("chains/dev/keystore").exists(), "purge-chain deleted the keystore too");

    node.restart();
    let best = node.best_number();
    assert!(best <= 1, "after a purge the node starts at #{best}, not at genesis");
    assert_eq!(node.genesis_hash(), genesis);
    node.wait_for_best(2, Duration::from_secs(5));
    assert_ne!(node.block_hash(1), Some(old_block_1), "block #1 survived the purge");
}

/// Damage done to a closed database's directory.
type Inflict = fn(&std::path::Path);

#[test]
fn a_damaged_database_is_found_at_start_and_the_message_says_what_to_do() {
    let mut node = Node::dev();
    node.wait_for_best(3, Duration::from_secs(8));
    node.stop();
    let base = node.base_path().to_str().expect("utf-8 path").to_string();
    let db = node.base_path().join("chains/dev/db/full");
    // parity-db keeps recent commits in its log and writes them into its tables when it
    // enacts the log (on a clean close at the latest); damage to the tables matters once they
    // hold the chain, so start from a database whose log is enacted.
    let enacted = |db: &std::path::Path| {
        files_matching(db, "log").iter().all(|log| log.metadata().map_or(true, |m| m.len() == 0))
            && !files_matching(db, "table_01_").is_empty()
    };
    for _ in 0..5 {
        if enacted(&db) {
            break;
        }
        node.restart();
        let best = node.best_number();
        node.wait_for_best(best + 1, Duration::from_secs(8));
        node.stop();
    }
    assert!(enacted(&db), "the node never closed its database with the log enacted");
    let pristine = tempfile::tempdir().expect("a tempdir");
    copy_dir(&db, pristine.path());

    // Each kind of damage an operator meets: a lost file of the state (column 1), of the
    // headers (column 2), and a truncated number → hash index (column 5).
    let damages: [(&str, Inflict); 3] = [
        ("state tables deleted", |path| remove_matching(path, "table_01_")),
        ("header tables deleted", |path| remove_matching(path, "table_02_")),
        ("canonical-chain index truncated", |path| {
            for file in files_matching(path, "index_05_") {
                std::fs::File::create(file).expect("truncate");
            }
        }),
    ];
    for (damage, inflict) in damages {
        std::fs::remove_dir_all(&db).expect("remove the database");
        copy_dir(pristine.path(), &db);
        inflict(&db);
        let args = ["--dev", "--base-path", &base, "--rpc-port", "0", "--no-prometheus", "--port", "0"];
        let output = run_cli(&args, Duration::from_secs(20));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{damage}: the node ran on a damaged database:\n{stderr}");
        assert!(stderr.contains("is damaged"), "{damage}: the error does not say the database is damaged:\n{stderr}");
        assert!(stderr.contains("purge-chain"), "{damage}: the error does not say what to do:\n{stderr}");
    }

    // What the message says works: purge, and the node starts over.
    let output = run_cli(&["purge-chain", "--dev", "--base-path", &base, "-y"], Duration::from_secs(10));
    assert!(output.status.success(), "purge-chain failed: {}", String::from_utf8_lossy(&output.stderr));
    node.restart();
    node.wait_for_best(2, Duration::from_secs(8));
    // A whole database passes the check and the node carries on from it.
    node.stop();
    let checked_before = node.log_lines_with("Database checked").len();
    node.restart();
    let best = node.best_number();
    node.wait_for_best(best + 1, Duration::from_secs(8));
    assert_eq!(node.log_lines_with("Database checked").len(), checked_before + 1, "{}", node.log_tail(20));
}

fn files_matching(dir: &std::path::Path, prefix: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .expect("the database directory")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
        .collect()
}

fn remove_matching(dir: &std::path::Path, prefix: &str) {
    let files = files_matching(dir, prefix);
    assert!(!files.is_empty(), "no {prefix}* files in {}", dir.display());
    for file in files {
        std::fs::remove_file(file).expect("remove a table file");
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create the copy's directory");
    for entry in std::fs::read_dir(from).expect("the directory to copy") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().expect("a file name"))).expect("copy a file");
        }
    }
}

#[test]
fn purge_chain_refuses_the_database_of_a_running_node() {
    let node = Node::dev();
    let best = node.wait_for_best(2, Duration::from_secs(8));
    let block_1 = node.block_hash(1).expect("block #1 exists");

    let base = node.base_path().to_str().expect("utf-8 path").to_string();
    let db = node.base_path().join("chains/dev/db/full");
    let files_before: Vec<_> = std::fs::read_dir(&db)
        .expect("the node's database directory")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    let output = run_cli(&["purge-chain", "--dev", "--base-path", &base, "-y"], Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "purge-chain succeeded under a running node:\n{stderr}");
    assert!(stderr.contains("stop that node first"), "the error does not tell the operator what to do:\n{stderr}");
    // The node may have added files since; none may have gone.
    for file in &files_before {
        assert!(file.exists(), "purge-chain removed {} from a live database", file.display());
    }

    // The node neither noticed nor lost anything: it keeps its blocks and keeps authoring.
    assert_eq!(node.block_hash(1), Some(block_1));
    node.wait_for_best(best + 2, Duration::from_secs(8));
}
