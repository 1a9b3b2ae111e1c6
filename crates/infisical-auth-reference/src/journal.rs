//! The request journal: the latest requests the server answered (bounded, oldest first), read
//! through `GET /_reference/requests` or [`TestServer::requests`](crate::TestServer::requests).
//!
//! Each entry holds when the request came, its operation, method and path template, the status
//! and latency of its answer, its `reqId`, the client's address, the identity the call was for
//! (the `identityId` of its path, or the identity a login or a token-auth call was found to be
//! for) and the identity whose access token made it. Never a token, secret, header value, query
//! value or body: the journal is filled from the route and the answer, not the request's
//! contents. Recording is one short lock and a push into a ring of fixed capacity.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::Method;
use chrono::{DateTime, Utc};
use infisical_auth_server::runtime::Operation;
use serde::{Deserialize, Serialize};

/// How many requests the journal holds unless configured otherwise.
pub const DEFAULT_JOURNAL_SIZE: usize = 1000;

/// One request as the journal shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// When the request came (UTC).
    pub time: DateTime<Utc>,
    /// The operationId (`createIdentity` and `getApiDocs` for the server's own routes); `None`
    /// for a path that is no route.
    pub operation_id: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The path template (`/api/v1/auth/universal-auth/identities/{identityId}`); `None` for a
    /// path that is no route.
    pub path: Option<String>,
    /// The answer's status; `None` when no answer was sent: a fault rule closed the connection,
    /// or the client went away before the answer was ready (a timeout).
    pub status: Option<u16>,
    /// Time from the request's arrival to its answer, in milliseconds.
    pub latency_ms: f64,
    /// The answer's request id (`req-...`, as in error bodies).
    pub req_id: Option<String>,
    /// The client's address.
    pub client_ip: Option<IpAddr>,
    /// The identity the call was for, where known: the path's `identityId`, or the identity a
    /// login or token-auth call was found to be for.
    pub identity_id: Option<String>,
    /// The identity whose access token made the call (`None` for the admin token and for calls
    /// without a token).
    pub caller_identity_id: Option<String>,
    /// The fault rule that applied: `status`, `drop` or `delay`.
    pub fault: Option<String>,
}

/// A request as it is kept: references into the operations table and small values, turned into
/// a [`JournalEntry`] only when read.
#[derive(Debug)]
pub(crate) struct Record {
    pub at: SystemTime,
    pub operation: Option<&'static Operation>,
    /// The method of a request that matched no operation.
    pub method: Option<Method>,
    pub status: Option<u16>,
    pub latency: Duration,
    pub req_id: Option<String>,
    pub client_ip: Option<IpAddr>,
    /// The identity's id (a path parameter percent-decoded).
    pub identity_id: Option<Box<str>>,
    pub caller: Option<Arc<str>>,
    pub fault: Option<&'static str>,
}

impl Record {
    fn entry(&self) -> JournalEntry {
        JournalEntry {
            time: DateTime::<Utc>::from(self.at),
            operation_id: self.operation.map(|op| op.id.to_owned()),
            method: match (&self.method, self.operation) {
                (Some(method), _) => method.as_str().to_owned(),
                (None, Some(op)) => op.method.to_owned(),
                (None, None) => String::new(),
            },
            path: self.operation.map(|op| op.path.to_owned()),
            status: self.status,
            latency_ms: self.latency.as_secs_f64() * 1000.0,
            req_id: self.req_id.clone(),
            client_ip: self.client_ip,
            identity_id: self.identity_id.as_deref().map(str::to_owned),
            caller_identity_id: self.caller.as_deref().map(str::to_owned),
            fault: self.fault.map(str::to_owned),
        }
    }
}

/// The journal of one server: a ring of at most `capacity` requests.
pub struct Journal {
    capacity: usize,
    ring: Mutex<VecDeque<Record>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl Default for Journal {
    fn default() -> Self {
        Journal::new(DEFAULT_JOURNAL_SIZE)
    }
}

impl Journal {
    /// A journal of the latest `capacity` requests (0: none are recorded).
    pub fn new(capacity: usize) -> Journal {
        Journal {
            capacity,
            // Grown as requests come, up to the capacity.
            ring: Mutex::new(VecDeque::with_capacity(capacity.min(DEFAULT_JOURNAL_SIZE))),
        }
    }

