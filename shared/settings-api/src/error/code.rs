//! The stable codes of error answers, with their HTTP status, from one table.

use axum::http::StatusCode;

/// Declares the code enum, its complete list, its text and its status from one table, so that
/// no code can miss one of them.
macro_rules! api_error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $status:ident;)*) => {
        /// The stable machine code of an error answer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ApiErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ApiErrorCode {
            /// Every code.
            pub const ALL: &'static [ApiErrorCode] = &[$(Self::$variant,)*];

            /// The code as sent.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            /// The HTTP status it is answered with.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(Self::$variant => StatusCode::$status,)*
                }
            }
        }
    };
}

api_error_codes! {
    /// No bearer token, or not a valid one.
    Unauthenticated => "unauthenticated", UNAUTHORIZED;
    /// A valid token, but not for the tenant in the path.
    TenantForbidden => "tenant_forbidden", FORBIDDEN;
    /// No such path.
    RouteNotFound => "route_not_found", NOT_FOUND;
    /// The path exists, but not with this method.
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED;
    /// The user id in the path is not a valid id.
    UserIdInvalid => "user_id_invalid", BAD_REQUEST;
    /// The body is not JSON, not an object, has an unknown field or a field of the wrong type.
    BodyInvalid => "body_invalid", BAD_REQUEST;
    /// The body is larger than the limit.
    BodyTooLarge => "body_too_large", PAYLOAD_TOO_LARGE;
    /// The settings break one or more rules; every problem is listed.
    ValidationFailed => "validation_failed", UNPROCESSABLE_ENTITY;
    /// No settings were ever saved for the user.
    SettingsNotFound => "settings_not_found", NOT_FOUND;
    /// The settings changed since they were read (or since the `If-Match` version).
    SettingsConflict => "settings_conflict", CONFLICT;
    /// Sync is switched off for the user.
    SyncInactive => "sync_inactive", CONFLICT;
    /// The settings or sync-state store did not answer.
    StorageUnavailable => "storage_unavailable", SERVICE_UNAVAILABLE;
    /// The password store did not answer.
    SecretsUnavailable => "secrets_unavailable", SERVICE_UNAVAILABLE;
    /// The job queue did not take the job.
    QueueUnavailable => "queue_unavailable", SERVICE_UNAVAILABLE;
    /// Something that should not fail did (a damaged record, a refused request).
    Internal => "internal_error", INTERNAL_SERVER_ERROR;
}
