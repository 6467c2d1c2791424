//! The optional metrics listener: `GET /metrics` (Prometheus text) and `GET /healthz`
//! (200 once start-up is complete, 503 before and while stopping). Off unless
//! `[metrics] listen` is set; served by a small blocking HTTP server on its own thread, so a
//! slow scraper never touches the async reactor or the workers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, Server};

use super::stats::Stats;

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen for metrics on {addr}: {message}")]
pub struct ListenError {
    /// The configured address.
    pub addr: SocketAddr,
    /// The reason.
    pub message: String,
}

/// A running metrics listener; stopped on [`MetricsServer::stop`] or drop.
pub struct MetricsServer {
    server: Arc<Server>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MetricsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MetricsServer {
    /// Binds `addr` and serves `stats` from a background thread.
    pub fn start(addr: SocketAddr, stats: Arc<Stats>) -> Result<Self, ListenError> {
        let server = Server::http(addr).map_err(|e| ListenError {
            addr,
            message: e.to_string(),
        })?;
        let bound = server.server_addr().to_ip().unwrap_or(addr);
        let server = Arc::new(server);
        let serving = Arc::clone(&server);
        let thread = std::thread::Builder::new()
            .name("ingestd-metrics".into())
            .spawn(move || {
                for request in serving.incoming_requests() {
                    respond(request, &stats);
                }
            })
            .map_err(|e| ListenError {
                addr,
                message: e.to_string(),
            })?;
        Ok(MetricsServer {
            server,
            addr: bound,
            thread: Some(thread),
        })
    }

    /// The address actually bound (a configured port 0 is resolved).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops listening and waits for the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn respond(request: Request, stats: &Stats) {
    let path = request.url().split('?').next().unwrap_or("").to_owned();
    let (code, body, content_type) = match (request.method(), path.as_str()) {
        (Method::Get | Method::Head, "/metrics") => (
            200,
            stats.render(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ),
        (Method::Get | Method::Head, "/healthz") if stats.is_ready() => {
            (200, "ok\n".to_owned(), "text/plain; charset=utf-8")
        }
        (Method::Get | Method::Head, "/healthz") => {
            (503, "not ready\n".to_owned(), "text/plain; charset=utf-8")
        }
        (Method::Get | Method::Head, _) => (
            404,
            "not found: try /metrics or /healthz\n".to_owned(),
            "text/plain; charset=utf-8",
        ),
        _ => (
            405,
            "method not allowed\n".to_owned(),
            "text/plain; charset=utf-8",
        ),
    };
    let mut response = Response::from_string(body).with_status_code(code);
    if let Some(h) = header("Content-Type", content_type) {
        response = response.with_header(h);
    }
    if let Err(e) = request.respond(response) {
        tracing::debug!(error = %e, "A metrics client went away.");
    }
}
