//! `pangolin audit verify`: the operator's check of the audit log, straight on the store (no
//! server needed): seal what is pending, verify every chain (or one tenant's), print a line
//! per chain and one per problem.

use anyhow::Context;
use pangolin_catalog::audit::{AuditVerification, all_chains, seal_pending, verify_chain};
use pangolin_core::{Error, Name};
use pangolin_store::DynStore;

use crate::config::{Config, ConfigError};
use crate::failure::Failure;
use crate::store;

pub(crate) async fn verify(config: &Config, tenant: Option<&str>) -> Result<(), Failure> {
    let tenant = tenant
        .map(|t| Name::new(t).map_err(|e| ConfigError::new("--tenant", e.to_string())))
        .transpose()?;
    let opened = store::open_migrated(config).await?;
    let result = verify_store(&opened.store, tenant.as_ref()).await;
    opened.close().await;
    result
}

async fn verify_store(store: &DynStore, tenant: Option<&Name>) -> Result<(), Failure> {
    let chains = match tenant {
        Some(name) => match store.get_tenant_by_name(name).await {
            Ok(t) => vec![Some(t.id)],
            Err(Error::NotFound { .. }) => {
                let message = format!("no tenant is named {:?}", name.as_str());
                return Err(ConfigError::new("--tenant", message).into());
            }
            Err(e) => return Err(anyhow::Error::from(e).context("reading the tenant").into()),
        },
        None => Vec::new(),
    };
    let sealed = seal_pending(store)
        .await
        .context("sealing pending events")?;
    println!("sealed {sealed} pending event(s)");
    let chains = match chains.is_empty() {
        true => all_chains(store)
            .await
            .context("listing the audit chains")?,
        false => chains,
    };
    let mut failed = 0;
    for chain in chains {
        let verification = verify_chain(store, chain)
            .await
            .context("reading the audit chain")?;
        print_verification(&verification);
        failed += usize::from(!verification.ok);
    }
    match failed {
        0 => Ok(()),
        n => Err(Failure::Tampered(n)),
    }
}

fn print_verification(v: &AuditVerification) {
    let name = match (&v.tenant, v.chain) {
        (Some(name), Some(id)) => format!("tenant {name} ({id})"),
        (None, Some(id)) => format!("tenant {id} (deleted)"),
        (_, None) => "no tenant".to_owned(),
    };
    let head = match (v.head_seq, &v.head_hash) {
        (Some(seq), Some(hash)) => format!("head {seq} {hash}"),
        _ => "no head".to_owned(),
    };
    let verdict = match v.ok {
        true => "ok".to_owned(),
        false => format!("TAMPERED ({} problem(s))", v.problem_count),
    };
    println!(
        "chain {name}: {verdict}, {} record(s) checked, {head}",
        v.checked
    );
    for p in &v.problems {
        let event = p
            .event_id
            .map(|id| format!(" event {id}"))
            .unwrap_or_default();
        println!(
            "  seq {}{event}: {}: {}",
            p.seq,
            p.problem.as_str(),
            p.detail
        );
    }
    if (v.problems.len() as u64) < v.problem_count {
        let more = v.problem_count - v.problems.len() as u64;
        println!("  ... and {more} more");
    }
}
