//! The audit sealer: links new audit events into their tenant's hash chain about once a
//! second, off the request path (writers never wait for a chain; see
//! `pangolin_store::AuditStore::seal_audit`). Several servers on one store may all run it:
//! sealers of one chain take turns on the chain's head.

use std::time::Duration;

use pangolin_catalog::audit::seal_pending;
use pangolin_store::DynStore;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// How often new events are sealed.
pub(crate) const SEAL_INTERVAL: Duration = Duration::from_secs(1);
/// How long the last round at shutdown may take.
const LAST_ROUND_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) struct Sealer {
    store: DynStore,
    task: JoinHandle<()>,
}

impl Sealer {
    pub(crate) fn start(store: DynStore) -> Sealer {
        let task = tokio::spawn(run(store.clone()));
        Sealer { store, task }
    }

    /// Stops the loop and seals what the last requests wrote, so a stopped server leaves
    /// nothing unsealed.
    pub(crate) async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        match tokio::time::timeout(LAST_ROUND_TIMEOUT, seal_pending(&self.store)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "could not seal the last audit events"),
            Err(_) => tracing::warn!("sealing the last audit events took too long"),
        }
    }
}

async fn run(store: DynStore) {
    let mut ticks = tokio::time::interval(SEAL_INTERVAL);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Logged when sealing starts failing and when it recovers, not every second.
    let mut failing = false;
    loop {
        ticks.tick().await;
        match seal_pending(&store).await {
            Ok(sealed) => {
                if failing {
                    tracing::info!("audit sealing works again");
                    failing = false;
                }
                if sealed > 0 {
                    tracing::debug!(sealed, "sealed audit events");
                }
            }
            Err(e) if !failing => {
                tracing::error!(error = %e, "cannot seal audit events; retrying every second");
                failing = true;
            }
            Err(_) => {}
        }
    }
}
