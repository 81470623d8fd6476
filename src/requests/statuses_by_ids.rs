//! [`GetStatusesByIds`] and its answer, [`Statuses`].

use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::model::{Status, UserId};
use crate::requests::id_list;
use crate::response::decode_json;
use crate::session::Call;
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
/// # Long lists
///
/// The server's handler has no count limit, but every request body is cut at the
/// server's `ServiceSettings.MaximumPayloadSizeBytes` (default 300,000 bytes, plus 512),
/// after which the JSON does not parse and the call fails (400). An id takes 29 bytes in
/// the body, so one call carries at most about 10,344 ids on a default server. A list
/// longer than [`MAX_IDS_PER_CALL`] (or than [`ids_per_call`](Self::ids_per_call)) is
/// therefore sent in several calls, transparently: the ids are sorted and deduplicated
/// first (as the server would do), cut into consecutive runs, and the answers, each
/// sorted by the server, are concatenated into one sorted [`Statuses`]. Time and memory
/// grow linearly with the number of ids; the first failing call fails the whole request.
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
#[must_use = "a request does nothing until `.send(&session)`"]
pub struct GetStatusesByIds {
    user_ids: Vec<UserId>,
    ids_per_call: usize,
}

/// The most ids [`GetStatusesByIds`] sends in one call by default, and the most
/// [`GetUsersByIds`](crate::GetUsersByIds) takes: 10,000 ids make a 290,001-byte body,
/// under the 300,000 bytes a default server accepts.
pub const MAX_IDS_PER_CALL: usize = 10_000;

impl GetStatusesByIds {
    /// The statuses of `user_ids`.
    pub fn new(user_ids: impl IntoIterator<Item = UserId>) -> Self {
        GetStatusesByIds {
            user_ids: user_ids.into_iter().collect(),
            ids_per_call: MAX_IDS_PER_CALL,
        }
    }

    /// The most ids to send in one call (default [`MAX_IDS_PER_CALL`]); lower it for a
    /// server whose `MaximumPayloadSizeBytes` is below the default (an id takes 29
    /// bytes). Must be at least 1.
    pub fn ids_per_call(mut self, ids_per_call: usize) -> Self {
        self.ids_per_call = ids_per_call;
        self
    }

    /// Sends the request: one call, or one per [`ids_per_call`](Self::ids_per_call)
    /// ids (see *Long lists* above).
    pub fn send(&self, session: &Session) -> Result<Statuses> {
        session.execute(self)
    }
}

/// The whole list as one call; [`run`](Endpoint::run) splits a long one.
impl Endpoint for GetStatusesByIds {
    type Output = Statuses;

    fn validate(&self, session: &Session) -> Result<()> {
        IdList(&self.user_ids).validate(session)?;
        if self.ids_per_call == 0 {
            return Err(Error::invalid("ids_per_call", "must be at least 1"));
        }
        Ok(())
    }

    fn method(&self) -> Method {
        IdList(&self.user_ids).method()
    }

    fn idempotent(&self) -> bool {
        IdList(&self.user_ids).idempotent()
    }

    fn write_path(&self, url: &mut String) {
        IdList(&self.user_ids).write_path(url);
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        IdList(&self.user_ids).body()
    }

    fn parse(&self, response: &HttpResponse) -> Result<Statuses> {
        IdList(&self.user_ids)
            .parse(response)
            .map(Statuses::from_vec)
    }

    /// One call, or one per `ids_per_call` distinct ids, all in the request's deadline.
    fn run(&self, call: &Call<'_>) -> Result<Statuses> {
        if self.user_ids.len() <= self.ids_per_call {
            return call.send(self);
        }
        let mut unique = self.user_ids.clone();
        unique.sort_unstable();
        unique.dedup();
        let mut statuses = Vec::with_capacity(unique.len());
        for run in unique.chunks(self.ids_per_call) {
            statuses.extend(call.send(&IdList(run))?);
        }
        // Sorted runs answered in order: already sorted, so this does not sort again.
        Ok(Statuses::from_vec(statuses))
    }
}

