//! Users as typed on the command line (`alice`, `@alice`, an id, `me`) into ids.

use std::collections::HashMap;

use mattermost_status::{
    GetUsersByIds, GetUsersByUsernames, Session, UserId, UserRef, MAX_IDS_PER_CALL,
};

use crate::failure::Failure;

/// A user named on the command line, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    /// The id as given (`me` stays `me` unless resolved with [`resolve`]'s `real_me`).
    pub id: UserId,
    /// The username: from [`resolve`] when the user was given by name, else from
    /// [`usernames_of`] (`None` until then, and for a user the server did not answer).
    pub username: Option<String>,
}

/// Resolves `refs` in order: every username with one request for all of them (an
/// unknown name fails the whole call: "no user named zed"), `me` into the token's
/// user's real id when `real_me` (one request, remembered by the session).
pub(crate) fn resolve(
    session: &Session,
    refs: &[UserRef],
    real_me: bool,
) -> Result<Vec<Named>, Failure> {
    let names: Vec<&str> = refs.iter().filter_map(UserRef::username).collect();
    let users = if names.is_empty() {
        Vec::new()
    } else {
        GetUsersByUsernames::new(&names).resolve(session)?
    };
    let mut users = users.into_iter();
    let mut me = None;
    let mut out = Vec::with_capacity(refs.len());
    for r in refs {
        out.push(match r {
            UserRef::Id(id) if id.is_me() && real_me => {
                let id = match me {
                    Some(id) => id,
                    None => *me.insert(session.current_user_id()?),
                };
                Named { id, username: None }
            }
            UserRef::Id(id) => Named {
                id: *id,
                username: None,
            },
            // `resolve` answers one user per name, in the order asked.
            _ => match users.next() {
                Some(user) => Named {
                    id: user.id,
                    username: Some(user.username),
                },
                None => return Err(Failure::Code(1)),
            },
        });
    }
    Ok(out)
}

/// The usernames of `ids` (real ids; `me` is skipped), with one `POST /users/ids` for
/// all of them; no request at all when `ids` is empty. An id the server does not answer (no
/// such user, or one the token's user may not see) has no entry.
pub(crate) fn usernames_of(
    session: &Session,
    ids: impl IntoIterator<Item = UserId>,
) -> Result<HashMap<UserId, String>, Failure> {
    // `me` is no id the server looks up (and a status answer never carries it).
    let mut ids: Vec<UserId> = ids.into_iter().filter(|id| !id.is_me()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    ids.sort_unstable();
    ids.dedup();
    // One request, unless a command line holds more ids than one request may carry.
    let mut found = HashMap::with_capacity(ids.len());
    for run in ids.chunks(MAX_IDS_PER_CALL) {
        found.extend(GetUsersByIds::new(run.iter().copied()).usernames(session)?);
    }
    Ok(found)
}

/// Gives every user in `users` without a username (given by id, or `me` already
/// resolved to the real id) the one the server has, with one request for all of them;
/// none when every user was given by name.
pub(crate) fn fill_usernames(session: &Session, users: &mut [Named]) -> Result<(), Failure> {
    let unnamed = |u: &Named| u.username.is_none();
    let found = usernames_of(session, users.iter().filter(|u| unnamed(u)).map(|u| u.id))?;
    for user in users.iter_mut().filter(|u| unnamed(u)) {
        user.username = found.get(&user.id).cloned();
    }
    Ok(())
}
