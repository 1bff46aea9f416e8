//! Batches whose items are partly decided before anything is sent (refused by the conversion,
//! or settled by a ChangeKey check), and the rule for when a batch failed as a whole.

use ohsync_engine::ports::MailboxError;
use ohsync_ews::{EwsError, ItemResult};

use crate::error::{is_call_failure, mailbox_error};

/// The outcomes of one batch in input order: decided here, or awaiting the server's answer.
#[derive(Debug)]
pub(super) struct Slots<O> {
    slots: Vec<Option<O>>,
}

impl<O> Slots<O> {
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            slots: Vec::with_capacity(capacity),
        }
    }

    /// The next input goes to the server.
    pub(super) fn send(&mut self) {
        self.slots.push(None);
    }

    /// The next input is decided without the server.
    pub(super) fn decide(&mut self, outcome: O) {
        self.slots.push(Some(outcome));
    }

    /// Whether every input went to the server.
    pub(super) fn all_sent(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }

    /// The outcomes in input order, the server's answers filling the sent slots in order; a
    /// sent input without an answer gets `unanswered`.
    pub(super) fn fill(
        self,
        answers: impl IntoIterator<Item = O>,
        unanswered: impl Fn() -> O,
    ) -> Vec<O> {
        let mut answers = answers.into_iter();
        self.slots
            .into_iter()
            .map(|slot| slot.unwrap_or_else(|| answers.next().unwrap_or_else(&unanswered)))
            .collect()
    }
}

/// The failure of the whole call: every item of the batch was sent and every one failed in a
/// way that is the call's, not the item's (the request did not get through, or was throttled).
/// The engine then knows nothing about any item, and stops sending more. A write whose answer
/// was lost is never one: each item then reports its own unknown outcome.
pub(super) fn whole_call_failure<T>(
    results: &[ItemResult<T>],
    all_sent: bool,
) -> Option<MailboxError> {
    let refused = |error: &EwsError| is_call_failure(error) && !error.is_outcome_unknown();
    if !all_sent {
        return None;
    }
    let mut errors = results.iter().map(|result| result.as_ref().err());
    let first = errors.next().flatten().filter(|error| refused(error))?;
    errors
        .all(|error| error.is_some_and(refused))
        .then(|| mailbox_error(first))
}

/// The first failure in a read batch that is the call's: a read can simply be asked again, so
/// such a batch fails as a whole rather than report items as unreadable.
pub(super) fn read_failure<T>(results: &[ItemResult<T>]) -> Option<MailboxError> {
    results
        .iter()
        .filter_map(|result| result.as_ref().err())
        .find(|error| is_call_failure(error))
        .map(mailbox_error)
}

#[cfg(test)]
mod tests {
    use ohsync_ews::error::Phase;

    use super::*;

    #[test]
    fn slots_keep_input_order() {
        let mut slots = Slots::with_capacity(4);
        slots.send();
        slots.decide("refused");
        slots.send();
        slots.send();
        assert!(!slots.all_sent());
        assert_eq!(
            slots.fill(["a", "b"], || "unanswered"),
            ["a", "refused", "b", "unanswered"]
        );
    }

    #[test]
    fn a_batch_fails_as_a_whole_only_when_every_item_failed_the_call() {
        let blocked = || -> ItemResult<()> { Err(EwsError::BlockedByPolicy) };
        assert_eq!(
            whole_call_failure(&[blocked(), blocked()], true),
            Some(MailboxError::AccessBlocked)
        );
        assert_eq!(whole_call_failure(&[blocked(), Ok(())], true), None);
        assert_eq!(whole_call_failure(&[blocked()], false), None);
        assert_eq!(whole_call_failure::<()>(&[], true), None);
        let lost = || -> ItemResult<()> {
            Err(EwsError::OutcomeUnknown {
                operation: "CreateItem",
                cause: Box::new(EwsError::ConnectionLost {
                    phase: Phase::MaybeDelivered,
                    detail: "closed".into(),
                }),
            })
        };
        assert_eq!(whole_call_failure(&[lost(), lost()], true), None);
        assert_eq!(
            read_failure(&[Ok(()), blocked()]),
            Some(MailboxError::AccessBlocked)
        );
        assert_eq!(read_failure::<()>(&[Ok(())]), None);
    }
}
