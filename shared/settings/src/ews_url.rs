//! The Exchange URL: parsed, checked against the operator's policy, and normalised.

use std::fmt;
use std::net::IpAddr;

use ohsync_net_guard::GuardedResolver;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::{FieldError, OperatorPolicy, Problem};

/// Hosts of Exchange Online (worldwide, 21Vianet China, GCC High, DoD), where EWS is retired.
const EXCHANGE_ONLINE_HOSTS: [&str; 5] = [
    "outlook.office365.com",
    "outlook.office.com",
    "partner.outlook.cn",
    "outlook.office365.us",
    "webmail.apps.mil",
];
/// `outlook.com` and every host below it.
const EXCHANGE_ONLINE_DOMAIN: &str = "outlook.com";

/// First path segments of the Outlook on the web and admin center addresses users paste by mistake.
const NOT_EWS_SEGMENTS: [&str; 2] = ["owa", "ecp"];

fn is_exchange_online(host: &str) -> bool {
    EXCHANGE_ONLINE_HOSTS.contains(&host)
        || host == EXCHANGE_ONLINE_DOMAIN
        || host
            .strip_suffix(EXCHANGE_ONLINE_DOMAIN)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

fn is_owa_path(url: &Url) -> bool {
    url.path_segments()
        .and_then(|mut segments| segments.next())
        .is_some_and(|first| {
            NOT_EWS_SEGMENTS
                .iter()
                .any(|segment| first.eq_ignore_ascii_case(segment))
        })
}

/// An absolute http(s) URL with a host, or the single problem that stops further checks.
fn parse_absolute(raw: &str) -> Result<Url, Problem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Problem::UrlEmpty);
    }
    let url = Url::parse(trimmed).map_err(|_| Problem::UrlInvalid)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Problem::UrlNotHttps {
            scheme: url.scheme().to_owned(),
        });
    }
    if url.host().is_none() {
        return Err(Problem::UrlInvalid);
    }
    Ok(url)
}

/// Problems no stored or accepted URL may have, whatever the operator allows.
fn structural_problems(url: &Url) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !url.username().is_empty() || url.password().is_some() {
        problems.push(Problem::UrlHasCredentials);
    }
    if url.fragment().is_some_and(|fragment| !fragment.is_empty()) {
        problems.push(Problem::UrlHasFragment);
    }
    problems
}

/// The EWS endpoint: absolute, https (http only for a host the operator allows), without user
/// info or fragment, not a refused address, not Exchange Online. Normalised: scheme and host
/// lower-case, the host's trailing dot and the default port dropped, a missing path replaced by
/// `/EWS/Exchange.asmx`, a trailing `/` dropped, the path's case kept as typed (for display; the
/// binding id ignores it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EwsUrl(Url);

impl EwsUrl {
    /// The path of the EWS endpoint on every Exchange server.
    pub const DEFAULT_PATH: &'static str = "/EWS/Exchange.asmx";

    /// Parses what the user typed, reporting every problem with it.
    pub fn parse(raw: &str, operator: &OperatorPolicy) -> Result<Self, Vec<Problem>> {
        let url = parse_absolute(raw).map_err(|problem| vec![problem])?;
        let mut problems = Vec::new();
        if let Some(host) = url.host() {
            let name = host.to_string();
            let name = name.trim_end_matches('.');
            if is_exchange_online(name) {
                problems.push(Problem::ExchangeOnlineUnsupported {
                    host: name.to_owned(),
                });
            }
            if url.scheme() == "http" && !operator.allows_http(&host) {
                problems.push(Problem::UrlNotHttps {
                    scheme: "http".into(),
                });
            }
            if let Err(refusal) = operator.address_policy().check_host_statically(&host) {
                problems.push(Problem::UrlPrivateAddress {
                    host: name.to_owned(),
                    reason: refusal.reason,
                });
            }
            if is_owa_path(&url) {
                problems.push(Problem::UrlIsOwa {
                    host: name.to_owned(),
                });
            }
        }
        problems.extend(structural_problems(&url));
        if !problems.is_empty() {
            return Err(problems);
        }
        Self::normalised(url).map_err(|problem| vec![problem])
    }

    fn normalised(mut url: Url) -> Result<Self, Problem> {
        if let Some(url::Host::Domain(name)) = url.host()
            && let Some(bare) = name.strip_suffix('.')
        {
            let bare = bare.to_owned();
            url.set_host(Some(&bare)).map_err(|_| Problem::UrlInvalid)?;
        }
        url.set_fragment(None);
        if url.query() == Some("") {
            url.set_query(None);
        }
        let path = url.path().trim_end_matches('/');
        let path = if path.is_empty() {
            Self::DEFAULT_PATH.to_owned()
        } else {
            path.to_owned()
        };
        url.set_path(&path);
        Ok(Self(url))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The live half of the address check: resolves the host now and refuses it if any address
    /// it resolves to is refused (the static check only sees literal addresses).
    pub async fn check_address(
        &self,
        resolver: &GuardedResolver,
    ) -> Result<Vec<IpAddr>, FieldError> {
        resolver
            .check_url_host(&self.0)
            .await
            .map_err(|error| Problem::from_guard_error(&error).into())
    }
}

/// A stored URL was accepted once; reading it back re-checks its shape, not the operator's
/// policy, which the connection enforces.
impl TryFrom<String> for EwsUrl {
    type Error = Problem;

    fn try_from(raw: String) -> Result<Self, Problem> {
        let url = parse_absolute(&raw)?;
        match structural_problems(&url).into_iter().next() {
            Some(problem) => Err(problem),
            None => Self::normalised(url),
        }
    }
}

impl From<EwsUrl> for String {
    fn from(url: EwsUrl) -> String {
        url.0.into()
    }
}

impl fmt::Display for EwsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
