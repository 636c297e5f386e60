//! Issuing and verifying HS256 JWTs with [`chathub_server::auth::TokenKeys`],
//! the work behind every authenticated request. Run with
//! `cargo bench -p chathub-server --bench tokens`.

use std::hint::black_box;
use std::time::Duration;

use chathub_server::auth::TokenKeys;
use chathub_types::token::TokenKind;
use criterion::{Criterion, criterion_group, criterion_main};

/// Seconds since the epoch on 2025-01-20: tokens verify by signature and
/// claims only (expiry is a separate, pure rule).
const IAT: i64 = 1_737_331_200;

fn issue(c: &mut Criterion) {
    let keys = TokenKeys::new(b"a bench secret of thirty-two byte");
    c.bench_function("TokenKeys::issue (operator)", |b| {
        b.iter(|| keys.issue(black_box(TokenKind::Operator), black_box(7), IAT, IAT + 3600).expect("signed"));
    });
}

fn verify(c: &mut Criterion) {
    let keys = TokenKeys::new(b"a bench secret of thirty-two byte");
    let token = keys.issue(TokenKind::Company, 1, IAT, IAT + 86_400).expect("signed");
    let foreign = TokenKeys::new(b"another secret, of some length!!").issue(TokenKind::Company, 1, IAT, IAT + 86_400);
    let foreign = foreign.expect("signed");
    let mut group = c.benchmark_group("TokenKeys::verify");
    group.bench_function("ours", |b| b.iter(|| keys.verify(black_box(&token)).expect("valid")));
    group.bench_function("another key", |b| b.iter(|| keys.verify(black_box(&foreign))));
    group.bench_function("garbage", |b| b.iter(|| keys.verify(black_box("not.a.token"))));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = issue, verify
}
criterion_main!(benches);
