//! ResolveNames over the configured users (enough for clients that look up the mailbox owner).

use super::Context;
use crate::response_code::ResponseCode;
use crate::soap::response::{ResponseBody, ResponseBuilder};

/// Runs ResolveNames.
pub fn run(context: &Context<'_>, entry: &str) -> ResponseBody {
    let wanted = entry
        .strip_prefix("SMTP:")
        .or_else(|| entry.strip_prefix("smtp:"))
        .unwrap_or(entry)
        .to_lowercase();
    let matches: Vec<_> = context
        .users
        .iter()
        .filter(|user| {
            user.smtp_address.to_lowercase().starts_with(&wanted)
                || user.account.to_lowercase() == wanted
                || user.display_name.to_lowercase().starts_with(&wanted)
        })
        .collect();
    let mut response = ResponseBuilder::new("ResolveNames");
    if matches.is_empty() {
        response.error_message(&ResponseCode::ErrorNameResolutionNoResults.into());
        return response.finish();
    }
    let writer = response.success();
    let count = matches.len().to_string();
    writer.start(
        "m:ResolutionSet",
        &[
            ("TotalItemsInView", &count),
            ("IncludesLastItemInRange", "true"),
        ],
    );
    for user in matches {
        writer.start("t:Resolution", &[]);
        writer.start("t:Mailbox", &[]);
        writer.leaf("t:Name", &user.display_name);
        writer.leaf("t:EmailAddress", &user.smtp_address);
        writer.leaf("t:RoutingType", "SMTP");
        writer.leaf("t:MailboxType", "Mailbox");
        writer.end("t:Mailbox");
        writer.end("t:Resolution");
    }
    writer.end("m:ResolutionSet");
    response.end_message();
    response.finish()
}
