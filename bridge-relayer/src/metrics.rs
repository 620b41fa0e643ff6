//! The relayer's Prometheus metrics, served on their own port.
//!
//! [`Metrics`] is a private [`Registry`] holding every `ludus_relayer_*` metric. The
//! relayer's loops do not touch it: they report to the [`Tracker`], which updates the
//! metrics as it updates the status pages, so each fact is reported once and both views
//! agree. [`serve_metrics`] answers `GET /metrics` in Prometheus' text format.
//!
//! Label values are snake_case (`final_on_l1`, `validator_set`); the tracker names them
//! and declares them all up front, so every series exists (at zero) from the first scrape
//! and `rate()` sees the first transition.
//!
//! [`Tracker`]: crate::status::Tracker

use std::fmt;

use hyper::StatusCode;
use prometheus::{
    core::Collector, CounterVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder, TEXT_FORMAT,
};
use tokio::net::TcpListener;

use crate::http::{serve_get, Reply};

/// Every metric's name starts with this and an underscore.
const PREFIX: &str = "ludus_relayer";

/// The registry and every metric in it; cheap to clone (each metric is shared).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    l1_head: IntGauge,
    l1_finalized: IntGauge,
    ludus_finalized: IntGauge,
    checkpoint_l1_latest: IntGauge,
    checkpoint_lag: IntGauge,
    last_attested_nonce: IntGauge,
    deposits_total: IntCounterVec,
    withdrawals_total: IntCounterVec,
    pending_deposits: IntGauge,
    pending_claims: IntGauge,
    gas_used_total: IntCounterVec,
    gas_wei_total: CounterVec,
    endpoint_up: IntGaugeVec,
    errors_total: IntCounterVec,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // prometheus' metric vectors are not `Debug`; the values are on /metrics.
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered, all at zero.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some(PREFIX.into()), None)?;
        let gauge = |name: &str, help: &str| register(&registry, IntGauge::new(name, help)?);
        let counters = |name: &str, help: &str, label: &str| {
            register(&registry, IntCounterVec::new(Opts::new(name, help), &[label])?)
        };
        Ok(Self {
            l1_head: gauge("l1_head", "Number of the newest L1 block the relayer saw.")?,
            l1_finalized: gauge("l1_finalized", "Number of the newest finalized L1 block.")?,
            ludus_finalized: gauge("ludus_finalized", "Number of the newest finalized Ludus block.")?,
            checkpoint_l1_latest: gauge("checkpoint_l1_latest", "Number of the newest checkpoint accepted on the L1.")?,
            checkpoint_lag: gauge("checkpoint_lag", "Checkpoints signed on Ludus and not yet accepted on the L1.")?,
            last_attested_nonce: gauge("last_attested_nonce", "Nonce of the newest deposit this relayer attested.")?,
            deposits_total: counters("deposits_total", "Deposits that entered each stage.", "stage")?,
            withdrawals_total: counters("withdrawals_total", "Withdrawals that entered each stage.", "stage")?,
            pending_deposits: gauge("pending_deposits", "Deposits seen and neither minted nor refunded yet.")?,
            pending_claims: gauge("pending_claims", "Withdrawals burned on Ludus and not yet paid on the L1.")?,
            gas_used_total: counters(
                "gas_used_total",
                "L1 gas used by the relayer's transactions, per action.",
                "action",
            )?,
            gas_wei_total: register(
                &registry,
                CounterVec::new(
                    Opts::new("gas_wei_total", "Wei the relayer paid for L1 gas, per action."),
                    &["action"],
                )?,
            )?,
            endpoint_up: register(
                &registry,
                IntGaugeVec::new(
                    Opts::new("endpoint_up", "1 while the endpoint answers the relayer, 0 otherwise."),
                    &["endpoint"],
                )?,
            )?,
            errors_total: counters("errors_total", "Errors per relayer duty (each retried).", "duty")?,
            registry,
        })
    }

    /// Creates every labelled series at zero, so that each is scraped before it first moves.
    pub(crate) fn declare_labels(
        &self,
        deposit_stages: &[&str],
        withdrawal_stages: &[&str],
        gas_actions: &[&str],
        endpoints: &[&str],
    ) {
        for stage in deposit_stages {
            self.deposits_total.with_label_values(&[stage]);
        }
        for stage in withdrawal_stages {
            self.withdrawals_total.with_label_values(&[stage]);
        }
        for action in gas_actions {
            self.gas_used_total.with_label_values(&[action]);
            self.gas_wei_total.with_label_values(&[action]);
        }
        for endpoint in endpoints {
            self.endpoint_up.with_label_values(&[endpoint]);
        }
    }

    pub(crate) fn l1_heads(&self, head: u64, finalized: u64) {
        self.l1_head.set(saturating_i64(head));
        self.l1_finalized.set(saturating_i64(finalized));
    }

    pub(crate) fn ludus_finalized(&self, number: u64) {
        self.ludus_finalized.set(saturating_i64(number));
    }

    pub(crate) fn checkpoints(&self, l1_latest: u64, lag: u64) {
        self.checkpoint_l1_latest.set(saturating_i64(l1_latest));
        self.checkpoint_lag.set(saturating_i64(lag));
    }

    pub(crate) fn last_attested_nonce(&self, nonce: u64) {
        self.last_attested_nonce.set(saturating_i64(nonce));
    }

    pub(crate) fn deposit_entered(&self, stage: &str) {
        self.deposits_total.with_label_values(&[stage]).inc();
    }

    pub(crate) fn withdrawal_entered(&self, stage: &str) {
        self.withdrawals_total.with_label_values(&[stage]).inc();
    }

    pub(crate) fn pending(&self, deposits: usize, claims: usize) {
        self.pending_deposits.set(i64::try_from(deposits).unwrap_or(i64::MAX));
        self.pending_claims.set(i64::try_from(claims).unwrap_or(i64::MAX));
    }

    pub(crate) fn gas_spent(&self, action: &str, gas_used: u64, wei: u128) {
        self.gas_used_total.with_label_values(&[action]).inc_by(gas_used);
        // Prometheus values are floats: wei beyond 2^53 lose their last digits, which no
        // dashboard shows. The exact sum is on the status page.
        self.gas_wei_total.with_label_values(&[action]).inc_by(wei as f64);
    }

    pub(crate) fn endpoint(&self, endpoint: &str, up: bool) {
        self.endpoint_up.with_label_values(&[endpoint]).set(i64::from(up));
    }

    pub(crate) fn error(&self, duty: &str) {
        self.errors_total.with_label_values(&[duty]).inc();
    }

    /// Every metric in Prometheus' text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        TextEncoder::new().encode_to_string(&self.registry.gather())
    }
}

