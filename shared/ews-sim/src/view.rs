//! An item as a client sees it: a stored item or an expanded occurrence, with every property's value,
//! whether stored or computed by the "server" (ItemId, Organizer, Duration, CalendarItemType, …).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use md5::{Digest, Md5};

use crate::config::SimUser;
use crate::mailbox::extended::{ExtendedFieldUri, ExtendedValue};
use crate::mailbox::folders::CALENDAR;
use crate::mailbox::ids::{self, ChangeKeyKind, MailboxIdentity};
use crate::mailbox::item::{OccurrenceException, PropertyPath, StoredItem};
use crate::mailbox::schema::{self, FieldIndex, field};
use crate::mailbox::series::{self, Occurrence};
use crate::time::{format_duration, format_instant};
use crate::xml::Element;

/// The mailbox an item lives in, as needed to compute its server-side properties.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    /// Identifiers of the mailbox.
    pub identity: &'a MailboxIdentity,
    /// The mailbox owner.
    pub user: &'a SimUser,
}

/// A stored item or one occurrence of a master.
#[derive(Debug, Clone, Copy)]
pub enum ItemView<'a> {
    /// A single item or a recurring master.
    Stored(&'a StoredItem),
    /// An expanded occurrence, or an exception when the master holds one for its index.
    Occurrence(&'a StoredItem, Occurrence),
}

fn text(name: &str, value: impl Into<String>) -> Option<Element> {
    Some(Element::with_text(name, value))
}

fn flag(name: &str, value: bool) -> Option<Element> {
    text(name, if value { "true" } else { "false" })
}

fn mailbox_element(user: &SimUser) -> Element {
    Element::new("Mailbox")
        .child_element(Element::with_text("Name", &user.display_name))
        .child_element(Element::with_text("EmailAddress", &user.smtp_address))
        .child_element(Element::with_text("RoutingType", "SMTP"))
        .child_element(Element::with_text("MailboxType", "Mailbox"))
}

fn form_query(id: &str, view_model: &str) -> String {
    let escaped: String = id
        .chars()
        .map(|ch| match ch {
            '+' => "%2B".to_owned(),
            '/' => "%2F".to_owned(),
            '=' => "%3D".to_owned(),
            other => other.to_string(),
        })
        .collect();
    format!("?ItemID={escaped}&exvsurl=1&viewmodel={view_model}")
}

impl<'a> ItemView<'a> {
    /// The stored item (the master, for an occurrence).
    pub fn item(&self) -> &'a StoredItem {
        match self {
            Self::Stored(item) | Self::Occurrence(item, _) => item,
        }
    }

    /// This view's ItemId.
    pub fn item_id(&self, owner: Owner<'_>) -> String {
        match self {
            Self::Stored(item) => ids::item_id(owner.identity, CALENDAR, item.key),
            Self::Occurrence(master, occurrence) => {
                ids::occurrence_id(owner.identity, CALENDAR, master.key, occurrence.index)
            }
        }
    }

    /// The exception of this instance, if it is a modified occurrence.
    fn exception(&self) -> Option<&'a OccurrenceException> {
        match self {
            Self::Stored(_) => None,
            Self::Occurrence(master, occurrence) => master.exceptions.get(&occurrence.index),
        }
    }

    /// A stored field: the exception's override, else the item's (or master's) own value.
    fn stored_field(&self, index: FieldIndex) -> Option<Element> {
        match self
            .exception()
            .and_then(|exception| exception.fields.get(&index))
        {
            Some(overridden) => overridden.clone(),
            None => self.item().field(index).cloned(),
        }
    }

    /// An extended property's value, with the exception's override if there is one.
    pub fn extended_value(&self, uri: &ExtendedFieldUri) -> Option<ExtendedValue> {
        match self
            .exception()
            .and_then(|exception| exception.extended.get(uri))
        {
            Some(overridden) => overridden.clone(),
            None => self.item().extended_value(uri),
        }
    }

    /// The current ChangeKey (an occurrence shares its master's).
    pub fn change_key(&self, owner: Owner<'_>) -> String {
        ids::change_key(
            owner.identity,
            ChangeKeyKind::CalendarItem,
            self.item().version,
        )
    }

    /// Start of this view.
    pub fn start(&self) -> DateTime<Utc> {
        match self {
            Self::Stored(item) => item.start(),
            Self::Occurrence(_, occurrence) => occurrence.start,
        }
    }

    /// End of this view.
    pub fn end(&self) -> DateTime<Utc> {
        match self {
            Self::Stored(item) => item.end(),
            Self::Occurrence(_, occurrence) => occurrence.end,
        }
    }

    /// The `ItemId` element.
    pub fn item_id_element(&self, owner: Owner<'_>) -> Element {
        Element::new("ItemId")
            .attr("Id", self.item_id(owner))
            .attr("ChangeKey", self.change_key(owner))
    }

    fn occurrence_summary(&self, name: &str, occurrence: Occurrence, owner: Owner<'_>) -> Element {
        let id = ids::occurrence_id(owner.identity, CALENDAR, self.item().key, occurrence.index);
        Element::new(name)
            .child_element(
                Element::new("ItemId")
                    .attr("Id", id)
                    .attr("ChangeKey", self.change_key(owner)),
            )
            .child_element(Element::with_text(
                "Start",
                format_instant(occurrence.start),
            ))
            .child_element(Element::with_text("End", format_instant(occurrence.end)))
            .child_element(Element::with_text(
                "OriginalStart",
                format_instant(occurrence.original_start),
            ))
    }

    /// A field's value as the element a response carries (stored or computed); `None` if absent.
    pub fn value(&self, index: FieldIndex, owner: Owner<'_>) -> Option<Element> {
        let item = self.item();
        let occurrence = match self {
            Self::Occurrence(_, occurrence) => Some(*occurrence),
            Self::Stored(_) => None,
        };
        let name = schema::def(index).element;
        let stored = || self.stored_field(index);
        let stored_or = |default: &str| stored().or_else(|| text(name, default));
        match name {
            "ItemId" => Some(self.item_id_element(owner)),
            "ParentFolderId" => Some(
                Element::new(name)
                    .attr("Id", ids::folder_id(owner.identity, CALENDAR))
                    .attr("ChangeKey", "AQAAAA=="),
            ),
            "ItemClass" => match occurrence {
                Some(_) => text(name, "IPM.Appointment.Occurrence"),
                None => stored_or("IPM.Appointment"),
            },
            "Sensitivity" | "Importance" => stored_or("Normal"),
            "Body" => stored().or_else(|| Some(Element::new(name).attr("BodyType", "Text"))),
            "DateTimeReceived" | "DateTimeSent" | "DateTimeCreated" | "DateTimeStamp" => {
                text(name, format_instant(item.created))
            }
            "Size" => {
                let size: usize = item
                    .fields
                    .values()
                    .map(|element| element.text().len() + 64)
                    .sum();
                text(name, (size + 1024).to_string())
            }
            "IsSubmitted"
            | "IsDraft"
            | "IsFromMe"
            | "IsResend"
            | "IsUnmodified"
            | "HasAttachments"
            | "IsAssociated"
            | "IsCancelled"
            | "MeetingRequestWasSent" => flag(name, false),
            "ResponseObjects" => {
                Some(Element::new(name).child_element(Element::new("ForwardItem")))
            }
            "ReminderDueBy" => stored().or_else(|| text(name, format_instant(self.start()))),
            "ReminderIsSet" | "IsResponseRequested" | "AllowNewTimeProposal" | "IsOrganizer" => {
                stored().or_else(|| flag(name, true))
            }
            "ReminderMinutesBeforeStart" => stored_or("15"),
            "DisplayCc" | "DisplayTo" => Some(Element::new(name)),
            "Culture" => stored_or("en-US"),
            "EffectiveRights" => {
                let mut rights = Element::new(name);
                for (right, granted) in [
                    ("CreateAssociated", false),
                    ("CreateContents", false),
                    ("CreateHierarchy", false),
                    ("Delete", true),
                    ("Modify", true),
                    ("Read", true),
                    ("ViewPrivateItems", true),
                ] {
                    rights = rights.child_element(Element::with_text(
                        right,
                        if granted { "true" } else { "false" },
                    ));
                }
                Some(rights)
            }
            "LastModifiedName" => text(name, &item.modified_by),
            "LastModifiedTime" => text(name, format_instant(item.modified)),
            "WebClientReadFormQueryString" => text(
                name,
                form_query(&self.item_id(owner), "CalendarItemDetailsViewModelFactory"),
            ),
            "WebClientEditFormQueryString" => text(
                name,
                form_query(&self.item_id(owner), "ComposeCalendarItemViewModelFactory"),
            ),
            "ConversationId" => {
                let mut bytes = vec![0x00, 0x04, 0x24, 0x00];
                bytes.extend_from_slice(owner.identity.guid.hyphenated().to_string().as_bytes());
                bytes.extend_from_slice(&[0x00, 0x10, 0x00]);
                bytes.extend_from_slice(&Md5::digest(item.uid().as_bytes()));
                Some(Element::new(name).attr("Id", STANDARD.encode(bytes)))
            }
            "RecurrenceId" | "OriginalStart" => {
                occurrence.and_then(|o| text(name, format_instant(o.original_start)))
            }
            "Start" => text(name, format_instant(self.start())),
            "End" => text(name, format_instant(self.end())),
            "IsAllDayEvent" | "IsOnlineMeeting" => stored().or_else(|| flag(name, false)),
            "LegacyFreeBusyStatus" => stored_or("Busy"),
            "IsMeeting" => flag(name, item.is_meeting()),
            "IsRecurring" => flag(name, occurrence.is_some()),
            "CalendarItemType" => text(
                name,
                match occurrence {
                    Some(_) if self.exception().is_some() => "Exception",
                    Some(_) => "Occurrence",
                    None if item.is_master() => "RecurringMaster",
                    None => "Single",
                },
            ),
            "MyResponseType" => text(name, "Organizer"),
            "Organizer" => Some(Element::new(name).child_element(mailbox_element(owner.user))),
            "ConflictingMeetingCount"
            | "AdjacentMeetingCount"
            | "AppointmentSequenceNumber"
            | "ConferenceType" => stored_or("0"),
            "Duration" => text(name, format_duration(self.end() - self.start())),
            "TimeZone" | "StartTimeZoneId" | "EndTimeZoneId" => text(name, item.zone_id()),
            "AppointmentState" => text(name, if item.is_meeting() { "1" } else { "0" }),
            "Recurrence" => occurrence.map_or_else(stored, |_| None),
            "FirstOccurrence" | "LastOccurrence" if occurrence.is_none() && item.is_master() => {
                let (first, last) = series::bounds(item);
                let chosen = if name == "FirstOccurrence" {
                    first
                } else {
                    last
                };
                chosen.map(|o| self.occurrence_summary(name, o, owner))
            }
            "ModifiedOccurrences" if occurrence.is_none() && !item.exceptions.is_empty() => {
                let mut list = Element::new(name);
                for modified in series::modified(item) {
                    list =
                        list.child_element(self.occurrence_summary("Occurrence", modified, owner));
                }
                Some(list)
            }
            "DeletedOccurrences"
                if occurrence.is_none() && !item.deleted_occurrences.is_empty() =>
            {
                let mut list = Element::new(name);
                for start in series::deleted_starts(item) {
                    list = list.child_element(
                        Element::new("DeletedOccurrence")
                            .child_element(Element::with_text("Start", format_instant(start))),
                    );
                }
                Some(list)
            }
            "StartTimeZone" | "EndTimeZone" => stored()
                .or_else(|| {
                    item.field(field::start_time_zone()).map(|start| Element {
                        name: name.to_owned(),
                        ..start.clone()
                    })
                })
                .or_else(|| Some(Element::new(name).attr("Id", item.zone_id()))),
            "IntendedFreeBusyStatus" => text(name, "NoData"),
            _ => stored(),
        }
    }

    /// Every text value a path has (several for lists), for restrictions and sorting.
    pub fn values(&self, path: &PropertyPath, owner: Owner<'_>) -> Vec<String> {
        match path {
            PropertyPath::Field(index) => match self.value(*index, owner) {
                Some(element) if element.elements().next().is_some() => {
                    element.elements().map(entry_text).collect()
                }
                Some(element) => {
                    let value = element.text().trim().to_owned();
                    if value.is_empty() {
                        Vec::new()
                    } else {
                        vec![value]
                    }
                }
                None => Vec::new(),
            },
            PropertyPath::Extended(uri) => self
                .extended_value(uri)
                .map(|value| value.texts().into_iter().map(str::to_owned).collect())
                .unwrap_or_default(),
            PropertyPath::Absent(_) => Vec::new(),
        }
    }
}

/// The comparable text of a list entry: a category, or an attendee's e-mail address.
fn entry_text(entry: &Element) -> String {
    entry
        .child("Mailbox")
        .and_then(|mailbox| mailbox.child_text("EmailAddress"))
        .unwrap_or_else(|| entry.text().trim().to_owned())
}
