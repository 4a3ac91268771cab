//! The store conformance suite and Postgres-specific checks against [`PostgresStore`]. Each
//! store lives in a fresh schema of the database at `PANGOLIN_TEST_POSTGRES_URL`.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::model::Tenant;
use pangolin_core::{Error, Name, PageRequest};
use pangolin_store::{AuditFilter, AuditStore, DynStore, StoreAdmin, TenantStore};
use pangolin_store_sql::{PostgresOptions, PostgresStore};
use sqlx::Connection;

const SCHEMA_PREFIX: &str = "pgl_test_";

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A new schema name: the prefix, the creation time (for cleanup), a random part.
fn fresh_schema() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{SCHEMA_PREFIX}{}_{}", unix_now(), &random[..12])
}

async fn store_in(url: &str, schema: &str) -> PostgresStore {
    store_with(url, schema, 4).await
}

async fn store_with(url: &str, schema: &str, max_connections: u32) -> PostgresStore {
    let opts = PostgresOptions {
        max_connections,
        schema: Some(schema.to_owned()),
        ..PostgresOptions::default()
    };
    let store = PostgresStore::connect(url, opts).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

/// Drops the schemas of earlier runs older than an hour (a run that panicked leaves its own),
/// then, when `also` is given, those.
async fn drop_schemas(url: &str, also: &[String]) {
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("admin connection");
    let all: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE starts_with(nspname, $1)")
            .bind(SCHEMA_PREFIX)
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let cutoff = unix_now().saturating_sub(3600);
    for schema in all {
        let created: u64 = schema[SCHEMA_PREFIX.len()..]
            .split('_')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if created < cutoff || also.contains(&schema) {
            // Names come from `fresh_schema`: plain identifiers.
            let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

fn tenant(name: &str) -> Tenant {
    let mut t = Tenant::new(Name::new(name).unwrap());
    t.created_at += Duration::from_micros(7);
    t.updated_at = t.created_at;
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_store_passes_the_conformance_suite() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    drop_schemas(&url, &[]).await;
    let created = Arc::new(std::sync::Mutex::new(Vec::new()));
    pangolin_store::conformance::run(|| {
        let (url, created) = (url.clone(), created.clone());
        async move {
            let schema = fresh_schema();
            created.lock().unwrap().push(schema.clone());
            Arc::new(store_in(&url, &schema).await) as DynStore
        }
    })
    .await;
    let created = created.lock().unwrap().clone();
    drop_schemas(&url, &created).await;
}

#[tokio::test]
async fn migrating_twice_is_a_no_op_that_keeps_data() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let schema = fresh_schema();
    let store = store_in(&url, &schema).await;
    let t = tenant("acme");
    store.create_tenant(&t, &[]).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.get_tenant(t.id).await.unwrap(), t);
    // A second store on the same schema (another server process) migrates as a no-op too.
    let other = store_in(&url, &schema).await;
    assert_eq!(other.get_tenant(t.id).await.unwrap(), t);
    drop_schemas(&url, &[schema]).await;
}

#[tokio::test]
async fn timestamps_and_odd_text_round_trip() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let schema = fresh_schema();
    let store = store_in(&url, &schema).await;
    let mut t = tenant("acme");
    // `json` keeps the "\u0000" escape that `jsonb` would reject.
    t.properties.insert("nul".into(), "a\u{0}b".into());
    let mut event = AuditEvent::new(
        Some(t.id),
        "alice",
        "tenant.create",
        "t",
        AuditResult::Success,
    );
    event.time = t.created_at;
    store
        .create_tenant(&t, std::slice::from_ref(&event))
        .await
        .unwrap();
    assert_eq!(store.get_tenant(t.id).await.unwrap(), t);
    let events = store
        .list_audit(&AuditFilter::default(), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(events.items, vec![event]);
    // Text columns cannot hold NUL: that is the caller's bad input, not a server fault.
    let bad = AuditEvent::new(None, "a\u{0}b", "x", "y", AuditResult::Denied);
    assert!(matches!(
        store.append_audit(&[bad]).await,
        Err(Error::InvalidInput(_))
    ));
    drop_schemas(&url, &[schema]).await;
}

#[tokio::test]
async fn schemas_isolate_stores() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let (s1, s2) = (fresh_schema(), fresh_schema());
    let (a, b) = (store_in(&url, &s1).await, store_in(&url, &s2).await);
    let t = tenant("acme");
    a.create_tenant(&t, &[]).await.unwrap();
    assert!(b.get_tenant(t.id).await.is_err());
    b.create_tenant(&t, &[]).await.unwrap();
    drop_schemas(&url, &[s1, s2]).await;
}

#[tokio::test]
async fn connection_strings_are_shown_without_passwords() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let store = PostgresStore::connect(&url, PostgresOptions::default())
        .await
        .unwrap();
    let parsed = url::Url::parse(&url).unwrap();
    let shown = format!("{store:?} {store}");
    if let Some(password) = parsed.password() {
        // The userinfo form, since a password may also occur as a user or database name.
        assert!(!shown.contains(&format!(":{password}@")), "{shown}");
        assert!(shown.contains(":***@"), "{shown}");
    }
    assert!(
        shown.contains(parsed.host_str().unwrap_or_default()),
        "{shown}"
    );
    assert_eq!(store.backend(), "postgres");
    store.ping().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable() {
    // Needs no database: nothing listens on port 1.
    let opts = PostgresOptions {
        acquire_timeout: Duration::from_secs(2),
        ..PostgresOptions::default()
    };
    let err = PostgresStore::connect("postgres://u:secret@127.0.0.1:1/db", opts)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(!err.to_string().contains("secret"));
    let bad = PostgresStore::connect(
        "postgres://u:secret@127.0.0.1/db",
        PostgresOptions {
            schema: Some("Not-A-Schema".into()),
            ..PostgresOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(bad, Error::InvalidInput(_)));
}

/// A request whose client goes away is dropped wherever it is, also inside `BEGIN`'s round
/// trip. The connection must still come back clean: before sqlx 0.9.1 a cancelled `BEGIN` left
/// the pooled session inside a transaction nothing would end, so every later statement on it
/// ran in that transaction (the one-statement commits never became durable) and, after its
/// first error, failed with "current transaction is aborted".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_cancelled_anywhere_leave_no_session_in_a_transaction() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let schema = fresh_schema();
    let app = format!("pgl_cancel_{}", &schema[schema.len() - 12..]);
    let separator = if url.contains('?') { '&' } else { '?' };
    // One connection: every cancelled write and the check below use the same session.
    let named = format!("{url}{separator}application_name={app}");
    let store = Arc::new(store_with(&named, &schema, 1).await);
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let (mut landed, mut cancelled) = (0, 0);
    for round in 0..400u32 {
        let writer = store.clone();
        let write = tokio::spawn(async move {
            let t = tenant(&format!("t{round}"));
            writer.create_tenant(&t, &[]).await
        });
        // The write runs on this worker while the wait spins off the runtime; across the
        // rounds the abort lands before, inside and after each of its round trips.
        let wait = Duration::from_micros(u64::from(round % 100) * 30);
        tokio::task::spawn_blocking(move || {
            let until = std::time::Instant::now() + wait;
            while std::time::Instant::now() < until {
                std::hint::spin_loop();
            }
        })
        .await
        .unwrap();
        write.abort();
        match write.await {
            Ok(outcome) => {
                outcome.unwrap();
                landed += 1;
            }
            Err(e) if e.is_cancelled() => cancelled += 1,
            Err(e) => panic!("{e}"),
        }
        // The next use of the session (which also sends a rollback a cancelled write
        // queued, or connects again) must leave it outside any transaction.
        let missing = store.get_tenant(pangolin_core::TenantId::generate()).await;
        assert!(
            matches!(missing, Err(Error::NotFound { .. })),
            "{missing:?}"
        );
        let states: Vec<String> = sqlx::query_scalar(
            "SELECT state FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle'",
        )
        .bind(&app)
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert!(
            states.is_empty(),
            "round {round}: the session is {states:?}"
        );
    }
    assert!(
        landed > 0 && cancelled > 0,
        "landed {landed}, cancelled {cancelled}"
    );
    drop_schemas(&url, &[schema]).await;
}
