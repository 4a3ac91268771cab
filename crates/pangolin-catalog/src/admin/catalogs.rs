//! Catalogs: local (on a warehouse of the tenant) or federated (a remote Iceberg REST catalog
//! whose credential is sealed like warehouse secrets).

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{
    Action, Catalog, CatalogKind, FederatedAuth, FederatedCatalog, Resource,
};
use pangolin_core::secret::SealedSecret;
use pangolin_core::{CatalogId, Error, Name, Page, PageRequest, Properties, Result, TenantId};
use serde_json::json;

use crate::Services;
use crate::guard;

/// The sealed-secret kind of a federated catalog's credential.
const FEDERATED_SECRET_KIND: &str = "federated-credential";

#[derive(Debug, Clone)]
pub struct NewCatalog {
    pub name: Name,
    pub kind: NewCatalogKind,
    pub properties: Properties,
}

#[derive(Clone)]
pub enum NewCatalogKind {
    Local {
        warehouse: Name,
    },
    Federated {
        uri: String,
        remote_warehouse: Option<String>,
        auth: FederatedAuth,
        /// The bearer token or OAuth2 client secret, in plaintext until sealed here.
        secret: Option<String>,
    },
}

impl std::fmt::Debug for NewCatalogKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewCatalogKind::Local { warehouse } => write!(f, "Local({warehouse})"),
            NewCatalogKind::Federated { uri, .. } => {
                write!(f, "Federated({uri}, <secret redacted>)")
            }
        }
    }
}

/// A catalog with the name of its warehouse (local catalogs), as the API shows it.
#[derive(Debug, Clone)]
pub struct CatalogInfo {
    pub catalog: Catalog,
    pub warehouse: Option<Name>,
}

/// Fields to change; `None` keeps the current value. A catalog never moves to another
/// warehouse (its tables' files would be left behind).
#[derive(Debug, Clone, Default)]
pub struct CatalogUpdate {
    pub name: Option<Name>,
    pub properties: Option<Properties>,
}

impl Services {
    pub async fn create_catalog(
        &self,
        ctx: &RequestContext,
        new: NewCatalog,
    ) -> Result<CatalogInfo> {
        let tenant = ctx.tenant()?;
        let id = CatalogId::generate();
        let kind = match new.kind {
            NewCatalogKind::Local { warehouse } => {
                let w = self
                    .store()
                    .get_warehouse_by_name(tenant, &warehouse)
                    .await?;
                let on_warehouse = Resource {
                    warehouse: Some(w.id),
                    ..Resource::default()
                };
                guard::require(ctx, Action::Create, &on_warehouse)?;
                CatalogKind::Local { warehouse_id: w.id }
            }
            NewCatalogKind::Federated {
                uri,
                remote_warehouse,
                auth,
                secret,
            } => {
                guard::require(ctx, Action::Create, &Resource::tenant())?;
                check_remote(&uri, &auth, secret.is_some())?;
                let secret = self.seal_federated(id, secret)?;
                CatalogKind::Federated(FederatedCatalog {
                    uri,
                    remote_warehouse,
                    auth,
                    secret,
                })
            }
        };
        let now = pangolin_core::now();
        let catalog = Catalog {
            id,
            tenant_id: tenant,
            name: new.name,
            kind,
            properties: new.properties,
            created_at: now,
            updated_at: now,
        };
        let audit = ctx
            .audit(
                "catalog.create",
                resource(&catalog.name),
                AuditResult::Success,
            )
            .with_summary(summary(&catalog));
        self.store().create_catalog(&catalog, &[audit]).await?;
        self.catalog_info(catalog).await
    }

    /// The catalogs the caller can see: all for admins, else those it holds any grant in.
    pub async fn list_catalogs(
        &self,
        ctx: &RequestContext,
        page: &PageRequest,
    ) -> Result<Page<CatalogInfo>> {
        let tenant = ctx.tenant()?;
        let page = self.store().list_catalogs(tenant, page).await?;
        let page = page.filter(|c| guard::can_see_catalog(ctx, c));
        let names: std::collections::HashMap<_, _> = self
            .all_warehouses(tenant)
            .await?
            .into_iter()
            .map(|w| (w.id, w.name))
            .collect();
        Ok(page.map(|catalog| CatalogInfo {
            warehouse: catalog
                .kind
                .warehouse_id()
                .and_then(|id| names.get(&id).cloned()),
            catalog,
        }))
    }

    pub async fn get_catalog(&self, ctx: &RequestContext, name: &Name) -> Result<CatalogInfo> {
        let catalog = self
            .store()
            .get_catalog_by_name(ctx.tenant()?, name)
            .await?;
        if guard::can_see_catalog(ctx, &catalog) {
            return self.catalog_info(catalog).await;
        }
        Err(Error::Forbidden(format!(
            "'{}' has no access to catalog '{name}'",
            ctx.principal.name
        )))
    }

