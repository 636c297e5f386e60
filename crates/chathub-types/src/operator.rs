//! Operator endpoints: list, synchronize (add), status, tokens.

pub mod get_token;
pub mod list_operators;
pub mod set_status;
pub mod synchronize_operators;
pub mod validate_token;

use serde::{Deserialize, Serialize};

use crate::company::Organization;
use crate::{OperatorId, OperatorStatus};

/// An operator as lists show it (§3.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Operator {
    /// Its id.
    pub id: OperatorId,
    /// Its name, as stored (trimmed).
    pub name: String,
    /// Its status.
    pub status: OperatorStatus,
    /// Its organization.
    pub organization: Organization,
}
