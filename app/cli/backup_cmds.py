"""`kraft backup create|verify|restore`: an encrypted copy of everything on this device, and getting it back."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.commands import top_help
from app.cli.console import Secrets, err, open_context, out, print_json
from app.i18n import _, ngettext
from app.services.backup import BackupReport, create_backup, default_name, restore_backup, verify_backup
from app.services.vault_service import PASSPHRASE, RECOVERY


def _data(report: BackupReport) -> dict[str, object]:
    return {"created": report.created.isoformat(), "entries": report.entries, "records": report.records,
            "damaged": report.damaged, "groups": report.groups}


def _say(report: BackupReport) -> None:
    out(ngettext("{n} journal entry", "{n} journal entries", report.entries).format(n=report.entries) + ", "
        + ngettext("{n} group", "{n} groups", report.groups).format(n=report.groups) + ".")
    if report.damaged:
        err(ngettext("Warning: {count} damaged record in the backup cannot be opened.",
                     "Warning: {count} damaged records in the backup cannot be opened.",
                     report.damaged).format(count=report.damaged))


def _secret(args: argparse.Namespace) -> tuple[str, str]:
    secrets = Secrets(args.passphrase_stdin)
    if args.recovery_code:
        return secrets.recovery_code(), RECOVERY
    return secrets.passphrase(), PASSPHRASE


def cmd_create(args: argparse.Namespace) -> int:
    dest: Path = args.file or Path(default_name())
    with open_context(Secrets(args.passphrase_stdin), unlock=True) as ctx:
        report = create_backup(ctx.vault_service, dest)
    if args.json:
        print_json({"file": str(dest), **_data(report)})
        return 0
    out(_("Backup written to {path} and read back.").format(path=dest))
    _say(report)
    err(_("It opens with today's passphrase or your recovery code. Keep it somewhere other than this device."))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    secret, kind = _secret(args)
    report = verify_backup(args.file, secret, kind=kind)
    if args.json:
        print_json(_data(report))
        return 0
    out(_("The backup from {date} opens, and every record in it was checked.").format(
        date=report.created.isoformat()))
    _say(report)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    secret, kind = _secret(args)
    with open_context(unlock=False) as ctx:
        home = ctx.home  # nothing is opened: the restore replaces the database file
    result = restore_backup(home, args.file, secret, kind=kind, replace=args.replace)
    if args.json:
        print_json({**_data(result.report), "safety_copies": [str(p) for p in result.safety_copies]})
        return 0
    out(_("Restored the backup from {date}.").format(date=result.report.created.isoformat()))
    _say(result.report)
    for copy in result.safety_copies:
        err(_("What was here before is kept in {path}.").format(path=copy))
    err(_("Unlock with the passphrase you had when the backup was made, or with your recovery code."))
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup", help=top_help("backup"),
        description=_("One encrypted file with your journal, groups and settings. It opens with the passphrase "
                      "of the day it was made or with your recovery code, on any device."))
    sub = backup.add_subparsers(dest="backup_command", metavar="COMMAND", required=True)
    json_help = _("print JSON (stable keys) instead of text")
    code_help = _("open it with the recovery code instead of the passphrase (KRAFT_RECOVERY_CODE, or stdin)")

    p = sub.add_parser("create", parents=[unlock], help=_("write a backup file (the journal is unlocked)"))
    p.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help=_("where to write it (default: kraft-backup-DATE.kraftbackup here)"))
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_create)

    for name, func, summary in (
            ("verify", cmd_verify, _("check that a backup opens and every record in it is whole; changes nothing")),
            ("restore", cmd_restore, _("make a backup the data on this device"))):
        p = sub.add_parser(name, parents=[unlock], help=summary, description=summary)
        p.add_argument("file", type=Path, metavar="FILE", help=_("the backup file"))
        p.add_argument("--recovery-code", action="store_true", help=code_help)
        p.add_argument("--json", action="store_true", help=json_help)
        p.set_defaults(func=func)
        if name == "restore":
            p.add_argument("--replace", action="store_true",
                           help=_("replace the journal and groups on this device (they are kept as a safety copy)"))