/// Registers `metric` with `registry` and hands it back.
fn register<M: Collector + Clone + 'static>(registry: &Registry, metric: M) -> Result<M, prometheus::Error> {
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

/// Block numbers and nonces are `u64`; Prometheus' integer gauges are `i64`.
fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Answers `GET /metrics` on `listener` with [`Metrics::render`]; any other path is 404 and
/// any other method 405, both with a JSON `{"error": …}`.
///
/// Runs until the future is dropped: it never returns on its own, since a failed accept
/// (out of file descriptors, say) is retried.
pub async fn serve_metrics(listener: TcpListener, metrics: Metrics) {
    serve_get("metrics", listener, move |path| match path {
        "/metrics" => match metrics.render() {
            Ok(text) => Reply::new(StatusCode::OK, TEXT_FORMAT, text.into_bytes()),
            Err(e) => Reply::error(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot encode the metrics: {e}")),
        },
        _ => Reply::error(StatusCode::NOT_FOUND, "no such page: the metrics are at /metrics".into()),
    })
    .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::http::tests::get;

    #[tokio::test]
    async fn serves_the_text_format_over_http() {
        let metrics = Metrics::new().unwrap();
        metrics.l1_heads(7, 5);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(serve_metrics(listener, metrics));

        let (status, headers, body) = get(address, "GET", "/metrics").await;
        assert_eq!(status, 200);
        assert!(headers.to_ascii_lowercase().contains("content-type: text/plain; version=0.0.4"), "{headers}");
        assert!(body.contains("# TYPE ludus_relayer_l1_head gauge"), "{body}");
        assert!(body.contains("ludus_relayer_l1_head 7"), "{body}");

        let (status, _, body) = get(address, "GET", "/status").await;
        assert_eq!(status, 404);
        assert_eq!(body, r#"{"error":"no such page: the metrics are at /metrics"}"#);
        let (status, _, _) = get(address, "POST", "/metrics").await;
        assert_eq!(status, 405);
        server.abort();
    }
}
