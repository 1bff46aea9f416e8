//! Reading a JSON request body: limited in size, and with an unknown field or a wrong type
//! named, never echoed (a serde message can quote the value, which may be a password).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use serde_path_to_error::Segment;

use crate::error::{ApiError, BodyProblem};

/// The largest request body accepted (64 KiB); settings are a few hundred bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A body type that lists its fields, so that an unknown field can be told from a field of
/// the wrong type (serde reports both at the field's key).
pub(crate) trait BodyFields: DeserializeOwned {
    /// Every field the body may have.
    const FIELDS: &'static [&'static str];
}

/// A JSON body read as `T`.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: BodyFields> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                        ApiError::BodyTooLarge
                    }
                    _ => ApiError::BodyInvalid(BodyProblem::NotJson),
                })?;
        parse(&bytes).map(Self)
    }
}

/// Reads `bytes` as one JSON value of type `T`.
pub(crate) fn parse<T: BodyFields>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| classify(&error, T::FIELDS))?;
    deserializer
        .end()
        .map_err(|_| ApiError::BodyInvalid(BodyProblem::NotJson))?;
    Ok(value)
}

/// Names what is wrong from the error's kind and where it happened; its text is not used.
fn classify(error: &serde_path_to_error::Error<serde_json::Error>, fields: &[&str]) -> ApiError {
    match error.inner().classify() {
        Category::Io | Category::Syntax | Category::Eof => {
            ApiError::BodyInvalid(BodyProblem::NotJson)
        }
        Category::Data => match error.path().iter().next() {
            Some(Segment::Map { key }) if fields.contains(&key.as_str()) => {
                ApiError::wrong_type(key)
            }
            Some(Segment::Map { key }) => ApiError::unknown_field(key),
            _ => ApiError::BodyInvalid(BodyProblem::NotAnObject),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ExchangeSettingsBody;

    fn problem(body: &str) -> BodyProblem {
        match parse::<ExchangeSettingsBody>(body.as_bytes()) {
            Err(ApiError::BodyInvalid(problem)) => problem,
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn each_kind_of_bad_body_is_named_without_its_values() {
        let long = "x".repeat(500);
        let cases = [
            ("", BodyProblem::NotJson),
            ("{", BodyProblem::NotJson),
            ("{} {}", BodyProblem::NotJson),
            ("[1]", BodyProblem::NotAnObject),
            ("\"text\"", BodyProblem::NotAnObject),
            ("null", BodyProblem::NotAnObject),
            (
                r#"{"pasword":"geheim"}"#,
                BodyProblem::UnknownField("pasword".into()),
            ),
            (
                r#"{"active":"yes"}"#,
                BodyProblem::WrongType("active".into()),
            ),
            (
                r#"{"password":123456}"#,
                BodyProblem::WrongType("password".into()),
            ),
            (
                r#"{"ews_url":["a"]}"#,
                BodyProblem::WrongType("ews_url".into()),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(problem(body), expected, "{body}");
        }
        let BodyProblem::UnknownField(shown) = problem(&format!(r#"{{"{long}":1}}"#)) else {
            panic!("not an unknown field");
        };
        assert_eq!(shown.len(), 64);
    }

    #[test]
    fn a_good_body_is_read() {
        assert!(
            parse::<ExchangeSettingsBody>(br#"{"window_days_back":"30","mailbox":""}"#).is_ok()
        );
        assert!(parse::<ExchangeSettingsBody>(b" {} ").is_ok());
    }
}
