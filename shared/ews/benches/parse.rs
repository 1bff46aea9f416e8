//! Parse throughput of the two responses a sync run reads most: a SyncFolderItems page with
//! 512 changes (relevance shape, as the client asks for it) and a GetItem batch of 100 full
//! calendar items (shaped like the Exchange 2010–2019 samples). Prints MB/s and items/s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ohsync_ews::xml::response::{parse_get_item, parse_sync_folder_items};

const MEASURE_FOR: Duration = Duration::from_secs(2);

const ENVELOPE_HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" xmlns="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">"#;
const ENVELOPE_TAIL: &str = "</s:Body></s:Envelope>";

fn item_id(n: usize) -> String {
    format!(
        r#"<t:ItemId Id="AAMkADhiZjhlMDZjLTc0MDItNDI5OS05NzIwLTYzZTY0NmFmYjcxMwBGAAAAAACovCg73uKqSJEOjHRwMiGeBwD5KryzNn7ZS4Mgr/QC8cL2AABBdPoGAAD5KryzNn7ZS4Mgr/QC8cL2AACQ{n:06}AAA=" ChangeKey="DwAAABYAAAD5KryzNn7ZS4Mgr/QC8cL2AACQ{n:06}"/>"#
    )
}

fn tag(n: usize) -> String {
    format!(
        r#"<t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="0f4d47ed-80b5-4901-a571-af5ef03136a5" PropertyName="ohsync-id" PropertyType="String"/><t:Value>tenant-7:appointment-{n}</t:Value></t:ExtendedProperty>"#
    )
}

