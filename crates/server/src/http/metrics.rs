//! Prometheus metrics: request count and latency by matched route, and the database pool.
//! A few counters do not justify a metrics framework, so the text format is written here.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<(String, String), Histogram>,
}

/// Request metrics, shared by all handlers.
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Inner>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        *inner
            .requests
            .entry((method.into(), route.into(), status))
            .or_default() += 1;
        let histogram = inner
            .latency
            .entry((method.into(), route.into()))
            .or_default();
        histogram.count += 1;
        histogram.sum += seconds;
        for (bucket, bound) in histogram.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition of everything recorded, plus the pool gauges given.
    pub fn render(&self, pool_size: u32, pool_idle: u32) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP http_requests_total HTTP requests by method, matched route and status."
        );
        let _ = writeln!(out, "# TYPE http_requests_total counter");
        let Ok(inner) = self.inner.lock() else {
            return out;
        };
        for ((method, route, status), count) in &inner.requests {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP http_request_duration_seconds HTTP request latency by method and matched route."
        );
        let _ = writeln!(out, "# TYPE http_request_duration_seconds histogram");
        for ((method, route), h) in &inner.latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (count, bound) in h.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        let _ = writeln!(out, "# HELP db_pool_connections Open database connections.");
        let _ = writeln!(out, "# TYPE db_pool_connections gauge");
        let _ = writeln!(out, "db_pool_connections {pool_size}");
        let _ = writeln!(
            out,
            "# HELP db_pool_idle_connections Idle database connections."
        );
        let _ = writeln!(out, "# TYPE db_pool_idle_connections gauge");
        let _ = writeln!(out, "db_pool_idle_connections {pool_idle}");
        out
    }
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Records each request under its matched route (never the raw path, to bound cardinality).
pub async fn middleware(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_latency_are_rendered_per_route() {
        let metrics = Metrics::default();
        metrics.record("GET", "/api/v1/teams", 200, 0.003);
        metrics.record("GET", "/api/v1/teams", 200, 0.2);
        let text = metrics.render(3, 1);
        assert!(text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/teams\",status=\"200\"} 2"
        ));
        assert!(text.contains("http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/teams\",le=\"0.005\"} 1"));
        assert!(text.contains(
            "http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/teams\"} 2"
        ));
        assert!(text.contains("db_pool_connections 3"));
    }
}
