"""Drive the EWS simulator with exchangelib (an independent EWS client) and fail on any deviation.

Usage: exchangelib_fidelity.py URL 'DOMAIN\\user' PASSWORD VERSION [SMTP]
VERSION is a server product name (Exchange2007_SP1, Exchange2010_SP2, Exchange2013, Exchange2016, Exchange2019).
Without SMTP, the mailbox address is found with ResolveNames. Exits non-zero on the first failure.
An https URL is taken to be the simulator's self-signed certificate: it is not verified, and NTLM then
carries channel bindings (requests_ntlm adds them), which `ews-sim --extended-protection` requires.
"""

import datetime
import sys
import traceback

from exchangelib import (
    DELEGATE,
    NTLM,
    Account,
    CalendarItem,
    Configuration,
    Credentials,
    EWSDateTime,
    EWSTimeZone,
    ExtendedProperty,
    Version,
)
from exchangelib.errors import ErrorItemNotFound
from exchangelib.items import SEND_TO_NONE
from exchangelib.protocol import BaseProtocol, NoVerifyHTTPAdapter, Protocol
from exchangelib.recurrence import Recurrence, WeeklyPattern
from exchangelib.version import Build

BUILDS = {
    "Exchange2007_SP1": Build(8, 1),
    "Exchange2010": Build(14, 0),
    "Exchange2010_SP1": Build(14, 1),
    "Exchange2010_SP2": Build(14, 2),
    "Exchange2013": Build(15, 0),
    "Exchange2013_SP1": Build(15, 0, 847),
    "Exchange2016": Build(15, 1),
    "Exchange2019": Build(15, 2),
}


