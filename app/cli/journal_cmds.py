"""`kraft journal ...`: write, list, show, search, edit, delete, export and import entries."""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from pathlib import Path

from app.cli import render
from app.cli.commands import top_help
from app.cli.console import Secrets, ask, err, interactive, open_journal, out, print_json, read_journal, read_rest
from app.domain.journal import Entry
from app.domain.prompts import TAGS, THEMES
from app.errors import KraftError, Msg
from app.fileio import write_atomic
from app.i18n import _, current, ngettext
from app.services import transfer
from app.services.journal import Journal, no_hits_hint
from app.services.journal_import import import_entries
from app.services.transfer.common import MAX_IMPORT_BYTES, too_big

MIN_ID_PREFIX = 4


def positive(value: str) -> int:
    """An argparse type: a whole number of at least 1 (`--limit 0` used to show one entry)."""
    number = _whole(value)
    if number < 1:
        raise argparse.ArgumentTypeError(_("give a whole number of 1 or more, not {value}").format(value=value))
    return number


def not_negative(value: str) -> int:
    """An argparse type: a whole number of 0 or more."""
    number = _whole(value)
    if number < 0:
        raise argparse.ArgumentTypeError(_("give a whole number of 0 or more, not {value}").format(value=value))
    return number


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("give a whole number, not {value}").format(value=value)) from None


def resolve_id(journal: Journal, given: str) -> Entry:
    """An entry by its full id or a unique prefix of at least four characters (as `list` shows them)."""
    wanted = given.strip().lower()
    if len(wanted) < MIN_ID_PREFIX:
        raise KraftError(Msg.ENTRY_NOT_FOUND, entry_id=given)
    if len(wanted) >= 32:
        return journal.get(wanted)
    matches = [e for e in journal.live_entries() if e.id.startswith(wanted)]
    if len(matches) > 1:
        raise KraftError(Msg.ENTRY_AMBIGUOUS, entry_id=given)
    if not matches:
        raise KraftError(Msg.ENTRY_NOT_FOUND, entry_id=given)
    return matches[0]


def _text_from(words: list[str] | None) -> str:
    """Text from the arguments, or from stdin when there are none or the only one is `-`."""
    if words and words != ["-"]:
        return " ".join(words)
    text = read_rest(_("Write the entry, then press Ctrl-D on an empty line (Ctrl-Z, Enter on Windows)."))
    return text.rstrip("\r\n")  # the line end `echo` or an editor adds is not part of the entry


