//! The figure for a first sync of 1,000 OfficeHeart appointments into an empty Exchange mailbox
//! (DESIGN §8: ≈ ceil(1,000 / batch size) + a few EWS round trips, at most 12), on the embedded
//! store with the engine's default batch size. Prints the requests per operation and the wall
//! time; `--nocapture` shows them.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use std::time::Instant;

use ohsync_e2e::store_backend::StoreBackend;
use ohsync_engine::executor::RunOptions;
use ohsync_engine::report::RunOutcome;
use support::{World, at, oh_data};

const APPOINTMENTS: i64 = 1_000;

/// Seeds 1,000 appointments, runs once with the engine's default options, and returns the SOAP
/// requests the simulator counted.
async fn first_sync() -> u64 {
    let world = World::start(StoreBackend::Embedded).await;
    for n in 0..APPOINTMENTS {
        world.oh_seed(oh_data(&format!("Afspraak {n}"), at(n % 300, n % 9)));
    }
    let options = world.options();
    world.ews.counters().reset();
    let started = Instant::now();
    let report = world.run_with(&options).await;
    let elapsed = started.elapsed();
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.created.exchange, 1_000);
    let counters = world.ews.counters();
    eprintln!(
        "first sync of {APPOINTMENTS} appointments, batch {}: {} EWS requests {:?}, {} HTTP requests (NTLM handshakes included), {} OfficeHeart \
         requests, run took {elapsed:?} (debug build)",
        options.exchange_batch_size,
        counters.soap_requests(),
        counters.operations(),
        counters.http_requests(),
        world.oh.stats().total(),
    );
    let items = world.ex_all();
    assert_eq!(items.len(), 1_000);
    assert!(
        items.iter().all(|item| !item.extended.is_empty()),
        "every item is tagged"
    );
    counters.soap_requests()
}

#[tokio::test]
async fn a_first_sync_of_1000_appointments_takes_one_listing_eight_creates_and_two_confirming_pages()
 {
    // One listing page of the empty calendar, CreateItem calls of the default batch size, and the
    // SyncFolderItems pages that confirm the run's own creates (docs/SYNC-ENGINE.md, "Own writes
    // and net changes"): 1,000 echoes at 512 per page. 11 against DESIGN §8's 12.
    let listing = 1;
    let creates = 1_000_u64.div_ceil(RunOptions::DEFAULT_EXCHANGE_BATCH_SIZE as u64);
    let confirming = 1_000_u64.div_ceil(512);
    assert_eq!((listing, creates, confirming), (1, 8, 2));
    assert_eq!(first_sync().await, listing + creates + confirming);
}
