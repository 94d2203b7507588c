"""What the scanners share: the child-process runner for tools, inline ignores, raw per-file findings,
tool-failure findings and the "files and lines the range introduced at its head" question.

The runner is the one place a scanner starts a program: its own process group (so a timeout kills
semgrep-core and every worker with it), no stdin, a private HOME so nothing from the user's settings or
login leaks in and nothing is written outside a temp dir, offline settings for semgrep, and a result
object instead of exceptions — a tool that cannot start, crashes, is killed or times out is data the
scanner turns into a `tool/*` finding (fail closed), never a traceback.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatekeeper import catalogue, process
from gatekeeper.git import Git
from gatekeeper.git.diff import WIDE_MERGE_PARENTS
from gatekeeper.interfaces import ScanJob
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import FileChange, FileStatus, Finding, Severity, display_path
from gatekeeper.scan.added_lines import DEFAULT_MAX_FILE_BYTES, FilePatch, boundary, merge_additions, range_additions
from gatekeeper.scan.workspace import Entry

# `# gatekeeper: ignore[secrets/*, semgrep/python-eval]`, also after `//` or `/*`; bounded so a
# megabyte-long line costs one linear scan.
_INLINE_RE = lazy(r"(?:#|//|/\*|<!--|--)[ \t]{0,10}gatekeeper:[ \t]{0,10}ignore\[([^\]\n]{1,500})\]")
_RULE_GLOB_RE = lazy(r"^[A-Za-z0-9_.*?/\[\]-]{1,200}$")


def inline_ignores(text: str) -> tuple[str, ...]:
    """Rule ids (globs allowed) named by `gatekeeper: ignore[...]` comments on one line."""
    if "gatekeeper" not in text:
        return ()
    found: list[str] = []
    for match in _INLINE_RE.finditer(text):
        for item in match.group(1).split(","):
            rule = item.strip()
            if rule and _RULE_GLOB_RE.match(rule):
                found.append(rule)
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class RawFinding:
    """A tool's finding in one file, before the added-line filter: what the cache stores per blob."""

    rule_id: str
    severity: Severity
    message: str
    fix: str = ""
    line: int | None = None  # None: about the whole file (a parse error)
    end_line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "severity": self.severity.label, "message": self.message, "fix": self.fix,
                "line": self.line, "end_line": self.end_line}

    @classmethod
    def from_json(cls, data: object) -> RawFinding:
        """Strict: anything unexpected raises ValueError (a corrupt cache entry is a miss, not a result)."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        rule_id, message, fix = data.get("rule_id"), data.get("message"), data.get("fix")
        line, end_line = data.get("line"), data.get("end_line")
        if not (isinstance(rule_id, str) and isinstance(message, str) and isinstance(fix, str)):
            raise ValueError("bad strings")
        for value in (line, end_line):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError("bad line")
        try:
            severity = Severity.parse(str(data.get("severity")))
        except KeyError:
            raise ValueError("bad severity") from None
        return cls(rule_id, severity, message, fix, line, end_line)


def split_message(text: str) -> tuple[str, str]:
    """A rule message as (what is wrong, what to do): the first sentence, then the rest."""
    flat = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z`(])", flat)
    if match is None:
        return flat, ""
    return flat[: match.start()], flat[match.end():]


_WITHHELD = " [the rest of the tool's output is withheld: it looks like it holds a secret]"
_detector_cache: list[Any] = []


def built_in_detector() -> Any:
    """The secrets detector with the shipped rules, loaded once per process (raises when it cannot load)."""
    if not _detector_cache:
        from gatekeeper.scan.secrets import SecretDetector

        _detector_cache.append(SecretDetector.load())
    return _detector_cache[0]


def redact_secrets(text: str) -> str:
    """Tool output (semgrep's or bandit's stderr quoting the scanned source) made safe to print: the text is
    cut where the secrets detector finds a secret, which is shown only in its redacted form. When the
    detector cannot load, no tool output is quoted at all."""
    if not text.strip():
        return text
    try:
        hits = built_in_detector().scan_text(text)
    except Exception:  # any failure here must withhold, never quote
        return "(tool output withheld: the secrets detector could not check it)"
    if not hits:
        return text
    first = min(hits, key=lambda h: (h.line, h.column))
    lines = text.split("\n")
    kept = "\n".join([*lines[: first.line - 1], lines[first.line - 1][: first.column - 1]])
    return f"{kept}{first.redacted}{_WITHHELD}"


def tool_failure(scanner: str, detail: str, *, timeout: bool = False, fix: str | None = None) -> Finding:
    """The finding for a scanner that could not do its work; policy.on_tool_error / on_timeout decide.
    The detail may quote the tool's output, which may quote the scanned source: redacted before use. `fix`: what
    to do when the cause is known (a rules file the policy names is missing), else the scanner's generic one."""
    detail = " ".join(redact_secrets(detail).split())[:400]
    if timeout:
        return catalogue.rule("tool/timeout").finding(f"{scanner} timed out: {detail}",
                       fix="scan fewer files at once or raise the time budget; the change was not fully scanned",
                       ).with_fingerprint(scanner, "timeout")
    if fix is None:
        fix = ("the built-in secrets scanner could not run: see the message" if scanner == "secrets"
               else f"check that {scanner} is installed and runs (`{scanner} --version`)")
    return Finding(f"tool/{scanner}-failed", Severity.HIGH, f"{scanner} failed: {detail}",
                   fix=f"{' '.join(redact_secrets(fix).split())[:300]}; the change was not scanned",
                   ).with_fingerprint(scanner, "failed")


