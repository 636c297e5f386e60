//! Newtype identifiers. On the wire each is a plain JSON integer.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i32);

        impl $name {
            /// The raw integer.
            pub const fn get(self) -> i32 {
                self.0
            }
        }

        impl From<i32> for $name {
            fn from(value: i32) -> Self {
                Self(value)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// A company (customer account). Appears only inside tokens (`sub`).
    CompanyId
);
id_type!(
    /// An organization (department, brand, team) of a company.
    OrganizationId
);
id_type!(
    /// An operator (support agent) of an organization.
    OperatorId
);
id_type!(
    /// A chat between a client and an organization (spec §7).
    ChatId
);
id_type!(
    /// A message of a chat (spec §7).
    MessageId
);
id_type!(
    /// A client (messenger user) of a company (spec §7).
    ClientId
);
