//! What the two requests that carry a JSON array of user ids in their body
//! ([`GetStatusesByIds`](crate::GetStatusesByIds), [`GetUsersByIds`](crate::GetUsersByIds))
//! check and send alike.

use crate::error::{Error, Result};
use crate::model::UserId;

/// Bytes of one id in the JSON array: 26 characters, two quotes, one comma.
pub(crate) const BYTES_PER_ID: usize = 29;

/// Refuses an empty list, and `me` anywhere in it (`why`: what the server would make of
/// it), as the field `user_ids`.
pub(crate) fn check(ids: &[UserId], why_not_me: &str) -> Result<()> {
    if ids.is_empty() {
        return Err(Error::invalid(
            "user_ids",
            "is empty; the server needs at least one id",
        ));
    }
    if let Some(i) = ids.iter().position(UserId::is_me) {
        return Err(Error::invalid(
            "user_ids",
            format!(
                "element {} is `me`, {why_not_me}; use Session::current_user_id() for the \
                 real id",
                i + 1
            ),
        ));
    }
    Ok(())
}

/// The body: the ids as a JSON array, sized exactly up front (no regrowth, and copy, of
/// a body of hundreds of KB).
pub(crate) fn body(ids: &[UserId]) -> Result<Option<Vec<u8>>> {
    let mut body = Vec::with_capacity(ids.len() * BYTES_PER_ID + 1);
    serde_json::to_writer(&mut body, ids).map_err(|e| Error::invalid("body", e.to_string()))?;
    Ok(Some(body))
}
