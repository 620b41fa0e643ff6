//! The server itself: one port for HTTP and WS, malformed input, limits, start and stop.

use super::*;
use crate::RpcError;

fn error_code(body: &str) -> i64 {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v["error"]["code"].as_i64().unwrap_or_else(|| panic!("no error in {body}"))
}

#[tokio::test]
async fn one_port_serves_http_and_websocket() {
    let h = Harness::start().await;
    assert_eq!(h.call("system_name", json!([])).await.unwrap(), json!("Ludus Node"));
    assert_eq!(h.http_call("system_name", json!([])).await.unwrap(), json!("Ludus Node"));
    let (status, body) = raw_post(h.handle.local_addr(), br#"{"jsonrpc":"2.0","id":1,"method":"system_chain"}"#).await;
    assert!(status.contains("200"), "{status}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["result"], "Development");
}

#[tokio::test]
async fn malformed_requests_get_json_rpc_errors() {
    let h = Harness::start().await;
    let addr = h.handle.local_addr();
    let (_, body) = raw_post(addr, b"{not json").await;
    assert_eq!(error_code(&body), -32700);
    let (_, body) = raw_post(addr, br#"{"jsonrpc":"2.0","id":1,"method":"no_suchMethod","params":[]}"#).await;
    assert_eq!(error_code(&body), -32601);
    let (_, body) = raw_post(addr, br#"{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":[1,2,3]}"#).await;
    assert_eq!(error_code(&body), -32602);

    let (code, _, _) = h.call_err("no_suchMethod", json!([])).await;
    assert_eq!(code, -32601);
    let (code, _, _) = h.call_err("chain_getHeader", json!(["0x1234"])).await;
    assert_eq!(code, -32602, "a hash of the wrong length");
    let (code, _, _) = h.call_err("state_getKeysPaged", json!([])).await;
    assert_eq!(code, -32602, "a missing required parameter");
}

#[tokio::test]
async fn oversized_requests_are_refused_and_the_server_keeps_serving() {
    let h =
        Harness::with_config(RpcConfig { listen: loopback(), max_request_bytes: 4096, ..RpcConfig::default() }).await;
    let big = hex(&vec![0u8; 8192]);

    let (status, _) = raw_post(
        h.handle.local_addr(),
        format!(r#"{{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["{big}"]}}"#).as_bytes(),
    )
    .await;
    assert!(status.contains("413"), "HTTP: {status}");
    assert!(h.http_call("author_submitExtrinsic", json!([big])).await.is_err());
    // Over WebSocket the server answers "request too big" (-32007) with a null id, since it
    // does not parse what it refuses; jsonrpsee's client then gives up that connection.
    let addr = h.handle.local_addr();
    let ws = WsClientBuilder::default().build(format!("ws://{addr}")).await.unwrap();
    let ws_err = ws.request::<Value, _>("author_submitExtrinsic", to_params(json!([big]))).await;
    assert!(ws_err.is_err(), "WS: {ws_err:?}");

    // The server still answers, on the connections that did not send the oversized request.
    assert_eq!(h.call("system_chain", json!([])).await.unwrap(), json!("Development"));
    assert_eq!(h.http_call("system_chain", json!([])).await.unwrap(), json!("Development"));
}

#[tokio::test]
async fn port_in_use_is_a_clear_error_and_stop_frees_it() {
    let h = Harness::start().await;
    let addr = h.handle.local_addr();
    let again = start(
        RpcConfig { listen: addr, ..RpcConfig::default() },
        Backends {
            chain: Arc::new(FakeChain::new()),
            pool: Arc::new(FakePool::default()),
            keystore: Arc::new(FakeKeystore::default()),
            bridge_attester: Arc::new(FakeAttester::default()),
            network: Arc::new(FakeNetwork),
        },
        fake::system_info(),
    )
    .await;
    let err = again.map(|_| ()).unwrap_err();
    assert!(matches!(err, RpcError::PortInUse { port } if port == addr.port()), "{err:?}");
    assert_eq!(err.to_string(), format!("RPC port {} is in use: choose another with --rpc-port", addr.port()));

    h.handle.clone().stop().await;
    assert!(h.http_call("system_name", json!([])).await.is_err(), "stopped server answers nothing");
}
