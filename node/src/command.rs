//! Runs the command the user chose: the node itself, or a maintenance subcommand.

use std::{
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
};

use ludus_chain_spec::ChainSpec;
use sp_core::{crypto::Ss58Codec, ecdsa, ed25519, sr25519, Pair};
use sp_keystore::Keystore;

use crate::{
    cli::{Cli, Command, KeyCommand, RunArgs, Scheme, SharedArgs},
    executor::Runtimes,
    service::{self, NodeConfig},
};

/// Why a command failed; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The chain spec could not be loaded.
    #[error("chain spec: {0}")]
    ChainSpec(String),
    /// A file or directory operation failed.
    #[error("{what}: {error}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        error: std::io::Error,
    },
    /// A key argument is invalid.
    #[error("{0}")]
    Key(String),
    /// A networking flag is invalid (a multiaddr, a port).
    #[error(transparent)]
    Flag(#[from] crate::cli::FlagError),
    /// The chain database could not be purged.
    #[error(transparent)]
    Storage(#[from] ludus_storage::StorageError),
    /// The node failed to start or stopped with an error.
    #[error(transparent)]
    Service(#[from] service::ServiceError),
}

/// Runs `cli` with this release's runtime.
pub fn run(cli: Cli) -> Result<(), CommandError> {
    run_with(cli, Runtimes::default())
}

/// Runs `cli`; a node carries `runtimes` (`ludus-node-next` passes the next runtime too).
pub fn run_with(cli: Cli, runtimes: Runtimes) -> Result<(), CommandError> {
    match cli.command {
        None => run_node(cli.run, runtimes),
        Some(Command::BuildSpec(args)) => {
            let spec = load_spec(&args.shared)?;
            let json = spec.to_json(args.raw).map_err(|e| CommandError::ChainSpec(e.to_string()))?;
            println!("{json}");
            Ok(())
        }
        Some(Command::PurgeChain(args)) => {
            let spec = load_spec(&args.shared)?;
            let db = chain_dir(&args.shared, &spec).join("db");
            if !db.exists() {
                println!("{} does not exist; nothing to purge", db.display());
                return Ok(());
            }
            if !args.yes {
                eprintln!("Remove the database at {}? [y/N]", db.display());
                let mut answer = String::new();
                std::io::stdin()
                    .read_line(&mut answer)
                    .map_err(|error| CommandError::Io { what: "reading the answer".into(), error })?;
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    println!("Aborted");
                    return Ok(());
                }
            }
            // The parity-db database is `db/full` (where `service` opens it). `purge` checks it
            // is one and refuses it while a running node holds it; a bare `remove_dir_all`
            // would delete the files from under that node.
            ludus_storage::purge(db.join("full"))?;
            // Only an emptied `db` goes too: anything else in it is not ours to delete.
            let _ = std::fs::remove_dir(&db);
            println!("{} removed", db.display());
            Ok(())
        }
        Some(Command::Key(command)) => run_key(command),
    }
}

fn load_spec(shared: &SharedArgs) -> Result<ChainSpec, CommandError> {
    // Like Substrate, no `--chain` means the development chain, with or without `--dev`.
    ludus_chain_spec::load(shared.chain.as_deref().unwrap_or("dev")).map_err(|e| CommandError::ChainSpec(e.to_string()))
}

fn default_base_path() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".")).join(".local/share/ludus-node")
}

fn chain_dir(shared: &SharedArgs, spec: &ChainSpec) -> PathBuf {
    let base = shared.base_path.clone().unwrap_or_else(default_base_path);
    base.join("chains").join(spec.id())
}

