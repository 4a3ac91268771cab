//! Warehouse validation: prove, with real requests, that a warehouse works before tables
//! depend on it. Each check is reported separately (a failed write explains a failed read).
//!
//! Checks: `open` (profile + credential build a store), `write`, `read`, `list`, `delete` of a
//! probe object under `<base>/.pangolin-validation/<uuid>/`; when the warehouse vends
//! credentials: `vend` (a read-write credential for the probe prefix) and `vended-access`
//! (write, read and delete under the probe prefix using only the vended credential).

use bytes::Bytes;
use pangolin_core::Error;
use pangolin_core::model::Warehouse;
use serde::Serialize;

use crate::io::WarehouseIo;
use crate::location;
use crate::vending::{VendMode, VendedCredential};
use crate::{StorageRegistry, backends};

/// The outcome of [`StorageRegistry::validate`]; serializable for the management API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ValidationReport {
    /// Whether every check passed.
    pub ok: bool,
    pub checks: Vec<ValidationCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ValidationCheck {
    pub name: String,
    pub ok: bool,
    /// What was done, or why it failed (never a secret).
    pub message: String,
}

const PROBE_DIR: &str = ".pangolin-validation";
const PROBE_BYTES: &[u8] = b"pangolin warehouse validation probe";

#[derive(Default)]
struct Report {
    checks: Vec<ValidationCheck>,
}

impl Report {
    fn record(&mut self, name: &str, outcome: Result<String, String>) -> bool {
        let ok = outcome.is_ok();
        let message = outcome.unwrap_or_else(|e| e);
        self.checks.push(ValidationCheck {
            name: name.to_owned(),
            ok,
            message,
        });
        ok
    }

    fn finish(self) -> ValidationReport {
        ValidationReport {
            ok: self.checks.iter().all(|c| c.ok),
            checks: self.checks,
        }
    }
}

impl StorageRegistry {
    /// Runs every check against the warehouse's storage. Never fails: a failure is a check
    /// with `ok: false`. Probe objects are deleted afterwards (best effort).
    pub async fn validate(&self, warehouse: &Warehouse) -> ValidationReport {
        let mut report = Report::default();
        let io = match self.io(warehouse) {
            Ok(io) => {
                report.record("open", Ok(format!("storage at {}", io.base_location())));
                io
            }
            Err(e) => {
                report.record("open", Err(message(&e)));
                return report.finish();
            }
        };
        let probe = location::join(
            io.base_location(),
            &format!("{PROBE_DIR}/{}", uuid::Uuid::now_v7()),
        );
        probe_io(&mut report, &io, &probe, "").await;
        if self.can_vend(warehouse) {
            self.probe_vending(&mut report, warehouse, &probe).await;
        }
        if let Err(e) = io.delete_prefix(&probe).await {
            tracing::warn!(error = %e, probe, "could not clean up the validation probe");
        }
        report.finish()
    }

    async fn probe_vending(&self, report: &mut Report, warehouse: &Warehouse, probe: &str) {
        let vended = match self.vend(warehouse, probe, VendMode::ReadWrite).await {
            Ok(Some(credential)) => credential,
            Ok(None) => {
                report.record("vend", Err("the warehouse vended nothing".into()));
                return;
            }
            Err(e) => {
                report.record("vend", Err(message(&e)));
                return;
            }
        };
        report.record("vend", Ok(describe(&vended)));
        let io = backends::vended::build(&warehouse.storage, &vended)
            .and_then(|store| WarehouseIo::new(&warehouse.storage.base_location(), store));
        let io = match io {
            Ok(io) => io,
            Err(e) => {
                report.record("vended-access", Err(message(&e)));
                return;
            }
        };
        let mut inner = Report::default();
        probe_io(&mut inner, &io, probe, "vended-").await;
        let failed: Vec<String> = inner
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.name, c.message))
            .collect();
        let outcome = if failed.is_empty() {
            Ok(
                "wrote, read, listed and deleted under the probe prefix with the vended credential"
                    .into(),
            )
        } else {
            Err(failed.join("; "))
        };
        report.record("vended-access", outcome);
    }
}

/// Write, read, list and delete one object under `probe` (check names get `prefix`; the
/// vended pass folds them into one check).
async fn probe_io(report: &mut Report, io: &WarehouseIo, probe: &str, prefix: &str) {
    let object = location::join(probe, &format!("{prefix}probe.txt"));
    let write = io.write(&object, Bytes::from_static(PROBE_BYTES)).await;
    let wrote = report.record(
        &format!("{prefix}write"),
        write
            .map(|()| format!("wrote {object}"))
            .map_err(|e| message(&e)),
    );
    if !wrote {
        return;
    }
    let read = match io.read(&object).await {
        Ok(bytes) if bytes.as_ref() == PROBE_BYTES => Ok(format!("read {object} back")),
        Ok(_) => Err(format!("{object} read back different bytes")),
        Err(e) => Err(message(&e)),
    };
    report.record(&format!("{prefix}read"), read);
    let list = match io.list(probe).await {
        Ok(found) if found.iter().any(|o| o.location == object) => {
            Ok(format!("listed {object} under {probe}"))
        }
        Ok(_) => Err(format!("listing {probe} does not show {object}")),
        Err(e) => Err(message(&e)),
    };
    report.record(&format!("{prefix}list"), list);
    let delete = match io.delete(&object).await {
        Ok(()) => match io.exists(&object).await {
            Ok(false) => Ok(format!("deleted {object}")),
            Ok(true) => Err(format!("{object} still exists after delete")),
            Err(e) => Err(message(&e)),
        },
        Err(e) => Err(message(&e)),
    };
    report.record(&format!("{prefix}delete"), delete);
}

fn describe(credential: &VendedCredential) -> String {
    match credential.expires_at {
        Some(at) => format!(
            "vended a credential for {} valid until {}",
            credential.prefix,
            at.to_rfc3339()
        ),
        None => format!(
            "vends the warehouse's long-lived keys for {} (allowed by the warehouse)",
            credential.prefix
        ),
    }
}

/// The client-safe text of an error (internal errors name only their id).
fn message(error: &Error) -> String {
    match error {
        Error::Internal { id, .. } => {
            tracing::warn!(%error, "warehouse validation check failed");
            format!("internal error {id} (see the server log)")
        }
        other => other.to_string(),
    }
}
