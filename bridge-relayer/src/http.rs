//! The GET-only HTTP/1.1 server behind the status and metrics ports.
//!
//! `serve_get` answers each GET with what a page function makes of the path (a `Reply`); any
//! other method gets 405 with `Allow: GET`. Both ports may face the public, so it serves a
//! bounded number of connections at once, one request each, and gives a client a few seconds
//! to send its headers. It knows nothing of what it serves: [`status`] and [`metrics`] each
//! bring their pages.
//!
//! [`status`]: crate::status
//! [`metrics`]: crate::metrics

use std::{convert::Infallible, sync::Arc, time::Duration};

use http_body_util::Full;
use hyper::{
    body::{Bytes, Incoming},
    header::{HeaderValue, ALLOW, CONTENT_TYPE},
    server::conn::http1,
    service::service_fn,
    Method, Request, Response, StatusCode,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::{net::TcpListener, sync::Semaphore};

/// Connections served at once: the status port may face the public, and a client opening
/// connections without end must not take the file descriptors the relayer needs for its
/// chains. Further connections wait in the listen queue.
const MAX_CONNECTIONS: usize = 64;
/// Longest a client may take to send its request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed accept (out of file descriptors, say) before the next.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// What every JSON answer is.
const JSON: &str = "application/json";

/// One answer of [`serve_get`]'s server.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The response's status code.
    pub(crate) status: StatusCode,
    content_type: &'static str,
    /// The response's body, as sent.
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn new(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Self {
        Self { status, content_type, body }
    }

    pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self::new(status, JSON, body),
            Err(e) => Self::error(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot encode the answer: {e}")),
        }
    }

    /// `{"error": message}`.
    pub(crate) fn error(status: StatusCode, message: String) -> Self {
        Self::new(status, JSON, serde_json::json!({ "error": message }).to_string().into_bytes())
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = self.status;
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET"));
        }
        response
    }
}

/// Serves HTTP/1.1 GET requests on `listener`, answering each with `answer(path)`; any
/// other method gets 405. One request per connection (no keep-alive), at most
/// [`MAX_CONNECTIONS`] at once, [`HEADER_TIMEOUT`] to send the headers. `server` names it in
/// the logs. Never returns.
pub(crate) async fn serve_get<F>(server: &'static str, listener: TcpListener, answer: F)
where
    F: Fn(&str) -> Reply + Send + Sync + 'static,
{
    let answer = Arc::new(answer);
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            // Never closed: `permits` lives as long as this loop.
            return;
        };
        let (socket, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::debug!(target: "relayer", server, error = %e, "cannot accept a connection");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let answer = answer.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let reply = if request.method() == Method::GET {
                    answer(request.uri().path())
                } else {
                    Reply::error(
                        StatusCode::METHOD_NOT_ALLOWED,
                        format!("only GET is served here, not {}", request.method()),
                    )
                };
                std::future::ready(Ok::<_, Infallible>(reply.into_response()))
            });
            let served = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(false)
                .serve_connection(TokioIo::new(socket), service)
                .await;
            if let Err(e) = served {
                tracing::debug!(target: "relayer", server, %remote, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use std::{
        io::{Read, Write},
        net::SocketAddr,
    };

    use super::*;

    /// `method path` over a real TCP connection: the status code, the headers and the body.
    pub(crate) async fn get(address: SocketAddr, method: &str, path: &str) -> (u16, String, String) {
        let request = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        let response = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            response
        })
        .await
        .unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head.to_owned(), body.to_owned())
    }

    #[tokio::test]
    async fn answers_get_with_the_page_and_any_other_method_with_405() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(serve_get("test", listener, |path| match path {
            "/here" => Reply::new(StatusCode::OK, "text/plain", b"here".to_vec()),
            _ => Reply::error(StatusCode::NOT_FOUND, format!("nothing at {path}")),
        }));

        let (status, headers, body) = get(address, "GET", "/here?query").await;
        assert_eq!(status, 200);
        assert!(headers.to_ascii_lowercase().contains("content-type: text/plain"), "{headers}");
        assert_eq!(body, "here");

        let (status, headers, body) = get(address, "GET", "/there").await;
        assert_eq!(status, 404);
        assert!(headers.to_ascii_lowercase().contains("content-type: application/json"), "{headers}");
        assert_eq!(body, r#"{"error":"nothing at /there"}"#);

        for method in ["POST", "PUT", "DELETE"] {
            let (status, headers, body) = get(address, method, "/here").await;
            assert_eq!(status, 405);
            assert!(headers.to_ascii_lowercase().contains("allow: get"), "{headers}");
            assert_eq!(body, format!(r#"{{"error":"only GET is served here, not {method}"}}"#));
        }
        server.abort();
    }
}
