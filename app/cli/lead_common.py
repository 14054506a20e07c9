"""What the `kraft lead` commands share: the leader's unlocked journal, a member's data, one sync and its
report."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from app.cli import clock
from app.cli.console import Secrets, err, open_context, out, print_json
from app.errors import Msg
from app.i18n import _, ngettext
from app.services.context import AppContext
from app.services.groups import GroupService
from app.services.leader import LeaderService
from app.services.relay_sync import SyncReport


@contextmanager
def leading(secrets: Secrets) -> Iterator[tuple[LeaderService, GroupService, AppContext]]:
    """The leader's journal unlocked (a leader's keys are in it), for one command."""
    with open_context(secrets, unlock=True, no_vault=Msg.LEADER_NEEDS_JOURNAL) as ctx:
        yield ctx.leader, ctx.groups, ctx


@contextmanager
def member_services(args: argparse.Namespace) -> Iterator[AppContext]:
    """The member's data with the vault unlocked when one exists (a member without a journal needs nothing)."""
    with open_context(Secrets(args.passphrase_stdin), unlock=True, if_vault=True) as ctx:
        yield ctx


def report_sync(report: SyncReport, as_json: bool) -> int:
    if as_json:
        print_json(asdict(report))
        return 0
    out(_("Sent {sent}, received {received}, applied {applied}, not sent yet {waiting}.").format(
        sent=report.sent, received=report.received, applied=report.applied, waiting=report.waiting))
    if report.kept:
        out(ngettext("{count} message waits for your journal to be unlocked.",
                     "{count} messages wait for your journal to be unlocked.", report.kept).format(count=report.kept))
    if report.refused:
        err(ngettext("Refused {count} message that did not check out: {reasons}.",
                     "Refused {count} messages that did not check out: {reasons}.", len(report.refused)).format(
            count=len(report.refused), reasons=", ".join(sorted(set(report.refused)))))
    for problem in dict.fromkeys(report.problems):
        err(problem)
    return 0


def sync_now(ctx: AppContext) -> SyncReport:
    return ctx.sync.run(now=clock.now())


def spaced(code: str) -> str:
    """A check code as people read it out: 123 456."""
    return f"{code[:3]} {code[3:]}"
