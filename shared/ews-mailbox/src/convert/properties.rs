//! The small properties, both ways: sensitivity ⇄ private, free/busy ⇄ show-as, reminder.

use ohsync_engine::appointment::ShowAs;
use ohsync_ews::ExchangeVersion;
use ohsync_ews::model::{LegacyFreeBusyStatus, Sensitivity};

/// The reminder Outlook and Exchange set when the reminder is on but no time was sent.
const DEFAULT_REMINDER_MINUTES: u32 = 15;

/// Private and Confidential hide the details from delegates; Normal and Personal do not.
pub fn is_private(sensitivity: Option<Sensitivity>) -> bool {
    matches!(
        sensitivity,
        Some(Sensitivity::Private | Sensitivity::Confidential)
    )
}

/// The sensitivity written for the private flag.
pub fn sensitivity(private: bool) -> Sensitivity {
    if private {
        Sensitivity::Private
    } else {
        Sensitivity::Normal
    }
}

/// How an item shows in free/busy; NoData (and no status at all) count as Busy, Exchange's default.
pub fn show_as(status: Option<LegacyFreeBusyStatus>) -> ShowAs {
    match status {
        Some(LegacyFreeBusyStatus::Free) => ShowAs::Free,
        Some(LegacyFreeBusyStatus::Tentative) => ShowAs::Tentative,
        Some(LegacyFreeBusyStatus::Oof) => ShowAs::OutOfOffice,
        Some(LegacyFreeBusyStatus::WorkingElsewhere) => ShowAs::WorkingElsewhere,
        Some(LegacyFreeBusyStatus::Busy | LegacyFreeBusyStatus::NoData) | None => ShowAs::Busy,
    }
}

/// The status written for `show_as`; WorkingElsewhere exists from Exchange 2013 on and is
/// written as Busy before.
pub fn free_busy_status(show_as: ShowAs, version: ExchangeVersion) -> LegacyFreeBusyStatus {
    match show_as {
        ShowAs::Free => LegacyFreeBusyStatus::Free,
        ShowAs::Tentative => LegacyFreeBusyStatus::Tentative,
        ShowAs::Busy => LegacyFreeBusyStatus::Busy,
        ShowAs::OutOfOffice => LegacyFreeBusyStatus::Oof,
        ShowAs::WorkingElsewhere if version >= ExchangeVersion::Exchange2013 => {
            LegacyFreeBusyStatus::WorkingElsewhere
        }
        ShowAs::WorkingElsewhere => LegacyFreeBusyStatus::Busy,
    }
}

/// The reminder: off when `ReminderIsSet` is false or absent without a time; a negative time
/// (which Outlook never sets) counts as at the start.
pub fn reminder_minutes(is_set: Option<bool>, minutes: Option<i32>) -> Option<u32> {
    match (is_set, minutes) {
        (Some(false), _) | (None, None) => None,
        (_, Some(minutes)) => Some(u32::try_from(minutes).unwrap_or(0)),
        (Some(true), None) => Some(DEFAULT_REMINDER_MINUTES),
    }
}

/// The `ReminderMinutesBeforeStart` value for a reminder (EWS takes an int).
pub fn reminder_value(minutes: u32) -> i32 {
    i32::try_from(minutes).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_confidential_are_private() {
        assert!(is_private(Some(Sensitivity::Private)));
        assert!(is_private(Some(Sensitivity::Confidential)));
        assert!(!is_private(Some(Sensitivity::Personal)));
        assert!(!is_private(Some(Sensitivity::Normal)));
        assert!(!is_private(None));
        assert!(is_private(Some(sensitivity(true))));
        assert!(!is_private(Some(sensitivity(false))));
    }

    #[test]
    fn every_status_reads_and_writes_back() {
        for status in LegacyFreeBusyStatus::ALL {
            let read = show_as(Some(*status));
            let written = free_busy_status(read, ExchangeVersion::Exchange2016);
            let expected = match status {
                LegacyFreeBusyStatus::NoData => LegacyFreeBusyStatus::Busy,
                other => *other,
            };
            assert_eq!(written, expected, "{status}");
        }
        assert_eq!(show_as(None), ShowAs::Busy);
    }

    #[test]
    fn working_elsewhere_is_busy_before_2013() {
        assert_eq!(
            free_busy_status(ShowAs::WorkingElsewhere, ExchangeVersion::Exchange2010Sp2),
            LegacyFreeBusyStatus::Busy
        );
        assert_eq!(
            free_busy_status(ShowAs::WorkingElsewhere, ExchangeVersion::Exchange2013),
            LegacyFreeBusyStatus::WorkingElsewhere
        );
    }

    #[test]
    fn reminders_follow_the_is_set_flag() {
        assert_eq!(reminder_minutes(Some(true), Some(10)), Some(10));
        assert_eq!(reminder_minutes(Some(false), Some(10)), None);
        assert_eq!(reminder_minutes(Some(true), None), Some(15));
        assert_eq!(reminder_minutes(None, Some(30)), Some(30));
        assert_eq!(reminder_minutes(None, None), None);
        assert_eq!(reminder_minutes(Some(true), Some(-5)), Some(0));
        assert_eq!(reminder_value(u32::MAX), i32::MAX);
    }
}
