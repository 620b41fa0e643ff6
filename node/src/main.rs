//! The `ludus-node` binary: parses the command line and runs the chosen command.

use clap::Parser;

/// jemalloc on Linux, as Polkadot's node: under load the node allocates and frees many small
/// buffers on many threads (extrinsics, trie nodes, overlay entries), where glibc's malloc
/// spent about a fifth of the node's CPU.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let cli = ludus_node::cli::Cli::parse();
    if let Err(error) = ludus_node::command::run(cli) {
        eprintln!("Error: {error}");
        std::process::exit(1);
    }
}
