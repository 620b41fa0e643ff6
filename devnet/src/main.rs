//! `ludus-devnet`: starts anvil with the bridge contracts, a Ludus network and its relayers,
//! prints the endpoints and runs until Ctrl-C. See the library (`ludus_devnet`) for the order of
//! start-up and `--help` for the options.

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;
use ludus_devnet::{Devnet, DevnetConfig, DevnetError, DevnetInfo, MAX_VALIDATORS};
use tokio::signal::unix::{signal, SignalKind};

/// A local Ludus bridge in one command: anvil as the L1 with the bridge contracts and a test
/// ERC-20 deployed, a Ludus network of 1 to 4 validators, and one relayer per validator, all
/// wired together. Prints the endpoints and writes them to <DATA_DIR>/devnet.json; Ctrl-C stops
/// everything. Each run starts a fresh devnet: the data directory is emptied first (anvil keeps
/// its chain in memory, so an old Ludus chain would not match the new L1).
#[derive(Debug, Parser)]
#[command(name = "ludus-devnet", version, about, long_about)]
struct Cli {
    /// How many validators (Alice, Bob, Charlie, Dave in that order), each with its own node
    /// and relayer.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u8).range(1..=MAX_VALIDATORS as i64))]
    validators: u8,

    /// Where the devnet keeps its data: devnet.json, logs/, node-<i>/, relayer-<i>/. Emptied
    /// at start (only if it is empty or a devnet's).
    #[arg(long, value_name = "PATH", default_value_os_t = default_data_dir())]
    data_dir: PathBuf,

    /// Do not start relayers (the L1 and Ludus run, but nothing crosses the bridge).
    #[arg(long)]
    no_relayers: bool,

    /// The L1 (anvil) RPC port; 0 picks a free one.
    #[arg(long, value_name = "PORT", default_value_t = 8545)]
    l1_port: u16,

    /// The first node's RPC port (WebSocket and HTTP); node i gets PORT + i; 0 picks free ones.
    #[arg(long, value_name = "PORT", default_value_t = 9944)]
    rpc_port: u16,

    /// The first node's peer-to-peer port (loopback); node i gets PORT + i; 0 picks free ones.
    #[arg(long, value_name = "PORT", default_value_t = 30333)]
    p2p_port: u16,

    /// The first node's Prometheus port; node i gets PORT + i; 0 picks free ones.
    #[arg(long, value_name = "PORT", default_value_t = 9615)]
    prometheus_port: u16,

    /// The first relayer's status port (http://127.0.0.1:PORT/status); relayer i gets PORT + i;
    /// 0 picks free ones.
    #[arg(long, value_name = "PORT", default_value_t = 8780)]
    relayer_status_port: u16,

    /// The first relayer's Prometheus port; relayer i gets PORT + i; 0 picks free ones.
    #[arg(long, value_name = "PORT", default_value_t = 9780)]
    relayer_metrics_port: u16,

    /// The ludus-node binary [default: beside this executable, in the same cargo target/profile
    /// directory].
    #[arg(long, value_name = "PATH", env = "LUDUS_NODE_BIN")]
    node_bin: Option<PathBuf>,

    /// The ludus-relayer binary [default: beside this executable].
    #[arg(long, value_name = "PATH", env = "LUDUS_RELAYER_BIN")]
    relayer_bin: Option<PathBuf>,

    /// The Foundry project: the npm toolchain in node_modules/ (anvil) and forge's build in
    /// out/ (the contracts' bytecode).
    #[arg(long, value_name = "PATH", default_value_os_t = ludus_devnet::config::default_contracts_dir())]
    contracts_dir: PathBuf,
}

