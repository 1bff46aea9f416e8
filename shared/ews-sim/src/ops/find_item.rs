//! FindItem: CalendarView (expanded instances in a range) and indexed paging with restrictions.

use std::cmp::Ordering;

use chrono::Months;

use super::Context;
use super::access::{owner, resolve_folder};
use crate::mailbox::Mailbox;
use crate::mailbox::folders::CALENDAR;
use crate::mailbox::series::occurrences_overlapping;
use crate::render::{Purpose, Rendering};
use crate::request::restriction::{Restriction, compare, kind_of};
use crate::request::shape::ItemShape;
use crate::request::target::FolderRef;
use crate::request::{SortKey, View};
use crate::response_code::{EwsError, ResponseCode};
use crate::soap::response::{ResponseBody, ResponseBuilder};
use crate::version::SchemaVersion;
use crate::view::{ItemView, Owner};

/// One page of a search.
struct Page<'a> {
    views: Vec<ItemView<'a>>,
    total: usize,
    includes_last: bool,
    next_offset: Option<usize>,
}

fn calendar_page<'a>(
    mailbox: &'a Mailbox,
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
    max: Option<usize>,
) -> Result<Page<'a>, EwsError> {
    if end < start {
        return Err(ResponseCode::ErrorCalendarEndDateIsEarlierThanStartDate.into());
    }
    if start
        .checked_add_months(Months::new(24))
        .is_some_and(|limit| end > limit)
    {
        return Err(ResponseCode::ErrorCalendarViewRangeTooBig.into());
    }
    let mut views = Vec::new();
    for item in mailbox.items.values() {
        if item.is_master() {
            views.extend(
                occurrences_overlapping(item, start, end)
                    .into_iter()
                    .map(|o| ItemView::Occurrence(item, o)),
            );
        } else if item.end() > start && item.start() < end {
            views.push(ItemView::Stored(item));
        }
    }
    views.sort_by(|a, b| {
        a.start()
            .cmp(&b.start())
            .then(a.item().key.cmp(&b.item().key))
    });
    let total = views.len();
    if let Some(max) = max {
        views.truncate(max);
    }
    Ok(Page {
        includes_last: views.len() == total,
        views,
        total,
        next_offset: None,
    })
}

fn indexed_page<'a>(
    mailbox: &'a Mailbox,
    owner: Owner<'_>,
    restriction: Option<&Restriction>,
    sort: &[SortKey],
    max: Option<usize>,
    offset: usize,
    from_end: bool,
) -> Page<'a> {
    let mut views: Vec<ItemView<'a>> = mailbox
        .items
        .values()
        .map(ItemView::Stored)
        .filter(|view| restriction.is_none_or(|r| r.matches(&|path| view.values(path, owner))))
        .collect();
    if !sort.is_empty() {
        views.sort_by(|a, b| {
            sort.iter()
                .map(|key| {
                    let (left, right) = (a.values(&key.path, owner), b.values(&key.path, owner));
                    let ordering = match (left.first(), right.first()) {
                        (Some(l), Some(r)) => {
                            compare(kind_of(&key.path), l, r).unwrap_or(Ordering::Equal)
                        }
                        (Some(_), None) => Ordering::Greater,
                        (None, Some(_)) => Ordering::Less,
                        (None, None) => Ordering::Equal,
                    };
                    if key.descending {
                        ordering.reverse()
                    } else {
                        ordering
                    }
                })
                .find(|ordering| *ordering != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
    }
    let total = views.len();
    let count = max.unwrap_or(total);
    let (first, last) = if from_end {
        let last = total.saturating_sub(offset);
        (last.saturating_sub(count), last)
    } else {
        let first = offset.min(total);
        (first, first.saturating_add(count).min(total))
    };
    let page: Vec<ItemView<'a>> = views
        .get(first..last)
        .map(<[_]>::to_vec)
        .unwrap_or_default();
    let returned = page.len();
    Page {
        views: page,
        total,
        includes_last: if from_end { first == 0 } else { last == total },
        next_offset: Some(offset + returned),
    }
}

/// Runs FindItem.
pub fn run(
    context: &Context<'_>,
    mailboxes: &[Mailbox],
    shape: &ItemShape,
    view: &View,
    restriction: Option<&Restriction>,
    sort: &[SortKey],
    folders: &[FolderRef],
) -> ResponseBody {
    let rendering = Rendering {
        shape,
        purpose: Purpose::FindItem,
        requested: context.requested,
        marks_truncation: false,
    };
    let mut response = ResponseBuilder::new("FindItem");
    for folder in folders {
        let result = resolve_folder(context, mailboxes, folder).and_then(|(index, def)| {
            let mailbox = mailboxes
                .get(index)
                .ok_or(ResponseCode::ErrorFolderNotFound)?;
            let owner =
                owner(context, mailboxes, index).ok_or(ResponseCode::ErrorFolderNotFound)?;
            if let Some(name) = restriction.and_then(Restriction::unsupported) {
                return Err(
                    EwsError::new(ResponseCode::ErrorUnsupportedQueryFilter).with_message(format!(
                        "The restriction contains {name}, which is not supported."
                    )),
                );
            }
            let empty = Page {
                views: Vec::new(),
                total: 0,
                includes_last: true,
                next_offset: None,
            };
            let page = match view {
                View::Calendar { .. } if restriction.is_some() || !sort.is_empty() => {
                    return Err(
                        EwsError::new(ResponseCode::ErrorInvalidRestriction).with_message(
                            "Restrictions and sort order may not be specified for a CalendarView.",
                        ),
                    );
                }
                View::Calendar { start, end, max } if def.number == CALENDAR => {
                    calendar_page(mailbox, *start, *end, *max)?
                }
                View::Calendar { .. } => empty,
                View::Indexed {
                    max,
                    offset,
                    from_end,
                } if def.number == CALENDAR => {
                    indexed_page(mailbox, owner, restriction, sort, *max, *offset, *from_end)
                }
                View::Indexed { offset, .. } => Page {
                    next_offset: Some(*offset),
                    ..empty
                },
                View::Unpaged if def.number == CALENDAR => {
                    indexed_page(mailbox, owner, restriction, sort, None, 0, false)
                }
                View::Unpaged => empty,
            };
            if page.views.len() > context.find_count_limit {
                // Before 2013 the EWSFindCountLimit overrun surfaces as ErrorServerBusy (EWS-NOTES §3).
                let code = if context.requested <= SchemaVersion::Exchange2010Sp2 {
                    ResponseCode::ErrorServerBusy
                } else {
                    ResponseCode::ErrorExceededFindCountLimit
                };
                return Err(EwsError::new(code)
                    .with_value("PolicyLimit", context.find_count_limit.to_string()));
            }
            Ok((page, owner))
        });
        match result {
            Ok((page, owner)) => {
                let writer = response.success();
                let total = page.total.to_string();
                let includes_last = if page.includes_last { "true" } else { "false" };
                let offset = page.next_offset.map(|offset| offset.to_string());
                let mut attributes = Vec::new();
                if let Some(offset) = &offset {
                    attributes.push(("IndexedPagingOffset", offset.as_str()));
                }
                attributes.push(("TotalItemsInView", total.as_str()));
                attributes.push(("IncludesLastItemInRange", includes_last));
                writer.start("m:RootFolder", &attributes);
                writer.start("t:Items", &[]);
                for item in &page.views {
                    rendering.write(writer, item, owner);
                }
                writer.end("t:Items");
                writer.end("m:RootFolder");
                response.end_message();
            }
            Err(error) => response.error_message(&error),
        }
    }
    response.finish()
}
