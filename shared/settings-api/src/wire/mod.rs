//! The JSON the API reads and answers, with its OpenAPI schemas. These types are the API's own,
//! kept apart from the domain types so that the wire format changes only on purpose.

mod error;
mod live;
mod settings;
mod status;
mod text;

pub use error::{ErrorBody, FieldErrorBody};
pub use live::LiveCheckAnswer;
pub use settings::{ExchangeSettingsBody, ExchangeSettingsView, SaveAnswer, SettingsAnswer};
pub use status::{LastRunView, SyncNowAnswer, SyncStatusView};
pub use text::Text;
