//! The operator's Exchange allow-lists, shared by the functions that reach Exchange servers
//! (the sync worker and the settings API's live check).

use ohsync_settings::{
    HTTP_HOSTS_VAR, INSECURE_TLS_HOSTS_VAR, OperatorPolicy, OperatorPolicyError, PRIVATE_HOSTS_VAR,
};

use crate::{EnvError, Environment};

/// The private and plain-http hosts the operator allows ([`PRIVATE_HOSTS_VAR`],
/// [`HTTP_HOSTS_VAR`]); unset allows nothing.
pub fn operator_policy(env: &Environment) -> Result<OperatorPolicy, EnvError> {
    OperatorPolicy::parse(
        env.optional(PRIVATE_HOSTS_VAR)?.unwrap_or_default(),
        env.optional(HTTP_HOSTS_VAR)?.unwrap_or_default(),
    )
    .map_err(|error| {
        let OperatorPolicyError::BadEntry { variable, .. } = &error;
        let variable = *variable;
        EnvError::Invalid {
            variable,
            reason: error.to_string(),
        }
    })
}

/// The hosts in [`INSECURE_TLS_HOSTS_VAR`]; unset is none.
pub fn insecure_tls_hosts(env: &Environment) -> Result<Vec<String>, EnvError> {
    Ok(env
        .optional(INSECURE_TLS_HOSTS_VAR)?
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|host| !host.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_allow_list_names_its_variable() {
        let env = Environment::default()
            .with(PRIVATE_HOSTS_VAR, "exchange.local")
            .with(HTTP_HOSTS_VAR, "not a host!");
        match operator_policy(&env) {
            Err(EnvError::Invalid { variable, .. }) => assert_eq!(variable, HTTP_HOSTS_VAR),
            other => panic!("expected the http list refused, got {other:?}"),
        }
        let good = Environment::default().with(PRIVATE_HOSTS_VAR, "exchange.local");
        assert!(operator_policy(&good).is_ok());
    }

    #[test]
    fn insecure_hosts_are_a_trimmed_list() {
        let env = Environment::default().with(INSECURE_TLS_HOSTS_VAR, " a.example , ,b.example");
        assert_eq!(
            insecure_tls_hosts(&env).unwrap(),
            ["a.example", "b.example"]
        );
        assert!(
            insecure_tls_hosts(&Environment::default())
                .unwrap()
                .is_empty()
        );
    }
}
