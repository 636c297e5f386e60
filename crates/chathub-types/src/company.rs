//! Company endpoints: sign-in and the company's organizations.

pub mod get_token;
pub mod list_organizations;

use serde::{Deserialize, Serialize};

use crate::OrganizationId;

/// An organization (department, brand, team) of a company.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    /// Its id.
    pub id: OrganizationId,
    /// Its name.
    pub name: String,
}
