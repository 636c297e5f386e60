//! The integer enums of chats and messages (Decisions 16 and 17).
//!
//! Each keeps an unknown number in its `Unknown` variant and writes it back
//! unchanged, as [`crate::OperatorStatus`] does: a client never fails on a
//! value the live service adds later. Writes accept only the known numbers
//! (the endpoint's `validate` says so, naming the field).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! wire_enum {
    (
        $(#[$doc:meta])*
        $name:ident, $what:literal, $description:literal {
            $($(#[$vdoc:meta])* $variant:ident = $value:literal),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// Any other integer, kept as given.
            Unknown(i32),
        }

        impl $name {
            /// Every known value, in wire order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value for a wire integer (never `Unknown` for a known one).
            pub const fn from_i32(value: i32) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }

            /// The wire integer.
            pub const fn to_i32(self) -> i32 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(other) => other,
                }
            }

            /// Whether this is one of the documented values, the only ones a write may set.
            pub const fn is_known(self) -> bool {
                !matches!(Self::from_i32(self.to_i32()), Self::Unknown(_))
            }

            /// The English name (`"Closed"`), or `None` for an unknown number.
            pub const fn name(self) -> Option<&'static str> {
                match Self::from_i32(self.to_i32()) {
                    $(Self::$variant => Some(stringify!($variant)),)*
                    Self::Unknown(_) => None,
                }
            }

            /// The error message for a write that names an unknown value.
            pub fn rule() -> String {
                format!("The {} must be one of {}.", $what, $description)
            }
        }

        impl From<i32> for $name {
            fn from(value: i32) -> Self {
                Self::from_i32(value)
            }
        }

        impl From<$name> for i32 {
            fn from(value: $name) -> Self {
                value.to_i32()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}", self.to_i32()),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.to_i32())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                i32::deserialize(deserializer).map(Self::from_i32)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                    .description(Some(concat!($description, "; clients keep other numbers")))
                    .examples([serde_json::json!(Self::ALL[Self::ALL.len() / 2].to_i32())])
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

wire_enum!(
    /// A chat's status (Decision 16: the help centre's 0-4 everywhere).
    ChatStatus, "status", "0 New, 1 Open, 2 Waiting, 3 OnPause, 4 Closed" {
        /// 0: no operator has answered yet.
        New = 0,
        /// 1: being handled.
        Open = 1,
        /// 2: waiting for the client.
        Waiting = 2,
        /// 3: on pause.
        OnPause = 3,
        /// 4: closed (archived); no operator may write until it is reopened.
        Closed = 4,
    }
);

wire_enum!(
    /// The messenger a chat runs on (`messSource`, Decision 17).
    MessageSource, "source", "0 Viber, 1 ViberBot, 2 TelegramBot, 3 WhatsApp, 4 Widget, 5 Instagram, 6 Facebook, 7 Rozetka, 8 PromUa" {
        /// 0: Viber business messages.
        Viber = 0,
        /// 1: a Viber bot.
        ViberBot = 1,
        /// 2: a Telegram bot.
        TelegramBot = 2,
        /// 3: WhatsApp.
        WhatsApp = 3,
        /// 4: the web widget.
        Widget = 4,
        /// 5: Instagram.
        Instagram = 5,
        /// 6: Facebook.
        Facebook = 6,
        /// 7: Rozetka marketplace.
        Rozetka = 7,
        /// 8: Prom.ua marketplace.
        PromUa = 8,
    }
);

wire_enum!(
    /// Who wrote a message (Decision 17).
    Author, "author", "0 Operator, 1 Client, 2 System" {
        /// 0: an operator (or the company) replied.
        Operator = 0,
        /// 1: the client wrote through a messenger.
        Client = 1,
        /// 2: reserved for system notices.
        System = 2,
    }
);

wire_enum!(
    /// A message's delivery status (Decision 17).
    MessageStatus, "status", "0 New, 1 Success, 2 Rejected, 3 Read" {
        /// 0: new (a client message nobody has answered).
        New = 0,
        /// 1: delivered to the messenger.
        Success = 1,
        /// 2: the messenger rejected it.
        Rejected = 2,
        /// 3: read.
        Read = 3,
    }
);

wire_enum!(
    /// The kind of a message's media (Decision 17).
    MediaType, "type", "0 File, 1 Photo, 2 Video, 3 Audio" {
        /// 0: any file.
        File = 0,
        /// 1: a photo (an `image/*` format).
        Photo = 1,
        /// 2: a video (a `video/*` format).
        Video = 2,
        /// 3: audio (an `audio/*` format).
        Audio = 3,
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_numbers_round_trip() {
        for value in -2..12 {
            assert_eq!(ChatStatus::from_i32(value).to_i32(), value);
            assert_eq!(MessageSource::from_i32(value).to_i32(), value);
            assert_eq!(MediaType::from_i32(value).is_known(), (0..=3).contains(&value));
        }
        assert_eq!(ChatStatus::from_i32(4), ChatStatus::Closed);
        assert_eq!(MessageSource::PromUa.to_i32(), 8);
        assert_eq!(Author::from_i32(9).to_string(), "9");
        assert_eq!(MessageStatus::Read.to_string(), "Read");
        assert_eq!(ChatStatus::ALL.len(), 5);
        assert_eq!(MessageSource::ALL.len(), 9);
    }
}
