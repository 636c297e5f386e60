//! Operator status, written on the wire as an integer (spec §1).

use crate::wire_enum::wire_enum;

wire_enum!(
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
    OperatorStatus, "status", "0 Active, 1 Inactive, 2 Deleted", example = 0 {
        /// 0: works, can receive chats.
        Active = 0,
        /// 1: temporarily disabled.
        Inactive = 1,
        /// 2: removed; still listed.
        Deleted = 2,
    }
);

impl OperatorStatus {
    /// Whether the operator may work (and its tokens be valid).
    pub const fn is_active(self) -> bool {
        self.to_i32() == 0
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
