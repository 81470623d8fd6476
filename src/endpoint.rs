//! The one trait every request type implements: how it checks itself, what it sends,
//! and how it reads the answer. [`Session::execute`](crate::Session) does the rest.

use crate::error::{Error, Result};
use crate::session::Call;
use crate::transport::{HttpResponse, Method};
use crate::Session;

pub(crate) trait Endpoint {
    /// What a successful call returns.
    type Output;

    /// Every client-side rule; an `Err` here means nothing is sent. `session` gives the
    /// clock ([`Session::now`]) for rules about time. Default: no rule.
    fn validate(&self, _session: &Session) -> Result<()> {
        Ok(())
    }

    /// The HTTP method.
    fn method(&self) -> Method;

    /// Whether sending the request twice has the same outcome as sending it once, so
    /// that it may be retried after it may have reached the server (on 502, 503, 504).
    /// Each request decides; the table is in [`RetryPolicy`](crate::RetryPolicy)'s docs.
    fn idempotent(&self) -> bool;

    /// Appends the path below `/api/v4` (starting with `/`) to `url`.
    fn write_path(&self, url: &mut String);

    /// The JSON body, if the endpoint sends one. Default: none.
    fn body(&self) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }

    /// Reads a 2xx answer.
    fn parse(&self, response: &HttpResponse) -> Result<Self::Output>;

    /// An error answer that still means success, with what it means (the server's
    /// "no such preference" for an empty list). Default: none.
    fn recover(&self, _error: &Error) -> Option<Self::Output> {
        None
    }

    /// The calls the request makes once validated, all within `call`'s one deadline.
    /// Default: the one call this endpoint describes. A request that makes several
    /// (resolving `me` first, a long list in runs) overrides it, sending each with
    /// [`Call::send`].
    fn run(&self, call: &Call<'_>) -> Result<Self::Output>
    where
        Self: Sized,
    {
        call.send(self)
    }
}

/// Serializes a request body; our bodies are plain structs, so this cannot fail in
/// practice, but a failure is still an error, not a panic.
pub(crate) fn json_body<T: serde::Serialize + ?Sized>(value: &T) -> Result<Option<Vec<u8>>> {
    serde_json::to_vec(value)
        .map(Some)
        .map_err(|e| crate::Error::invalid("body", e.to_string()))
}

/// Appends `/users/{user_id}` and `rest`.
pub(crate) fn user_path(url: &mut String, user_id: &crate::UserId, rest: &str) {
    url.push_str("/users/");
    url.push_str(user_id.as_str());
    url.push_str(rest);
}
