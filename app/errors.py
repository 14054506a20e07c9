"""One error type for everything a person may need to read, carrying a message key from `Msg`.

Storage and services raise `KraftError(Msg.X, **params)`; the front ends (views, CLI) render it with
`str(error)` in the language of the context showing it (the Flet session handling the event, the CLI run),
or with `error.text(lang)`. Nothing below the views prompts the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from app.i18n import N_, Language, current


class Msg(Enum):
    """User-facing error texts (English source; translated through gettext when shown)."""

    WRONG_PASSPHRASE = N_("That passphrase does not open this journal. Check it and try again.")
    WRONG_RECOVERY_CODE = N_("That recovery code does not open this journal. Check it and try again.")
    PASSPHRASE_TOO_SHORT = N_("Choose a passphrase of at least {minimum} characters.")
    PASSPHRASES_DIFFER = N_("The two passphrases are not the same.")
    RECOVERY_CODE_MISMATCH = N_("That is not the recovery code shown above. Check what you wrote down.")
    VAULT_EXISTS = N_("A journal already exists here. Unlock it instead of creating a new one.")
    NO_VAULT = N_("There is no journal here yet. Create one first.")
    VAULT_LOCKED = N_("The journal is locked. Unlock it first.")
    KEYSTORE_STALE = N_("Fingerprint or face no longer opens this journal, so that way of unlocking is now off. "
                        "Unlock with your passphrase; nothing is lost. You can turn it on again in Settings.")
    KEYSTORE_UNAVAILABLE = N_("This device cannot unlock with a fingerprint or face right now. Your passphrase "
                              "still works.")
    KEYSTORE_PASSPHRASE_DUE = N_("It is {days} days since you last typed your passphrase. Type it once now; after "
                                 "that, fingerprint or face works again.")
    VAULT_NEWER = N_("This journal was written by a newer version of Kraft (format {found}). Update the app.")
    VAULT_DAMAGED = N_("The journal's key file is damaged: {detail}")
    DATABASE_UNREADABLE = N_("The journal database cannot be read: {detail}")
    ENTRY_NOT_FOUND = N_("No entry with id {entry_id}.")
    ENTRY_EMPTY = N_("The entry is empty. Write something before saving.")
    ENTRY_TOO_LONG = N_("The entry is too long ({size} characters; at most {maximum}).")
    TEXT_NOT_UNICODE = N_("The text holds characters that are not valid UTF-8, so it cannot be saved. Type or paste "
                          "it again.")
    ARGUMENT_NOT_UNICODE = N_("{argument} is not valid UTF-8 text. Set the terminal to UTF-8 and try again.")
    INPUT_NOT_UNICODE = N_("What came in on stdin is not valid UTF-8 text. Save it as UTF-8 and try again.")
    PASSPHRASE_NOT_UNICODE = N_("The passphrase is not valid UTF-8 text. Set the terminal to UTF-8 and type it "
                                "again.")
    UNKNOWN_PROMPT = N_("Unknown prompt: {prompt_id}.")
    UNKNOWN_TAG = N_("Unknown tag: {tag}. Choose from: {choices}.")
    UNKNOWN_THEME = N_("Unknown theme: {theme}. Choose from: {choices}.")
    UNKNOWN_TOOLKIT = N_("Unknown toolkit section: {section}. Choose from: {choices}.")
    UNKNOWN_FORMAT = N_("Unknown format: {format}. Choose from: {choices}.")
    NOTHING_TO_UNDO = N_("There is nothing to undo for that entry.")
    IMPORT_BAD_FILE = N_("Cannot import {path}: {detail}")
    CONFIG_INVALID = N_("The deployment profile {path} is not valid:\n{detail}")
    UNLOCK_WAIT = N_("After several tries that did not open the journal, Kraft waits a little before the next. "
                     "Try again in {wait}.")
    WEB_NOT_LOOPBACK = N_("Kraft serves its web client only on this device (127.0.0.1), not on {host}: anyone who "
                          "can reach that address would open the same journal. To allow it anyway, start Kraft "
                          "with KRAFT_WEB_ALLOW_REMOTE=1.")
    WEB_PORT_INVALID = N_("The web client's port must be a number from 1 to 65535, not {port}.")
    WEB_CANNOT_LISTEN = N_("Kraft cannot serve its web client on {host}, port {port}: {detail}. Choose another "
                           "address or port (flet.toml's [web], or FLET_SERVER_IP and FLET_SERVER_PORT).")
    CONFIG_UNREADABLE = N_("The deployment profile {path} cannot be read: {detail}")
    AUTOLOCK_RANGE = N_("Auto-lock must be between {minimum} and {maximum} minutes.")
    PASSPHRASE_MISSING = N_("No passphrase given. Use --passphrase-stdin or set KRAFT_PASSPHRASE.")
    NEW_PASSPHRASE_MISSING = N_("No new passphrase given. Use --passphrase-stdin or set KRAFT_NEW_PASSPHRASE.")
    RECOVERY_CODE_MISSING = N_("No recovery code given. Use --passphrase-stdin or set KRAFT_RECOVERY_CODE.")
    RECOVERY_CODE_UNCONFIRMED = N_("The recovery code was not typed back, so no journal was created.")
    REKEY_CODE_UNCONFIRMED = N_("The new recovery code was not typed back, so nothing was changed. Your "
                                "passphrase and recovery code are as before.")
    ENTRY_AMBIGUOUS = N_("More than one entry starts with {entry_id}. Give more of the id.")
    NOTHING_TO_EDIT = N_("Nothing to change. Give new text, tags or a theme.")
    HOME_NOT_FOLDER = N_("Kraft keeps its data in {path}, but that is a file, not a folder. Point KRAFT_HOME at a "
                         "folder (or unset it).")
    HOME_UNUSABLE = N_("Kraft cannot make its data folder {path}: {detail}. Check KRAFT_HOME.")
    FILE_UNWRITABLE = N_("Cannot write {path}: {detail}")


    SCHEDULE_INVALID = N_("That schedule does not work: {detail}.")
    MEETING_SIZE_INVALID = N_("A meeting's round is for {minimum} to {maximum} people.")
    ROUND_ENDED = N_("Everyone has had their turn in the round. Go on to the theme.")
    THEME_CHOICE_MISSING = N_("Choose a theme from the list, or write the group's own words: one of the two.")
    THEME_UNKNOWN = N_("There is no theme {theme} in the list. See them with kraft theme list.")
    THEME_POLL_FULL = N_("This meeting already has {maximum} proposed themes. Vote for one of them.")
    THEME_CHOICE_UNKNOWN = N_("Nobody has proposed that theme for this meeting yet. Propose it first.")
    THEMES_NEED_JOURNAL = N_("A group's themes are kept only in an encrypted journal. Create one first.")
    CHOICE_INVALID = N_("{value} is not one of the answers. Choose from: {choices}.")
    COURSE_NOT_OVER = N_("The course is not over yet: this question comes after its last meeting has begun.")
    ROUND_SCORE_INVALID = N_("Give {what} as a whole number from 1 to 5.")
    ROUND_FACTOR_UNKNOWN = N_("Unknown recovery factor: {factor}. Choose from: {choices}.")
    TEXT_TOO_LONG = N_("Keep it shorter: at most {maximum}.")
    PHONE_INVALID = N_("{phone} is not a phone number. Write it with digits, and + for another country.")
    NO_NEXT_MEETING = N_("This group has no meeting coming. Name one with --meeting (kraft group show lists them).")
    THEME_TEXT_INVALID = N_("Write the theme in a few words on one line (1 to {maximum} characters).")
    GROUP_NOT_FOUND = N_("No group with id {group_id}.")
    GROUP_LABEL_INVALID = N_("Give the group a short name of your own (1 to {maximum} characters).")
    GROUP_DETAILS_NEED_VAULT = N_("Theme, place and link are kept only in an encrypted journal. Create one first.")
    GROUP_AMBIGUOUS = N_("More than one group starts with {group_id}. Give more of the id.")
    MEETING_NOT_FOUND = N_("This group has no meeting with id {meeting_id}. See the ids with kraft group show.")
    BACKUP_UNREADABLE = N_("This backup cannot be opened: {detail}.")
    BACKUP_WRONG_PASSPHRASE = N_("That passphrase does not open this backup. Use the one you had when the backup "
                                 "was made, or your recovery code.")
    BACKUP_WRONG_RECOVERY_CODE = N_("That recovery code does not open this backup. Check what you wrote down.")
    BACKUP_NEWER = N_("This backup was made by a newer version of Kraft (format {found}). Update the app.")
    RESTORE_WOULD_REPLACE = N_("There is already a journal or group on this device. Restoring replaces it; "
                               "confirm to go on (a safety copy of it is kept).")
    CHECKIN_NEEDS_UNLOCK = N_("Unlock your journal to check in: your check-ins are kept encrypted in it.")
    CHECKIN_STATUS_UNKNOWN = N_("Unknown check-in {status}: use attended or cant_come.")
    CHECKIN_CANCELLED = N_("That meeting is cancelled, so there is nothing to check in to.")
    CHECKIN_NOT_YET = N_("That meeting has not begun yet. Say “I was there” once it has.")
    CHECKIN_TOO_LATE = N_("That meeting has already begun. “I can't come” is for meetings still ahead.")
    CHECKIN_HISTORY_ALONE = N_("--history lists every meeting: it goes without --undo and --meeting.")
    CHECKIN_NO_MEETING = N_("No meeting of this group fits. Name one with --meeting (kraft group show lists them).")
    REMINDER_TIMES_INVALID = N_("Choose at most {maximum} different reminder times from the list.")
    REMINDER_HOMEWORK_DAYS_INVALID = N_("The homework reminder comes 1, 2 or 3 days before the meeting, or not at all.")
    QUIET_HOURS_INVALID = N_("Quiet hours need a start and an end that differ, or none at all.")
    WAL_DAMAGED = N_("The journal's latest changes (the file kraft.db-wal) are damaged: {detail}. Opening it now "
                     "would lose them without a trace, so Kraft has changed nothing. Restore a backup, or keep "
                     "the folder as it is and ask for help.")
    DISK_FULL = N_("There is no room left on this device to save this. What was saved before is safe; free some "
                   "space and try again.")
    DISK_FULL_OPEN = N_("There is no room left on this device, so the journal cannot be opened. Nothing is lost; "
                        "free some space and try again.")
    DATABASE_BUSY = N_("The journal is busy in another window of Kraft. Try again in a moment.")
    STORAGE_FAILED = N_("The journal could not be written or read: {detail}. What was saved before is safe.")
    HOMEWORK_NEEDS_JOURNAL = N_("The homework is kept only in an encrypted journal. Create one first.")
    HOMEWORK_MISSING = N_("Choose one of the prompts, or write the homework in the group's own words: one of "
                          "the two.")
    HOMEWORK_TOO_LONG = N_("Keep the homework short: at most {maximum} characters.")
    NO_CURRENT_HOMEWORK = N_("This group has no homework to answer just now.")
    RELAY_URL_INVALID = N_("{url} is not a relay address. It starts with https:// (http:// only on this device).")
    RELAY_UNREACHABLE = N_("The relay {relay} cannot be reached just now. Kraft keeps what is not sent yet and "
                           "sends it as soon as the relay answers.")
    RELAY_REFUSED = N_("The relay refused this: {detail}.")
    RELAY_ENROLMENT_MISSING = N_("To start a group on a relay, enter the enrolment code your coordinator gave you.")
    INVITE_DAMAGED = N_("This invite is damaged or incomplete. Ask the leader for the link or the code again.")
    INVITE_FORGED = N_("This invite was not signed by the group's leader, so Kraft will not join it. Ask the "
                       "leader in person for a new one.")
    INVITE_EXPIRED = N_("This invite expired on {day}. Ask the leader for a new one.")
    INVITE_NEWER = N_("This invite was made by a newer version of Kraft. Update the app, then open it again.")
    INVITE_OUTDATED = N_("This invite is out of date: the group has new keys since. Ask the leader for a new one.")
    INVITE_LINK_UNKNOWN = N_("This invite is not on the relay yet, or it has expired. Ask the leader to check that "
                             "their phone is online, then open the link again.")
    INVITE_SHORT_NEEDS_RELAY = N_("A short link needs a relay to keep the invite, and this group has none. Use "
                                  "the whole link instead.")
    INVITE_DAYS_INVALID = N_("An invite lasts from 1 to {maximum} days.")
    JOIN_CODE_INVALID = N_("A join code has 10 letters and digits, like ABCDE-12345. Check what you typed.")
    JOIN_CODE_UNKNOWN = N_("No group has this join code, or it has expired. Check it, or ask the leader for a new "
                           "one.")
    JOIN_CODE_NEEDS_RELAY = N_("Join codes go through a relay, and none is set up. Use the invite link instead.")
    ALREADY_IN_GROUP = N_("You are already in this group.")
    LEADER_NEEDS_JOURNAL = N_("A leader's keys are kept in an encrypted journal. Create one and open it first.")
    NOT_LEADER = N_("Only the group's leader can do this.")
    GROUP_NOT_LINKED = N_("This group is not connected to a leader (it was added by hand).")
    NAME_TOO_LONG = N_("Keep the name short: at most {maximum} characters.")
    MEMBER_NOT_FOUND = N_("No member with id {member_id} in this group.")
    NEEDS_RELAY = N_("This goes through the region's relay, and none is set up for this group.")
    HEAD_COUNT_INVALID = N_("A head count is a whole number from 0 to {maximum}.")
    # ---- the group layer, version 2 (docs/adr/0006-group-protocol-v2.md) ----
    NOT_HOST = N_("Only a host of the group can do this.")
    NOT_ADMITTED_YET = N_("A host has not let you in yet. Compare the check code with them when you meet.")
    CHANGE_REFUSED = N_("The group's rules do not allow this change ({reason}).")
    LAST_HOST = N_("You are the group's last host. Name another host first, or let every member host.")
    REQUEST_NOT_FOUND = N_("Nobody with this request is waiting to join.")
    INVITE_USES_INVALID = N_("An invite lets in from 1 to {maximum} people.")
    VOTES_MISSING = N_("The group is closed: a newcomer comes in when more than half of the members said yes "
                       "({yes} of {members} so far).")
    RESTORED_READ_FIRST = N_("This group was restored from a backup and has not been read since. Check for news "
                             "first, then try again.")
    STARTER_GONE = N_("The starter has left the group and cannot be reached through it.")
    ALREADY_UPGRADED = N_("This group already uses the new group version.")
    UPGRADE_ENROLMENT_MISSING = N_("The upgraded group gets a new mailbox on the relay: enter an enrolment code "
                                   "from your coordinator.")
    CONTACT_EMPTY = N_("Write a few words to the starter first.")
    CONTACT_TOO_LONG = N_("Keep the message short: at most {maximum} characters.")
    COORDINATOR_TOKEN_MISSING = N_("Enter the relay address and the coordinator token your region gave you.")
    NO_REGION_KEY = N_("This app has no list of groups for your region yet: the region's profile names no region "
                       "key.")
    NO_RELAY = N_("This app has no relay address, so it cannot fetch anything.")
    CATALOGUE_NONE = N_("Your region has not published a list of groups yet.")
    CATALOGUE_FORGED = N_("The list of groups the relay sent is not signed by your region, so it is not shown.")
    CATALOGUE_BUSY = N_("Someone else changed the list of groups at the same moment. Try again.")
    CATALOGUE_ENTRY_UNKNOWN = N_("The list has no group {entry}.")
    CATALOGUE_FULL = N_("The list of groups is full. Remove one first.")
    CATALOGUE_FIELD = N_("{field}: {problem}")
    REGION_KEY_EXISTS = N_("This journal already holds a region key. A new one would need a new profile for every "
                           "app in the region.")
    REGION_KEY_MISSING = N_("This journal holds no region key. Make one first: kraft coordinator key new.")
    INTEREST_NEEDS_JOURNAL = N_("Your interest, your contact and the way to take it back are kept in your encrypted "
                                "journal. Create one first; it takes a minute.")
    INTEREST_EXISTS = N_("You have already said you are interested in this group.")
    INTEREST_UNKNOWN = N_("You have not said you are interested in {entry}.")
    CONTACT_INVALID = N_("Give a phone number or an e-mail address (one line, at most {maximum} characters), or "
                         "leave it empty: then the reply comes in the app.")
    INVITE_MISSING = N_("Give the invite the starter made for the group (kraft lead invite).")


@dataclass(frozen=True)
class WaitTime:
    """A wait as people say it, in the language showing the error: seconds under a minute, else minutes
    (rounded up, so the member is never asked to come back too early)."""

    seconds: int

    def text(self, lang: Language) -> str:
        if self.seconds < 60:
            return lang.ngettext("{n} second", "{n} seconds", self.seconds).format(n=self.seconds)
        minutes = -(-self.seconds // 60)
        return lang.ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


class KraftError(Exception):
    """An error with a message a person can act on."""

    def __init__(self, msg: Msg, **params: Any) -> None:
        super().__init__(msg.name)
        self.msg = msg
        self.params = params

    def text(self, lang: Language) -> str:
        """The message in `lang`, its parameters filled in."""
        params = {k: v.text(lang) if isinstance(v, WaitTime) else v for k, v in self.params.items()}
        return lang.gettext(self.msg.value).format(**params)

    def __str__(self) -> str:
        """The message in the current context's language (the session or CLI run showing it)."""
        return self.text(current())

    @property
    def passing(self) -> bool:
        """Trouble with this device's journal (busy, full, failing, locked meanwhile), not with what was being
        done: the same thing may well work a moment later, so whatever came to be saved is kept for then."""
        return self.msg in PASSING


PASSING = frozenset({Msg.DATABASE_BUSY, Msg.DISK_FULL, Msg.STORAGE_FAILED, Msg.VAULT_LOCKED})
