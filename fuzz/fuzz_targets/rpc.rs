//! JSON-RPC requests into the node's whole RPC module (every method, unsafe ones allowed, as
//! on a node started with `--rpc-methods unsafe`) over a dev chain, its pool and keystore,
//! without sockets.
//!
//! The first two bytes pick a method from the module's sorted list and the rest, as text, are
//! its `params`, so inputs reach each method's parameter parsing and checks instead of
//! guessing method names; a first byte of `0xff` sends the rest as the whole request.
//!
//! Never panics: every request gets an answer, an error at worst.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludus_node::{adapters, sync::SyncShared, test_utils::dev_chain};
use std::sync::LazyLock;

struct Server {
    _dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    module: jsonrpsee::RpcModule<()>,
    methods: Vec<String>,
}

static SERVER: LazyLock<Server> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (chain, keystore) = dev_chain(dir.path());
    let pool = adapters::txpool::new_pool(chain.clone(), ludus_txpool::Limit { count: 1_000, total_bytes: 1 << 20 });
    let network = SyncShared::new(chain.clone(), "fuzz".into(), false);
    let spec = ludus_chain_spec::ChainSpec::dev().expect("the dev chain spec is built in");
    let system = ludus_rpc::SystemInfo {
        name: "Ludus Node".into(),
        version: "fuzz".into(),
        chain: spec.name().to_owned(),
        chain_type: serde_json::Value::String(spec.chain_type().to_owned()),
        properties: spec.properties(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let backends = adapters::rpc::backends(chain, pool, keystore, network);
    // The storage watch it spawns needs the runtime.
    let module = runtime
        .block_on(async { ludus_rpc::rpc_module(backends, system, true, Default::default()) })
        .expect("the RPC module builds");
    let mut methods: Vec<String> = module.method_names().map(str::to_owned).collect();
    methods.sort();
    Server { _dir: dir, runtime, module, methods }
});

fuzz_target!(
    init: {
        if let Some(dir) = std::env::var_os("LUDUS_FUZZ_WRITE_SEEDS") {
            let dir = std::path::Path::new(&dir).join("rpc");
            std::fs::create_dir_all(&dir).expect("the seed directory can be created");
            let calls = [
                ("chain_getBlockHash", "[0]"),
                ("chain_getHeader", "[]"),
                ("state_getStorage", r#"["0x26aa394eea5630e07c48ae0c9558cef7"]"#),
                ("state_getKeysPaged", r#"["0x26aa", 10, null]"#),
                ("state_call", r#"["Core_version", "0x"]"#),
                ("system_accountNextIndex", r#"["5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"]"#),
                ("author_submitExtrinsic", r#"["0x00"]"#),
                ("payment_queryInfo", r#"["0x00", null]"#),
            ];
            for (method, params) in calls {
                let Ok(index) = SERVER.methods.binary_search(&method.to_owned()) else { continue };
                let bytes = [&(index as u16).to_le_bytes()[..], params.as_bytes()].concat();
                std::fs::write(dir.join(method), bytes).expect("seed written");
            }
            std::process::exit(0);
        }
    },
    |data: &[u8]| {
        let server = &*SERVER;
        let request = match data {
            [0xff, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
            [low, high, params @ ..] => {
                let method = &server.methods[usize::from(u16::from_le_bytes([*low, *high])) % server.methods.len()];
                let params = String::from_utf8_lossy(params);
                format!(r#"{{"jsonrpc":"2.0","id":1,"method":{},"params":{params}}}"#, serde_json::Value::from(method.as_str()))
            }
            _ => return,
        };
        let _ = server.runtime.block_on(server.module.raw_json_request(&request, 16));
    }
);
