//! A faithful, persistent ChatHub server (skeleton; see issue 5).
