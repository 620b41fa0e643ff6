//! The Prometheus endpoint, scraped the way Prometheus does: a plain HTTP GET of `/metrics`
//! on the `--prometheus-port`, answered in the text exposition format with Substrate's
//! metric names.

use std::{
    net::{SocketAddr, TcpListener},
    time::Duration,
};

use crate::harness::{free_port, http_get, run_cli, HttpResponse, Node};

/// The answer to `GET /metrics` at `addr`.
pub fn scrape(addr: SocketAddr) -> HttpResponse {
    http_get(&format!("http://{addr}/metrics")).expect("GET /metrics")
}

/// The value of the sample named exactly `series` (name plus labels, as exposed).
pub fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

pub fn required(body: &str, series: &str) -> f64 {
    sample(body, series).unwrap_or_else(|| panic!("no sample {series} in /metrics:\n{body}"))
}

#[test]
fn dev_node_exports_substrate_metrics_that_follow_the_chain() {
    let port = free_port();
    let node = Node::start(&["--dev", "--prometheus-port", &port.to_string()]);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    node.wait_for_finalized(2, Duration::from_secs(30));
    // Checked only now: the line may follow the moment RPC first answers.
    assert!(
        !node.log_lines_with(&format!("Prometheus: http://127.0.0.1:{port}/metrics")).is_empty(),
        "the start-up log does not announce the metrics address:\n{}",
        node.log_tail(40)
    );

    // The gauges follow the chain's broadcasts, which may trail the RPC view by a moment.
    let body = node.wait_for("substrate_block_height ≥ 2 on /metrics", Duration::from_secs(10), || {
        let HttpResponse { status, headers, body } = scrape(addr);
        assert_eq!(status, 200, "GET /metrics answered:\n{body}");
        let content_type = headers.get("content-type").and_then(|value| value.to_str().ok());
        assert_eq!(content_type, Some("text/plain; version=0.0.4"), "not the text exposition format");
        let best = sample(&body, "substrate_block_height{status=\"best\"}")?;
        let finalized = sample(&body, "substrate_block_height{status=\"finalized\"}")?;
        (best >= 2.0 && finalized >= 2.0).then_some(body)
    });
    let build_info = body
        .lines()
        .find(|line| line.starts_with("substrate_build_info{"))
        .unwrap_or_else(|| panic!("no substrate_build_info in:\n{body}"));
    assert!(build_info.contains("chain=\"Development\""), "{build_info}");
    assert!(build_info.contains(&format!("version=\"{}\"", env!("CARGO_PKG_VERSION"))), "{build_info}");
    assert!(build_info.ends_with(" 1"), "{build_info}");
    assert_eq!(required(&body, "substrate_node_roles"), 4.0, "a --dev node is an authority");
    assert!(required(&body, "substrate_process_start_time_seconds") > 1.7e9);
    assert_eq!(required(&body, "substrate_ready_transactions_number"), 0.0);
    assert!(sample(&body, "ludus_future_transactions_number").is_some(), "no future-queue gauge:\n{body}");
    assert_eq!(required(&body, "substrate_sub_libp2p_peers_count"), 0.0, "a lone dev node has no peers");

    // Authoring is counted and timed as it happens.
    let authored = required(&body, "ludus_blocks_authored_total");
    assert!(authored >= 1.0, "a dev node that finalized #2 authored {authored} blocks");
    assert!(required(&body, "substrate_proposer_block_constructed_count") >= authored);
    node.wait_for("ludus_blocks_authored_total to grow", Duration::from_secs(15), || {
        (required(&scrape(addr).body, "ludus_blocks_authored_total") > authored).then_some(())
    });
}

#[test]
fn a_taken_prometheus_port_stops_start_up_naming_the_flag() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let port = taken.local_addr().expect("bound").port().to_string();
    let output = run_cli(&["--dev", "--rpc-port", "0", "--prometheus-port", &port], Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the node started although port {port} was taken:\n{stderr}");
    assert!(stderr.contains("--prometheus-port"), "the error does not name the flag:\n{stderr}");
}
