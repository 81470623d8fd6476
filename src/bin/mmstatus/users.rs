//! Users as typed on the command line (`alice`, `@alice`, an id, `me`) into ids.

use mattermost_status::{GetUsersByUsernames, Session, UserId, UserRef};

use crate::failure::Failure;

/// A user named on the command line, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    /// The id as given (`me` stays `me` unless resolved with [`resolve`]'s `real_me`).
    pub id: UserId,
    /// The username, when the user was given by name.
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
