//! The requests, each a builder that checks itself before it is sent.

mod custom_status;
pub(crate) mod id_list;
mod recent;
mod status;
mod statuses_by_ids;
mod user;
mod users;
mod users_by_ids;

pub use custom_status::{
    RemoveRecentCustomStatus, RemoveRecentMethod, UnsetCustomStatus, UpdateCustomStatus,
};
pub use recent::GetRecentCustomStatuses;
pub use status::{GetStatus, UpdateStatus};
pub use statuses_by_ids::{GetStatusesByIds, Statuses, MAX_IDS_PER_CALL};
pub use user::{GetUser, GetUserByUsername};
pub use users::{GetUsersByUsernames, MAX_USERNAMES_PER_CALL};
pub use users_by_ids::GetUsersByIds;
