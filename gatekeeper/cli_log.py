"""`gatekeeper log verify | show | export`: read the decision log (registered by cli.py).

Thin: each command opens the log named by `--log` (else GATEKEEPER_DECISION_LOG), calls one function
of `gatekeeper.audit.decisionlog` and prints. `verify` exits 1 and names every broken record; the
others exit 0. Everything printed from a record passes through sanitize.safe (refs and pushers are
commit data).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import TextIO

import click

from gatekeeper.errors import UsageError
from gatekeeper.models import ExitCode
from gatekeeper.sanitize import safe

ANCHOR_READ = 16 * 1024 * 1024  # bytes of an anchor file read
_LOG_HELP = "The decision log: a file (SQLite) or a postgresql:// URL (default: $GATEKEEPER_DECISION_LOG)."


def _target(log: str | None) -> str:
    from gatekeeper.audit.decisionlog import LOG_ENV

    value = (log or os.environ.get(LOG_ENV, "")).strip()  # as the hooks read it (decisionlog.destination)
    if not value:
        value = _policy_log() or ""
        if value:
            # Said, because the work tree is whatever was checked out: a clone's own policy names its own log.
            click.echo(f"gatekeeper: the decision log named by this work tree's .gatekeeper.yml (log.path): "
                       f"{safe(value)}", err=True)
    if not value:
        raise UsageError("no decision log named", f"pass --log PATH_OR_URL, set {LOG_ENV}, or run this in a work tree "
                         "whose .gatekeeper.yml names `log: {path: ...}`")
    return value


def _policy_log() -> str | None:
    """The log the work tree's policy names (`log.path`, relative to the work tree), as `check` and `audit` in this
    work tree write and read it; None outside a work tree or without one."""
    from gatekeeper.audit.decisionlog import destination
    from gatekeeper.config import POLICY_FILENAME, load_policy_file
    from gatekeeper.errors import GitError
    from gatekeeper.git import Git

    try:
        toplevel = Git(Path(".")).info().toplevel
    except GitError:
        return None
    if toplevel is None or not (toplevel / POLICY_FILENAME).is_file():
        return None
    path = load_policy_file(toplevel / POLICY_FILENAME).log.path
    if not path:
        return None
    found = destination({}, path, False, repository_root=toplevel, from_repository=True)
    if found.problem is not None:
        raise UsageError(f"{POLICY_FILENAME}: {found.problem}", "pass --log PATH_OR_URL")
    return found.target


@click.group("log")
def log_group() -> None:
    """Verify, show or export the hash-chained decision log."""


@log_group.command("verify")
@click.option("--log", "log", help=_LOG_HELP)
@click.option("--repository", help="Verify only this repository's chain.")
@click.option("--anchor", type=click.Path(path_type=Path, dir_okay=False),
              help="Also hold each chain to the heads in FILE, the JSON an earlier `log verify --format json` printed "
                   "on an intact log and someone kept elsewhere: catches records cut off the end with the head moved "
                   "back, and a chain re-hashed after an edit.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the result on stdout, `{ok, records, chains, heads, problems}` (keep it as the next anchor).")
def log_verify(log: str | None, repository: str | None, anchor: Path | None, fmt: str) -> ExitCode:
    """Check every record's hash and link; exit 1 naming each edited, deleted or reordered record."""
    from gatekeeper.audit.decisionlog import Head, LogError, open_log, read_anchors, verify

    anchors: tuple[Head, ...] = ()
    if anchor is not None:
        try:
            with anchor.open("rb") as handle:
                text = handle.read(ANCHOR_READ + 1)
        except OSError as exc:
            raise UsageError(f"cannot read the anchor {anchor}: {exc.strerror}",
                             "pass the file an earlier `gatekeeper log verify --format json` wrote") from None
        if len(text) > ANCHOR_READ:
            raise UsageError(f"the anchor {anchor} is larger than {ANCHOR_READ // (1024 * 1024)} MiB",
                             "pass the file an earlier `gatekeeper log verify --format json` wrote")
        try:
            anchors = read_anchors(text.decode("utf-8-sig", "replace"))  # a BOM: Notepad, PowerShell 5
        except LogError as exc:
            raise UsageError(f"the anchor {anchor}: {exc.message}", exc.fix) from None
        if repository is not None and all(a.repository != repository for a in anchors):
            raise UsageError(f"the anchor {anchor} holds no head of {safe(repository, limit=200)!r}",
                             "pass an anchor written while that repository had records, or no --repository")
    store = open_log(_target(log), create=False)
    try:
        result = verify(store, repository, anchors)
    finally:
        store.close()
    if fmt == "json":
        from gatekeeper.sanitize import json_text

        data = {"log": store.target, "ok": result.ok, "records": result.records, "chains": result.repositories,
                "anchored": result.anchored,
                "heads": [{"repository": h.repository, "seq": h.seq, "hash": h.hash} for h in result.heads],
                "problems": [{"repository": p.repository, "seq": p.seq, "message": p.message} for p in result.problems]}
        click.echo(json_text(json.dumps(data, ensure_ascii=False, indent=1)))
        return ExitCode.OK if result.ok else ExitCode.BLOCKED
    if result.ok:
        click.echo(f"gatekeeper: decision log {safe(store.target)}: {result.records} record(s) in "
                   f"{result.repositories} chain(s), all intact"
                   + (f", each of the {result.anchored} anchored record(s) in place" if anchors else ""))
        for head in result.heads:
            click.echo(f"  {safe(head.repository, limit=200)}: head #{head.seq} {head.hash}")
        if not anchors:
            click.echo("  (keep `--format json` output somewhere the log's writers cannot reach and pass it as "
                       "--anchor next time: records cut off the end with the head moved back show only then)")
        return ExitCode.OK
    click.echo(f"gatekeeper: decision log {safe(store.target)}: BROKEN — {len(result.problems)} problem(s) in "
               f"{result.records} record(s):", err=True)
    for problem in result.problems:
        click.echo(f"  {safe(str(problem), limit=500)}", err=True)
    click.echo("fix: restore the log from a backup and find out who changed it; the records before the first "
               "problem are intact", err=True)
    return ExitCode.BLOCKED


