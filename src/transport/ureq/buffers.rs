//! The connection buffers (row "buffers" of `WORKAROUNDS.md`): 16 KiB each, not ureq's
//! 128 KiB.
//!
//! ureq gives every connection an input and an output buffer of 128 KiB and zero-fills
//! both when the connection opens: 64 page faults, a quarter of a one-shot `mmstatus
//! get`'s. A request's head and an answer's head must fit in them; bodies stream through
//! in pieces.

use ureq::config::ConfigBuilder;
use ureq::typestate::AgentScope;

/// The size of each of a connection's two buffers.
const BUFFER_SIZE: usize = 16 * 1024;

/// The largest answer head read (status line and headers): a byte under the input
/// buffer, so that a longer head is ureq's "too big" error rather than a stalled read.
/// nginx, in front of most Mattermost servers, lets through 4 or 8 KiB by default.
pub(super) const MAX_RESPONSE_HEAD: usize = BUFFER_SIZE - 1;

/// `config` with the crate's buffer sizes and head limit.
pub(super) fn sized(config: ConfigBuilder<AgentScope>) -> ConfigBuilder<AgentScope> {
    config
        .input_buffer_size(BUFFER_SIZE)
        .output_buffer_size(BUFFER_SIZE)
        .max_response_header_size(MAX_RESPONSE_HEAD)
}

/// What the error says when an answer's head does not fit.
pub(super) fn head_too_large() -> String {
    format!(
        "the answer's head (status line and headers) is larger than the {MAX_RESPONSE_HEAD} \
         bytes this transport reads"
    )
}