/// One call's worth of ids.
struct IdList<'a>(&'a [UserId]);

impl Endpoint for IdList<'_> {
    type Output = Vec<Status>;

    fn validate(&self, _session: &Session) -> Result<()> {
        id_list::check(self.0, "which the server does not accept in this list")
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
        id_list::body(self.0)
    }

    fn parse(&self, response: &HttpResponse) -> Result<Vec<Status>> {
        decode_json(response, "an array of Status objects")
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::transport::{HttpRequest, Transport};
    use crate::{StatusKind, TransportError};

    /// Answers like the server (sorted, deduplicated, every id `online`) and records
    /// each call's ids.
    #[derive(Debug, Default)]
    struct Recorder(Mutex<Vec<Vec<String>>>);

    impl Transport for Recorder {
        fn send(
            &self,
            request: &HttpRequest<'_>,
        ) -> std::result::Result<HttpResponse, TransportError> {
            let body = request.body().unwrap_or_default();
            assert_eq!(
                (body.len() - 1) % id_list::BYTES_PER_ID,
                0,
                "29 bytes an id, plus one"
            );
            let mut ids: Vec<String> = serde_json::from_slice(body).unwrap();
            self.0.lock().unwrap().push(ids.clone());
            ids.sort();
            ids.dedup();
            let answer: Vec<Status> = ids
                .iter()
                .map(|id| Status::new(id.parse().unwrap(), StatusKind::Online))
                .collect();
            Ok(HttpResponse::new(200, serde_json::to_vec(&answer).unwrap()))
        }
    }

    fn id(i: usize) -> UserId {
        format!("{i:026}").parse().unwrap()
    }

    fn session(recorder: &std::sync::Arc<Recorder>) -> Session {
        Session::builder("https://chat.example.com")
            .token("t")
            .transport(std::sync::Arc::clone(recorder))
            .build()
            .unwrap()
    }

    #[test]
    fn short_lists_go_in_one_call_as_given() {
        let recorder = std::sync::Arc::new(Recorder::default());
        let asked = [id(3), id(1), id(3)];
        let statuses = GetStatusesByIds::new(asked)
            .send(&session(&recorder))
            .unwrap();
        let calls = recorder.0.lock().unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0], asked.map(|i| i.to_string()));
        assert_eq!(statuses.len(), 2);
    }

    #[test]
    fn long_lists_are_split_into_sorted_runs_and_merged_in_order() {
        let recorder = std::sync::Arc::new(Recorder::default());
        // 25 distinct ids, shuffled, plus duplicates: 25 unique in runs of 10, 10, 5.
        let mut asked: Vec<UserId> = (0..25).map(|i| id((i * 7) % 25)).collect();
        asked.extend([id(4), id(24)]);
        let statuses = GetStatusesByIds::new(asked.iter().copied())
            .ids_per_call(10)
            .send(&session(&recorder))
            .unwrap();
        let calls = recorder.0.lock().unwrap();
        assert_eq!(calls.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 5]);
        let sent: Vec<String> = calls.concat();
        let expected: Vec<String> = (0..25).map(|i| id(i).to_string()).collect();
        assert_eq!(sent, expected, "sorted, unique, in consecutive runs");
        assert_eq!(statuses.len(), 25);
        assert!(statuses.iter().map(|s| s.user_id).eq((0..25).map(id)));
        for (asked_id, status) in statuses.in_order_of(&asked) {
            assert_eq!(status.map(|s| s.user_id), Some(asked_id));
        }
    }

    #[test]
    fn ids_per_call_must_be_positive() {
        let recorder = std::sync::Arc::new(Recorder::default());
        let err = GetStatusesByIds::new([id(1)])
            .ids_per_call(0)
            .send(&session(&recorder))
            .unwrap_err();
        assert!(err.to_string().contains("ids_per_call"), "{err}");
        assert!(recorder.0.lock().unwrap().is_empty());
    }
}
