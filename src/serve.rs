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

pub async fn serve(listener: TcpListener, router: Router, header_timeout: Duration, shutdown: impl Future<Output = ()>) {
    raise_open_file_limit();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(header_timeout))
        .keep_alive_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
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
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let router = router.clone();
            async move { Ok::<_, Infallible>(router.oneshot(request.map(axum::body::Body::new)).await.unwrap_or_else(|e| match e {})) }
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            // Errors here are clients going away or timing out; nothing to report.
            let _ = watched.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("shutdown: some connections were still open after {} s", DRAIN.as_secs());
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
