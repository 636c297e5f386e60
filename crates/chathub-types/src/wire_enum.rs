//! [`wire_enum!`]: the integer enums of the wire (operator status,
//! Decisions 16 and 17), written once.
//!
//! Each enum keeps an unknown number in its `Unknown` variant and writes it
//! back unchanged, so a client never fails on a value the live service adds
//! later (spec §5); writes accept only the known numbers (the endpoint's
//! `validate` says so, naming the field). Each gets `ALL`, `from_i32`,
//! `to_i32`, `is_known`, `name`, `rule`, `From` both ways, `Display` (the
//! name, else the number), serde as a bare integer, and with the `openapi`
//! feature an integer schema with the description and example given.

/// Declares a wire enum: `Name, "field", "0 A, 1 B", example = 0 { A = 0, B = 1 }`.
macro_rules! wire_enum {
    (
        $(#[$doc:meta])*
        $name:ident, $what:literal, $description:literal, example = $example:literal {
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

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.to_i32())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <i32 as serde::Deserialize>::deserialize(deserializer).map(Self::from_i32)
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
                    .examples([serde_json::json!($example)])
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

pub(crate) use wire_enum;
