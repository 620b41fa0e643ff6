//! The `ludus-node` binary: parses the command line and runs the chosen command.

use clap::Parser;

fn main() {
    let cli = ludus_node::cli::Cli::parse();
    if let Err(error) = ludus_node::command::run(cli) {
        eprintln!("Error: {error}");
        std::process::exit(1);
    }
}