/// `devnet-data/` in the checkout this binary was built from: next to the code it runs, easy
/// to find for its logs, and ignored by git.
fn default_data_dir() -> PathBuf {
    let devnet_crate = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    devnet_crate.parent().unwrap_or(devnet_crate).join("devnet-data")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        // Progress goes to stderr, so stdout holds the endpoints alone; colours only on a terminal.
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ludus-devnet: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> ExitCode {
    let data_dir = std::path::absolute(&cli.data_dir).unwrap_or(cli.data_dir);
    let config = DevnetConfig {
        validators: usize::from(cli.validators),
        data_dir,
        l1_port: cli.l1_port,
        rpc_base_port: cli.rpc_port,
        p2p_base_port: cli.p2p_port,
        prometheus_base_port: cli.prometheus_port,
        relayer_status_base_port: cli.relayer_status_port,
        relayer_metrics_base_port: cli.relayer_metrics_port,
        relayers: !cli.no_relayers,
        node_bin: cli.node_bin,
        relayer_bin: cli.relayer_bin,
        contracts_dir: cli.contracts_dir,
    };
    // Listen before starting anything, so a Ctrl-C during start-up is not lost.
    let (mut interrupt, mut terminate) = match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(interrupt), Ok(terminate)) => (interrupt, terminate),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("ludus-devnet: cannot listen for signals: {error}");
            return ExitCode::FAILURE;
        }
    };
    let started = tokio::select! {
        started = Devnet::start(config) => started,
        // Dropping the start-up future drops whatever children it had started, which kills them.
        _ = interrupt.recv() => return stopped_during_start(),
        _ = terminate.recv() => return stopped_during_start(),
    };
    let mut devnet = match started {
        Ok(devnet) => devnet,
        Err(error) => {
            eprintln!("ludus-devnet: {error}");
            return ExitCode::FAILURE;
        }
    };
    print_endpoints(devnet.info(), &devnet.info_path());

    let died: Option<DevnetError> = tokio::select! {
        error = devnet.watch() => Some(error),
        _ = interrupt.recv() => None,
        _ = terminate.recv() => None,
    };
    match died {
        None => {
            eprintln!("Stopping the devnet…");
            let killed = devnet.stop().await;
            if !killed.is_empty() {
                eprintln!("killed (ignored SIGTERM): {}", killed.join(", "));
            }
            eprintln!("Stopped.");
            ExitCode::SUCCESS
        }
        Some(error) => {
            eprintln!("ludus-devnet: {error}");
            eprintln!("Stopping the rest of the devnet…");
            devnet.stop().await;
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C during start-up is a stop the user asked for, like one later: exit 0.
fn stopped_during_start() -> ExitCode {
    eprintln!("Interrupted during start-up; everything started so far was killed.");
    ExitCode::SUCCESS
}

fn print_endpoints(info: &DevnetInfo, json_path: &std::path::Path) {
    let mut out = String::new();
    out.push_str("\nLudus devnet is running.\n\n");
    out.push_str(&format!("L1 (anvil)      {}   chain id {}\n", info.l1_rpc, info.l1_chain_id));
    out.push_str(&format!("  Checkpoints   {}\n", info.checkpoints));
    out.push_str(&format!("  Vault         {}\n", info.vault));
    out.push_str(&format!("  TEST (ERC-20) {}\n", info.erc20));
    for (i, name) in info.validators.iter().enumerate() {
        out.push_str(&format!("Ludus node {i} ({name})\n"));
        out.push_str(&format!("  RPC           {}   {}\n", info.ludus_rpc[i], info.ludus_ws[i]));
        out.push_str(&format!("  polkadot.js   {}\n", info.polkadot_js[i]));
        out.push_str(&format!("  metrics       {}\n", info.ludus_metrics[i]));
        if let Some(status) = info.relayer_status.get(i) {
            out.push_str(&format!("  relayer       {status}\n"));
        }
    }
    if info.relayer_status.is_empty() {
        out.push_str("Relayers: off (--no-relayers)\n");
    }
    out.push_str(&format!(
        "\nEndpoints: {}\nLogs:      {}\n",
        json_path.display(),
        info.data_dir.join("logs").display()
    ));
    out.push_str("Press Ctrl-C to stop.\n");
    println!("{out}");
}
