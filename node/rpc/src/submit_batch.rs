//! Submissions sent in one JSON-RPC batch are validated together.
//!
//! jsonrpsee runs a batch's calls one after another, each `author_submitExtrinsic` on a
//! blocking thread of its own and through a runtime call of its own. A client with many
//! transactions to send (a game server, a relayer, the load bench) sends them as one batch,
//! and the node can validate them far cheaper together: one runtime call for all of them,
//! their signatures verified as one batch. [`SubmitBatch`] hands every run of consecutive
//! `author_submitExtrinsic` calls in a batch to [`PoolBackend::submit_many`] at once and
//! answers each call exactly as the method would have (same result, same error). Anything
//! else in the batch, and a submission whose params are not one string, runs as jsonrpsee
//! runs it, in order.

use std::{future::Future, sync::Arc};

use jsonrpsee::{
    core::server::{BatchResponseBuilder, MethodResponse},
    server::middleware::rpc::{Batch, BatchEntry, BatchEntryErr, Notification, RpcServiceT},
    types::{ErrorObjectOwned, Request},
    ResponsePayload,
};

use crate::{author::parse_extrinsic, backend::PoolBackend, error};

/// The method whose calls are batched.
const SUBMIT: &str = "author_submitExtrinsic";

/// RPC middleware validating each run of consecutive submissions in a batch together.
#[derive(Clone)]
pub struct SubmitBatch<S> {
    inner: S,
    pool: Arc<dyn PoolBackend>,
    max_response_bytes: usize,
}

impl<S> SubmitBatch<S> {
    /// Wraps `inner`, submitting to `pool`; answers are bounded as the server bounds them.
    pub fn new(inner: S, pool: Arc<dyn PoolBackend>, max_response_bytes: u32) -> Self {
        Self { inner, pool, max_response_bytes: max_response_bytes as usize }
    }
}

/// The hex extrinsic of a call of [`SUBMIT`] given as one positional string, the form every
/// client sends; calls in any other form are left to jsonrpsee.
fn submission(entry: &BatchEntry<'_>) -> Option<String> {
    match entry {
        BatchEntry::Call(request) if calls_submit(entry) => {
            request.params().parse::<(String,)>().ok().map(|(hex,)| hex)
        }
        _ => None,
    }
}

/// `entry` with its [`submission`], if it is one.
fn with_submission<'a>(
    entry: Result<BatchEntry<'a>, BatchEntryErr<'a>>,
) -> (Result<BatchEntry<'a>, BatchEntryErr<'a>>, Option<String>) {
    let hex = entry.as_ref().ok().and_then(submission);
    (entry, hex)
}

/// Whether `entry` is a call of [`SUBMIT`], in whatever form.
fn calls_submit(entry: &BatchEntry<'_>) -> bool {
    matches!(entry, BatchEntry::Call(request) if request.method_name() == SUBMIT)
}

impl<S> RpcServiceT for SubmitBatch<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Send
        + Sync
        + Clone
        + 'static,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = MethodResponse;
    type BatchResponse = MethodResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        self.inner.call(request)
    }

    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        let this = self.clone();
        let submissions = batch.iter().filter(|entry| entry.as_ref().is_ok_and(calls_submit)).count();
        async move {
            if submissions < 2 {
                return this.inner.batch(batch).await;
            }
            // What jsonrpsee's own batch loop does, but runs of submissions go together. Each
            // entry's params are parsed once.
            let mut responses = BatchResponseBuilder::new_with_limit(this.max_response_bytes);
            let mut got_notification = false;
            let mut run: Vec<(Request<'a>, String)> = Vec::new();
            // Collected first: an iterator adapter held across the awaits below would make
            // the future's `Send` unprovable (rust-lang/rust#102211).
            let entries: Vec<_> = batch.into_iter().map(with_submission).collect();
            let mut entries = entries.into_iter().peekable();
            while let Some(entry) = entries.next() {
                let response = match entry {
                    (Ok(BatchEntry::Call(request)), Some(hex)) => {
                        run.push((request, hex));
                        if matches!(entries.peek(), Some((_, Some(_)))) {
                            continue;
                        }
                        for response in this.submit_run(std::mem::take(&mut run)).await {
                            if let Err(too_big) = responses.append(response) {
                                return too_big;
                            }
                        }
                        continue;
                    }
                    (Ok(BatchEntry::Call(request)), None) => this.inner.call(request).await,
                    (Ok(BatchEntry::Notification(notification)), _) => {
                        got_notification = true;
                        this.inner.notification(notification).await;
                        continue;
                    }
                    (Err(error), _) => {
                        let (error, id) = error.into_parts();
                        MethodResponse::error(id, error)
                    }
                };
                if let Err(too_big) = responses.append(response) {
                    return too_big;
                }
            }
            if responses.is_empty() && got_notification {
                MethodResponse::notification()
            } else {
                MethodResponse::from_batch(responses.finish())
            }
        }
    }

    fn notification<'a>(
        &self,
        notification: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        self.inner.notification(notification)
    }
}

impl<S> SubmitBatch<S> {
    /// Submits a run of consecutive submissions together; one answer per call, in order.
    async fn submit_run(&self, run: Vec<(Request<'_>, String)>) -> Vec<MethodResponse> {
        let parsed: Vec<Result<Vec<u8>, ErrorObjectOwned>> = run.iter().map(|(_, hex)| parse_extrinsic(hex)).collect();
        let xts: Vec<Vec<u8>> = parsed.iter().filter_map(|xt| xt.as_ref().ok().cloned()).collect();
        let count = xts.len();
        let pool = self.pool.clone();
        let submitted = match tokio::task::spawn_blocking(move || pool.submit_many(xts)).await {
            Ok(answers) if answers.len() == count => answers.into_iter().map(|a| a.map_err(error::pool)).collect(),
            Ok(_) => vec![Err(error::internal("the pool answered a batch of the wrong size")); count],
            Err(e) => vec![Err(error::internal(format!("submission failed: {e}"))); count],
        };
        let mut submitted = submitted.into_iter();
        run.into_iter()
            .zip(parsed)
            .map(|((request, _), parsed)| {
                let answer = parsed
                    .and_then(|_| submitted.next().unwrap_or_else(|| Err(error::internal("no answer from the pool"))));
                let id = request.id();
                let response = match answer {
                    Ok(hash) => MethodResponse::response(id, ResponsePayload::success(hash), self.max_response_bytes),
                    Err(error) => MethodResponse::error(id, error),
                };
                response.with_extensions(request.extensions)
            })
            .collect()
    }
}
