//! The AWS SDK configuration every client of a function is built from.

use aws_config::{BehaviorVersion, SdkConfig};
use url::Url;

use crate::{EnvError, Environment};

/// An endpoint for every AWS service, for the local stack (e.g. `http://127.0.0.1:5000`);
/// unset on AWS.
pub const AWS_ENDPOINT_VAR: &str = "OHSYNC_AWS_ENDPOINT";

/// The configuration from the function's role and region (the SDK's own variables), at
/// [`AWS_ENDPOINT_VAR`] when it is set.
pub async fn sdk_config(env: &Environment) -> Result<SdkConfig, EnvError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(endpoint) = endpoint(env)? {
        loader = loader.endpoint_url(endpoint);
    }
    Ok(loader.load().await)
}

/// The endpoint override, when set: an absolute http(s) URL.
fn endpoint(env: &Environment) -> Result<Option<String>, EnvError> {
    env.parsed_or(AWS_ENDPOINT_VAR, None, |raw| {
        let url = Url::parse(raw).map_err(|error| error.to_string())?;
        match url.scheme() {
            "http" | "https" => Ok(Some(raw.to_owned())),
            other => Err(format!("an endpoint must be http or https, not {other}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_override_must_be_an_http_url() {
        let local = Environment::default().with(AWS_ENDPOINT_VAR, "http://127.0.0.1:5000");
        assert_eq!(
            endpoint(&local),
            Ok(Some("http://127.0.0.1:5000".to_owned()))
        );
        assert_eq!(endpoint(&Environment::default()), Ok(None));
        for bad in ["127.0.0.1:5000", "ftp://127.0.0.1"] {
            let env = Environment::default().with(AWS_ENDPOINT_VAR, bad);
            let error = endpoint(&env).unwrap_err();
            assert!(error.to_string().contains(AWS_ENDPOINT_VAR), "{error}");
        }
    }
}
