//! The accept loop. `axum::serve` sets no header-read timeout, so a client that opens a
//! connection and never finishes its headers holds a socket for ever: 3,000 such
//! connections used up the file limit and `/health` stopped answering. Here every
//! connection must send its headers within `header_timeout` (the same applies between
//! requests on a kept-alive connection), the process's open-file limit is raised to its
//! hard limit, and shutdown lets requests in flight finish.
use std::{convert::Infallible, future::Future, net::SocketAddr, time::Duration};

use axum::{extract::ConnectInfo, Router};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long shutdown waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(20);

/// Open connections one client address may hold when no proxy sits in front (behind a
/// proxy every connection comes from the proxy, which should limit clients itself).
const CONNECTIONS_PER_CLIENT: usize = 256;

pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    behind_proxy: bool,
    shutdown: impl Future<Output = ()>,
) {
    raise_open_file_limit();
    // HTTP/1.1 only: browsers speak HTTP/2 over TLS, which the fronting proxy ends;
    // HTTP/2 "prior knowledge" connections that answer pings could be held open for ever.
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    let per_client: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>> =
        Default::default();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait for some to close.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // One address may not hold every socket (without a proxy in front).
        let client_ip = crate::limits::Client::identify(peer, &Default::default(), 0).ip();
        if !behind_proxy {
            let mut open = per_client.lock().unwrap_or_else(|p| p.into_inner());
            let n = open.entry(client_ip).or_insert(0);
            if *n >= CONNECTIONS_PER_CLIENT {
                continue; // dropped: closed at once
            }
            *n += 1;
        }
        let release = ConnectionSlot { per_client: (!behind_proxy).then(|| per_client.clone()), ip: client_ip };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let router = router.clone();
            async move {
                Ok::<_, Infallible>(
                    router.oneshot(request.map(axum::body::Body::new)).await.unwrap_or_else(|e| match e {}),
                )
            }
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = release;
            // The header timeout only starts with the first byte: a connection that sends
            // nothing at all is closed after the same time.
            let mut first = [0u8; 1];
            match tokio::time::timeout(header_timeout, stream.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
            // Errors here are clients going away or timing out; nothing to report.
            let _ = watcher.watch(connection).await;
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("shutdown: some connections were still open after {} s", DRAIN.as_secs());
    }
}

/// Gives a client's connection back when the connection ends.
struct ConnectionSlot {
    per_client: Option<std::sync::Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>>,
    ip: std::net::IpAddr,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        if let Some(map) = &self.per_client {
            let mut open = map.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(n) = open.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    open.remove(&self.ip);
                }
            }
        }
    }
}

/// Many clients at once need many sockets; the usual soft limit (1,024) is far below
/// the hard limit. Raise it; failing that, carry on with what there is.
fn raise_open_file_limit() {
    #[cfg(unix)]
    unsafe {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
