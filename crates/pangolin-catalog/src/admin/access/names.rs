//! Names of grantees for display, each account or role read once per call.

use std::collections::HashMap;

use pangolin_core::model::Grantee;
use pangolin_core::{Error, Result, TenantId};

use crate::Services;

pub(crate) struct GranteeNames<'a> {
    services: &'a Services,
    tenant: TenantId,
    known: HashMap<Grantee, Option<String>>,
}

impl<'a> GranteeNames<'a> {
    pub(crate) fn new(services: &'a Services, tenant: TenantId) -> Self {
        GranteeNames {
            services,
            tenant,
            known: HashMap::new(),
        }
    }

    /// The grantee's name; `None` when it is gone.
    pub(crate) async fn name(&mut self, grantee: &Grantee) -> Result<Option<String>> {
        if let Some(known) = self.known.get(grantee) {
            return Ok(known.clone());
        }
        let store = self.services.store();
        let found = match grantee {
            Grantee::User(id) => store
                .get_user(Some(self.tenant), *id)
                .await
                .map(|u| u.name.to_string()),
            Grantee::ServiceUser(id) => store
                .get_service_user(self.tenant, *id)
                .await
                .map(|s| s.name.to_string()),
            Grantee::Role(id) => store
                .get_role(self.tenant, *id)
                .await
                .map(|r| r.name.to_string()),
        };
        let name = match found {
            Ok(name) => Some(name),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        self.known.insert(grantee.clone(), name.clone());
        Ok(name)
    }
}