@log_group.command("show")
@click.option("--log", "log", help=_LOG_HELP)
@click.option("--repository", help="Only this repository's records.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Show the last N records (0: all).")
def log_show(log: str | None, repository: str | None, limit: int) -> ExitCode:
    """One line per record: sequence, time, repository, decision, mode, refs, pusher, hash."""
    from collections import deque

    from gatekeeper.audit.decisionlog import open_log

    store = open_log(_target(log), create=False)
    try:
        shown: deque[str] = deque(maxlen=limit or None)
        total = 0
        for record in store.records(repository):
            total += 1
            parsed = record.parsed()
            if parsed is None:  # an edited record (`log verify` names it): the rest of the log is still shown
                shown.append(safe(f"#{record.seq:<5} (unreadable record: its body is not a JSON object)  "
                                  f"{record.repository}  {record.hash[:16]}", limit=400))
                continue
            data = parsed
            listed = data.get("refs")
            refs = ", ".join(str(r.get("ref", "")) for r in (listed if isinstance(listed, list) else [])
                             if isinstance(r, dict)) or "-"
            blocking = data.get("blocking_rules")
            blocking = blocking if isinstance(blocking, list) else []
            # Every field as text: a record's JSON types are its writer's (red77: a `null` decision under a
            # width made `log show` fail on the whole log).
            line = (f"#{record.seq:<5} {data.get('time', '?')}  {record.repository}  {data.get('decision', '?')!s:5}  "
                    f"{data.get('mode', '?')}/{data.get('event', '?')}  {refs}  pusher={data.get('pusher') or '-'}  "
                    f"commits={data.get('commits_total', 0)}"
                    + (f"  blocking={','.join(map(str, blocking))}" if blocking else "")
                    + f"  {record.hash[:16]}")
            shown.append(safe(line, limit=400))
    finally:
        store.close()
    if total > len(shown):
        click.echo(f"(last {len(shown)} of {total} records; --limit 0 shows all)")
    for line in shown:
        click.echo(line)
    if total == 0:
        click.echo("(no records)")
    return ExitCode.OK


@log_group.command("export")
@click.option("--log", "log", help=_LOG_HELP)
@click.option("--repository", help="Only this repository's records.")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), metavar="FILE", help="Write to FILE instead of stdout.")
def log_export(log: str | None, repository: str | None, fmt: str, output: Path | None) -> ExitCode:
    """Every record as JSON (hashed body, hash and verdict), streamed: `{"records": [...]}`."""
    from gatekeeper.audit.decisionlog import open_log, record_dict
    from gatekeeper.fsutil import replaced_text
    from gatekeeper.sanitize import json_text

    store = open_log(_target(log), create=False)
    try:
        # (A file is replaced only by a whole export; a closed stdout is the broken pipe `invoke` reports.)
        writer: contextlib.AbstractContextManager[TextIO] = (
            replaced_text(output) if output else contextlib.nullcontext(click.get_text_stream("stdout")))
        with writer as stream:
            stream.write('{"format":"gatekeeper-decision-log","version":1,"records":[')
            for i, record in enumerate(store.records(repository)):
                # Commit data may hold C1/bidi controls: \u escapes keep the JSON valid and lossless.
                stream.write(("," if i else "") + "\n" + json_text(json.dumps(
                    record_dict(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))))
            stream.write("\n]}\n")
    except OSError as exc:
        if output is None:
            raise
        raise UsageError(f"cannot write {output}: {exc.strerror}", "choose a writable --output path") from None
    finally:
        store.close()
    return ExitCode.OK
