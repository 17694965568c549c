//! A cap on export requests being received, decoded and queued at once, across every
//! connection of both receivers. The write queue bounds the requests waiting for the
//! writer, but each connection also holds the request it is sending while it is read
//! and decoded; without this cap memory grew with the number of senders (2.1 GiB
//! with 384 of them, docs/RELIABILITY.md). Past the cap a request is answered at
//! once, before its body is read: gRPC UNAVAILABLE with RetryInfo, HTTP 503 with
//! Retry-After.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic_types::{ErrorDetails, StatusExt};

use super::RETRY_AFTER_SECS;

/// The message of a request refused at the cap.
pub const BUSY: &str = "spanlens is overloaded: too many export requests in flight";

/// The shared permits.
#[derive(Clone, Debug)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(max: usize) -> Self {
        InFlight(Arc::new(Semaphore::new(max.max(1))))
    }

    /// A permit held for the life of one request, or `None` at the cap.
    pub fn try_enter(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().ok()
    }
}

/// The gRPC status of a request refused at the cap.
pub fn busy_status() -> tonic::Status {
    tonic::Status::with_error_details(
        tonic::Code::Unavailable,
        BUSY,
        ErrorDetails::with_retry_info(Some(Duration::from_secs(RETRY_AFTER_SECS))),
    )
}

/// The cap as a tower layer for the gRPC server.
#[derive(Clone, Debug)]
pub struct GrpcInFlightLayer(pub InFlight);

impl<S> tower::Layer<S> for GrpcInFlightLayer {
    type Service = GrpcInFlight<S>;
    fn layer(&self, inner: S) -> GrpcInFlight<S> {
        GrpcInFlight {
            inner,
            limit: self.0.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct GrpcInFlight<S> {
    inner: S,
    limit: InFlight,
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B, R> tower::Service<http::Request<B>> for GrpcInFlight<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    R: Default + Send + 'static,
    S::Error: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = BoxFuture<http::Response<R>, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        match self.limit.try_enter() {
            Some(permit) => {
                let fut = self.inner.call(req);
                Box::pin(async move {
                    let res = fut.await;
                    drop(permit);
                    res
                })
            }
            None => Box::pin(std::future::ready(Ok(busy_status().into_http()))),
        }
    }
}