def cmd_add(args: argparse.Namespace) -> int:
    with open_journal(Secrets(args.passphrase_stdin)) as journal:
        entry = journal.add(_text_from(args.text), prompt_id=args.prompt, tags=args.tag or (),
                            theme=args.theme, lang=current())
    out(entry.id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with read_journal(Secrets(args.passphrase_stdin)) as journal:
        page = journal.page(offset=args.offset, limit=args.limit)
        if args.json:
            print_json({"total": page.total, "offset": page.offset, "limit": page.limit,
                        "entries": [transfer.entry_to_dict(e) for e in page.entries]})
            return 0
        render.print_entries(page.entries)
        if page.has_more:
            err(_("Showing {first}-{last} of {total}; see more with --offset {next}.").format(
                first=page.offset + 1, last=page.offset + len(page.entries), total=page.total,
                next=page.offset + len(page.entries)))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with read_journal(Secrets(args.passphrase_stdin)) as journal:
        entry = resolve_id(journal, args.id)
        if args.json:
            print_json(transfer.entry_to_dict(entry))
        else:
            render.print_entry(entry)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    with read_journal(Secrets(args.passphrase_stdin)) as journal:
        hits = journal.search(query, lang=current())
        if args.json:
            print_json({"query": query, "total": len(hits), "entries": [transfer.entry_to_dict(e) for e in hits]})
        else:
            render.print_entries(hits)
            if not hits:
                out(no_hits_hint(query))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    if args.text is None and args.tag is None and not args.no_tags and args.theme is None and not args.no_theme:
        raise KraftError(Msg.NOTHING_TO_EDIT)
    with open_journal(Secrets(args.passphrase_stdin)) as journal:
        entry = resolve_id(journal, args.id)
        text = None if args.text is None else _text_from([args.text])
        tags = [] if args.no_tags else args.tag
        journal.edit(entry.id, text=text, tags=tags, theme=args.theme, clear_theme=args.no_theme)
    out(_("Saved entry {id}.").format(id=entry.id))
    return 0


def _confirmed(entry: Entry) -> bool:
    err(render.entry_line(entry))
    answer = (ask(_("Delete this entry for good? This cannot be undone. [y/N] ")) or "").strip().lower()
    return answer in {"y", "yes", _("y"), _("yes")}


def cmd_delete(args: argparse.Namespace) -> int:
    with open_journal(Secrets(args.passphrase_stdin)) as journal:
        entry = resolve_id(journal, args.id)
        if interactive() and not args.yes and not _confirmed(entry):
            err(_("Nothing was deleted."))
            return 1
        journal.delete(entry.id)
        journal.purge_deleted(older_than=timedelta(0))
    out(_("Deleted entry {id}.").format(id=entry.id))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    err(_("Warning: the export is NOT encrypted. Anyone who can open it can read your journal. "
          "Keep it somewhere safe and delete it when you no longer need it."))
    with open_journal(Secrets(args.passphrase_stdin)) as journal:
        exporter = transfer.get(args.format).exporter
        assert exporter is not None  # argparse offers only exporters()
        text = exporter(journal)
        count = journal.count()
    if args.output is None:
        out(text.rstrip("\n"))
        return 0
    try:
        write_atomic(args.output, text.encode("utf-8"))
    except OSError as exc:
        raise KraftError(Msg.FILE_UNWRITABLE, path=str(args.output), detail=exc.strerror or str(exc)) from exc
    err(ngettext("Wrote {count} entry to {path}.", "Wrote {count} entries to {path}.", count).format(
        count=count, path=args.output))
    return 0


def _read_import(path: Path) -> bytes:
    """The file's bytes; one over the import limit is refused by its size, before a byte is read."""
    try:
        with path.open("rb") as file:
            problem = too_big(os.fstat(file.fileno()).st_size, str(path))
            if problem is not None:
                raise problem
            return file.read(MAX_IMPORT_BYTES + 1)  # a file still growing cannot slip past the limit
    except OSError as exc:
        raise KraftError(Msg.IMPORT_BAD_FILE, path=str(path), detail=exc.strerror or str(exc)) from exc


def cmd_import(args: argparse.Namespace) -> int:
    data: str | bytes | None = None
    if args.file != "-":
        data = _read_import(Path(args.file))  # before the slow unlock: a typo fails at once
    with open_journal(Secrets(args.passphrase_stdin)) as journal:
        if data is None:
            data = read_rest(limit=MAX_IMPORT_BYTES + 1)  # one character more than allowed is enough to say so
        result = import_entries(journal, args.format, data, source=args.file)
    if args.json:
        print_json(result.data())
        return 0
    for line in result.lines(bullet="  - "):
        out(line)
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    """Add `kraft journal` and its subcommands; `unlock` holds the options of commands that unlock."""
    journal = commands.add_parser("journal", help=top_help("journal"),
                                  description=_("Your journal entries. Commands that open the journal need "
                                                "the passphrase (see kraft --help)."))
    sub = journal.add_subparsers(dest="journal_command", metavar="COMMAND", required=True)
    tags_help = _("a tag (repeat for more): {choices}").format(choices=", ".join(TAGS))
    theme_help = _("a theme: {choices}").format(choices=", ".join(THEMES))
    id_help = _("the entry id, or its first characters as `list` shows them")
    json_help = _("print JSON (stable keys) instead of text")

    p = sub.add_parser("add", parents=[unlock], help=_("write a new entry"),
                       description=_("Write a new entry. The text comes from the arguments, or from stdin "
                                     "when there are none or it is -. Prints the new entry's id."))
    p.add_argument("text", nargs="*", metavar="TEXT", help=_("the entry text, or - to read it from stdin"))
    p.add_argument("--prompt", metavar="ID", help=_("the prompt this answers (see kraft prompts)"))
    p.add_argument("--tag", action="append", metavar="TAG", help=tags_help)
    p.add_argument("--theme", metavar="THEME", help=theme_help)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("list", parents=[unlock], help=_("list entries, newest first"))
    p.add_argument("--limit", type=positive, default=20, metavar="N", help=_("how many entries (default 20)"))
    p.add_argument("--offset", type=not_negative, default=0, metavar="N", help=_("skip the N newest entries"))
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", parents=[unlock], help=_("show one entry in full"))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("search", parents=[unlock], help=_("find entries containing every word"))
    p.add_argument("query", nargs="+", metavar="WORD", help=_("words to look for (case does not matter)"))
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("edit", parents=[unlock], help=_("change an entry's text, tags or theme"))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("--text", metavar="TEXT", help=_("the new text, or - to read it from stdin"))
    tags = p.add_mutually_exclusive_group()
    tags.add_argument("--tag", action="append", metavar="TAG", help=_(
        "a tag (repeat for more; replaces the entry's tags): {choices}").format(choices=", ".join(TAGS)))
    tags.add_argument("--no-tags", action="store_true", help=_("remove every tag"))
    theme = p.add_mutually_exclusive_group()
    theme.add_argument("--theme", metavar="THEME", help=theme_help)
    theme.add_argument("--no-theme", action="store_true", help=_("remove the theme"))
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("delete", parents=[unlock], help=_("delete an entry for good"),
                       description=_("Delete an entry for good: it is erased at once, with no undo. "
                                     "On a terminal you are asked to confirm unless --yes is given."))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("export", parents=[unlock], help=_("write every entry out as PLAINTEXT"),
                       description=_("Write every entry, oldest first, as plaintext JSON (which "
                                     "`import --format kraft-json` reads back) or Markdown. The export is "
                                     "NOT encrypted. The file is written in one step, readable only by you."))
    # sorted: `kraft journal export --help` has always listed {json,markdown}
    p.add_argument("--format", choices=sorted(f.name for f in transfer.exporters()), required=True,
                   help=_("json or markdown"))
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help=_("write to FILE instead of stdout"))
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", parents=[unlock], help=_("add entries from a jrnl, Day One or Kraft JSON export"),
                       description=_("Add entries from `jrnl --format json` output (jrnl-json), from the "
                                     "Journal.json in Day One's JSON export (dayone-json) or from "
                                     "`kraft journal export --format json` (kraft-json). Every usable entry "
                                     "is saved in one step; the others are listed with the reason. Entries "
                                     "already in the journal (same time and text) are skipped."))
    p.add_argument("--format", choices=[f.name for f in transfer.importers()], required=True,
                   help=_("the format of FILE"))
    p.add_argument("file", metavar="FILE", help=_("the file to import, or - for stdin"))
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_import)
