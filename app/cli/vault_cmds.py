"""`kraft init` and `kraft passphrase ...`: creating the vault and changing how it is unlocked."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from app.cli.console import ENV_PASSPHRASE, Secrets, ask, err, interactive, open_context, out, read_line
from app.errors import KraftError, Msg
from app.fileio import write_new
from app.i18n import _
from app.services.vault_service import PendingSetup, VaultService, check_new_passphrase

CONFIRM_ATTEMPTS = 3


def _confirm_on_stdout(service: VaultService, pending: PendingSetup) -> None:
    """Print the code alone on stdout, then read it back: from the terminal, or as the next stdin line."""
    err(_("Your recovery code follows. It is shown only this once. Write it down and keep it away from this "
          "device: it opens your journal if you forget the passphrase."))
    out(pending.recovery_code)
    sys.stdout.flush()  # a script driving kraft through pipes must see the code before it answers
    attempts = CONFIRM_ATTEMPTS if interactive() else 1
    for attempt in range(1, attempts + 1):
        typed = ask(_("Type the recovery code to confirm you saved it: ")) if interactive() else read_line()
        if typed is None or not typed.strip():
            raise KraftError(Msg.RECOVERY_CODE_UNCONFIRMED)
        try:
            service.finish_setup(pending, typed)
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
            _confirm_on_stdout(service, pending)
    err(_("Your journal is ready in {home}.").format(home=ctx.home))
    return 0


def cmd_change(args: argparse.Namespace) -> int:
    secrets = Secrets(args.passphrase_stdin)
    with open_context(unlock=False) as ctx:
        if not ctx.has_vault():
            raise KraftError(Msg.NO_VAULT)
        current = secrets.passphrase()
        new, repeat = secrets.new_passphrase()
        ctx.vault_service.change_passphrase(current, new, repeat)
    out(_("Passphrase changed. The old passphrase no longer opens the journal."))
    return 0


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
        "init", help=_("create the encrypted journal"),
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

    passphrase = commands.add_parser("passphrase", help=_("change the passphrase, or set a new one with the "
                                                          "recovery code"))
    sub = passphrase.add_subparsers(dest="passphrase_command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "change", help=_("change the passphrase (no entry is re-encrypted)"),
        description=_("Change the passphrase. With --passphrase-stdin the first line of stdin is the current "
                      "passphrase and the second the new one; otherwise KRAFT_PASSPHRASE and "
                      "KRAFT_NEW_PASSPHRASE, else prompts."))
    p.add_argument("--passphrase-stdin", action="store_true", help=stdin_help)
    p.set_defaults(func=cmd_change)

    p = sub.add_parser(
        "recover", help=_("forgot the passphrase: set a new one with the recovery code"),
        description=_("Set a new passphrase with the recovery code. With --passphrase-stdin the first line "
                      "of stdin is the recovery code and the second the new passphrase; otherwise "
                      "KRAFT_RECOVERY_CODE and KRAFT_NEW_PASSPHRASE, else prompts."))
    p.add_argument("--passphrase-stdin", action="store_true", help=stdin_help)
    p.set_defaults(func=cmd_recover)
