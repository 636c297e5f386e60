//! Hot pure paths of the wire types: decoding a synchronize request,
//! encoding an operator list, reading a date-time, negotiating a token
//! format. Run with `cargo bench -p chathub-types --bench wire`.

use std::hint::black_box;
use std::time::Duration;

use chathub_types::company::Organization;
use chathub_types::json::RequestBody as _;
use chathub_types::operator::Operator;
use chathub_types::operator::synchronize_operators;
use chathub_types::time::parse_instant;
use chathub_types::token::negotiate_token_format;
use chathub_types::{OperatorId, OperatorStatus, OrganizationId};
use criterion::{Criterion, criterion_group, criterion_main};

/// A synchronize request of `count` operators, as a client would send it.
fn synchronize_body(count: usize) -> Vec<u8> {
    let elements: Vec<String> = (0..count)
        .map(|index| format!(r#"{{"organizationId":{},"name":"Operator number {index}"}}"#, 24 + index % 3))
        .collect();
    format!("[{}]", elements.join(",")).into_bytes()
}

/// A list of `count` operators of one organization, as list-operators answers.
fn operator_list(count: i32) -> Vec<Operator> {
    let organization = Organization { id: OrganizationId(24), name: "Customer Support".to_owned() };
    (1..=count)
        .map(|id| Operator {
            id: OperatorId(id),
            name: format!("Operator number {id}"),
            status: OperatorStatus::from_i32(id % 3),
            organization: organization.clone(),
        })
        .collect()
}

fn decode_synchronize(c: &mut Criterion) {
    let body = synchronize_body(100);
    c.bench_function("decode synchronize request (100 elements)", |b| {
        b.iter(|| synchronize_operators::Request::decode(black_box(&body)).expect("a valid request"));
    });
}

fn encode_operators(c: &mut Criterion) {
    let operators = operator_list(100);
    c.bench_function("encode operator list (100 operators)", |b| {
        b.iter(|| serde_json::to_vec(black_box(&operators)).expect("serializable"));
    });
}

fn parse_instants(c: &mut Criterion) {
    let mut group = c.benchmark_group("time::parse_instant");
    for (name, text) in [
        ("utc millis", "2025-01-20T14:33:34.147Z"),
        ("offset 7 digits", "2025-01-20T16:33:34.1479999+02:00"),
        ("no offset", "2025-12-31T23:59:59"),
    ] {
        group.bench_function(name, |b| b.iter(|| parse_instant(black_box(text)).expect("a date-time")));
    }
    group.finish();
}

fn negotiate(c: &mut Criterion) {
    let mut group = c.benchmark_group("token::negotiate_token_format");
    for (name, accept) in [
        ("none", None),
        ("text/plain", Some("text/plain")),
        ("browser", Some("application/json, text/plain;q=0.9, */*;q=0.8")),
    ] {
        group.bench_function(name, |b| b.iter(|| negotiate_token_format(black_box(accept))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = decode_synchronize, encode_operators, parse_instants, negotiate
}
criterion_main!(benches);
