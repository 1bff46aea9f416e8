//! When a stored password may be used again. It is write-only: a stored password goes only to
//! the server and the account it was entered for, so that nobody with access to the API can
//! point the settings at another server and have ohsync send it there.

use ohsync_engine::ports::SecretsError;
use ohsync_localized::LocalizedText;
use ohsync_settings::{
    ExchangeAccount, FieldError, Problem, StoredSettings, ValidatedSettings, field,
};
use secrecy::SecretString;

use crate::error::ApiError;
use crate::secret_ref;
use crate::state::ApiState;

/// The code of [`new_account_needs_password`].
pub(crate) const NEW_ACCOUNT_CODE: &str = "password_required_for_new_account";

/// The problem when the settings name another server or account and give no password.
pub(crate) fn new_account_needs_password() -> FieldError {
    FieldError {
        code: NEW_ACCOUNT_CODE,
        field: field::PASSWORD,
        message: LocalizedText::from_static(
            "U wijzigt de server of het account. Vul het wachtwoord opnieuw in: ohsync \
             stuurt een opgeslagen wachtwoord alleen naar de server en het account waarvoor \
             het is ingevuld.",
            "You are changing the server or the account. Enter the password again: ohsync \
             sends a stored password only to the server and the account it was entered for.",
        ),
    }
}

/// The answer when a password is needed and none is given or stored.
pub(crate) fn password_required() -> ApiError {
    ApiError::ValidationFailed(vec![Problem::PasswordRequired.into()])
}

/// Whether a password entered for `stored` may be sent for `new`: the same scheme, host and
/// port, and the same domain and user name (in any case).
fn same_credential_target(stored: &ExchangeAccount, new: &ExchangeAccount) -> bool {
    stored.ews_url.as_url().origin() == new.ews_url.as_url().origin()
        && stored
            .domain
            .as_str()
            .eq_ignore_ascii_case(new.domain.as_str())
        && stored
            .username
            .as_str()
            .eq_ignore_ascii_case(new.username.as_str())
}

/// The password the settings refer to; `None` when it is gone (deleted by `DELETE`).
pub(crate) async fn stored_password(
    state: &ApiState,
    stored: &StoredSettings,
) -> Result<Option<SecretString>, ApiError> {
    match state
        .secrets
        .read(&secret_ref::parse(&stored.secret_ref)?)
        .await
    {
        Ok(password) => Ok(Some(password)),
        Err(SecretsError::NotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// The stored password, for settings that give none: refused when they name another server or
/// account (`password_required_for_new_account`) or when it is gone (`password_required`).
pub(crate) async fn reusable_password(
    state: &ApiState,
    stored: &StoredSettings,
    validated: &ValidatedSettings,
) -> Result<SecretString, ApiError> {
    if !same_credential_target(&stored.account, &validated.account) {
        return Err(ApiError::ValidationFailed(vec![
            new_account_needs_password(),
        ]));
    }
    stored_password(state, stored)
        .await?
        .ok_or_else(password_required)
}