fn sync_response(changes: usize) -> String {
    let mut xml = String::from(ENVELOPE_HEAD);
    xml.push_str(r#"<m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee++999577733ujudTif33/8/XGZkAWz2zkrayZ4hgKrIHz9+fB8/In6NX+PX+TXoOfjF+w+P9+/d3znePnlwfLC9f3xyb/vJyZOT7Wd7Tw5Onjx49vD+/Z1f8t3X49fXy+nrNmvzk2yZ1de/xqP3f/NZVc7y+mz2azx8/3d/Mq+bolr+Gofv/+p36f/1IqvfypCTX+PX+C3oa0WmzRcNWv4avzl9tUP/H6PNk9Ff8Mfd/Xv/5O/8FX/kH/XoT/x3/svf6df8Nf6Hf+r0N5/84v/w6Z/2i/6wf+xP+Isffx+tfs3f4tf4NX6tX+M3of/T8+v/Gr/Gv0s/vjh+efbF8Qt88ms8u//sJ39t+vmS/v+7/xru+VPp/7/A+3vd+ds8f3Pn83v7n2afHuQ727u7e/e292fnn25P7mV72/v5/s7O5NPJNDvIe4j+unjzk1fFT7/6mT/0Zfzbh0/+kF/r1V/9Nw1++wfLt3/8r/Vr/EH/D22KMac3AgAA</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes>"#);
    for n in 0..changes {
        match n % 16 {
            15 => xml.push_str(&format!("<t:Delete>{}</t:Delete>", item_id(n))),
            14 => xml.push_str(&format!(
                "<t:ReadFlagChange>{}<t:IsRead>true</t:IsRead></t:ReadFlagChange>",
                item_id(n)
            )),
            kind => {
                let element = if kind % 3 == 0 { "Update" } else { "Create" };
                let (item_type, recurring) = if kind == 5 {
                    ("RecurringMaster", "true")
                } else {
                    ("Single", "false")
                };
                let day = n % 28 + 1;
                xml.push_str(&format!(
                    "<t:{element}><t:CalendarItem>{}<t:Start>2026-03-{day:02}T09:00:00Z</t:Start><t:End>2026-03-{day:02}T10:30:00Z</t:End><t:IsRecurring>{recurring}</t:IsRecurring><t:CalendarItemType>{item_type}</t:CalendarItemType>{}</t:CalendarItem></t:{element}>",
                    item_id(n),
                    if n.is_multiple_of(2) { tag(n) } else { String::new() }
                ));
            }
        }
    }
    xml.push_str("</m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>");
    xml.push_str(ENVELOPE_TAIL);
    xml
}

fn time_zone(element: &str) -> String {
    format!(
        r#"<t:{element} Name="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna" Id="W. Europe Standard Time"><t:Periods><t:Period Bias="-PT1H" Name="Standard" Id="trule:Microsoft/Registry/W. Europe Standard Time/1-Standard"/><t:Period Bias="-PT2H" Name="Daylight" Id="trule:Microsoft/Registry/W. Europe Standard Time/1-Daylight"/></t:Periods><t:TransitionsGroups><t:TransitionsGroup Id="0"><t:RecurringDayTransition><t:To Kind="Period">trule:Microsoft/Registry/W. Europe Standard Time/1-Daylight</t:To><t:TimeOffset>PT2H</t:TimeOffset><t:Month>3</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek><t:Occurrence>-1</t:Occurrence></t:RecurringDayTransition><t:RecurringDayTransition><t:To Kind="Period">trule:Microsoft/Registry/W. Europe Standard Time/1-Standard</t:To><t:TimeOffset>PT3H</t:TimeOffset><t:Month>10</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek><t:Occurrence>-1</t:Occurrence></t:RecurringDayTransition></t:TransitionsGroup></t:TransitionsGroups><t:Transitions><t:Transition><t:To Kind="Group">0</t:To></t:Transition></t:Transitions></t:{element}>"#
    )
}

fn full_item(n: usize) -> String {
    let day = n % 28 + 1;
    let recurrence = if n.is_multiple_of(4) {
        format!(
            "<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday Wednesday</t:DaysOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence><t:StartDate>2026-03-{day:02}+01:00</t:StartDate><t:NumberOfOccurrences>10</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence><t:FirstOccurrence>{id}<t:Start>2026-03-{day:02}T09:00:00+01:00</t:Start><t:End>2026-03-{day:02}T10:30:00+01:00</t:End><t:OriginalStart>2026-03-{day:02}T09:00:00+01:00</t:OriginalStart></t:FirstOccurrence><t:LastOccurrence>{id}<t:Start>2026-04-{day:02}T09:00:00+02:00</t:Start><t:End>2026-04-{day:02}T10:30:00+02:00</t:End><t:OriginalStart>2026-04-{day:02}T09:00:00+02:00</t:OriginalStart></t:LastOccurrence>",
            id = item_id(n + 1000)
        )
    } else {
        String::new()
    };
    let item_type = if recurrence.is_empty() {
        "Single"
    } else {
        "RecurringMaster"
    };
    format!(
        r#"<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:CalendarItem>{id}<t:ParentFolderId Id="AAMkADhiZjhlMDZjLTc0MDItNDI5OS05NzIwLTYzZTY0NmFmYjcxMwAuAAAAAACovCg73uKqSJEOjHRwMiGeAQD5KryzNn7ZS4Mgr/QC8cL2AABBdPoGAAA=" ChangeKey="AQAAAA=="/><t:ItemClass>IPM.Appointment</t:ItemClass><t:Subject>Klantoverleg &amp; planning {n} — café</t:Subject><t:Sensitivity>Normal</t:Sensitivity><t:Body BodyType="Text">Agenda:
1. Terugblik vorige sprint en openstaande acties voor klant {n}.
2. Planning komende periode &lt;concept&gt;, rollen en verantwoordelijkheden.
3. Rondvraag. Graag de stukken vooraf lezen; de link staat in het projectdossier.</t:Body><t:DateTimeReceived>2026-02-10T08:15:07Z</t:DateTimeReceived><t:Size>5711</t:Size><t:Categories><t:String>Klant</t:String><t:String>Planning</t:String></t:Categories><t:Importance>Normal</t:Importance><t:IsSubmitted>false</t:IsSubmitted><t:IsDraft>false</t:IsDraft><t:ReminderDueBy>2026-03-{day:02}T08:45:00Z</t:ReminderDueBy><t:ReminderIsSet>true</t:ReminderIsSet><t:ReminderMinutesBeforeStart>15</t:ReminderMinutesBeforeStart><t:HasAttachments>false</t:HasAttachments>{tag}<t:Culture>nl-NL</t:Culture><t:LastModifiedName>Jan de Vries</t:LastModifiedName><t:LastModifiedTime>2026-02-10T08:15:07Z</t:LastModifiedTime><t:UID>040000008200E00074C5B7101A82E008000000001AF45EF9C7EDDB01000000000000000010000000F73231FC2ADB164D941E037E{n:08}</t:UID><t:Start>2026-03-{day:02}T09:00:00+01:00</t:Start><t:End>2026-03-{day:02}T10:30:00+01:00</t:End><t:IsAllDayEvent>false</t:IsAllDayEvent><t:LegacyFreeBusyStatus>Busy</t:LegacyFreeBusyStatus><t:Location>Vergaderzaal 2, Utrecht</t:Location><t:IsMeeting>false</t:IsMeeting><t:IsCancelled>false</t:IsCancelled><t:IsRecurring>false</t:IsRecurring><t:CalendarItemType>{item_type}</t:CalendarItemType><t:Organizer><t:Mailbox><t:Name>Jan de Vries</t:Name><t:EmailAddress>jan.devries@officeheart.nl</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox></t:Organizer><t:TimeZone>(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna</t:TimeZone>{recurrence}{start_zone}{end_zone}</t:CalendarItem></m:Items></m:GetItemResponseMessage>"#,
        id = item_id(n),
        tag = tag(n),
        start_zone = time_zone("StartTimeZone"),
        end_zone = time_zone("EndTimeZone"),
    )
}

fn get_item_response(items: usize) -> String {
    let mut xml = String::from(ENVELOPE_HEAD);
    xml.push_str(r#"<m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>"#);
    for n in 0..items {
        xml.push_str(&full_item(n));
    }
    xml.push_str("</m:ResponseMessages></m:GetItemResponse>");
    xml.push_str(ENVELOPE_TAIL);
    xml
}

/// Parses `document` repeatedly for [`MEASURE_FOR`] and prints the throughput.
fn measure(name: &str, document: &[u8], items: usize, parse: impl Fn(&[u8]) -> usize) {
    assert_eq!(
        parse(document),
        items,
        "{name}: the document must parse completely"
    );
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < MEASURE_FOR {
        black_box(parse(black_box(document)));
        runs += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    let megabytes = document.len() as f64 * runs as f64 / 1_000_000.0;
    println!(
        "{name}: {} bytes, {items} items, {runs} parses in {seconds:.2} s: {:.1} MB/s, {:.0} items/s",
        document.len(),
        megabytes / seconds,
        (items as f64 * runs as f64) / seconds,
    );
}

fn main() {
    let sync = sync_response(512);
    measure(
        "SyncFolderItems (512 changes)",
        sync.as_bytes(),
        512,
        |xml| {
            let page = parse_sync_folder_items(xml)
                .ok()
                .and_then(|parsed| parsed.outcome.ok());
            page.map_or(0, |page| page.changes.len() + page.read_flag_changes)
        },
    );
    let get_item = get_item_response(100);
    measure(
        "GetItem (100 full items)",
        get_item.as_bytes(),
        100,
        |xml| {
            let results = parse_get_item(xml)
                .ok()
                .and_then(|parsed| parsed.outcome.ok());
            results.map_or(0, |results| {
                results.iter().filter(|item| item.is_ok()).count()
            })
        },
    );
}
