//! [`GetStatusesByIds`] and its answer, [`Statuses`].

use crate::endpoint::{json_body, Endpoint};
use crate::error::{Error, Result};
use crate::model::{Status, UserId};
use crate::response::decode_json;
use crate::transport::{HttpResponse, Method};
use crate::Session;

/// `POST /api/v4/users/status/ids`: the statuses of many users in one call.
///
/// The server answers in *its* order (sorted, duplicates dropped), not the request's, and
/// answers ids it has no status for, including ids of users that do not exist, with an
/// `offline` status rather than an error. [`Statuses`] finds each id's status for you.
///
/// Checked before sending: the list is not empty (the server: 400 `user_ids`), and holds
/// no `me` (the server checks each element is 26 characters long, so `me` is a 400
/// `user_ids`; get the real id with [`Session::current_user_id`]). Every element is a
/// checked [`UserId`], stricter than the server's length-only check on purpose: an id
/// outside `a-z0-9` cannot belong to any user.
///
/// The server sets no count limit in this handler; the request's body size limit of the
/// server applies (about 29 bytes an id).
///
/// ```no_run
/// use mattermost_status::{GetStatusesByIds, Session, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let alice: UserId = "4xp9fdt77pncbef59f4k1qe83o".parse()?;
/// let bob: UserId = "9jd3wz5ssbrp8ny7hcyqfj3y7a".parse()?;
/// let statuses = GetStatusesByIds::new([alice, bob]).send(&session)?;
/// for (id, status) in statuses.in_order_of(&[alice, bob]) {
///     println!("{id}: {}", status.map_or("unknown", |s| s.status.as_str()));
/// }
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetStatusesByIds {
    user_ids: Vec<UserId>,
}

impl GetStatusesByIds {
    /// The statuses of `user_ids`.
    pub fn new(user_ids: impl IntoIterator<Item = UserId>) -> Self {
        GetStatusesByIds {
            user_ids: user_ids.into_iter().collect(),
        }
    }

    /// Sends the request.
    pub fn send(&self, session: &Session) -> Result<Statuses> {
        session.execute(self)
    }
}

impl Endpoint for GetStatusesByIds {
    type Output = Statuses;

    fn validate(&self) -> Result<()> {
        if self.user_ids.is_empty() {
            return Err(Error::invalid(
                "user_ids",
                "is empty; the server needs at least one id",
            ));
        }
        if let Some(i) = self.user_ids.iter().position(UserId::is_me) {
            return Err(Error::invalid(
                "user_ids",
                format!(
                    "element {} is `me`, which the server does not accept in this list; \
                     use Session::current_user_id() for the real id",
                    i + 1
                ),
            ));
        }
        Ok(())
    }

    fn method(&self) -> Method {
        Method::Post
    }

    fn idempotent(&self) -> bool {
        // A read: POST only because the ids travel in a body.
        true
    }

    fn write_path(&self, url: &mut String) {
        url.push_str("/users/status/ids");
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        json_body(&self.user_ids)
    }

    fn parse(&self, response: &HttpResponse) -> Result<Statuses> {
        let list: Vec<Status> = decode_json(response, "an array of Status objects")?;
        Ok(Statuses::from_vec(list))
    }
}

/// The answer of [`GetStatusesByIds`]: statuses sorted by user id, looked up in
/// `O(log n)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statuses {
    sorted: Vec<Status>,
}

impl Statuses {
    /// Wraps statuses in any order.
    pub fn from_vec(mut statuses: Vec<Status>) -> Self {
        if !statuses.is_sorted_by(|a, b| a.user_id <= b.user_id) {
            statuses.sort_by_key(|s| s.user_id);
        }
        Statuses { sorted: statuses }
    }

    /// The status of `user_id`, if the answer had one.
    pub fn get(&self, user_id: &UserId) -> Option<&Status> {
        self.sorted
            .binary_search_by(|s| s.user_id.cmp(user_id))
            .ok()
            .map(|i| &self.sorted[i])
    }

    /// Each of `user_ids`, in that order, with its status.
    pub fn in_order_of<'a>(
        &'a self,
        user_ids: &'a [UserId],
    ) -> impl Iterator<Item = (UserId, Option<&'a Status>)> + 'a {
        user_ids.iter().map(move |id| (*id, self.get(id)))
    }

    /// The statuses, sorted by user id.
    pub fn iter(&self) -> std::slice::Iter<'_, Status> {
        self.sorted.iter()
    }

    /// How many statuses.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// `true` when there are none.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The statuses, sorted by user id.
    pub fn into_vec(self) -> Vec<Status> {
        self.sorted
    }
}

impl IntoIterator for Statuses {
    type Item = Status;
    type IntoIter = std::vec::IntoIter<Status>;

    fn into_iter(self) -> Self::IntoIter {
        self.sorted.into_iter()
    }
}

impl<'a> IntoIterator for &'a Statuses {
    type Item = &'a Status;
    type IntoIter = std::slice::Iter<'a, Status>;

    fn into_iter(self) -> Self::IntoIter {
        self.sorted.iter()
    }
}
