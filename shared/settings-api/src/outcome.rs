//! How a run ended, as the sync status shows it: a stable code and a Dutch and English text.

use ohsync_engine::reconcile::{AbortReason, Side};
use ohsync_engine::report::{PartialReason, RunOutcome};

use crate::wire::Text;

/// The stable code of a run outcome.
pub fn outcome_code(outcome: RunOutcome) -> &'static str {
    match outcome {
        RunOutcome::Completed => "completed",
        RunOutcome::Partial(PartialReason::Deadline) => "partial_deadline",
        RunOutcome::Partial(PartialReason::WorkLeft) => "partial_work_left",
        RunOutcome::Aborted(AbortReason::StorageEmpty { .. }) => "aborted_storage_empty",
        RunOutcome::Aborted(AbortReason::DeletionGuard { .. }) => "aborted_deletion_guard",
        RunOutcome::Busy => "busy",
        RunOutcome::LostRace => "lost_race",
        RunOutcome::Failed => "failed",
        RunOutcome::DryRun => "dry_run",
    }
}

fn text(nl: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        nl: nl.into(),
        en: en.into(),
    }
}

/// What an outcome means for the user, and what to do.
pub(crate) fn outcome_text(outcome: RunOutcome) -> Text {
    match outcome {
        RunOutcome::Completed => text("De synchronisatie is gelukt.", "The sync completed."),
        RunOutcome::Partial(PartialReason::Deadline) => text(
            "De ronde stopte op tijd voordat alles verwerkt was; de rest volgt in de volgende ronde.",
            "The round stopped in time before everything was done; the rest follows in the next round.",
        ),
        RunOutcome::Partial(PartialReason::WorkLeft) => text(
            "Een deel kon nog niet worden verwerkt (zie de fouten); de volgende ronde probeert het opnieuw.",
            "Part of the work could not be done yet (see the errors); the next round tries again.",
        ),
        RunOutcome::Aborted(AbortReason::StorageEmpty { side }) => {
            let (nl, en) = match side {
                Side::OfficeHeart => ("de OfficeHeart-agenda", "the OfficeHeart agenda"),
                Side::Exchange => ("de Exchange-agenda", "the Exchange calendar"),
            };
            text(
                format!(
                    "Gestopt: {nl} leek opeens leeg, terwijl er gekoppelde afspraken zijn. Uit \
                     voorzorg is niets gewijzigd. Controleer die agenda; is hij echt leeg \
                     gemaakt, neem dan contact op met support."
                ),
                format!(
                    "Stopped: {en} suddenly looked empty while appointments are linked. As a \
                     precaution nothing was changed. Check that calendar; if it really was \
                     emptied, contact support."
                ),
            )
        }
        RunOutcome::Aborted(AbortReason::DeletionGuard { planned, limit }) => text(
            format!(
                "Gestopt: deze ronde zou {planned} afspraken verwijderen, meer dan de grens van \
                 {limit}. Uit voorzorg is niets verwijderd. Klopt dit niet, neem dan contact op \
                 met support."
            ),
            format!(
                "Stopped: this round would delete {planned} appointments, more than the limit of \
                 {limit}. As a precaution nothing was deleted. If this is not right, contact \
                 support."
            ),
        ),
        RunOutcome::Busy => text(
            "Er liep al een ronde voor deze gebruiker; deze is overgeslagen.",
            "A round was already running for this user; this one was skipped.",
        ),
        RunOutcome::LostRace => text(
            "Een andere ronde was eerder klaar; deze liet het werk aan die ronde over.",
            "Another round finished first; this one left the work to it.",
        ),
        RunOutcome::Failed => text(
            "De ronde kon niet worden uitgevoerd; zie de fouten.",
            "The round could not be carried out; see the errors.",
        ),
        RunOutcome::DryRun => text(
            "Proefronde: er is niets gewijzigd.",
            "Trial round: nothing was changed.",
        ),
    }
}

/// One example of every outcome, for the documentation table.
#[cfg(test)]
pub(crate) fn outcome_catalogue() -> Vec<RunOutcome> {
    vec![
        RunOutcome::Completed,
        RunOutcome::Partial(PartialReason::Deadline),
        RunOutcome::Partial(PartialReason::WorkLeft),
        RunOutcome::Aborted(AbortReason::StorageEmpty {
            side: Side::Exchange,
        }),
        RunOutcome::Aborted(AbortReason::DeletionGuard {
            planned: 40,
            limit: 25,
        }),
        RunOutcome::Busy,
        RunOutcome::LostRace,
        RunOutcome::Failed,
        RunOutcome::DryRun,
    ]
}
