//! The simulated customers of spec §7.4 (ours, not the vendor's): served
//! only with `--simulator`, company credentials only.

pub mod customer_message;
pub mod message_status;