# -- running tools ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ToolRun:
    argv: tuple[str, ...]
    returncode: int | None
    stdout: bytes = b""
    stderr: bytes = b""
    timed_out: bool = False
    start_error: str | None = None  # could not be started at all (missing binary, not executable)

    @property
    def signal(self) -> int | None:
        return -self.returncode if self.returncode is not None and self.returncode < 0 else None

    def describe(self) -> str:
        """One line saying what went wrong, for findings and stats (argv[0], status, stderr's tail)."""
        if self.start_error:
            return f"cannot run {self.argv[0]}: {self.start_error}"
        if self.timed_out:
            return f"{Path(self.argv[0]).name} did not finish in time and was killed"
        if self.signal is not None:
            try:
                name = signal.Signals(self.signal).name
            except ValueError:
                name = f"signal {self.signal}"
            status = f"killed by {name}"
        else:
            status = f"exit status {self.returncode}"
        # Redacted before it is cut short: a cut could leave the start of a token the detector no longer sees.
        text = redact_secrets(self.stderr[-65536:].decode("utf-8", "replace").strip())
        tail = text.splitlines()[-3:]
        return f"{Path(self.argv[0]).name} {status}" + (f": {' / '.join(tail)[:300]}" if tail else "")


def tool_env(home: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a scanner runs in: the user's PATH, a private HOME, offline semgrep, no git state."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.startswith(("GIT_", "SEMGREP_", "R2C_"))}
    config = home / ".config"
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(config),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "SEMGREP_SETTINGS_FILE": str(home / "semgrep-settings.yml"),
        "SEMGREP_LOG_FILE": str(home / "semgrep.log"),
        "SEMGREP_VERSION_CACHE_PATH": str(home / "semgrep-version"),
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
        "SEMGREP_IN_DOCKER": "0",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Any Python a scanner starts does not import from its working directory, the workspace of pushed files
        # (red48); bandit runs with -I as well.
        "PYTHONSAFEPATH": "1",
        "NO_COLOR": "1",
    })
    return env


