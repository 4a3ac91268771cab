//! Test-only hooks that change the audit log behind the contract's back, as someone with
//! direct access to the data could, so tests can check that verification notices.

use pangolin_core::audit::AuditEvent;
use pangolin_core::{AuditId, TenantId};

use super::MemoryStore;

impl MemoryStore {
    /// Edits a stored event in place (sealed or not), keeping its seal.
    #[doc(hidden)]
    pub fn tamper_audit_event(&self, id: AuditId, edit: impl FnOnce(&mut AuditEvent)) {
        let mut s = self.state.lock();
        let row = s.audit.get_mut(&id).expect("tampering with a stored event");
        edit(&mut row.event);
    }

    /// Edits the seal of a sealed event: its seq, previous hash and hash.
    #[doc(hidden)]
    pub fn tamper_audit_seal(
        &self,
        id: AuditId,
        edit: impl FnOnce(&mut u64, &mut String, &mut String),
    ) {
        let mut s = self.state.lock();
        let row = s.audit.get_mut(&id).expect("tampering with a stored event");
        let seal = row.seal.as_mut().expect("tampering with a sealed event");
        edit(&mut seal.seq, &mut seal.prev_hash, &mut seal.hash);
    }

    /// Deletes a stored event.
    #[doc(hidden)]
    pub fn tamper_delete_audit_event(&self, id: AuditId) {
        self.state.lock().audit.remove(&id);
    }

    /// Sets (or with `None`, removes) the head of a chain.
    #[doc(hidden)]
    pub fn tamper_audit_head(&self, chain: Option<TenantId>, head: Option<(u64, String)>) {
        let mut s = self.state.lock();
        match head {
            Some(head) => s.audit_heads.insert(chain, head),
            None => s.audit_heads.remove(&chain),
        };
    }
}
