"""What every `kraft` command shares: where secrets come from, reading stdin, printing, opening the data.

Every command opens the member's data one way, `open_context` (an AppContext, docs/adr/0007-app-layout.md);
the CLI never reaches the storage layer itself.

Secrets never come from a command-line argument (other users can read those in the process list). A secret
comes from, in this order: stdin lines with `--passphrase-stdin`, an environment variable, or an
interactive prompt (getpass) when stdin is a terminal. Otherwise the command stops with a clear message.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.domain.text import is_unicode
from app.errors import KraftError, Msg
from app.i18n import _, ngettext

if TYPE_CHECKING:  # loaded when a command opens the data: `kraft --help` needs none of it (ADR 0013)
    from app.services.context import AppContext
    from app.services.journal import Journal

ENV_PASSPHRASE = "KRAFT_PASSPHRASE"  # noqa: S105 (the name of a variable, not a secret)
ENV_NEW_PASSPHRASE = "KRAFT_NEW_PASSPHRASE"  # noqa: S105
ENV_RECOVERY_CODE = "KRAFT_RECOVERY_CODE"


def new_context() -> AppContext:
    """The member's data directory, nothing opened yet (tests replace this to use cheap KDF parameters)."""
    from app.services.context import AppContext

    return AppContext.open()


def interactive() -> bool:
    return sys.stdin.isatty()


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def err(text: str) -> None:
    print(text, file=sys.stderr)


