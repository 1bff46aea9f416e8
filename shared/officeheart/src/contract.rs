//! The contract's fixed facts in one place: operations (method, path, status), header and query
//! names, limits. The client and the simulator both build on these, and the drift test checks them
//! against `openapi.yaml`.

use reqwest::Method;

/// The canonical contract, OpenAPI 3.1.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");

/// Header names the contract defines or relies on.
pub mod headers {
    /// Required on create; makes a retried create return the first result.
    pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
    /// Set to `true` on a create response that replays an earlier create.
    pub const IDEMPOTENT_REPLAYED: &str = "Idempotent-Replayed";
    /// Required on update and delete: the version the change is based on.
    pub const IF_MATCH: &str = "If-Match";
    /// The version of the returned appointment.
    pub const ETAG: &str = "ETag";
    /// The URL of a created appointment.
    pub const LOCATION: &str = "Location";
    /// Seconds to wait before retrying (429, 503).
    pub const RETRY_AFTER: &str = "Retry-After";
}

/// Query parameter names.
pub mod query {
    /// Change feed position.
    pub const CURSOR: &str = "cursor";
    /// Page size.
    pub const LIMIT: &str = "limit";
    /// Window start (inclusive).
    pub const FROM: &str = "from";
    /// Window end (exclusive).
    pub const TO: &str = "to";
    /// Listing continuation.
    pub const PAGE_TOKEN: &str = "page_token";
}

/// Size limits of pages and fields.
pub mod limits {
    /// Page size when `limit` is omitted.
    pub const DEFAULT_PAGE: u32 = 100;
    /// Largest page; a larger `limit` is served as this.
    pub const MAX_PAGE: u32 = 500;
    /// Characters in `subject`.
    pub const SUBJECT_CHARS: usize = 255;
    /// Characters in `location`.
    pub const LOCATION_CHARS: usize = 255;
    /// Characters in `body`.
    pub const BODY_CHARS: usize = 65_536;
    /// Entries in `categories`.
    pub const CATEGORIES: usize = 50;
    /// Characters per category.
    pub const CATEGORY_CHARS: usize = 255;
    /// Largest `reminder_minutes` (four weeks).
    pub const REMINDER_MINUTES: u32 = 40_320;
    /// Characters in `recurrence`.
    pub const RECURRENCE_CHARS: usize = 1024;
    /// Entries in `exceptions`: bounds a body's size, yet lets a daily series change every
    /// occurrence for more than two and a half years.
    pub const EXCEPTIONS: usize = 1000;
    /// Characters in `external_ref`.
    pub const EXTERNAL_REF_CHARS: usize = 1024;
}

/// The path every operation lives under; `{tenant}` and `{user}` are path parameters.
pub const AGENDA_PATH: &str = "/v1/tenants/{tenant}/users/{user}/agenda";

/// One operation of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `GET …/agenda/changes`
    ListChanges,
    /// `GET …/agenda/appointments`
    ListAppointments,
    /// `GET …/agenda/appointments/{id}`
    GetAppointment,
    /// `POST …/agenda/appointments`
    CreateAppointment,
    /// `PUT …/agenda/appointments/{id}`
    UpdateAppointment,
    /// `DELETE …/agenda/appointments/{id}`
    DeleteAppointment,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Self; 6] = [
        Self::ListChanges,
        Self::ListAppointments,
        Self::GetAppointment,
        Self::CreateAppointment,
        Self::UpdateAppointment,
        Self::DeleteAppointment,
    ];

    /// The `operationId` in `openapi.yaml`.
    pub fn operation_id(self) -> &'static str {
        match self {
            Self::ListChanges => "listChanges",
            Self::ListAppointments => "listAppointments",
            Self::GetAppointment => "getAppointment",
            Self::CreateAppointment => "createAppointment",
            Self::UpdateAppointment => "updateAppointment",
            Self::DeleteAppointment => "deleteAppointment",
        }
    }

    /// The HTTP method.
    pub fn method(self) -> Method {
        match self {
            Self::ListChanges | Self::ListAppointments | Self::GetAppointment => Method::GET,
            Self::CreateAppointment => Method::POST,
            Self::UpdateAppointment => Method::PUT,
            Self::DeleteAppointment => Method::DELETE,
        }
    }

    /// The path template (`{tenant}`, `{user}`, `{id}` are parameters), as in `openapi.yaml` and axum.
    pub fn path_template(self) -> &'static str {
        match self {
            Self::ListChanges => "/v1/tenants/{tenant}/users/{user}/agenda/changes",
            Self::ListAppointments | Self::CreateAppointment => {
                "/v1/tenants/{tenant}/users/{user}/agenda/appointments"
            }
            Self::GetAppointment | Self::UpdateAppointment | Self::DeleteAppointment => {
                "/v1/tenants/{tenant}/users/{user}/agenda/appointments/{id}"
            }
        }
    }

    /// The status of a successful response.
    pub fn success_status(self) -> u16 {
        match self {
            Self::CreateAppointment => 201,
            Self::DeleteAppointment => 204,
            _ => 200,
        }
    }

    /// Query parameters the operation accepts.
    pub fn query_params(self) -> &'static [&'static str] {
        match self {
            Self::ListChanges => &[query::CURSOR, query::LIMIT],
            Self::ListAppointments => &[query::FROM, query::TO, query::PAGE_TOKEN, query::LIMIT],
            _ => &[],
        }
    }

    /// Request headers the operation requires (besides `Authorization`).
    pub fn required_headers(self) -> &'static [&'static str] {
        match self {
            Self::CreateAppointment => &[headers::IDEMPOTENCY_KEY],
            Self::UpdateAppointment | Self::DeleteAppointment => &[headers::IF_MATCH],
            _ => &[],
        }
    }

    /// Whether the operation changes state, so that a lost response leaves its outcome unknown.
    pub fn is_write(self) -> bool {
        !matches!(
            self,
            Self::ListChanges | Self::ListAppointments | Self::GetAppointment
        )
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.operation_id())
    }
}
