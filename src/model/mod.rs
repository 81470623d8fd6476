//! The values the endpoints take and return.

pub(crate) mod custom_status;
pub(crate) mod object_only;
mod status;
pub(crate) mod time;
pub(crate) mod user;
mod user_id;

pub use custom_status::{CustomStatus, CustomStatusDuration, CUSTOM_STATUS_TEXT_MAX_CHARS};
pub use status::{Status, StatusKind};
pub use user::{User, UserRef, USERNAME_MAX_LEN};
pub use user_id::UserId;

pub(crate) use object_only::object_only;
