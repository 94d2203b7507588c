"""The audit as a command: resolve the repository, policy, range and decision log, run, render.

The policy is the work tree's `.gatekeeper.yml` (or `--policy`); in a bare repository, the one at HEAD,
read from the object store. The decision log is `--log`, else GATEKEEPER_DECISION_LOG, else the
policy's `log.path`; one that cannot be read is a note in the report, never a failure: the audit
reports, it does not gate. Exit 0 unless git could not be read (4) or the options were wrong (2).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from gatekeeper.audit import decisionlog as dlog
from gatekeeper.audit.history import (
    AuditRequest,
    CommitAudit,
    PlainRecord,
    decisions_over_time,
    resolve_range,
    run_audit,
)
from gatekeeper.config import POLICY_FILENAME, Policy, default_policy, load_policy_file, parse_policy
from gatekeeper.errors import GitError, UsageError
from gatekeeper.fsutil import replaced_text
from gatekeeper.git import Git, RepoInfo
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import ExitCode, display_text
from gatekeeper.provenance.source import Reader, filesystem_reader, git_reader

_FORGE_URL = lazy(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host1>[A-Za-z0-9.-]+)(?::\d+)?/|(?:[^@/:]+@)?(?P<host2>[A-Za-z0-9.-]+):)"
    r"(?P<path>[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)+?)(?:\.git)?/?$")
KNOWN_FORGES = {"github.com": "github", "gitlab.com": "gitlab"}


@dataclass(frozen=True, slots=True)
class Forge:
    kind: str  # "github" | "gitlab"
    base: str  # https://github.com/owner/repo

    def commit_url(self, sha: str) -> str:
        return f"{self.base}/commit/{sha}" if self.kind == "github" else f"{self.base}/-/commit/{sha}"

    def pr_url(self, number: int) -> str:
        return f"{self.base}/pull/{number}" if self.kind == "github" else f"{self.base}/-/merge_requests/{number}"


def forge_of(url: str | None) -> Forge | None:
    """A known forge's web address from a remote URL, credentials and anything odd dropped (None otherwise)."""
    if not url or any(ord(c) < 33 for c in url):
        return None
    match = _FORGE_URL.match(url.strip())
    if match is None:
        return None
    host = (match.group("host1") or match.group("host2") or "").lower()
    kind = KNOWN_FORGES.get(host)
    path = match.group("path").removesuffix(".git")
    if kind is None or ".." in path or (kind == "github" and path.count("/") != 1):
        return None
    # A `.` segment is resolved away by browsers, a leading `-` is a forge route (GitLab's `/-/raw/…`), never an
    # owner, group or project: the link would lead somewhere else on the forge (red77).
    if any(part == "." or part.startswith("-") for part in path.split("/")):
        return None
    return Forge(kind, f"https://{host}/{path}")


def log_names(info: RepoInfo, forge: Forge | None) -> frozenset[str]:
    """The names the gate's decision log may hold this repository under (audit/pushlog.repository_name and the
    modes): the forge's name for it, and the resolved paths of its work tree and git directory. Only records
    under one of them are joined: one log serves a whole server, and a commit id is the same in every
    repository that holds it (red29: the commit refused here, allowed in the pusher's own repository)."""
    names = {dlog.path_name(path.resolve()) for path in (info.toplevel, info.git_dir) if path is not None}
    if forge is not None:
        names.add(f"{forge.kind}:{forge.base.split('/', 3)[3]}")
    return frozenset(names)


def _policy(git: Git, policy_file: Path | None, notes: list[str]) -> tuple[Policy, Reader]:
    if policy_file is not None:
        return load_policy_file(policy_file), filesystem_reader
    info = git.info()
    if info.toplevel is not None and (info.toplevel / POLICY_FILENAME).is_file():
        return load_policy_file(info.toplevel / POLICY_FILENAME), filesystem_reader
    # HEAD's tree first: most repositories have no policy there, and one `ls-tree` says so (a policy at HEAD
    # then costs two calls more: the commit it was read from names it in the report).
    present = bool(git.tree_entries("HEAD", POLICY_FILENAME))
    head = git.try_resolve("HEAD") if present else None
    blob = git.show_file(head, POLICY_FILENAME) if head is not None else None
    if head is None or blob is None:
        if head is not None:
            notes.append(f"HEAD has a {POLICY_FILENAME} whose content is not in this clone (a partial clone?): the "
                         "built-in default policy was used; pass --policy to use yours")
        return default_policy(), filesystem_reader
    return (parse_policy(blob.decode("utf-8", "replace"), f"HEAD:{POLICY_FILENAME} at {head[:12]}"),
            git_reader(git, head, None))


