//! What the hand-written layers (`front`, `idempotency`) share: the services they wrap and
//! the tower readiness hand-over.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

use axum::extract::Request;
use axum::response::Response;
use tower::Service;

/// A route as axum hands it to a layer: answers every request, clones cheaply.
pub(crate) trait RouteService:
    Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + 'static
{
}

impl<S> RouteService for S where
    S: Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
        + Clone
        + Send
        + 'static
{
}

/// A layer's own boxed answer.
pub(crate) type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// The service `poll_ready` readied, for a future that outlives `&mut self`; a clone stays in
/// its place (tower's contract: the ready one is the one called).
pub(crate) fn take_ready<S: Clone>(service: &mut S) -> S {
    let clone = service.clone();
    std::mem::replace(service, clone)
}
