"""Start the passphrase's Argon2id before the command's module is imported (docs/adr/0015-kdf-ahead.md).

For a command that opens the journal with the passphrase from `--passphrase-stdin` or `KRAFT_PASSPHRASE`,
the key is derived on another thread while SQLAlchemy and the command load (app/services/unlock_ahead.py).
Nothing is imported for `--help` or for a command that reads another secret first; the service, which needs
`cryptography`, only once it is known that there is a journal to open.
"""

from __future__ import annotations

import os
import sys

from app import paths
from app.cli import console
from app.errors import KraftError

# The modules of the commands that open this journal with its passphrase before anything else. Not
# vault_cmds (init, change, recovery), backup_cmds (a backup has a passphrase of its own), coordinator_cmds.
PASSPHRASE_FIRST = frozenset({
    "journal_cmds", "group_cmds", "homework_cmds", "checkin_cmds", "lead_cmds", "attendance_cmds", "theme_cmds",
    "round_cmds", "course_cmds",
})


def start(argv: list[str], module: str | None) -> bool:
    """Begin the derivation for this command line if it will unlock with the passphrase; True if begun."""
    if module not in PASSPHRASE_FIRST or "--help" in argv or "-h" in argv:
        return False
    from_stdin = "--passphrase-stdin" in argv
    if not from_stdin and not os.environ.get(console.ENV_PASSPHRASE):
        return False
    try:
        home = paths.data_dir(create=False)
        if not paths.database_path(home).is_file():
            return False
    except (KraftError, OSError):  # KRAFT_HOME is a file, or unreadable: the command says so in its own words
        return False
    from app.services.unlock_ahead import Ahead

    slot = Ahead.for_home(home)
    if slot is None:
        return False
    if from_stdin:
        try:
            line = console.read_line()
        except KraftError as exc:  # not UTF-8: the command meets the same error where it reads
            console.unread(exc)
            return False
        if line is None:
            return False
        console.unread(line)
        secret = line
    else:
        secret = os.environ[console.ENV_PASSPHRASE]
    slot.begin(secret)
    return True


def stop() -> None:
    """The command is over: a key derived ahead and not taken is forgotten."""
    if "app.services.unlock_ahead" in sys.modules:
        from app.services.unlock_ahead import forget

        forget()
