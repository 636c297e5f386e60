//! Operator status, written on the wire as an integer (spec §1).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An operator's status.
///
/// Unknown integers are kept in [`OperatorStatus::Unknown`] and written
/// back unchanged, so a client never fails on a value the live service adds
/// later (spec §5). Build values from integers with [`OperatorStatus::from_i32`],
/// which never puts 0, 1 or 2 in `Unknown`.
///
/// ```
/// use chathub_types::OperatorStatus;
/// assert_eq!(OperatorStatus::from_i32(1), OperatorStatus::Inactive);
/// assert_eq!(OperatorStatus::from_i32(7).to_i32(), 7);
/// assert!(!OperatorStatus::from_i32(7).is_known());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorStatus {
    /// 0: works, can receive chats.
    Active,
    /// 1: temporarily disabled.
    Inactive,
    /// 2: removed; still listed.
    Deleted,
    /// Any other integer, kept as given.
    Unknown(i32),
}

impl OperatorStatus {
    /// The status for a wire integer.
    pub const fn from_i32(value: i32) -> Self {
        match value {
            0 => Self::Active,
            1 => Self::Inactive,
            2 => Self::Deleted,
            other => Self::Unknown(other),
        }
    }

    /// The wire integer.
    pub const fn to_i32(self) -> i32 {
        match self {
            Self::Active => 0,
            Self::Inactive => 1,
            Self::Deleted => 2,
            Self::Unknown(other) => other,
        }
    }

    /// Whether this is one of the three documented statuses, the only ones
    /// a write may set (Decision 9).
    pub const fn is_known(self) -> bool {
        matches!(self.to_i32(), 0..=2)
    }

    /// Whether the operator may work (and its tokens be valid).
    pub const fn is_active(self) -> bool {
        self.to_i32() == 0
    }

    /// The English name (`"Active"`), or `None` for an unknown number.
    pub const fn name(self) -> Option<&'static str> {
        match self.to_i32() {
            0 => Some("Active"),
            1 => Some("Inactive"),
            2 => Some("Deleted"),
            _ => None,
        }
    }
}

impl From<i32> for OperatorStatus {
    fn from(value: i32) -> Self {
        Self::from_i32(value)
    }
}

impl From<OperatorStatus> for i32 {
    fn from(value: OperatorStatus) -> Self {
        value.to_i32()
    }
}

impl std::fmt::Display for OperatorStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.to_i32()),
        }
    }
}

/// Parses `active`, `inactive`, `deleted` (any case) or an integer.
impl std::str::FromStr for OperatorStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s.to_ascii_lowercase().as_str() {
            "active" => Ok(Self::Active),
            "inactive" => Ok(Self::Inactive),
            "deleted" => Ok(Self::Deleted),
            _ => s
                .parse::<i32>()
                .map(Self::from_i32)
                .map_err(|_| format!("unknown operator status `{s}` (expected active, inactive, deleted or 0-2)")),
        }
    }
}

impl Serialize for OperatorStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(self.to_i32())
    }
}

impl<'de> Deserialize<'de> for OperatorStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i32::deserialize(deserializer).map(Self::from_i32)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for OperatorStatus {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .description(Some("0 Active, 1 Inactive, 2 Deleted; clients keep other numbers"))
            .examples([serde_json::json!(0)])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for OperatorStatus {}
