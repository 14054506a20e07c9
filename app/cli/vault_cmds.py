"""`kraft init` and `kraft passphrase ...`: creating the vault and changing how it is unlocked."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from app.cli.commands import top_help
from app.cli.console import ENV_PASSPHRASE, Secrets, ask, err, interactive, open_context, out, read_line
from app.errors import KraftError, Msg
from app.fileio import write_new
from app.i18n import _
from app.services.vault_service import PendingSetup, VaultService, check_new_passphrase

CONFIRM_ATTEMPTS = 3


def _confirm_on_stdout(code: str, finish: Callable[[str], object], unconfirmed: Msg) -> None:
    """Print the code alone on stdout, then read it back: from the terminal, or as the next stdin line.
    `finish(typed)` writes what waits for the code (the new vault, or a re-key)."""
    err(_("Your recovery code follows. It is shown only this once. Write it down and keep it away from this "
          "device: it opens your journal if you forget the passphrase."))
    out(code)
    sys.stdout.flush()  # a script driving kraft through pipes must see the code before it answers
    attempts = CONFIRM_ATTEMPTS if interactive() else 1
    for attempt in range(1, attempts + 1):
        typed = ask(_("Type the recovery code to confirm you saved it: ")) if interactive() else read_line()
        if typed is None or not typed.strip():
            raise KraftError(unconfirmed)
        try:
            finish(typed)
            return
        except KraftError as exc:
            if exc.msg is not Msg.RECOVERY_CODE_MISMATCH or attempt == attempts:
                raise
            err(str(exc))


def _confirm_to_file(service: VaultService, pending: PendingSetup, path: Path) -> None:
    """Save the code to a new owner-only file first; the vault is written only once the file is on disk."""
    try:
        write_new(path, (pending.recovery_code + "\n").encode("ascii"))
    except FileExistsError as exc:
        raise KraftError(Msg.FILE_UNWRITABLE, path=str(path), detail=_("the file already exists")) from exc
    except OSError as exc:
        raise KraftError(Msg.FILE_UNWRITABLE, path=str(path), detail=exc.strerror or str(exc)) from exc
    try:
        service.finish_setup(pending, path.read_text(encoding="ascii"))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)  # no journal was created: the code opens nothing
        raise
    err(_("The recovery code is in {path}, readable only by you. Move it somewhere safe, away from this "
          "device (a password manager, or on paper), then delete the file.").format(path=path))


def cmd_init(args: argparse.Namespace) -> int:
    secrets = Secrets(args.passphrase_stdin)
    with open_context(unlock=False) as ctx:
        service = ctx.vault_service
        if service.has_vault():
            raise KraftError(Msg.VAULT_EXISTS)
        passphrase, repeat = secrets.new_passphrase(ENV_PASSPHRASE, Msg.PASSPHRASE_MISSING)
        check_new_passphrase(passphrase, repeat)  # before the slow key derivation
        pending = service.prepare_setup(passphrase, repeat)
        if args.recovery_code_file is not None:
            _confirm_to_file(service, pending, args.recovery_code_file)
        else:
            _confirm_on_stdout(pending.recovery_code, lambda typed: service.finish_setup(pending, typed),
                               Msg.RECOVERY_CODE_UNCONFIRMED)
    err(_("Your journal is ready in {home}.").format(home=ctx.home))
    return 0


def cmd_change(args: argparse.Namespace) -> int:
    secrets = Secrets(args.passphrase_stdin)
    with open_context(unlock=False) as ctx:
        if not ctx.has_vault():
            raise KraftError(Msg.NO_VAULT)
        current = secrets.passphrase()
        new, repeat = secrets.new_passphrase()
        if args.rekey:
            _rekey(ctx.vault_service, current, new, repeat)
            out(_("Passphrase changed and the journal re-keyed. Old copies and backups open nothing written from "
                  "now on, and the old passphrase and recovery code no longer open this journal."))
            return 0
        ctx.vault_service.change_passphrase(current, new, repeat)
    out(_("Passphrase changed. Old copies of the journal and backups still open with the old passphrase. If "
          "someone may have one, use 'kraft passphrase change --rekey' as well."))
    return 0


def _rekey(service: VaultService, current: str, new: str, repeat: str | None) -> None:
    """Check the passphrase, show the new code, and re-key once it comes back (progress on a terminal)."""
    check_new_passphrase(new, repeat)  # before the slow key derivation
    pending = service.prepare_rekey(current, new, repeat)

    def show(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write("\r" + _("Re-encrypting: {percent} %").format(percent=done * 100 // max(total, 1)))
            sys.stderr.flush()

    def finish(typed: str) -> None:
        service.finish_rekey(pending, typed, progress=show)
        if sys.stderr.isatty():
            sys.stderr.write("\n")

    _confirm_on_stdout(pending.recovery_code, finish, Msg.REKEY_CODE_UNCONFIRMED)


def cmd_recover(args: argparse.Namespace) -> int:
    secrets = Secrets(args.passphrase_stdin)
    with open_context(unlock=False) as ctx:
        if not ctx.has_vault():
            raise KraftError(Msg.NO_VAULT)
        code = secrets.recovery_code()
        new, repeat = secrets.new_passphrase()
        check_new_passphrase(new, repeat)
        ctx.vault_service.recover(code, new, repeat)
    out(_("New passphrase set. The recovery code still works: keep it safe."))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    stdin_help = _("read the secrets from stdin, one per line (see above), instead of a prompt")

    p = commands.add_parser(
        "init", help=top_help("init"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_(
            "Create the encrypted journal and its recovery code.\n\n"
            "The passphrase comes from the first line of stdin (--passphrase-stdin), else KRAFT_PASSPHRASE,\n"
            "else a prompt (asked twice). The recovery code is then printed alone on stdout, once, and the\n"
            "journal is written only after the code is typed back: at the prompt on a terminal, otherwise\n"
            "as the next line of stdin (a script reads the code from stdout and writes it back). Nothing is\n"
            "written if the code does not come back.\n\n"
            "For unattended scripts, --recovery-code-file FILE saves the code to a new file readable only\n"
            "by you instead; the journal is written once that file is safely on disk."))
    p.add_argument("--passphrase-stdin", action="store_true", help=stdin_help)
    p.add_argument("--recovery-code-file", type=Path, metavar="FILE",
                   help=_("save the recovery code to FILE (must not exist) instead of typing it back"))
    p.set_defaults(func=cmd_init)

    passphrase = commands.add_parser("passphrase", help=top_help("passphrase"))
    sub = passphrase.add_subparsers(dest="passphrase_command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "change", help=_("change the passphrase (with --rekey: re-encrypt everything under a new key)"),
        description=_("Change the passphrase. With --passphrase-stdin the first line of stdin is the current "
                      "passphrase and the second the new one; otherwise KRAFT_PASSPHRASE and "
                      "KRAFT_NEW_PASSPHRASE, else prompts. A plain change is quick, but old copies and "
                      "backups still open with the old passphrase. --rekey also makes a new key and a new "
                      "recovery code, printed alone on stdout and typed back as at init (the next line of "
                      "stdin); nothing changes until it comes back."))
    p.add_argument("--passphrase-stdin", action="store_true", help=stdin_help)
    p.add_argument("--rekey", action="store_true",
                   help=_("re-encrypt every record under a new key, with a new recovery code"))
    p.set_defaults(func=cmd_change)

    p = sub.add_parser(
        "recover", help=_("forgot the passphrase: set a new one with the recovery code"),
        description=_("Set a new passphrase with the recovery code. With --passphrase-stdin the first line "
                      "of stdin is the recovery code and the second the new passphrase; otherwise "
                      "KRAFT_RECOVERY_CODE and KRAFT_NEW_PASSPHRASE, else prompts."))
    p.add_argument("--passphrase-stdin", action="store_true", help=stdin_help)
    p.set_defaults(func=cmd_recover)
