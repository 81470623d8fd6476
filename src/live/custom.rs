//! Custom statuses as `user_updated` carries them (`props.customStatus`, a JSON string,
//! `""` when cleared: `model.User.SetCustomStatus`/`ClearCustomStatus`), and what the
//! stream last knew of each user's, in bounded memory.

use std::collections::{HashMap, VecDeque};

#[cfg(test)]
use crate::model::custom_status::decode;
use crate::model::UserId;

/// The most users whose custom status the stream remembers (to yield only changes): a
/// server sends `user_updated` for every user's profile change, to every connection.
/// Past it, the users learned first are forgotten (a later update of theirs is yielded
/// even if their custom status did not change). About 100 bytes each.
pub(crate) const MAX_KNOWN: usize = 10_000;

/// The custom status the stream last knew of each user, at most [`MAX_KNOWN`] users.
#[derive(Debug, Default)]
pub(crate) struct Known {
    map: HashMap<UserId, Option<String>>,
    order: VecDeque<UserId>,
}

impl Known {
    /// Records `json` as `user`'s custom status; `true` when it differs from what was
    /// known (or nothing was).
    pub(crate) fn update(&mut self, user: UserId, json: Option<&str>) -> bool {
        match self.map.get_mut(&user) {
            Some(known) if known.as_deref() == json => false,
            Some(known) => {
                *known = json.map(str::to_owned);
                true
            }
            None => {
                if self.map.len() >= MAX_KNOWN {
                    if let Some(oldest) = self.order.pop_front() {
                        self.map.remove(&oldest);
                    }
                }
                self.map.insert(user, json.map(str::to_owned));
                self.order.push_back(user);
                true
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_set_cleared_and_unknown_values() {
        let none = decode(Some(&serde_json::json!("")));
        assert_eq!(none.custom_status, None);
        assert_eq!(decode(None).json, None);
        let set = decode(Some(&serde_json::json!(
            r#"{"emoji":"calendar","text":"In a meeting","duration":"one_hour","expires_at":"2025-01-01T10:00:00Z"}"#
        )));
        let cs = set.custom_status.unwrap();
        assert_eq!(
            (cs.emoji.as_str(), cs.text.as_str()),
            ("calendar", "In a meeting")
        );
        assert!(cs.expires_at.is_some());
        let odd = decode(Some(&serde_json::json!(
            r#"{"emoji":"x","text":"t","duration":"fortnight","expires_at":"0001-01-01T00:00:00Z"}"#
        )));
        let cs = odd.custom_status.unwrap();
        assert_eq!(
            (cs.text.as_str(), cs.duration, cs.expires_at),
            ("t", None, None)
        );
        assert!(odd.json.unwrap().contains("fortnight"));
    }

    #[test]
    fn remembers_a_bounded_number_of_users() {
        let mut known = Known::default();
        let id = |i: usize| -> UserId { format!("{i:0>26}").parse().unwrap() };
        assert!(known.update(id(1), Some("a")));
        assert!(!known.update(id(1), Some("a")));
        assert!(known.update(id(1), None));
        for i in 0..MAX_KNOWN + 10 {
            known.update(id(i), None);
        }
        assert_eq!(known.len(), MAX_KNOWN);
        // The first users were forgotten.
        assert!(known.update(id(2), None));
    }
}
