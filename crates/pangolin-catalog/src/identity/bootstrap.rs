//! The root account: created on the first start of an empty store, from the configured name
//! and password or with a generated password that the caller shows once.

use pangolin_auth::password;
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Tier, User, Username};
use pangolin_core::{Error, Result};

use crate::Services;

/// What to create when the store has no root account.
pub struct RootBootstrap {
    pub user: Username,
    /// `None`: generate one.
    pub password: Option<String>,
}

/// What [`Services::ensure_root`] did.
pub enum RootOutcome {
    /// A root account already existed; nothing changed.
    Existing,
    /// The account was created; `generated` holds the password when it was generated (to be
    /// shown once, never logged).
    Created {
        user: Username,
        generated: Option<pangolin_auth::Secret>,
    },
}

impl Services {
    pub async fn ensure_root(&self, boot: RootBootstrap) -> Result<RootOutcome> {
        if self.store().count_root_users().await? > 0 {
            return Ok(RootOutcome::Existing);
        }
        let (password, generated) = match boot.password {
            Some(pw) => (pw, None),
            None => {
                let pw = password::generate_password();
                (pw.expose().to_owned(), Some(pw))
            }
        };
        password::check_password_policy(&password)?;
        let hash = tokio::task::spawn_blocking(move || password::hash_password(&password))
            .await
            .map_err(Error::internal)??;
        let mut user = User::new(None, boot.user.clone(), Tier::Root);
        user.password_hash = Some(hash);
        let audit = RequestContext::system_wide().audit(
            "bootstrap.create-root",
            format!("user/{}", user.name),
            AuditResult::Success,
        );
        match self.store().create_user(&user, &[audit]).await {
            Ok(()) => Ok(RootOutcome::Created {
                user: boot.user,
                generated,
            }),
            // Another server starting on the same store created it first.
            Err(Error::AlreadyExists { .. }) => Ok(RootOutcome::Existing),
            Err(e) => Err(e),
        }
    }
}