    /// How many requests it holds at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether requests are recorded at all.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Record>> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn record(&self, record: Record) {
        if self.capacity == 0 {
            return;
        }
        let mut ring = self.lock();
        if ring.len() >= self.capacity {
            ring.pop_front();
        }
        ring.push_back(record);
    }

    /// The requests held, oldest first; only those of `operation_id` when given.
    pub fn entries(&self, operation_id: Option<&str>) -> Vec<JournalEntry> {
        let ring = self.lock();
        ring.iter()
            .filter(|r| operation_id.is_none_or(|id| r.operation.is_some_and(|op| op.id == id)))
            .map(Record::entry)
            .collect()
    }

    /// Forgets every request; how many there were.
    pub fn clear(&self) -> usize {
        let mut ring = self.lock();
        let removed = ring.len();
        ring.clear();
        removed
    }
}

/// What a handler found out about the request it serves, for its journal entry.
#[derive(Default)]
pub(crate) struct Noted {
    pub identity: Option<Arc<str>>,
    pub caller: Option<Arc<str>>,
}

thread_local! {
    /// Set by handlers while the journal's wrapper polls them (see [`take_noted`]).
    static NOTED: RefCell<Noted> = RefCell::default();
}

/// Notes the identity the request being served is for (a login's, a token's).
pub(crate) fn note_identity(identity: &Arc<str>) {
    NOTED.with(|n| n.borrow_mut().identity = Some(Arc::clone(identity)));
}

/// Notes the identity whose access token makes the request being served.
pub(crate) fn note_caller(identity: &Arc<str>) {
    NOTED.with(|n| n.borrow_mut().caller = Some(Arc::clone(identity)));
}

/// What handlers noted on this thread since the last call (the journal's wrapper calls it
/// before and after each poll of a request's future, so that notes never cross requests).
pub(crate) fn take_noted() -> Noted {
    NOTED.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(operation: &'static Operation) -> Record {
        Record {
            at: SystemTime::now(),
            operation: Some(operation),
            method: None,
            status: Some(200),
            latency: Duration::from_micros(250),
            req_id: Some("req-abc".into()),
            client_ip: Some(IpAddr::from([127, 0, 0, 1])),
            identity_id: None,
            caller: None,
            fault: None,
        }
    }

    #[test]
    fn the_journal_keeps_the_latest_requests_oldest_first_and_filters_by_operation() {
        let ops = &infisical_auth_server::OPERATIONS;
        let journal = Journal::new(3);
        for op in ops.iter().take(5) {
            journal.record(record(op));
        }
        let held = journal.entries(None);
        let ids: Vec<_> = held.iter().filter_map(|e| e.operation_id.clone()).collect();
        let expected: Vec<_> = ops[2..5].iter().map(|op| op.id.to_owned()).collect();
        assert_eq!(ids, expected);
        assert_eq!(held[0].latency_ms, 0.25);
        assert_eq!(held[0].path.as_deref(), Some(ops[2].path));
        assert_eq!(journal.entries(Some(ops[3].id)).len(), 1);
        assert_eq!(journal.entries(Some("nothing")).len(), 0);
        assert_eq!(journal.clear(), 3);
        assert!(journal.entries(None).is_empty());
        let off = Journal::new(0);
        off.record(record(&ops[0]));
        assert!(off.entries(None).is_empty());
    }

    #[test]
    fn an_entry_reads_back_from_its_json() {
        let journal = Journal::new(1);
        journal.record(record(&infisical_auth_server::OPERATIONS[0]));
        let entry = journal.entries(None).remove(0);
        let json = serde_json::to_value(&entry).unwrap();
        assert!(json.get("operationId").is_some() && json.get("latencyMs").is_some());
        assert_eq!(serde_json::from_value::<JournalEntry>(json).unwrap(), entry);
    }
}
