//! Benchmark: validating a universal-auth attach body (`attachUniversalAuth`) with 2 and with 100 trusted IPs,
//! with this crate's `validate` and, side by side, with the `jsonschema` crate against the operation's request
//! schema taken from the spec (what a user would reach for otherwise).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use infisical_auth_validation::{validate, RequestParts};
use serde_json::{json, Value};

/// A full attach body with `n` trusted IP entries, split evenly between the client-secret and access-token
/// lists, IPv4 and IPv6 blocks and bare addresses mixed.
fn body(n: usize) -> Value {
    let entry = |i: usize| match i % 4 {
        0 => json!({"ipAddress": format!("10.{}.{}.0/24", i / 256 % 256, i % 256)}),
        1 => json!({"ipAddress": format!("192.168.{}.{}", i / 256 % 256, i % 256)}),
        2 => json!({"ipAddress": format!("2001:db8:{:x}::/48", i)}),
        _ => json!({"ipAddress": format!("fe80::{:x}", i)}),
    };
    let half = n / 2;
    json!({
        "clientSecretTrustedIps": (0..half).map(entry).collect::<Vec<_>>(),
        "accessTokenTrustedIps": (half..n).map(entry).collect::<Vec<_>>(),
        "accessTokenTTL": 2_592_000,
        "accessTokenMaxTTL": 2_592_000,
        "accessTokenNumUsesLimit": 0,
        "accessTokenPeriod": 0,
        "lockoutEnabled": true,
        "lockoutThreshold": 3,
        "lockoutDurationSeconds": 300,
        "lockoutCounterResetSeconds": 30
    })
}

fn request_schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../openapi/infisical-identity-auth.json");
    let text = std::fs::read_to_string(path).expect("spec readable");
    let spec: Value = serde_json::from_str(&text).expect("spec is JSON");
    spec.pointer(
        "/paths/~1api~1v1~1auth~1universal-auth~1identities~1{identityId}/post/requestBody/content/application~1json/schema",
    )
    .cloned()
    .expect("attachUniversalAuth request schema")
}

fn bench(c: &mut Criterion) {
    let schema = request_schema();
    let compiled = jsonschema::JSONSchema::compile(&schema).expect("schema compiles");
    let mut group = c.benchmark_group("attachUniversalAuth");
    for n in [2usize, 100] {
        let b = body(n);
        let path = [("identityId", "2d7a3d6e-6f4c-4a53-9d5e-1f0f6f0b7d11")];
        assert!(validate(
            "attachUniversalAuth",
            &RequestParts {
                path: &path,
                query: &[],
                body: Some(&b)
            }
        )
        .is_ok());
        assert!(compiled.is_valid(&b));
        group.bench_with_input(BenchmarkId::new("this_crate", n), &b, |bench, b| {
            bench.iter(|| {
                validate(
                    black_box("attachUniversalAuth"),
                    black_box(&RequestParts {
                        path: &path,
                        query: &[],
                        body: Some(b),
                    }),
                )
            })
        });
        group.bench_with_input(
            BenchmarkId::new("jsonschema_validate", n),
            &b,
            |bench, b| bench.iter(|| compiled.validate(black_box(b)).is_ok()),
        );
        group.bench_with_input(
            BenchmarkId::new("jsonschema_is_valid", n),
            &b,
            |bench, b| bench.iter(|| compiled.is_valid(black_box(b))),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
