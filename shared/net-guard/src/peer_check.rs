//! A reqwest connector layer that checks the address a connection actually reached.
//!
//! hyper connects to a literal address in a URL without asking the resolver, so the resolver
//! alone cannot refuse `http://127.0.0.1/` or a redirect to `http://169.254.169.254/`. This
//! layer sees every new connection (first request, retries, redirects) and drops it before
//! reqwest writes a byte of HTTP on it.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::{Connection, HttpInfo};
use tower_layer::Layer;
use tower_service::Service;

use crate::{GuardError, GuardedResolver};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Wraps reqwest's connector in a [`PeerCheck`].
#[derive(Debug, Clone)]
pub struct PeerCheckLayer {
    resolver: GuardedResolver,
}

impl PeerCheckLayer {
    /// A layer checking peers against `resolver`'s policy and the addresses it unlocked.
    pub fn new(resolver: GuardedResolver) -> Self {
        Self { resolver }
    }
}

impl<S> Layer<S> for PeerCheckLayer {
    type Service = PeerCheck<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PeerCheck {
            inner,
            resolver: self.resolver.clone(),
        }
    }
}

/// A connector that refuses a connection whose peer address the policy refuses.
#[derive(Debug, Clone)]
pub struct PeerCheck<S> {
    inner: S,
    resolver: GuardedResolver,
}

impl<S, Request> Service<Request> for PeerCheck<S>
where
    S: Service<Request>,
    S::Response: Connection + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let connecting = self.inner.call(request);
        let resolver = self.resolver.clone();
        Box::pin(async move {
            let connection = connecting.await.map_err(Into::into)?;
            // Fail closed: a connection that cannot say where it goes is not used.
            let peer = peer_address(&connection).ok_or(GuardError::UnknownPeer)?;
            resolver.check_peer(peer).map_err(GuardError::from)?;
            Ok(connection)
        })
    }
}

fn peer_address(connection: &impl Connection) -> Option<IpAddr> {
    let mut extensions = http::Extensions::new();
    connection.connected().get_extras(&mut extensions);
    extensions
        .get::<HttpInfo>()
        .map(|info| info.remote_addr().ip())
}
