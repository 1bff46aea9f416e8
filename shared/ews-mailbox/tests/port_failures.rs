//! How the Mailbox port reports Exchange refusing: throttling with its back-off, EWS blocked by
//! policy, wrong credentials, an unreachable server — over a socket against the simulator.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use std::time::{Duration, Instant};

use ohsync_engine::ports::{Mailbox, MailboxError};
use ohsync_ews::{ExchangeVersion, RetryPolicy};
use ohsync_ews_mailbox::{EwsMailbox, MailboxSettings};
use ohsync_ews_sim::ServerVersion;
use support::{JAN, appointment, client_for, mailbox, mailbox_with, new_item, start, window};

#[tokio::test]
async fn server_busy_is_throttled_with_the_servers_back_off() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox_with(&sim, ExchangeVersion::Exchange2016, RetryPolicy::none());
    sim.faults()
        .server_busy_for_next(1, Duration::from_millis(1234));
    assert_eq!(
        mailbox.list_window(&window(), None).await,
        Err(MailboxError::Throttled {
            back_off: Some(Duration::from_millis(1234))
        })
    );
    assert!(mailbox.list_window(&window(), None).await.is_ok());
}

#[tokio::test]
async fn a_short_server_busy_is_waited_out_by_the_client() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    sim.faults()
        .server_busy_for_next(2, Duration::from_millis(60));
    let started = Instant::now();
    assert!(mailbox.list_window(&window(), None).await.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(120),
        "the back-off was honoured"
    );
    assert_eq!(sim.counters().operation("SyncFolderItems"), 3);
}

#[tokio::test]
async fn http_503_is_throttled() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox_with(&sim, ExchangeVersion::Exchange2016, RetryPolicy::none());
    sim.faults().unavailable_for_next(1);
    // Reading nothing sends nothing, so the 503 is still there for the listing.
    assert!(matches!(
        mailbox.get_items(&[]).await,
        Ok(items) if items.is_empty()
    ));
    assert!(matches!(
        mailbox.list_window(&window(), None).await,
        Err(MailboxError::Throttled { .. })
    ));
}

#[tokio::test]
async fn ews_blocked_by_policy_is_access_blocked_for_reads_and_writes() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    assert!(sim.set_ews_blocked(JAN, true));
    assert_eq!(
        mailbox.list_window(&window(), None).await,
        Err(MailboxError::AccessBlocked)
    );
    assert_eq!(
        mailbox
            .create_items(&[new_item("oh-1", appointment("x", 1))])
            .await,
        Err(MailboxError::AccessBlocked),
        "a refused batch fails as a whole"
    );
    assert!(sim.mailbox(JAN).unwrap().items().is_empty());
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized() {
    let sim = start(ServerVersion::Exchange2016).await;
    let client = client_for(
        &sim.url(),
        r"OHSIM\jan",
        "not-the-password",
        ExchangeVersion::Exchange2016,
        RetryPolicy::none(),
    )
    .build()
    .unwrap();
    let mailbox = EwsMailbox::new(client, MailboxSettings::default());
    assert_eq!(
        mailbox.find_by_tags(&[support::tag("oh-1")]).await,
        Err(MailboxError::Unauthorized)
    );
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    let sim = start(ServerVersion::Exchange2016).await;
    let url = sim.url();
    sim.shutdown().await;
    let client = client_for(
        &url,
        r"OHSIM\jan",
        support::PASSWORD,
        ExchangeVersion::Exchange2016,
        RetryPolicy::none(),
    )
    .build()
    .unwrap();
    let mailbox = EwsMailbox::new(client, MailboxSettings::default());
    let error = mailbox.list_window(&window(), None).await.unwrap_err();
    assert!(matches!(error, MailboxError::Unavailable(_)), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_version_the_server_does_not_know_is_rejected_with_its_code() {
    let sim = start(ServerVersion::Exchange2010Sp2).await;
    let mailbox = mailbox_with(&sim, ExchangeVersion::Exchange2016, RetryPolicy::none());
    let error = mailbox.list_window(&window(), None).await.unwrap_err();
    assert!(
        matches!(&error, MailboxError::Rejected { code, .. } if code == "ErrorInvalidServerVersion"),
        "{error:?}"
    );
}