    pub async fn update_catalog(
        &self,
        ctx: &RequestContext,
        name: &Name,
        update: CatalogUpdate,
    ) -> Result<CatalogInfo> {
        let tenant = ctx.tenant()?;
        let mut catalog = self.store().get_catalog_by_name(tenant, name).await?;
        guard::require(ctx, Action::Write, &catalog_resource(&catalog))?;
        if let Some(new_name) = update.name {
            catalog.name = new_name;
        }
        if let Some(properties) = update.properties {
            catalog.properties = properties;
        }
        catalog.updated_at = pangolin_core::now();
        let audit = ctx
            .audit("catalog.update", resource(name), AuditResult::Success)
            .with_summary(summary(&catalog));
        self.store().update_catalog(&catalog, &[audit]).await?;
        self.invalidate_catalogs(tenant);
        self.catalog_info(catalog).await
    }

    /// Refused while the catalog has namespaces, unless `cascade`: then every namespace,
    /// table and view of every reference goes with it (files in storage stay).
    pub async fn delete_catalog(
        &self,
        ctx: &RequestContext,
        name: &Name,
        cascade: bool,
    ) -> Result<()> {
        let tenant = ctx.tenant()?;
        let catalog = self.store().get_catalog_by_name(tenant, name).await?;
        guard::require(ctx, Action::Delete, &catalog_resource(&catalog))?;
        let audit = ctx
            .audit("catalog.delete", resource(name), AuditResult::Success)
            .with_summary(json!({ "catalog-id": catalog.id, "cascade": cascade }));
        self.store()
            .delete_catalog(tenant, catalog.id, cascade, &[audit])
            .await?;
        self.invalidate_catalogs(tenant);
        Ok(())
    }

    async fn catalog_info(&self, catalog: Catalog) -> Result<CatalogInfo> {
        let warehouse = match catalog.kind.warehouse_id() {
            Some(id) => Some(
                self.store()
                    .get_warehouse(catalog.tenant_id, id)
                    .await?
                    .name,
            ),
            None => None,
        };
        Ok(CatalogInfo { catalog, warehouse })
    }

    /// Every catalog of a tenant (for cascades).
    pub(crate) async fn all_catalogs(&self, tenant: TenantId) -> Result<Vec<Catalog>> {
        let mut out = Vec::new();
        let mut page = PageRequest::first(100);
        loop {
            let batch = self.store().list_catalogs(tenant, &page).await?;
            out.extend(batch.items);
            match batch.next {
                Some(token) => page = PageRequest::after(token, Some(100)),
                None => return Ok(out),
            }
        }
    }

    fn seal_federated(
        &self,
        owner: CatalogId,
        secret: Option<String>,
    ) -> Result<Option<SealedSecret>> {
        secret
            .map(|s| {
                self.storage().secrets().seal(
                    FEDERATED_SECRET_KIND,
                    owner.as_uuid().as_bytes(),
                    s.as_bytes(),
                )
            })
            .transpose()
    }
}

/// The resource a catalog is, for authorization.
pub(crate) fn catalog_resource(catalog: &Catalog) -> Resource {
    Resource {
        warehouse: catalog.kind.warehouse_id(),
        catalog: Some(catalog.id),
        ..Resource::default()
    }
}

/// A remote catalog must be an http(s) URL, and its auth must come with the secret it needs.
fn check_remote(uri: &str, auth: &FederatedAuth, has_secret: bool) -> Result<()> {
    let parsed = url::Url::parse(uri).map_err(|e| Error::invalid(format!("uri: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(Error::invalid("uri must be an http(s) URL with a host"));
    }
    match (auth, has_secret) {
        (FederatedAuth::None, true) => Err(Error::invalid("auth type 'none' takes no secret")),
        (FederatedAuth::Bearer | FederatedAuth::OAuth2 { .. }, false) => Err(Error::invalid(
            "this auth type needs a secret (the token or client secret)",
        )),
        (FederatedAuth::OAuth2 { token_uri, .. }, true) => url::Url::parse(token_uri)
            .map(drop)
            .map_err(|e| Error::invalid(format!("auth.token-uri: {e}"))),
        _ => Ok(()),
    }
}

fn resource(name: &Name) -> String {
    format!("catalog/{name}")
}

/// What the audit log keeps of a catalog: never the federated credential.
fn summary(c: &Catalog) -> serde_json::Value {
    let kind = match &c.kind {
        CatalogKind::Local { warehouse_id } => {
            json!({ "type": "local", "warehouse-id": warehouse_id })
        }
        CatalogKind::Federated(f) => json!({ "type": "federated", "uri": f.uri, "auth": f.auth }),
    };
    json!({ "catalog-id": c.id, "name": c.name, "kind": kind, "properties": c.properties })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_catalogs_need_http_urls_and_matching_secrets() {
        assert!(check_remote("http://remote:8181", &FederatedAuth::None, false).is_ok());
        assert!(check_remote("file:///etc", &FederatedAuth::None, false).is_err());
        assert!(check_remote("not a url", &FederatedAuth::None, false).is_err());
        assert!(check_remote("https://r", &FederatedAuth::Bearer, false).is_err());
        assert!(check_remote("https://r", &FederatedAuth::None, true).is_err());
        let oauth = FederatedAuth::OAuth2 {
            token_uri: "https://idp/token".into(),
            client_id: "c".into(),
            scope: None,
        };
        assert!(check_remote("https://r", &oauth, true).is_ok());
    }
}
