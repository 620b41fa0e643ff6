//! The `ludus-node-next` binary: `ludus-node` carrying the next runtime (`ludus-runtime-next`,
//! spec 101) beside this release's. Its chains start on this release's runtime and switch when
//! governance schedules the upgrade (`runtimeUpgrade.schedule`); see README, "Runtime upgrades".

use clap::Parser;
use ludus_node::executor::Runtimes;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let cli = ludus_node::cli::Cli::parse();
    if let Err(error) = ludus_node::command::run_with(cli, Runtimes::current_and_next()) {
        eprintln!("Error: {error}");
        std::process::exit(1);
    }
}
