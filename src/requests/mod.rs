//! The seven status requests, each a builder that checks itself before it is sent.

mod custom_status;
mod status;
mod statuses_by_ids;

pub use custom_status::{
    RemoveRecentCustomStatus, RemoveRecentMethod, UnsetCustomStatus, UpdateCustomStatus,
};
pub use status::{GetStatus, UpdateStatus};
pub use statuses_by_ids::{GetStatusesByIds, Statuses, MAX_IDS_PER_CALL};
