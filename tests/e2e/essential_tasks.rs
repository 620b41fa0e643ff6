//! Essential tasks: when one of the node's tasks dies, the node stops with its name and a
//! non-zero exit, instead of answering RPC while it no longer syncs, finalizes or authors.
//!
//! Debug builds of `ludus-node` honour `LUDUS_DEBUG_KILL_TASK=<task>:<ms>`, which makes that
//! task panic after `<ms>` milliseconds (see `node/src/tasks.rs`).

use std::{process::Command, time::Duration};

use crate::harness::{free_port, node_binary, run_command};

/// Runs a dev node whose task `task` is killed 3 s after start, and returns its exit code
/// and log.
fn run_with_task_killed(task: &str) -> (Option<i32>, String) {
    let base = tempfile::tempdir().expect("a tempdir");
    let rpc_port = free_port().to_string();
    let mut command = Command::new(node_binary());
    command
        .args(["--dev", "--no-prometheus", "--port", "0", "--rpc-port", &rpc_port, "--base-path"])
        .arg(base.path())
        .env("NO_COLOR", "1")
        .env("LUDUS_DEBUG_KILL_TASK", format!("{task}:3000"));
    let output = run_command(&mut command, Duration::from_secs(60));
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_node_whose_essential_task_dies_exits_non_zero_naming_it() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: LUDUS_DEBUG_KILL_TASK exists only in debug builds");
        return;
    }
    for task in ["sync", "slot-worker", "network", "rpc-server", "txpool-maintenance", "block-import"] {
        let (code, log) = run_with_task_killed(task);
        assert!(log.contains("RPC: ws/http://"), "{task}: the node came up before the kill; log:\n{log}");
        assert_eq!(code, Some(1), "{task}: the node exits with an error; log:\n{log}");
        let expected = format!("essential task `{task}` panicked: killed by LUDUS_DEBUG_KILL_TASK");
        assert!(log.contains(&expected), "{task}: the log names the task ({expected:?}); log:\n{log}");
        assert!(log.lines().last().unwrap_or("").contains(&expected), "{task}: the last line says why; log:\n{log}");
    }
}
