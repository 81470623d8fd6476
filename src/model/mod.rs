//! The values the endpoints take and return.

mod custom_status;
mod status;
pub(crate) mod time;
mod user_id;

pub use custom_status::{CustomStatus, CustomStatusDuration, CUSTOM_STATUS_TEXT_MAX_CHARS};
pub use status::{Status, StatusKind};
pub use user_id::UserId;
