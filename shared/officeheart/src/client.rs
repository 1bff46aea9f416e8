//! `OfficeHeartClient`: one async method per contract operation, over reqwest with rustls.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::SecondsFormat;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::{Host, Url};

use crate::appointment::{Appointment, AppointmentData};
use crate::contract::{Operation, headers, query};
use crate::error::OfficeHeartError;
use crate::ids::{AppointmentId, Cursor, IdempotencyKey, PageToken, TenantId, UserId, Version};
use crate::pages::{AppointmentsPage, ChangesPage, TimeWindow};
use crate::response::{
    Reply, decode, header_str, read_capped, status_error, transport_error, versioned,
};

/// How to reach OfficeHeart and how long to wait.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The API root; operation paths (`/v1/…`) are appended to it. `https`, or `http` on loopback.
    pub base_url: Url,
    /// Limit for establishing a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Limit for a whole call, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// Larger answers are refused with [`OfficeHeartError::ResponseTooLarge`].
    pub max_response_bytes: u64,
}

impl ClientConfig {
    /// Defaults sized for a sync run: 5 s to connect, 30 s per call, 8 MiB per answer
    /// (a full page of 500 appointments with long bodies stays well below that).
    pub fn new(base_url: Url) -> Self {
        Self {
            base_url,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_response_bytes: 8 * 1024 * 1024,
        }
    }
}

/// A created appointment and whether the server replayed an earlier create with the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The appointment as the (first) create returned it.
    pub appointment: Appointment,
    /// True when this answer is the replay of an earlier create.
    pub replayed: bool,
}

/// Talks to one tenant's agenda API with that tenant's token. Cheap to clone; clones share the
/// connection pool.
#[derive(Clone)]
pub struct OfficeHeartClient {
    http: reqwest::Client,
    base_url: Arc<Url>,
    tenant: TenantId,
    token: Arc<SecretString>,
    max_response_bytes: u64,
}

impl std::fmt::Debug for OfficeHeartClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficeHeartClient")
            .field("base_url", &self.base_url.as_str())
            .field("tenant", &self.tenant)
            .field("token", &"[redacted]")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// One request, described in contract terms.
struct Call<'a> {
    operation: Operation,
    user: &'a UserId,
    id: Option<&'a AppointmentId>,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

impl<'a> Call<'a> {
    fn new(operation: Operation, user: &'a UserId) -> Self {
        Self {
            operation,
            user,
            id: None,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }
}

impl OfficeHeartClient {
    /// A client for `tenant`, authenticating with `token`.
    pub fn new(
        config: ClientConfig,
        tenant: TenantId,
        token: SecretString,
    ) -> Result<Self, OfficeHeartError> {
        check_base_url(&config.base_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ohsync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| OfficeHeartError::InvalidConfig {
                reason: format!("HTTP client: {error}"),
            })?;
        let client = Self {
            http,
            base_url: Arc::new(config.base_url),
            tenant,
            token: Arc::new(token),
            max_response_bytes: config.max_response_bytes,
        };
        client.authorization()?;
        Ok(client)
    }

    /// The same endpoint and connection pool for another tenant.
    pub fn for_tenant(
        &self,
        tenant: TenantId,
        token: SecretString,
    ) -> Result<Self, OfficeHeartError> {
        let client = Self {
            tenant,
            token: Arc::new(token),
            ..self.clone()
        };
        client.authorization()?;
        Ok(client)
    }

    /// The tenant this client acts for.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// One page of `user`'s changes after `cursor` (`None`: from the beginning).
    pub async fn list_changes(
        &self,
        user: &UserId,
        cursor: Option<&Cursor>,
        limit: Option<u32>,
    ) -> Result<ChangesPage, OfficeHeartError> {
        let mut call = Call::new(Operation::ListChanges, user);
        if let Some(cursor) = cursor {
            call.query.push((query::CURSOR, cursor.to_string()));
        }
        if let Some(limit) = limit {
            call.query.push((query::LIMIT, limit.to_string()));
        }
        let reply = self.send(call).await?;
        decode(Operation::ListChanges, &reply.body)
    }