def run_tool(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> ToolRun:
    """Run one tool to completion or until `timeout` seconds, then kill its whole process group.

    The group is registered with gatekeeper.process while it lives, so a run that ends without unwinding
    (the hook's watchdog) still kills it; an interruption (Ctrl-C, SIGTERM) kills it here on the way out."""
    args = tuple(argv)
    try:
        child = process.Child(args, cwd=cwd, env=env)
    except OSError as exc:
        return ToolRun(args, None, start_error=exc.strerror or str(exc))
    timed_out = False
    with child:
        try:
            out, err = child.communicate(timeout=timeout)
        except process.Timeout as exc:
            out, err, timed_out = exc.stdout, exc.stderr, True
    return ToolRun(args, child.returncode, out, err, timed_out=timed_out)


# -- what the range introduced at its head ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HeadChanges:
    """The files at the range's head that the scanned commits touched, and the range's net added lines."""

    head: str
    entries: tuple[Entry, ...]  # head blob and mode of each touched, not deleted, path
    added: Mapping[bytes, FilePatch]  # raw path -> line numbers the range added (see added_lines)
    bases: tuple[str, ...] = ()  # the range's boundary commits: where "before the range" is read
    moved_from: Mapping[bytes, bytes] = field(default_factory=dict)  # a moved file's raw path -> its old one

    def added_lines(self, key: bytes) -> frozenset[int]:
        patch = self.added.get(key)
        return patch.line_numbers if patch is not None else frozenset()


MOVED_COMMITS = 20  # scanned commits whose vanished files are looked for under another name (one diff each)


def head_changes(job: ScanJob, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> HeadChanges | None:
    """Files and net added lines for a head-based scanner (semgrep, bandit); None when there is nothing."""
    if not job.commits:
        return None
    git: Git = job.git
    head = job.head or job.commits[-1].sha
    parents: dict[str, tuple[str, ...]] = {c.sha: c.parents for c in job.commits}
    unknown = [sha for sha in job.changes if sha not in parents]
    if unknown:
        parents.update(git.parents(unknown))
    if head not in parents:
        parents.update(git.parents([head]))
    # A boundary commit that is an ancestor of another is no branch the range started from but a past state of
    # one (red133: a phone branch made before main's fix, merged with main, has the old commit as a boundary too;
    # its lines the head holds again are main's fix undone, not "already there").
    bases = git.independent(boundary(parents)[:WIDE_MERGE_PARENTS])
    # What each scanned merge holds beyond git's own re-merge of its parents (added_lines.merge_additions): a
    # side's old version it took is its change, though the combined diff (job.changes) does not show it.
    merges = {c.sha: c.parents for c in job.commits if len(c.parents) > 1}
    resolved: dict[str, dict[bytes, FilePatch]] = {}
    for sha, patch in merge_additions(git, merges, max_file_bytes=max_file_bytes, keep_text=False):
        resolved.setdefault(sha, {})[patch.key] = patch
    # The commit each path is attributed to: the newest scanned commit that changed it.
    # Keyed by the raw path bytes: display text is never a key (see models.display_path).
    owner: dict[bytes, str] = {}
    wrote: dict[bytes, str] = {}  # the blob the owning commit left at each path
    for commit in job.commits:
        for change in job.changes.get(commit.sha, ()):
            owner[change.key] = commit.sha
            wrote[change.key] = change.new_blob
        for key, patch in resolved.get(commit.sha, {}).items():
            owner[key] = commit.sha
            wrote[key] = patch.blob or ""
    if not owner:
        return HeadChanges(head, (), {})
    files = [c for c in git.range_files(bases, head) if c.new_mode != "000000" and set(c.new_blob) != {"0"}]
    # A merge's resolved path the head holds as one of several boundaries has it (the range's files are those
    # that differ from every boundary): read from the head's tree.
    listed = {c.key for c in files}
    missing = [key for patches in resolved.values() for key in patches if key not in listed]
    if missing:
        found = git.tree_files(head, [f":(literal){os.fsdecode(key)}" for key in dict.fromkeys(missing)])
        files += [FileChange(display_path(key), FileStatus.MODIFIED, "", blob, "", mode, key) for key in missing
                  if (hit := found.get(display_path(key))) is not None for mode, blob in [hit]]
    # A scanned commit's file that another commit of the range moved (red22: a desktop `git mv` took the
    # phone's code out of the mobile scan) is still its content: found at the head by git's rename and copy
    # detection from that commit — for a path gone at the head, or one another commit rewrote (red23: moved,
    # and a stub left at the old name). More such commits than MOVED_COMMITS: every file the range leaves at
    # the head is scanned with them (more scanning, never less; red23: twenty decoys, then the real move).
    head_blob = {c.key: c.new_blob for c in files}
    moved: dict[bytes, str] = {}
    moved_from: dict[bytes, bytes] = {}  # a followed path at the head -> its name in the commit it came from
    gone: dict[str, set[bytes]] = {}  # commit -> its paths no longer at the head
    rewritten: dict[str, set[bytes]] = {}  # commit -> its paths another commit changed since
    for key, sha in owner.items():
        if key not in head_blob:
            gone.setdefault(sha, set()).add(key)
        elif head_blob[key] != wrote.get(key):
            rewritten.setdefault(sha, set()).add(key)
    if len(gone) > MOVED_COMMITS:
        newest = next(reversed(gone))
        moved = {c.key: newest for c in files}
    else:
        followed = dict(gone)
        for sha, keys in list(rewritten.items())[:MOVED_COMMITS]:
            followed[sha] = followed.get(sha, set()) | keys
        for sha, keys in followed.items():
            for old, new in git.renames(sha, head).items():
                if old in keys and new not in moved:
                    moved[new] = sha
                    moved_from[new] = old
    entries = tuple(Entry(c.path, c.new_blob, c.new_mode, by, c.key) for c in files
                    if (by := owner.get(c.key) or moved.get(c.key)) is not None)
    added = range_additions(git, bases, head, max_file_bytes=max_file_bytes) if entries else {}
    # The merges' lines at paths the head still holds as they left them (with several boundaries a line one of
    # them has is not in range_additions' answer, though the merge chose it over git's automatic merge).
    for patches in resolved.values():
        for key, patch in patches.items():
            if key in head_blob and head_blob[key] == patch.blob and entries:
                earlier = added.get(key)
                added[key] = patch if earlier is None else dataclasses.replace(
                    earlier, added=tuple(sorted(set(earlier.added) | set(patch.added))),
                    binary=earlier.binary or patch.binary, truncated=earlier.truncated or patch.truncated)
    if len(bases) == 1:
        # A file moved within the range counts, in the patch range_additions reads (renames off), as added
        # whole; what the range really changed in it is its diff from the old name at the base (red23: the
        # landed lines of a file the phone touched and a desktop commit renamed were charged to the phone).
        for new, old in moved_from.items():
            if new in added and new not in owner:
                lines = git.moved_additions(bases[0], head, old, new)
                if lines is not None:
                    added[new] = dataclasses.replace(added[new], added=tuple((n, "") for n in lines))
    return HeadChanges(head, entries, added, tuple(bases), moved_from)