def _attestations(git: Git, keys: tuple[Path, ...], notes: list[str]) -> Any:
    """The attestation notes to join, when the repository has any (their reader loads only then)."""
    from gatekeeper.attest import ATTESTATIONS_REF

    if git.try_resolve_object(ATTESTATIONS_REF) is None:
        if keys:
            notes.append(f"no {ATTESTATIONS_REF} in this clone: fetch it to see attestations")
        return None
    from gatekeeper.attest.envelope import load_public_key
    from gatekeeper.attest.survey import AttestationIndex

    trusted = [load_public_key(k) for k in keys]
    if not trusted:
        notes.append("attestation levels are as the notes claim them: pass --attest-key to verify their signatures")
    try:
        from gatekeeper.attest.admission import RESOURCE_ENV

        return AttestationIndex(git, trusted, os.environ.get(RESOURCE_ENV) or None)
    except GitError as exc:
        notes.append(f"attestations not joined: {exc.message}")
        return None


@contextlib.contextmanager
def _output(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    # (The report replaces the file only once it is whole: an interrupted audit leaves the previous one.)
    stack = contextlib.ExitStack()
    try:
        handle = stack.enter_context(replaced_text(output))
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}", "choose a writable --output path") from None
    try:
        with stack:
            yield handle
    except OSError as exc:
        if exc.errno not in _WRITE_ERRNOS:
            raise
        raise UsageError(f"cannot write {output}: {exc.strerror}; the file there is as it was",
                         "free space on that file system, or choose another --output path") from None


_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})


def _progress_bar(enabled: bool) -> contextlib.AbstractContextManager[Any]:
    """A rich progress line on a terminal; nothing when piped, in CI or asked not to."""
    if not enabled or not sys.stderr.isatty() or os.environ.get("CI"):
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("auditing"), BarColumn(), TextColumn("{task.completed} commits"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)


def _in_work_tree(target: str | None, toplevel: Path | None) -> bool:
    """Whether a log path lies in the work tree (links resolved, and the path as written: a link in the tree is the
    tree's too)."""
    if target is None or toplevel is None:
        return False
    root = Path(os.path.realpath(toplevel))
    path = Path(target) if Path(target).is_absolute() else toplevel / target
    return path.absolute().is_relative_to(toplevel.absolute()) or Path(os.path.realpath(path)).is_relative_to(root)