    /// One page of `user`'s appointments overlapping `window`.
    pub async fn list_appointments(
        &self,
        user: &UserId,
        window: &TimeWindow,
        page_token: Option<&PageToken>,
        limit: Option<u32>,
    ) -> Result<AppointmentsPage, OfficeHeartError> {
        let mut call = Call::new(Operation::ListAppointments, user);
        call.query.push((
            query::FROM,
            window.from().to_rfc3339_opts(SecondsFormat::AutoSi, true),
        ));
        call.query.push((
            query::TO,
            window.to().to_rfc3339_opts(SecondsFormat::AutoSi, true),
        ));
        if let Some(token) = page_token {
            call.query.push((query::PAGE_TOKEN, token.to_string()));
        }
        if let Some(limit) = limit {
            call.query.push((query::LIMIT, limit.to_string()));
        }
        let reply = self.send(call).await?;
        decode(Operation::ListAppointments, &reply.body)
    }

    /// One appointment.
    pub async fn get_appointment(
        &self,
        user: &UserId,
        id: &AppointmentId,
    ) -> Result<Appointment, OfficeHeartError> {
        let mut call = Call::new(Operation::GetAppointment, user);
        call.id = Some(id);
        let reply = self.send(call).await?;
        versioned(Operation::GetAppointment, &reply)
    }

    /// Creates an appointment. Retrying with the same `key` and the same `data` returns the first
    /// result instead of creating a second appointment.
    pub async fn create_appointment(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        data: &AppointmentData,
    ) -> Result<Created, OfficeHeartError> {
        let mut call = Call::new(Operation::CreateAppointment, user);
        call.headers
            .push((headers::IDEMPOTENCY_KEY, key.to_string()));
        call.body = Some(encode(Operation::CreateAppointment, data)?);
        let reply = self.send(call).await?;
        let appointment = versioned(Operation::CreateAppointment, &reply)?;
        Ok(Created {
            appointment,
            replayed: reply.replayed,
        })
    }

    /// Replaces every writable field, provided the appointment is still at `if_match`.
    pub async fn update_appointment(
        &self,
        user: &UserId,
        id: &AppointmentId,
        if_match: &Version,
        data: &AppointmentData,
    ) -> Result<Appointment, OfficeHeartError> {
        let mut call = Call::new(Operation::UpdateAppointment, user);
        call.id = Some(id);
        call.headers.push((headers::IF_MATCH, if_match.to_etag()));
        call.body = Some(encode(Operation::UpdateAppointment, data)?);
        let reply = self.send(call).await?;
        versioned(Operation::UpdateAppointment, &reply)
    }

    /// Deletes an appointment, provided it is still at `if_match`.
    pub async fn delete_appointment(
        &self,
        user: &UserId,
        id: &AppointmentId,
        if_match: &Version,
    ) -> Result<(), OfficeHeartError> {
        let mut call = Call::new(Operation::DeleteAppointment, user);
        call.id = Some(id);
        call.headers.push((headers::IF_MATCH, if_match.to_etag()));
        self.send(call).await.map(drop)
    }

