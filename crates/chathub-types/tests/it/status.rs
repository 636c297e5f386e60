//! Operator status integers (§1, §5): any i32 is kept and written back unchanged.

use chathub_types::operator::set_status;
use chathub_types::{OperatorStatus, json};
use proptest::prelude::*;

use crate::support;

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/status.txt"))]

    #[test]
    fn any_integer_round_trips_unchanged(value in any::<i32>()) {
        let status = OperatorStatus::from_i32(value);
        prop_assert_eq!(status.to_i32(), value);
        prop_assert_eq!(i32::from(status), value);
        prop_assert_eq!(status.is_known(), (0..=2).contains(&value));
        prop_assert_eq!(status.is_active(), value == 0);
        let written = serde_json::to_string(&status).expect("serializable");
        prop_assert_eq!(&written, &value.to_string());
        let read: OperatorStatus = json::from_slice(written.as_bytes()).expect("an integer");
        prop_assert_eq!(read, status);
        prop_assert_eq!(status.to_string().parse::<OperatorStatus>(), Ok(status));
    }

    /// Writes take 0–2 only (Decision 9); anything else in range reads but fails validation at `$.status`.
    #[test]
    fn writes_accept_only_documented_statuses(id in any::<i32>(), value in any::<i32>()) {
        let body = format!(r#"{{"id": {id}, "status": {value}}}"#);
        let decoded = <set_status::Request as json::RequestBody>::decode(body.as_bytes());
        if (0..=2).contains(&value) {
            let request = decoded.expect("a documented status");
            prop_assert_eq!(request.status.to_i32(), value);
            prop_assert_eq!(request.id.get(), id);
        } else {
            let errors = decoded.expect_err("an undocumented status");
            prop_assert!(errors.names("$.status"));
            prop_assert_eq!(errors.len(), 1);
        }
    }
}

#[test]
fn documented_statuses_have_their_names() {
    let table = [
        (0, OperatorStatus::Active, "Active"),
        (1, OperatorStatus::Inactive, "Inactive"),
        (2, OperatorStatus::Deleted, "Deleted"),
    ];
    for (value, status, name) in table {
        assert_eq!(OperatorStatus::from_i32(value), status);
        assert_eq!(status.name(), Some(name));
        assert_eq!(status.to_string(), name);
        assert_eq!(name.to_uppercase().parse::<OperatorStatus>(), Ok(status));
    }
    assert_eq!(OperatorStatus::from_i32(-1), OperatorStatus::Unknown(-1));
    assert_eq!(OperatorStatus::from_i32(i32::MIN).to_string(), i32::MIN.to_string());
    assert!("paused".parse::<OperatorStatus>().is_err());
}