def print_json(data: Any) -> None:
    """Machine-readable output: stable keys, UTF-8 text as is, one document per command."""
    out(json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def _decoded() -> Iterator[None]:
    """Stdin that is not UTF-8 is a message, not a UnicodeDecodeError."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise KraftError(Msg.INPUT_NOT_UNICODE) from exc


_unread: list[str | KraftError] = []  # what reading ahead got (app/cli/ahead.py), given first


def unread(line: str | KraftError) -> None:
    """Hand back a line read ahead, or the error reading it raised: the next `read_line` returns or raises it."""
    _unread.append(line)


def forget_unread() -> None:
    """The command is over: nothing read ahead is left for the next one (tests run many in one process)."""
    _unread.clear()


def read_line() -> str | None:
    """One line of stdin without its line ending; None at end of input."""
    if _unread:
        got = _unread.pop(0)
        if isinstance(got, KraftError):
            raise got
        return got
    with _decoded():
        line = sys.stdin.readline()
    if not line:
        return None
    return line.removesuffix("\n").removesuffix("\r")


def read_rest(hint: str | None = None, *, limit: int = -1) -> str:
    """Everything left on stdin, or its first `limit` characters; on a terminal the `hint` says how to finish."""
    if hint and interactive():
        err(hint)
    with _decoded():
        return sys.stdin.read(limit)


def ask(prompt: str) -> str | None:
    """A visible question on the terminal (the prompt goes to stderr so stdout stays clean)."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    return read_line()


def ask_secret(prompt: str) -> str | None:
    try:
        return getpass.getpass(prompt)
    except EOFError:
        return None


def _unicode(secret: str) -> str:
    """A secret that is not valid UTF-8 (a terminal or variable in another encoding) is refused before it is
    tried, so it neither fails deep in the KDF nor counts as a wrong passphrase."""
    if not is_unicode(secret):
        raise KraftError(Msg.PASSPHRASE_NOT_UNICODE)
    return secret


@dataclass
class Secrets:
    """Where this command's secrets come from: stdin lines (in order) or the environment or a prompt."""

    from_stdin: bool

    def _get(self, env: str, prompt: str, missing: Msg, *, repeat: str | None = None) -> tuple[str, str | None]:
        if self.from_stdin:
            value = read_line()
            if value is None:
                raise KraftError(missing)
            return value, None
        value = os.environ.get(env)
        if value:
            return value, None
        if not interactive():
            raise KraftError(missing)
        value = ask_secret(prompt)
        if value is None:
            raise KraftError(missing)
        again = ask_secret(repeat) if repeat else None
        return value, again

    def passphrase(self) -> str:
        return _unicode(self._get(ENV_PASSPHRASE, _("Passphrase: "), Msg.PASSPHRASE_MISSING)[0])

    def new_passphrase(self, env: str = ENV_NEW_PASSPHRASE, missing: Msg = Msg.NEW_PASSPHRASE_MISSING,
                       ) -> tuple[str, str | None]:
        """A passphrase to set, with its repetition when it was typed at a prompt."""
        value, again = self._get(env, _("New passphrase: "), missing, repeat=_("Repeat the new passphrase: "))
        return _unicode(value), again if again is None else _unicode(again)

    def recovery_code(self) -> str:
        return self._get(ENV_RECOVERY_CODE, _("Recovery code: "), Msg.RECOVERY_CODE_MISSING)[0]


@dataclass
class _Known(Secrets):
    """The passphrase, once read (the fast way to read the journal read it, then left the opening to the vault)."""

    known: str = ""

    def passphrase(self) -> str:
        return self.known


@contextmanager
def open_context(secrets: Secrets | None = None, *, unlock: bool, if_vault: bool = False,
                 no_vault: Msg = Msg.NO_VAULT, read_only: bool = False, kek: bytes | None = None,
                 ) -> Iterator[AppContext]:
    """The member's data for one command; always locks, purges and checkpoints on the way out.

    `unlock`: open the journal with the passphrase from `secrets` (`no_vault` is the error when there is
    none); with `if_vault` only when there is one, so a member without a journal needs no passphrase.
    Without `unlock` the vault stays locked (plaintext schedules; sealed records can only be discarded).
    `read_only`: the command only looks, so where there is no data yet none is made (no folder, no database).
    `kek`: the passphrase's key, derived after its try was counted (`read_journal`): the vault goes on from it.

    Example:
        with open_context(Secrets(args.passphrase_stdin), unlock=True) as ctx:
            ctx.journal.add("text")
    """
    ctx = new_context()
    ctx.vault_service.read_only = read_only
    try:
        if unlock and not (if_vault and not ctx.has_vault()):
            if not ctx.has_vault():
                raise KraftError(no_vault)
            if secrets is None:
                raise KraftError(Msg.PASSPHRASE_MISSING)
            service = ctx.vault_service
            journal = service.unlock_with_kek(kek) if kek is not None else service.unlock(secrets.passphrase())
            damaged = len(journal.damaged)
            if damaged:
                err(ngettext("Warning: {count} damaged record was skipped; the rest of the journal is fine.",
                             "Warning: {count} damaged records were skipped; the rest of the journal is fine.",
                             damaged).format(count=damaged))
            report = ctx.vault_service.integrity
            if report is not None and not report.ok:  # told, never acted on (docs/adr/0011-rollback.md)
                from app.services import integrity

                err(_("Warning: {title}.").format(title=integrity.title()))
                for line in integrity.lines(report):
                    err(f"  {line}")
            ctx = ctx.refreshed()
        yield ctx
    finally:
        _close(ctx)


def _close(ctx: AppContext) -> None:
    """Lock and close; a failure now comes after the command's work was committed, so it is a warning that
    says so, never an error (a retry would make a duplicate). An error of the command itself still ends it."""
    try:
        ctx.close()
    except KraftError as exc:
        problem: KraftError | None = exc
    else:
        problem = ctx.vault_service.close_problem
    if problem is not None:
        _warn_unclean(problem)


def _warn_unclean(problem: KraftError) -> None:
    if problem.msg is Msg.DISK_FULL:
        err(_("Warning: this device is almost full. What was saved is safe, but Kraft could not tidy up its "
              "files; free some space soon."))
    else:
        err(_("Warning: what was saved is safe, but the journal did not close cleanly: {problem}").format(
            problem=problem))


@contextmanager
def open_journal(secrets: Secrets) -> Iterator[Journal]:
    """Unlock the journal for one command; always locks, purges and checkpoints on the way out."""
    with open_context(secrets, unlock=True) as ctx:
        yield ctx.journal


@contextmanager
def read_journal(secrets: Secrets) -> Iterator[Journal]:
    """The journal for a command that only reads it (list, show, search): opened without SQLAlchemy where its
    opening has nothing to write (app.services.reading, docs/adr/0018-reading-without-sqlalchemy.md), else as
    `open_journal` opens it, from the key already derived; the same errors and warnings either way."""
    from app import paths
    from app.cli import clock
    from app.services import reading

    try:
        database = paths.database_path(paths.data_dir(create=False))
    except KraftError:  # KRAFT_HOME is a file, say: the vault's way says so in its words
        database = None
    if database is None or not database.is_file():
        with open_journal(secrets) as journal:
            yield journal
        return
    asked: list[str] = []

    def passphrase() -> str:
        asked.append(secrets.passphrase())
        return asked[-1]

    got = reading.open_to_read(database, passphrase, clock=clock.now)
    if not isinstance(got, reading.Reading):
        kek = got.kek if got is not None else None
        with open_context(_Known(secrets.from_stdin, asked[0]) if asked else secrets, unlock=True, kek=kek) as ctx:
            yield ctx.journal
        return
    try:
        yield got.journal
    finally:
        problem = got.close()
        if problem is not None:
            _warn_unclean(problem)
