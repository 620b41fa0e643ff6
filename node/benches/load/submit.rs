//! Submitter threads: each feeds one node's pool over JSON-RPC batches.
//!
//! Batches of a few hundred extrinsics keep the request rate at tens per second, where a fresh
//! loopback connection per request (the harness's client) costs nothing measurable (the report
//! shows the round-trip times).

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{
    harness::{self, http_post},
    workload::Sender,
};

/// Pause after a batch in which a pool said it was full, doubled while whole batches are
/// refused (each refusal still costs the node a validation) up to `MAX_BACKOFF`.
const BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

pub fn rpc(addr: SocketAddr, method: &str, params: Value) -> Result<Value, String> {
    let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    let response = http_post(addr, request.to_string().as_bytes()).map_err(|e| format!("{method}: {e}"))?;
    let body: Value = serde_json::from_str(&response.body).map_err(|e| format!("{method}: bad JSON ({e})"))?;
    harness::response_result(method, body).map_err(|e| e.to_string())
}

/// What one submitter thread did.
#[derive(Default)]
pub struct SubmitStats {
    /// Accepted transfers and the instant their batch was sent.
    pub accepted: Vec<([u8; 32], Instant, &'static str)>,
    /// Refusals because the pool was full (each retried).
    pub pool_full: u64,
    /// Other refusals, by code and message.
    pub errors: HashMap<(i64, String), u64>,
    /// Senders dropped after a refusal.
    pub senders_dropped: u64,
    /// Failed HTTP requests (the batch was retried).
    pub transport_errors: Vec<String>,
    pub requests: u64,
    pub request_time: Duration,
    /// When this thread ran out of pre-signed transfers, if it did.
    pub exhausted_at: Option<Instant>,
}

/// Feeds `addr` with `senders`' transfers until `stop`: each batch holds the next transfer of
/// up to `batch` senders, taken round-robin; with a `rate`, no more are sent than that many per
/// second since `start` have been accepted.
pub fn submit(
    addr: SocketAddr,
    mut senders: Vec<Sender>,
    batch: usize,
    rate: Option<f64>,
    start: Instant,
    stop: &AtomicBool,
) -> SubmitStats {
    let mut stats = SubmitStats::default();
    let mut cursor = 0;
    let mut backoff = BACKOFF;
    while !stop.load(Ordering::Relaxed) {
        let batch = match rate {
            Some(rate) => {
                let due = (rate * start.elapsed().as_secs_f64()) as usize;
                let budget = due.saturating_sub(stats.accepted.len()).min(batch);
                // About ten requests a second rather than one per transfer.
                let worth_sending = ((rate / 10.0) as usize).clamp(1, batch);
                if budget < worth_sending {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
                budget
            }
            None => batch,
        };
        let mut picked = Vec::with_capacity(batch);
        for step in 0..senders.len() {
            let i = (cursor + step) % senders.len();
            if !senders[i].queue.is_empty() {
                picked.push(i);
                if picked.len() == batch {
                    break;
                }
            }
        }
        let Some(&last) = picked.last() else {
            stats.exhausted_at = Some(Instant::now());
            break;
        };
        cursor = (last + 1) % senders.len();

        let calls: Vec<String> = picked
            .iter()
            .enumerate()
            .map(|(id, &i)| {
                let hex = &senders[i].queue[0].hex;
                format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"author_submitExtrinsic","params":["{hex}"]}}"#)
            })
            .collect();
        let body = format!("[{}]", calls.join(","));
        let sent = Instant::now();
        let response = http_post(addr, body.as_bytes());
        stats.requests += 1;
        stats.request_time += sent.elapsed();
        let answers = match response {
            Ok(r) if r.status == 200 => match serde_json::from_str::<Value>(&r.body) {
                Ok(Value::Array(answers)) => answers,
                _ => {
                    stats.transport_errors.push(format!("not a JSON batch answer: {:.200}", r.body));
                    thread::sleep(BACKOFF);
                    continue;
                }
            },
            Ok(r) => {
                stats.transport_errors.push(format!("HTTP {}: {:.200}", r.status, r.body));
                thread::sleep(BACKOFF);
                continue;
            }
            Err(e) => {
                stats.transport_errors.push(e.to_string());
                thread::sleep(BACKOFF);
                continue;
            }
        };

        let mut full = false;
        let mut any_accepted = false;
        let mut answered = vec![false; picked.len()];
        // A sender without an answer (a truncated batch) is simply retried next round; a second
        // answer to the same id is ignored.
        for answer in answers {
            let Some(id) = answer["id"].as_u64().map(|id| id as usize).filter(|id| *id < picked.len()) else {
                continue;
            };
            if std::mem::replace(&mut answered[id], true) {
                continue;
            }
            let i = picked[id];
            let error = answer.get("error");
            let code = error.and_then(|e| e["code"].as_i64());
            let message = error.and_then(|e| e["message"].as_str()).unwrap_or_default().to_owned();
            let accepted = match error {
                None => answer.get("result").is_some(),
                // 1013: already in the pool (a lost answer to an earlier attempt): accepted.
                Some(_) => code == Some(1013),
            };
            if accepted {
                let tx = senders[i].queue.pop_front().expect("picked senders have a transfer");
                stats.accepted.push((tx.hash, sent, tx.kind));
                any_accepted = true;
            } else if matches!(code, Some(1014 | 1016)) || message.contains("Immediately Dropped") {
                full = true;
                stats.pool_full += 1;
            } else {
                *stats.errors.entry((code.unwrap_or(0), message)).or_default() += 1;
                // Its later nonces could never become ready: stop feeding this sender.
                senders[i].queue.clear();
                stats.senders_dropped += 1;
            }
        }
        if full {
            backoff = if any_accepted { BACKOFF } else { (backoff * 2).min(MAX_BACKOFF) };
            thread::sleep(backoff);
        } else {
            backoff = BACKOFF;
        }
    }
    stats
}
