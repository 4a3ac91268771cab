//! The decisions of the identity and access areas that every backend takes the same way:
//! which inputs are refused before anything is read, and how pages of grants continue.

use pangolin_core::model::{Assignee, Grantee, Tier, check_group};
use pangolin_core::{Error, GrantId, PageRequest, Result, ServiceUserId, UserId};

/// Service users act inside a tenant: never with the root tier.
pub fn check_service_user_tier(tier: Tier) -> Result<()> {
    match tier {
        Tier::Root => Err(Error::invalid("a service user cannot have the root tier")),
        Tier::TenantAdmin | Tier::TenantUser => Ok(()),
    }
}

/// What can be checked of an assignee without reading: a group's name.
pub fn check_assignee(assignee: &Assignee) -> Result<()> {
    match assignee {
        Assignee::Group(group) => check_group(group),
        Assignee::User(_) | Assignee::ServiceUser(_) => Ok(()),
    }
}

/// Who acts: a user or a service user (roles hold grants; they do not act).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    User(UserId),
    ServiceUser(ServiceUserId),
}

impl Principal {
    /// The principal a grantee names; asking for a role's effective grants is a caller's
    /// mistake (`InvalidInput`).
    pub fn of(grantee: &Grantee) -> Result<Self> {
        match grantee {
            Grantee::User(id) => Ok(Principal::User(*id)),
            Grantee::ServiceUser(id) => Ok(Principal::ServiceUser(*id)),
            Grantee::Role(id) => Err(Error::invalid(format!(
                "role {id} is not a principal: only users and service users have effective grants"
            ))),
        }
    }

    /// The assignee the principal holds roles as.
    pub fn assignee(self) -> Assignee {
        match self {
            Principal::User(id) => Assignee::User(id),
            Principal::ServiceUser(id) => Assignee::ServiceUser(id),
        }
    }
}

/// Where a page of grants (ordered by id) continues: after the last id of the previous
/// page. `InvalidInput` for a token whose key is not a grant id.
pub fn grants_after(page: &PageRequest) -> Result<Option<GrantId>> {
    page.after_key()
        .map(|k| k.parse::<GrantId>())
        .transpose()
        .map_err(|_| Error::invalid("invalid page token for grants"))
}

#[cfg(test)]
mod tests {
    use pangolin_core::{PageToken, RoleId};

    use super::*;

    #[test]
    fn refusals_need_no_reads() {
        assert!(check_service_user_tier(Tier::Root).is_err());
        assert!(check_service_user_tier(Tier::TenantUser).is_ok());
        assert!(check_assignee(&Assignee::Group(String::new())).is_err());
        assert!(check_assignee(&Assignee::Group("a\u{7}".into())).is_err());
        assert!(check_assignee(&Assignee::Group("analysts".into())).is_ok());
        let user = UserId::generate();
        let principal = Principal::of(&Grantee::User(user)).unwrap();
        assert_eq!(principal.assignee(), Assignee::User(user));
        assert!(Principal::of(&Grantee::Role(RoleId::generate())).is_err());
    }

    #[test]
    fn grant_pages_continue_after_an_id() {
        assert_eq!(grants_after(&PageRequest::all()).unwrap(), None);
        let id = GrantId::generate();
        let page = PageRequest::after(PageToken::after(&id.to_string()), None);
        assert_eq!(grants_after(&page).unwrap(), Some(id));
        let bad = PageRequest::after(PageToken::after("nope"), None);
        assert!(matches!(grants_after(&bad), Err(Error::InvalidInput(_))));
    }
}
