//! Timestamps in answers are written as Infisical's server writes them (JavaScript's
//! `toISOString`): milliseconds always, `Z` for UTC. A client comparing or parsing them with a
//! fixed-width format relies on it.

use infisical_auth_types::ClientSecretData;
use serde_json::{json, Value};

fn secret_data(created_at: &str) -> ClientSecretData {
    serde_json::from_value(json!({
        "clientSecretNumUses": 0,
        "clientSecretNumUsesLimit": 0,
        "clientSecretPrefix": "abc",
        "clientSecretTTL": 0,
        "createdAt": created_at,
        "description": "",
        "id": "3f8a4a2e-33a7-4bd5-9b53-1b0f1f0e3c11",
        "identityUAId": "5b2e0f2d-2c5d-4b0e-8d4b-8c1f6f6c1d22",
        "isClientSecretRevoked": false,
        "updatedAt": "2026-12-02T10:00:00.5+01:00",
    }))
    .expect("a client secret's data")
}

#[test]
fn timestamps_are_written_with_milliseconds_in_utc() {
    let written = serde_json::to_value(secret_data("2026-12-02T10:00:00Z")).unwrap();
    assert_eq!(
        written["createdAt"],
        Value::from("2026-12-02T10:00:00.000Z")
    );
    assert_eq!(
        written["updatedAt"],
        Value::from("2026-12-02T09:00:00.500Z")
    );
    let written = serde_json::to_value(secret_data("0999-01-31T23:59:59.123456Z")).unwrap();
    assert_eq!(
        written["createdAt"],
        Value::from("0999-01-31T23:59:59.123Z")
    );
}

#[test]
fn a_written_timestamp_reads_back_the_same() {
    let data = secret_data("2026-02-28T23:59:59.999Z");
    let again: ClientSecretData =
        serde_json::from_value(serde_json::to_value(&data).unwrap()).unwrap();
    assert_eq!(again.created_at, data.created_at);
}
