//! The fields that identify an Exchange account, and the binding they make.

use ohsync_engine::identity::{BindingAccount, BindingId, IdError, TenantId, UserId};
use ohsync_ews::ExchangeVersion;
use serde::{Deserialize, Serialize};

use crate::{EwsUrl, MailboxAddress, ShortDomain, Username};

/// Where and as whom ohsync signs in to Exchange (everything but the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeAccount {
    /// The EWS endpoint.
    pub ews_url: EwsUrl,
    /// The `RequestServerVersion` sent.
    #[serde(with = "crate::serde_text::version")]
    pub exchange_version: ExchangeVersion,
    /// The short Windows domain.
    pub domain: ShortDomain,
    /// The Windows account name.
    pub username: Username,
    /// Another mailbox to sync; `None` for the account's own.
    pub mailbox: Option<MailboxAddress>,
}

impl ExchangeAccount {
    /// The binding of this account for `user`: it changes exactly when the URL (normalised),
    /// domain, user name or mailbox do, never for the version.
    pub fn binding_id(&self, tenant: &TenantId, user: &UserId) -> Result<BindingId, IdError> {
        BindingId::derive(&BindingAccount {
            tenant,
            user,
            ews_url: self.ews_url.as_str(),
            domain: self.domain.as_str(),
            username: self.username.as_str(),
            mailbox: self.mailbox.as_ref().map(MailboxAddress::as_str),
        })
    }
}
