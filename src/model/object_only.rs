//! Only a JSON object is a struct.
//!
//! serde's derived `Deserialize` also reads a struct from a *sequence* of its fields, so
//! `["4xp9fdt77pncbef59f4k1qe83o","dnd"]` would decode as a `Status`. No Mattermost server
//! sends that, and a client that accepts it reports success for an answer that is not
//! one. Every type read from the server ([`Status`](crate::Status),
//! [`CustomStatus`](crate::CustomStatus), [`User`](crate::User), the recent list's
//! `Preference`, the `AppError` body, the `{"status":"OK"}`
//! answer) therefore implements `Deserialize` with [`object_only!`]: it asks the
//! deserializer for a map, and hands that map to the derived code.

/// Implements `Deserialize` for `$ty`, accepting only a map (a JSON object).
///
/// The derived code is an inherent `deserialize` function made by
/// `#[serde(remote = "...")]`: on `$ty` itself (`remote = "Self"`, for private types), or
/// on a private mirror type given after `via` (for public types, whose inherent function
/// would otherwise be public).
macro_rules! object_only {
    ($ty:ty, $expecting:literal) => {
        $crate::model::object_only!($ty, $expecting, via $ty);
    };
    ($ty:ty, $expecting:literal, via $derived:ty) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> std::result::Result<Self, D::Error> {
                struct ObjectOnly;
                impl<'de> serde::de::Visitor<'de> for ObjectOnly {
                    type Value = $ty;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> std::result::Result<$ty, A::Error> {
                        <$derived>::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    }
                }
                deserializer.deserialize_map(ObjectOnly)
            }
        }
    };
}

pub(crate) use object_only;