fn run_node(args: RunArgs, runtimes: Runtimes) -> Result<(), CommandError> {
    let spec = load_spec(&args.shared)?;
    let mut dev_keys: Vec<&'static str> = [
        (args.alice, "Alice"),
        (args.bob, "Bob"),
        (args.charlie, "Charlie"),
        (args.dave, "Dave"),
        (args.eve, "Eve"),
        (args.ferdie, "Ferdie"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    if args.shared.dev && dev_keys.is_empty() {
        dev_keys.push("Alice");
    }
    let use_tmp = args.tmp || (args.shared.dev && args.shared.base_path.is_none());
    let tmp_dir = if use_tmp {
        Some(
            tempfile::Builder::new()
                .prefix("ludus-node-")
                .tempdir()
                .map_err(|error| CommandError::Io { what: "creating a temporary base path".into(), error })?,
        )
    } else {
        None
    };
    let base = match &tmp_dir {
        Some(dir) => dir.path().to_path_buf(),
        None => args.shared.base_path.clone().unwrap_or_else(default_base_path),
    };
    let network = args.network_options(&spec, &base.join("chains").join(spec.id()))?;
    let config = NodeConfig {
        chain_dir: base.join("chains").join(spec.id()),
        spec,
        name: args.name.clone().unwrap_or_else(random_name),
        validator: args.validator || args.shared.dev || !dev_keys.is_empty(),
        dev_keys,
        rpc: args.rpc_config(),
        trie_cache_bytes: usize::try_from(args.trie_cache_size.saturating_mul(1 << 20)).unwrap_or(usize::MAX),
        db_reserved_bytes: args.db_reserved_space.saturating_mul(1 << 20),
        pool_limit: ludus_txpool::Limit {
            count: usize::try_from(args.pool_limit).unwrap_or(usize::MAX),
            total_bytes: usize::try_from(args.pool_kbytes.saturating_mul(1024)).unwrap_or(usize::MAX),
        },
        log_filter: args.log.clone(),
        network,
        prometheus: (!args.no_prometheus).then(|| {
            let ip = if args.prometheus_external { Ipv4Addr::UNSPECIFIED } else { Ipv4Addr::LOCALHOST };
            SocketAddr::from((ip, args.prometheus_port))
        }),
        runtimes,
    };
    let result = service::run(config);
    drop(tmp_dir);
    Ok(result?)
}

fn random_name() -> String {
    const WORDS: [&str; 8] = ["swift", "brave", "quiet", "lucky", "bold", "keen", "sly", "wise"];
    const NOUNS: [&str; 8] = ["dragon", "knight", "rogue", "mage", "golem", "archer", "bard", "wyrm"];
    let n: u16 = rand::random();
    format!("{}-{}-{}", WORDS[(n % 8) as usize], NOUNS[((n / 8) % 8) as usize], n % 1000)
}

fn run_key(command: KeyCommand) -> Result<(), CommandError> {
    match command {
        KeyCommand::Generate { scheme, json } => {
            let phrase = match scheme {
                Scheme::Sr25519 => sr25519::Pair::generate_with_phrase(None).1,
                Scheme::Ed25519 => ed25519::Pair::generate_with_phrase(None).1,
                Scheme::Ecdsa => ecdsa::Pair::generate_with_phrase(None).1,
            };
            print_key(&phrase, scheme, json)
        }
        KeyCommand::Inspect { suri, scheme, json } => print_key(&suri, scheme, json),
        KeyCommand::Insert { shared, suri, key_type, scheme } => {
            let spec = load_spec(&shared)?;
            let key_type_id = parse_key_type(&key_type)?;
            let scheme = scheme.unwrap_or(match &key_type_id.0 {
                b"gran" => Scheme::Ed25519,
                b"brdg" => Scheme::Ecdsa,
                _ => Scheme::Sr25519,
            });
            let public = public_of(&suri, scheme)?;
            let dir = chain_dir(&shared, &spec).join("keystore");
            let keystore = crate::keystore::open(Some(&dir)).map_err(|e| CommandError::Key(e.to_string()))?;
            keystore
                .insert(key_type_id, &suri, &public)
                .map_err(|()| CommandError::Key(format!("cannot write the key into {}", dir.display())))?;
            println!("Inserted {key_type} key 0x{} into {}", hex::encode(&public), dir.display());
            Ok(())
        }
    }
}

/// Parses a four-character key type (`aura`, `gran`, `brdg`).
pub fn parse_key_type(key_type: &str) -> Result<sp_core::crypto::KeyTypeId, CommandError> {
    let bytes: [u8; 4] = key_type.as_bytes().try_into().map_err(|_| {
        CommandError::Key(format!("key type `{key_type}` must be four characters, e.g. aura, gran, brdg"))
    })?;
    Ok(sp_core::crypto::KeyTypeId(bytes))
}

fn public_of(suri: &str, scheme: Scheme) -> Result<Vec<u8>, CommandError> {
    let invalid = |e: sp_core::crypto::SecretStringError| CommandError::Key(format!("invalid secret URI: {e:?}"));
    Ok(match scheme {
        Scheme::Sr25519 => sr25519::Pair::from_string(suri, None).map_err(invalid)?.public().to_vec(),
        Scheme::Ed25519 => ed25519::Pair::from_string(suri, None).map_err(invalid)?.public().to_vec(),
        Scheme::Ecdsa => ecdsa::Pair::from_string(suri, None).map_err(invalid)?.public().to_vec(),
    })
}

fn print_key(suri: &str, scheme: Scheme, json: bool) -> Result<(), CommandError> {
    let public = public_of(suri, scheme)?;
    let account = match scheme {
        Scheme::Ecdsa => sp_io::hashing::blake2_256(&public).to_vec(),
        _ => public.clone(),
    };
    let account_id = sp_runtime::AccountId32::new(
        account.as_slice().try_into().map_err(|_| CommandError::Key("unexpected key length".into()))?,
    );
    let address = account_id.to_ss58check_with_version(ludus_primitives::SS58_PREFIX.into());
    if json {
        let value = serde_json::json!({
            "secretPhrase": suri,
            "publicKey": format!("0x{}", hex::encode(&public)),
            "accountId": format!("0x{}", hex::encode(&account)),
            "ss58Address": address,
            "scheme": format!("{scheme:?}"),
        });
        println!("{value:#}");
    } else {
        println!("Secret:       {suri}");
        println!("Scheme:       {scheme:?}");
        println!("Public key:   0x{}", hex::encode(&public));
        println!("Account ID:   0x{}", hex::encode(&account));
        println!("SS58 Address: {address}");
    }
    Ok(())
}