class OhsyncTag(ExtendedProperty):
    property_set_id = "c11ff724-aa03-4555-9952-8fa248a11c3e"
    property_name = "ohsync-tag"
    property_type = "String"


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main(argv):
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    url, username, password, version_name = argv[1:5]
    if url.startswith("https://"):
        BaseProtocol.HTTP_ADAPTER_CLS = NoVerifyHTTPAdapter
    build = BUILDS[version_name]
    config = Configuration(
        service_endpoint=url,
        credentials=Credentials(username, password),
        auth_type=NTLM,
        version=Version(build=build),
    )
    if len(argv) == 6:
        smtp = argv[5]
    else:
        account_name = username.split("\\")[-1]
        resolved = list(Protocol(config=config).resolve_names([account_name]))
        check(resolved and not isinstance(resolved[0], Exception), f"ResolveNames failed: {resolved}")
        smtp = resolved[0].email_address
    CalendarItem.register("ohsync_tag", OhsyncTag)
    account = Account(primary_smtp_address=smtp, config=config, autodiscover=False, access_type=DELEGATE)
    tz = EWSTimeZone("Europe/Amsterdam")
    utc = EWSTimeZone("UTC")
    base = EWSDateTime(2031, 3, 3, 9, 0, tzinfo=tz)

    calendar = account.calendar
    check(calendar.name == "Calendar", f"calendar folder name {calendar.name!r}")

    # Create with extended property, categories, body and location.
    item = CalendarItem(
        account=account,
        folder=calendar,
        subject="Fidelity check",
        body="Created by exchangelib",
        location="Room 1",
        start=base,
        end=base + datetime.timedelta(hours=1),
        categories=["ohsync", "test"],
        ohsync_tag="tenant:42",
    )
    item.save(send_meeting_invitations=SEND_TO_NONE)
    check(item.id and item.changekey, "CreateItem returned no ItemId/ChangeKey")
    first_changekey = item.changekey

    # CalendarView finds it.
    found = [i for i in calendar.view(start=base - datetime.timedelta(days=1), end=base + datetime.timedelta(days=1))]
    check([i.subject for i in found] == ["Fidelity check"], f"view returned {[i.subject for i in found]}")

    # GetItem returns what was stored.
    fetched = calendar.get(id=item.id)
    check(fetched.subject == "Fidelity check", f"subject {fetched.subject!r}")
    check(fetched.location == "Room 1", f"location {fetched.location!r}")
    check(str(fetched.body) == "Created by exchangelib", f"body {fetched.body!r}")
    check(sorted(fetched.categories or []) == ["ohsync", "test"], f"categories {fetched.categories!r}")
    check(fetched.ohsync_tag == "tenant:42", f"extended property {fetched.ohsync_tag!r}")
    check(fetched.start == base.astimezone(utc), f"start {fetched.start!r}")
    check(fetched.end == (base + datetime.timedelta(hours=1)).astimezone(utc), f"end {fetched.end!r}")
    check(fetched.uid and fetched.uid.startswith("040000008200E00074C5B7101A82E008"), f"uid {fetched.uid!r}")
    check(fetched.type == "Single", f"type {fetched.type!r}")

    # UpdateItem with update_fields gives a new ChangeKey.
    item.subject = "Fidelity check (moved)"
    item.location = "Room 2"
    item.save(update_fields=["subject", "location"])
    check(item.changekey != first_changekey, "UpdateItem kept the old ChangeKey")
    refetched = calendar.get(id=item.id)
    check(refetched.subject == "Fidelity check (moved)" and refetched.location == "Room 2", "update not stored")

    # A full save (no update_fields) rewrites every field and deletes the empty ones.
    refetched.body = "Rewritten in full"
    refetched.save()
    check(calendar.get(id=item.id).body == "Rewritten in full", "full save not stored")
    item.changekey = refetched.changekey

    # Restrictions: by extended property and by subject.
    by_tag = list(calendar.filter(ohsync_tag="tenant:42"))
    check([i.id for i in by_tag] == [item.id], f"filter by extended property returned {len(by_tag)} items")
    by_subject = list(calendar.filter(subject="Fidelity check (moved)"))
    check(len(by_subject) == 1, f"filter by subject returned {len(by_subject)} items")
    check(list(calendar.filter(subject="nothing like this")) == [], "filter matched a wrong subject")

    # SyncFolderItems: first call lists everything, second nothing, then the update.
    creates = [i for change, i in calendar.sync_items() if change == "create"]
    check(item.id in [i.id for i in creates], "first sync did not report the item as created")
    check(list(calendar.sync_items()) == [], "second sync reported changes")
    item.subject = "Fidelity check (synced)"
    item.save(update_fields=["subject"])
    updates = [(change, i.id) for change, i in calendar.sync_items()]
    check(updates == [("update", item.id)], f"third sync reported {updates}")

    # A weekly series expands into occurrences in a CalendarView.
    series_start = EWSDateTime(2031, 3, 10, 14, 0, tzinfo=tz)
    series = CalendarItem(
        account=account,
        folder=calendar,
        subject="Weekly",
        start=series_start,
        end=series_start + datetime.timedelta(minutes=30),
        recurrence=Recurrence(pattern=WeeklyPattern(interval=1, weekdays=[1]), start=series_start.date(), number=4),
    )
    series.save(send_meeting_invitations=SEND_TO_NONE)
    window = calendar.view(start=series_start - datetime.timedelta(days=1), end=series_start + datetime.timedelta(weeks=6))
    occurrences = [i for i in window if i.subject == "Weekly"]
    check(len(occurrences) == 4, f"expected 4 occurrences, got {len(occurrences)}")
    check(all(i.type == "Occurrence" for i in occurrences), "view returned non-occurrences")
    master = calendar.get(id=series.id)
    check(master.type == "RecurringMaster" and master.recurrence is not None, "master lost its recurrence")

    # Batches: three creates and three deletes in one request each.
    batch = [
        CalendarItem(
            folder=calendar,
            subject=f"Batch {n}",
            start=base + datetime.timedelta(days=n),
            end=base + datetime.timedelta(days=n, hours=1),
        )
        for n in range(1, 4)
    ]
    created = account.bulk_create(folder=calendar, items=batch, send_meeting_invitations=SEND_TO_NONE)
    check(len(created) == 3 and all(not isinstance(r, Exception) for r in created), f"bulk_create: {created}")
    results = account.bulk_delete(ids=created, send_meeting_cancellations=SEND_TO_NONE)
    check(results == [True, True, True], f"bulk_delete: {results}")

    # DeleteItem, then the item is gone.
    deleted_id = item.id
    item.delete(send_meeting_cancellations=SEND_TO_NONE)
    series.delete(send_meeting_cancellations=SEND_TO_NONE)
    gone = list(account.fetch(ids=[(deleted_id, None)]))
    check(isinstance(gone[0], ErrorItemNotFound), f"deleted item still fetchable: {gone}")
    deletes = [change for change, _ in calendar.sync_items() if change == "delete"]
    check(deletes == ["delete"], f"sync after delete reported {deletes}")
    print("exchangelib fidelity: all checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception:  # noqa: BLE001 - any failure must fail the run
        traceback.print_exc()
        sys.exit(1)