def run_audit_command(repo: Path, *, rev_range: str | None, since: str | None, every_ref: bool, fmt: str,
                      output: Path | None, policy_file: Path | None, log: str | None, list_cap: int,
                      progress: bool = True, now: dt.datetime | None = None,
                      attest_keys: tuple[Path, ...] = (), log_repositories: tuple[str, ...] = ()) -> ExitCode:
    git = Git(repo, offline=True)
    rng = resolve_range(git, rev_range, since, every_ref)
    notes: list[str] = []
    policy, reader = _policy(git, policy_file, notes)
    info = git.info()
    remote = git.config_get("remote.origin.url")
    forge = forge_of(remote)
    where = info.toplevel or info.git_dir
    # (A directory name need not be UTF-8: its bytes shown as git shows them, octal escapes — red94 — as the
    # policy's name is.)
    repository = {"path": display_text(str(where)), "name": forge.base if forge else display_text(where.name),
                  "forge": forge.kind if forge else None, "url": forge.base if forge else None}
    now = now or dt.datetime.now(dt.UTC)
    store: dlog.Store | None = None
    names = frozenset(log_repositories) or log_names(info, forge)
    # (A policy from the work tree or HEAD is the repository's: it may name a log file, not a server: red100.)
    dest = dlog.destination(os.environ if log is None else {dlog.LOG_ENV: log}, policy.log.path, False,
                            repository_root=info.toplevel or info.git_dir, from_repository=policy_file is None)
    log_stats: dict[str, Any] | None = None
    if dest.problem is not None:
        notes.append(f"the decision log is not joined: {dest.problem}")
    elif dest.origin == "policy log.path" and policy_file is None and _in_work_tree(dest.target, info.toplevel):
        # A file in the audited clone's work tree, named by the clone's own policy: its history can supply both, and
        # anyone can write a chain whose hashes hold (red137: a forged `allow` joined to an unreviewed phone commit).
        # The gate's record is the auditor's to name.
        notes.append(f"the decision log the audited repository's own policy names ({dest.target}) lies in its work "
                     "tree, where its history can supply it: not joined (pass --log with that path, or set "
                     f"{dlog.LOG_ENV}, to join a log you know the gate wrote)")
        dest = dataclasses.replace(dest, target=None)
    if dest.target is not None:
        try:
            store = dlog.open_log(dest.target, create=False)
            months, rules, records, unbelieved = decisions_over_time(store, names)
            if unbelieved:
                notes.append(f"{unbelieved} record(s) of the decision log are unreadable or say they are another "
                             "record (edited or moved: run `gatekeeper log verify`): not counted, and not joined to "
                             "commits")
            if not records:
                others = len(store.heads())
                if others:
                    notes.append(f"the decision log holds no record for this repository under "
                                 f"{' or '.join(sorted(names))}, only for {others} other repositor"
                                 f"{'y' if others == 1 else 'ies'}: pass --log-repository with the name the gate "
                                 "logs it under (a forge's `github:OWNER/REPO`, or the path of the repository on the "
                                 "server)")
            log_stats = {"log": store.target, "records": records, "repositories": sorted(names),
                         "months": [{"period": k, **dict(sorted(v.items()))} for k, v in sorted(months.items())],
                         "top_blocking_rules": [{"rule": r, "count": n} for r, n in rules.most_common()]}
        except dlog.LogError as exc:
            notes.append(f"decision log not joined: {exc.message}")
            store = None
    try:
        with _output(output) as out, _progress_bar(progress) as bar:
            task = bar.add_task("audit", total=None) if bar is not None else None

            def tick(n: int) -> None:
                if bar is not None and task is not None:
                    bar.update(task, completed=n)

            request = AuditRequest(git=git, policy=policy, reader=reader, range=rng, now=now, log=store,
                                   log_repositories=names,
                                   list_cap=list_cap, progress=tick,
                                   attestations=_attestations(git, attest_keys, notes))
            generated = now.strftime("%Y-%m-%dT%H:%M:%SZ")
            from gatekeeper.audit import render

            # What the report shows of names it did not make: a secret in them is redacted (red26).
            shown = render.redactor([rng.description, policy.source, str((log_stats or {}).get("log") or ""),
                                     *names, *(v for v in repository.values() if isinstance(v, str))])
            if log_stats is not None:
                log_stats["log"] = shown(str(log_stats["log"]))  # red27: a log path under a token-named directory
                log_stats["repositories"] = [shown(name) for name in log_stats["repositories"]]
            rng_shown = dataclasses.replace(rng, description=shown(rng.description))
            repository = {k: shown(v) if isinstance(v, str) else v for k, v in repository.items()}
            policy_source = shown(policy.source)
            if forge is not None and shown(forge.base) != forge.base:
                forge = None  # no links built from an address that holds a secret
            if fmt == "json":
                writer = render.JsonWriter(out, render.header(repository, rng_shown, policy_source, generated))
                summary = run_audit(request, writer.commit, writer.plain)
                summary.notes[:0] = notes
                writer.close(render.summary_dict(summary, log_stats))
            else:
                def drop(_: CommitAudit) -> None:
                    return None

                def drop_all(_: list[PlainRecord]) -> None:
                    return None

                summary = run_audit(request, drop, drop_all)
                summary.notes[:0] = notes
                data = render.summary_dict(summary, log_stats)
                if fmt == "html":
                    from gatekeeper.audit.html import render_html

                    out.write(render_html(data, repository, rng_shown.description, generated, forge))
                else:
                    out.write(render.render_text(data, repository, rng_shown))
    finally:
        if store is not None:
            store.close()
    if output is not None:
        print(f"gatekeeper: audit of {summary.commits} commit(s) written to {output}", file=sys.stderr)
    return ExitCode.OK