    fn authorization(&self) -> Result<HeaderValue, OfficeHeartError> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.token.expose_secret()))
            .map_err(|_| OfficeHeartError::InvalidConfig {
                reason: "the token cannot be sent in a header".to_owned(),
            })?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn url(&self, call: &Call<'_>) -> Result<Url, OfficeHeartError> {
        let mut url = (*self.base_url).clone();
        {
            let mut segments =
                url.path_segments_mut()
                    .map_err(|()| OfficeHeartError::InvalidConfig {
                        reason: "the base URL cannot carry a path".to_owned(),
                    })?;
            segments.pop_if_empty();
            for segment in call
                .operation
                .path_template()
                .split('/')
                .filter(|s| !s.is_empty())
            {
                let value = match segment {
                    "{tenant}" => self.tenant.as_str(),
                    "{user}" => call.user.as_str(),
                    "{id}" => call.id.map(AppointmentId::as_str).ok_or_else(|| {
                        OfficeHeartError::InvalidConfig {
                            reason: format!("{} needs an id", call.operation),
                        }
                    })?,
                    literal => literal,
                };
                segments.push(value);
            }
        }
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(
                call.query
                    .iter()
                    .map(|(name, value)| (*name, value.as_str())),
            );
        }
        Ok(url)
    }

    async fn send(&self, call: Call<'_>) -> Result<Reply, OfficeHeartError> {
        let operation = call.operation;
        let span = tracing::info_span!(
            "officeheart",
            operation = operation.operation_id(),
            tenant = %self.tenant,
            user = %call.user,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        async {
            let started = Instant::now();
            let result = self.exchange(call).await;
            let span = tracing::Span::current();
            span.record(
                "elapsed_ms",
                u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            );
            // Debug, not warn: whether a 404 or 412 is a problem is for the caller to say.
            match &result {
                Ok(_) => tracing::debug!("officeheart call succeeded"),
                Err(error) => {
                    tracing::debug!(code = error.code(), %error, "officeheart call failed")
                }
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn exchange(&self, call: Call<'_>) -> Result<Reply, OfficeHeartError> {
        let operation = call.operation;
        let mut request = self
            .http
            .request(operation.method(), self.url(&call)?)
            .header(AUTHORIZATION, self.authorization()?)
            .header(ACCEPT, "application/json");
        for (name, value) in call.headers {
            request = request.header(name, value);
        }
        if let Some(body) = call.body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let mut response = request
            .send()
            .await
            .map_err(|error| transport_error(operation, error))?;
        let status = response.status().as_u16();
        tracing::Span::current().record("status", status);
        let headers = response.headers().clone();
        let body = read_capped(operation, &mut response, self.max_response_bytes).await?;
        if status != operation.success_status() {
            return Err(status_error(operation, status, &headers, &body));
        }
        Ok(Reply {
            etag: header_str(&headers, headers::ETAG).map(str::to_owned),
            replayed: header_str(&headers, headers::IDEMPOTENT_REPLAYED) == Some("true"),
            body,
        })
    }
}

/// Plain http would expose the bearer token on the network; it is allowed only to loopback
/// (the simulator and local stacks).
fn check_base_url(url: &Url) -> Result<(), OfficeHeartError> {
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    let reason = match url.scheme() {
        "https" => None,
        "http" if loopback => None,
        "http" => Some("plain http is allowed only to a loopback address"),
        _ => Some("the scheme must be https"),
    }
    .or(if url.cannot_be_a_base() {
        Some("the URL cannot carry a path")
    } else {
        None
    })
    .or(if url.query().is_some() || url.fragment().is_some() {
        Some("the URL must not have a query or fragment")
    } else {
        None
    });
    match reason {
        Some(reason) => Err(OfficeHeartError::InvalidConfig {
            reason: format!("base URL {url}: {reason}"),
        }),
        None => Ok(()),
    }
}

fn encode(operation: Operation, data: &AppointmentData) -> Result<Vec<u8>, OfficeHeartError> {
    serde_json::to_vec(data).map_err(|error| OfficeHeartError::InvalidConfig {
        reason: format!("{operation}: cannot encode body: {error}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Result<OfficeHeartClient, OfficeHeartError> {
        OfficeHeartClient::new(
            ClientConfig::new(Url::parse(base).unwrap()),
            TenantId::new("acme").unwrap(),
            SecretString::from("s3cret-token"),
        )
    }

    #[test]
    fn plain_http_is_refused_except_to_loopback() {
        assert!(client("https://officeheart.example/api/").is_ok());
        assert!(client("http://127.0.0.1:8080").is_ok());
        assert!(client("http://localhost:8080").is_ok());
        assert!(client("http://officeheart.example").is_err());
        assert!(client("ftp://officeheart.example").is_err());
        assert!(client("https://officeheart.example/?x=1").is_err());
    }

    #[test]
    fn paths_keep_the_base_path_and_encode_segments() {
        let client = client("https://officeheart.example/api/").unwrap();
        let user = UserId::new("jan de vries/2").unwrap();
        let id = AppointmentId::new("a?b").unwrap();
        let mut call = Call::new(Operation::UpdateAppointment, &user);
        call.id = Some(&id);
        assert_eq!(
            client.url(&call).unwrap().as_str(),
            "https://officeheart.example/api/v1/tenants/acme/users/jan%20de%20vries%2F2/agenda/appointments/a%3Fb"
        );
    }

    #[test]
    fn debug_output_hides_the_token() {
        let rendered = format!("{:?}", client("https://officeheart.example").unwrap());
        assert!(!rendered.contains("s3cret-token"));
        assert!(rendered.contains("redacted"));
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_a_configuration_error() {
        let result = OfficeHeartClient::new(
            ClientConfig::new(Url::parse("https://officeheart.example").unwrap()),
            TenantId::new("acme").unwrap(),
            SecretString::from("bad\ntoken"),
        );
        let error = result.unwrap_err();
        assert_eq!(error.code(), "officeheart_invalid_config");
        assert!(!error.to_string().contains("bad\ntoken"));
    }
}
