//! The folders every mailbox has. Only the calendar holds items; the others exist so that clients that
//! probe the hierarchy (root, inbox…) get the answers Exchange would give.

/// Folder number of the calendar (also encoded in every item's ParentFolderId).
pub const CALENDAR: u64 = 0x010E;

/// A well-known folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderDef {
    /// DistinguishedFolderId name.
    pub distinguished: &'static str,
    /// Folder number (encoded in its FolderId).
    pub number: u64,
    /// Parent folder number (0 for the root).
    pub parent: u64,
    /// Response element (`Folder`, `CalendarFolder`, …).
    pub element: &'static str,
    /// FolderClass, if any.
    pub class: Option<&'static str>,
    /// DisplayName.
    pub display_name: &'static str,
}

const fn folder(
    distinguished: &'static str,
    number: u64,
    parent: u64,
    element: &'static str,
    class: Option<&'static str>,
    display_name: &'static str,
) -> FolderDef {
    FolderDef {
        distinguished,
        number,
        parent,
        element,
        class,
        display_name,
    }
}

const ROOT: u64 = 0x0101;
const TOP: u64 = 0x0102;

/// The folders of every mailbox.
pub const FOLDERS: [FolderDef; 13] = [
    folder("root", ROOT, 0, "Folder", None, "Root"),
    folder(
        "msgfolderroot",
        TOP,
        ROOT,
        "Folder",
        None,
        "Top of Information Store",
    ),
    folder(
        "calendar",
        CALENDAR,
        TOP,
        "CalendarFolder",
        Some("IPF.Appointment"),
        "Calendar",
    ),
    folder("inbox", 0x010C, TOP, "Folder", Some("IPF.Note"), "Inbox"),
    folder(
        "deleteditems",
        0x010A,
        TOP,
        "Folder",
        Some("IPF.Note"),
        "Deleted Items",
    ),
    folder("drafts", 0x010F, TOP, "Folder", Some("IPF.Note"), "Drafts"),
    folder(
        "sentitems",
        0x0109,
        TOP,
        "Folder",
        Some("IPF.Note"),
        "Sent Items",
    ),
    folder("outbox", 0x010B, TOP, "Folder", Some("IPF.Note"), "Outbox"),
    folder(
        "junkemail",
        0x0123,
        TOP,
        "Folder",
        Some("IPF.Note"),
        "Junk Email",
    ),
    folder(
        "contacts",
        0x010D,
        TOP,
        "ContactsFolder",
        Some("IPF.Contact"),
        "Contacts",
    ),
    folder(
        "tasks",
        0x0112,
        TOP,
        "TasksFolder",
        Some("IPF.Task"),
        "Tasks",
    ),
    folder(
        "notes",
        0x0111,
        TOP,
        "Folder",
        Some("IPF.StickyNote"),
        "Notes",
    ),
    folder(
        "journal",
        0x0110,
        TOP,
        "Folder",
        Some("IPF.Journal"),
        "Journal",
    ),
];

/// Values of `DistinguishedFolderIdNameType`; anything else fails schema validation.
const SCHEMA_NAMES: [&str; 42] = [
    "calendar",
    "contacts",
    "deleteditems",
    "drafts",
    "inbox",
    "journal",
    "notes",
    "outbox",
    "sentitems",
    "tasks",
    "msgfolderroot",
    "publicfoldersroot",
    "root",
    "junkemail",
    "searchfolders",
    "voicemail",
    "recoverableitemsroot",
    "recoverableitemsdeletions",
    "recoverableitemsversions",
    "recoverableitemspurges",
    "archiveroot",
    "archivemsgfolderroot",
    "archivedeleteditems",
    "archiveinbox",
    "archiverecoverableitemsroot",
    "archiverecoverableitemsdeletions",
    "archiverecoverableitemsversions",
    "archiverecoverableitemspurges",
    "syncissues",
    "conflicts",
    "localfailures",
    "serverfailures",
    "recipientcache",
    "quickcontacts",
    "conversationhistory",
    "adminauditlogs",
    "todosearch",
    "mycontacts",
    "directory",
    "imcontactlist",
    "peopleconnect",
    "favorites",
];

/// A folder by DistinguishedFolderId name.
pub fn by_name(name: &str) -> Option<&'static FolderDef> {
    FOLDERS.iter().find(|def| def.distinguished == name)
}

/// A folder by number.
pub fn by_number(number: u64) -> Option<&'static FolderDef> {
    FOLDERS.iter().find(|def| def.number == number)
}

/// Is `name` a DistinguishedFolderId value the schema allows?
pub fn is_schema_name(name: &str) -> bool {
    SCHEMA_NAMES.contains(&name)
}

/// Number of direct child folders.
pub fn child_count(number: u64) -> usize {
    FOLDERS.iter().filter(|def| def.parent == number).count()
}
