"""The only module that runs git: one hardened runner and one small function per git question.

Everything is read through git's machine formats (NUL-separated `log`, `diff-tree -z`,
`cat-file --batch`), never by parsing human output. The runner sets LANG=C, isolates the user's
global and system git config, forces the few config values that would change machine output,
times out, and raises GitError carrying argv, exit code and stderr.

Inside pre-receive the pushed objects exist only in the quarantine directory that git names through
GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES / GIT_QUARANTINE_PATH, so those variables are
kept (`inherit_git_env=True`); a local check drops them so `--repo` means what it says.

Every call reads the real objects: replace refs (`refs/replace/*`, which a pusher could create to substitute a
decoy for any commit, tree or blob) and graft files are ignored (GIT_NO_REPLACE_OBJECTS set, GIT_GRAFT_FILE
pointed at an empty file so $GIT_DIR/info/grafts is never read, GIT_REPLACE_REF_BASE dropped), and the user's
and the system's attribute files are not read. The commands whose output attributes change (patches: a `-diff`
or `binary` attribute, a diff driver, turns a file's lines into "Binary files differ") run with no work tree
and no index at all (see `_attr_free`), so neither a work tree's `.gitattributes` nor one in the pushed tree
can hide lines from the scanners, in any mode.
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import os
import re
import shutil
import subprocess
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gatekeeper.errors import GitError
from gatekeeper.models import ZERO_SHA, Commit, FileChange, FileStatus, Person, RefKind, RefUpdate, display_path
from gatekeeper.trailers import parse_trailers

SHA_RE = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
NOTES_REF = "refs/notes/origin"

# Config that changes what machine formats print, or runs programs; pinned on every call.
_PINNED_CONFIG = (
    "log.showSignature=false",
    "core.quotePath=false",
    "color.ui=never",
    "core.fsmonitor=false",
    "i18n.logOutputEncoding=UTF-8",
    "log.decorate=false",
    "diff.renames=false",
    "core.pager=cat",
    # Attributes decide whether a diff shows a file as text; a user-wide attributes file (or the XDG
    # default ~/.config/git/attributes) must not hide lines from the scanners.
    f"core.attributesFile={os.devnull}",
)
# Variables that say where the repository is; a local check must not inherit them from a parent
# git process (e.g. when run from a hook), a pre-receive hook must.
_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_QUARANTINE_PATH",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
)
# Patch output whose shape does not depend on repository config: no colour, no external diff or
# textconv drivers (which would run programs), fixed prefixes, no renames, no context lines, paths
# from the top of the repository whatever `diff.relative` says.
_PATCH_OPTIONS = ("-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
                  "--src-prefix=a/", "--dst-prefix=b/", "--full-index", "--no-relative")
_LOG_FIELDS = ("%H", "%P", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%B")
_LOG_FORMAT = "%x00".join(_LOG_FIELDS)


def git_environment(*, inherit_git_env: bool, base: dict[str, str] | None = None,
                    user_config: bool = False) -> dict[str, str]:
    """The environment of every git call. `user_config` keeps the user's global/system config, for the
    commands that act on the user's behalf (install reads core.hooksPath, tag commits as the user)."""
    env = dict(os.environ if base is None else base)
    if not inherit_git_env:
        for name in _LOCATION_VARS:
            env.pop(name, None)
    if not user_config:
        env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    env.update(
        {
            "LANG": "C",
            "LC_ALL": "C",
            "LANGUAGE": "C",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
            # Read the objects git stores, never a substitute named by refs/replace/* (DESIGN §10).
            "GIT_NO_REPLACE_OBJECTS": "1",
            # ...and no parents from $GIT_DIR/info/grafts either: git reads that file unless GIT_GRAFT_FILE
            # names another, so it names an empty one (a graft would make a rewrite look like a fast-forward).
            "GIT_GRAFT_FILE": os.devnull,
            "GIT_ATTR_NOSYSTEM": "1",
        }
    )
    for name in ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_TRACE", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
                 "GIT_REPLACE_REF_BASE", "GIT_ATTR_SOURCE"):
        env.pop(name, None)
    return env


def is_sha(value: str) -> bool:
    return bool(SHA_RE.match(value))


def is_zero(sha: str) -> bool:
    return set(sha) == {"0"}


@dataclass(frozen=True, slots=True)
class RepoInfo:
    git_dir: Path
    toplevel: Path | None  # None for a bare repository
    shallow: bool


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str  # "100644", "100755", "120000" (symlink), "160000" (gitlink), "040000" (tree)
    type: str  # "blob", "tree", "commit"
    sha: str
    path: str  # display_path of `raw`
    raw: bytes = b""


class BrokenNotes(GitError):
    """A notes ref that is not a notes commit: reading it as notes is impossible."""

    def __init__(self, ref: str, tip: str, problem: str) -> None:
        super().__init__(f"{ref} is not a notes ref: {problem}",
                         f"an administrator must repair or delete it (`git update-ref -d {ref}` in the repository)")
        self.ref = ref
        self.tip = tip
        self.problem = problem


@dataclass(frozen=True, slots=True)
class RefTarget:
    """One ref and what it names: `type` of that object, `peeled` the type behind annotated tags."""

    name: str
    sha: str
    type: str
    peeled: str

    @property
    def reaches_commit(self) -> bool:
        return self.type == "commit" or (self.type == "tag" and self.peeled == "commit")


class Git:
    """A repository and the questions gatekeeper asks of it."""

    def __init__(self, path: Path | str, *, inherit_git_env: bool = False, timeout: float = 120.0,
                 safe_directory: bool = False, user_config: bool = False, offline: bool = False) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.env = git_environment(inherit_git_env=inherit_git_env, user_config=user_config)
        self._config: list[str] = []
        for item in _PINNED_CONFIG:
            self._config += ["-c", item]
        if offline:
            # No transport at all: in a partial clone a missing object is then an error, never a silent
            # fetch from the promisor remote (the history audit reads what is here and says what is not).
            self._config += ["-c", "protocol.allow=never"]
        if safe_directory:
            # The Action's workspace is owned by another uid; trust exactly this path, nothing more.
            self._config += ["-c", f"safe.directory={self.path.resolve()}"]
        self._info: RepoInfo | None = None
        self._attr_free_env: tuple[Path, dict[str, str]] | None = None
        self.skip_paths: tuple[bytes, ...] = ()  # raw paths patches and range_files leave out (unreadable)

    def without_paths(self, paths: Iterable[bytes]) -> Git:
        """This repository with `paths` left out of every patch and range diff (their objects are missing)."""
        other = copy.copy(self)
        other.skip_paths = tuple(sorted(set(self.skip_paths) | set(paths)))
        return other

    def _pathspec(self) -> list[str]:
        if not self.skip_paths:
            return []
        # Literal, top-relative excludes: a path is never a glob, whatever the pusher named it.
        return ["--", ":(top)", *(f":(top,exclude,literal){os.fsdecode(p)}" for p in self.skip_paths)]

    # -- runner ---------------------------------------------------------------------------------
    def argv(self, *args: str) -> list[str]:
        return ["git", "--no-replace-objects", *self._config, *args]

    def run(self, *args: str, input: bytes | None = None, check: bool = True,
            timeout: float | None = None) -> subprocess.CompletedProcess[bytes]:
        argv = self.argv(*args)
        try:
            proc = subprocess.run(argv, cwd=self.path, env=self.env, input=input, capture_output=True,
                                  timeout=timeout or self.timeout, check=False)
        except NotADirectoryError as exc:
            raise GitError(f"{self.path}: not a directory", "pass --repo with a git repository path",
                           argv=tuple(argv)) from exc
        except FileNotFoundError as exc:
            if not self.path.is_dir():
                raise GitError(f"{self.path}: no such directory", "pass --repo with a git repository path",
                               argv=tuple(argv)) from exc
            raise GitError("git is not installed or not on PATH", "install git >= 2.30",
                           argv=tuple(argv)) from exc
        except subprocess.TimeoutExpired as exc:
            raise GitError(f"git {args[0]} timed out after {timeout or self.timeout:.0f}s",
                           "retry, or check the repository for corruption", argv=tuple(argv)) from exc
        if check and proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {args[0]} failed: {_first_line(stderr)}", "", argv=tuple(argv),
                           returncode=proc.returncode, stderr=stderr)
        return proc

    def out(self, *args: str, input: bytes | None = None) -> str:
        return self.run(*args, input=input).stdout.decode("utf-8", "replace")

    def _attr_free(self) -> tuple[Path, dict[str, str]]:
        """Working directory and environment for commands whose output attributes would change.

        git 2.39 has no switch to ignore `.gitattributes` (`--attr-source` is 2.40+, and would still
        read `info/attributes`); it reads them from the work tree, falling back to the index, even in
        a bare repository (from the current directory). So these commands run in an empty private
        directory that is their work tree, with an index file that does not exist, and the git
        directory named explicitly: the only attributes left are the repository owner's own
        `info/attributes` (not pushable, not in any tree). User and system files are off everywhere.
        """
        if self._attr_free_env is None:
            git_dir = self.info().git_dir
            empty = Path(tempfile.mkdtemp(prefix="gatekeeper-noattr-"))
            weakref.finalize(self, shutil.rmtree, str(empty), True)
            env = dict(self.env)
            for name in ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH",
                         "GIT_COMMON_DIR"):
                # The cwd changes: location variables git gave relative must keep meaning the same place.
                if env.get(name):
                    env[name] = os.pathsep.join(str((self.path / part).resolve()) if part else part
                                                for part in env[name].split(os.pathsep))
            env.update({"GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(empty),
                        "GIT_INDEX_FILE": str(empty / "no-index")})
            self._attr_free_env = (empty, env)
        return self._attr_free_env

    # -- repository -----------------------------------------------------------------------------
    def info(self) -> RepoInfo:
        if self._info is None:
            proc = self.run("rev-parse", "--absolute-git-dir", "--is-bare-repository",
                            "--is-shallow-repository", check=False)
            if proc.returncode != 0:
                stderr = proc.stderr.decode("utf-8", "replace")
                if "not a git repository" in stderr.lower():
                    raise GitError(f"{self.path.resolve()} is not a git repository",
                                   "run inside a clone or pass --repo PATH", stderr=stderr)
                if "dubious ownership" in stderr:
                    raise GitError(f"git refuses {self.path.resolve()}: owned by another user",
                                   f"git config --global --add safe.directory {self.path.resolve()}",
                                   stderr=stderr)
                raise GitError(f"cannot read repository {self.path}: {_first_line(stderr)}",
                               "check the path and permissions", stderr=stderr)
            git_dir, bare, shallow = proc.stdout.decode().split("\n")[:3]
            toplevel = None
            if bare != "true":
                top = self.run("rev-parse", "--show-toplevel", check=False)
                toplevel = Path(top.stdout.decode().strip()) if top.returncode == 0 else None
            self._info = RepoInfo(Path(git_dir), toplevel, shallow == "true")
        return self._info

    def resolve(self, rev: str, what: str = "revision") -> str:
        """A revision as a full commit id; GitError naming the fix when it is unknown."""
        if not rev or rev.startswith("-") or any(ord(c) < 32 for c in rev):
            raise GitError(f"invalid {what} {rev!r}", "name a branch, tag or commit id")
        proc = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        sha = proc.stdout.decode().strip()
        if proc.returncode != 0 or not is_sha(sha):
            fix = "check the name with `git rev-parse`"
            if self.info().shallow:
                fix = "this clone is shallow: fetch the history (`git fetch --unshallow`, or fetch-depth: 0)"
            raise GitError(f"unknown {what} {rev!r}", fix)
        return sha

    def try_resolve(self, rev: str) -> str | None:
        proc = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and is_sha(sha) else None

    def try_resolve_object(self, ref: str) -> str | None:
        """The object a full ref name points at, whatever its type; None when the ref does not exist."""
        if not ref.startswith("refs/") or any(ord(c) <= 32 for c in ref):
            return None
        proc = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", ref, check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and is_sha(sha) else None

    def object_exists(self, sha: str) -> bool:
        return self.run("cat-file", "-e", sha, check=False).returncode == 0

    def object_type(self, sha: str) -> str | None:
        proc = self.run("cat-file", "-t", sha, check=False)
        return proc.stdout.decode().strip() if proc.returncode == 0 else None

    def tag_messages(self, sha: str, *, max_depth: int = 8) -> list[tuple[str, str]]:
        """(tag object id, message) of the annotated tag `sha` and of tags it points at in turn
        (a tag of a tag); [] when `sha` is no tag object. Messages are commit data: hostile text."""
        return [(tag, raw.partition(b"\n\n")[2].decode("utf-8", "replace"))
                for tag, raw in self.tag_objects(sha, max_depth=max_depth)]

    def tag_objects(self, sha: str, *, max_depth: int = 8) -> list[tuple[str, bytes]]:
        """(tag object id, raw object bytes) of the annotated tag `sha` and of the tags it points at in
        turn, read through one `cat-file --batch`; [] when `sha` is no tag object."""
        found: list[tuple[str, bytes]] = []
        with self.batch() as reader:
            for _ in range(max_depth):
                if not is_sha(sha):
                    break
                kind, raw = reader.read(sha)
                if kind != "tag" or raw is None:
                    break
                found.append((sha, raw))
                header = raw.partition(b"\n\n")[0]
                sha = next((line[7:].decode("ascii", "replace") for line in header.split(b"\n")
                            if line.startswith(b"object ")), "")
        return found

    def current_branch(self) -> str | None:
        proc = self.run("symbolic-ref", "--quiet", "HEAD", check=False)
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def upstream(self) -> str | None:
        """The full ref name of HEAD's upstream (e.g. refs/remotes/origin/main), if any."""
        proc = self.run("rev-parse", "--symbolic-full-name", "--verify", "--quiet", "@{upstream}", check=False)
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def upstream_merge_ref(self) -> str | None:
        """The remote branch HEAD's upstream tracks, as the remote names it (refs/heads/main)."""
        branch = self.current_branch()
        if not branch or not branch.startswith("refs/heads/"):
            return None
        proc = self.run("config", "--get", f"branch.{branch[len('refs/heads/'):]}.merge", check=False)
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def default_branch(self) -> str | None:
        """The repository's default branch as a local or remote-tracking ref that exists."""
        proc = self.run("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD", check=False)
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout.decode().strip()
        for candidate in ("refs/heads/main", "refs/heads/master", "refs/remotes/origin/main",
                          "refs/remotes/origin/master"):
            if self.try_resolve(candidate):
                return candidate
        return None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = self.run("merge-base", "--is-ancestor", ancestor, descendant, check=False)
        if proc.returncode not in (0, 1):
            raise GitError(f"cannot compare {ancestor[:12]} and {descendant[:12]}: "
                           f"{_first_line(proc.stderr.decode('utf-8', 'replace'))}",
                           "the objects may be missing; fetch the full history")
        return proc.returncode == 0

    def ref_exists(self, ref: str) -> bool:
        return self.run("show-ref", "--verify", "--quiet", ref, check=False).returncode == 0

    def refs(self, pattern: str = "") -> dict[str, str]:
        args = ["for-each-ref", "--format=%(objectname) %(refname)"]
        if pattern:
            args.append(pattern)
        result: dict[str, str] = {}
        for line in self.out(*args).splitlines():
            sha, _, name = line.partition(" ")
            result[name] = sha
        return result

    def ref_targets(self, keep: Callable[[str], bool] | None = None) -> list[RefTarget]:
        """Refs (those whose name `keep` accepts) with the type of the object each names and the type behind
        annotated tags. Names come from one `for-each-ref` that reads no object; types from one `cat-file
        --batch-check` for the kept refs only (a server with thousands of tags pays for the few it asks)."""
        out = self.run("for-each-ref", "--format=%(refname)%00%(objectname)%00").stdout
        kept: list[tuple[str, str]] = []
        for line in out.split(b"\n"):
            fields = line.split(b"\x00")
            if len(fields) < 2:
                continue
            name, sha = fields[0].decode("utf-8", "replace"), fields[1].decode("ascii", "replace")
            if is_sha(sha) and (keep is None or keep(name)):
                kept.append((name, sha))
        if not kept:
            return []
        shas = list(dict.fromkeys(sha for _, sha in kept))
        types = self.out("cat-file", "--batch-check=%(objecttype)",
                         input="".join(f"{s}\n{s}^{{}}\n" for s in shas).encode()).splitlines()
        kinds: dict[str, tuple[str, str]] = {}
        for index, sha in enumerate(shas):
            pair = types[2 * index: 2 * index + 2]
            # "<input> missing" for an object git cannot read: neither a commit nor anything peelable.
            kind = pair[0] if pair and " " not in pair[0] else "missing"
            peeled = pair[1] if len(pair) > 1 and " " not in pair[1] else "missing"
            kinds[sha] = (kind, peeled if kind == "tag" else "")
        return [RefTarget(name, sha, *kinds[sha]) for name, sha in kept]

    def symref_targets(self, names: Sequence[str]) -> dict[str, str]:
        """For each of `names` that is a symbolic ref on this repository, the ref it finally names.

        One `for-each-ref` lists the symbolic refs that resolve; a name it does not list that does not
        exist as a ref yet (a symbolic ref to a branch not born) is asked with `symbolic-ref` alone.
        """
        out = self.run("for-each-ref", "--format=%(refname)%00%(symref)%00").stdout
        links: dict[str, str] = {}
        existing: set[str] = set()
        for line in out.split(b"\n"):
            fields = line.split(b"\x00")
            if len(fields) < 2 or not fields[0]:
                continue
            name = fields[0].decode("utf-8", "replace")
            existing.add(name)
            if fields[1]:
                links[name] = fields[1].decode("utf-8", "replace")
        result: dict[str, str] = {}
        for name in dict.fromkeys(names):
            target = name
            for _ in range(10):  # git itself gives up on chains deeper than 5
                if target not in links:
                    break
                target = links[target]
            if target == name and name not in existing and not name.startswith("refs/tags/"):
                proc = self.run("symbolic-ref", "--quiet", "--", name, check=False)
                resolved = proc.stdout.decode("utf-8", "replace").strip()
                if proc.returncode == 0 and resolved.startswith("refs/"):
                    target = resolved
            if target != name:
                result[name] = target
        return result

    def peel(self, shas: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(type, id) of the object each id names once annotated tags are peeled (one `cat-file
        --batch-check`); ("missing", id) when git cannot read it."""
        wanted = [s for s in dict.fromkeys(shas) if is_sha(s)]
        if not wanted:
            return {}
        out = self.out("cat-file", "--batch-check=%(objectname) %(objecttype)",
                       input="".join(f"{s}^{{}}\n" for s in wanted).encode())
        result: dict[str, tuple[str, str]] = {}
        for sha, line in zip(wanted, out.splitlines(), strict=False):
            fields = line.split()
            if len(fields) == 2 and is_sha(fields[0]):
                result[sha] = (fields[1], fields[0])
            else:
                result[sha] = ("missing", sha)
        return result

    # -- history --------------------------------------------------------------------------------
    def rev_list(self, include: Sequence[str], exclude: Sequence[str] = (), *, exclude_all: bool = False,
                 oldest_first: bool = False) -> list[str]:
        if not include:
            return []
        stdin = "".join(f"{r}\n" for r in include) + "".join(f"^{r}\n" for r in exclude)
        args = ["rev-list", "--stdin"]
        if oldest_first:
            args += ["--topo-order", "--reverse"]
        if exclude_all:
            args += ["--not", "--all"]
        return self.out(*args, input=stdin.encode()).split()

    def iter_log(self, include: Sequence[str], exclude: Sequence[str] = (), *,
                 exclude_all: bool = False, reverse: bool = True, no_walk: bool = False) -> Iterator[Commit]:
        """Commits of `include ^exclude` (oldest first), streamed from one `git log` process.
        `no_walk`: exactly the commits named in `include`, in that order."""
        if not include:
            return
        for rev in (*include, *exclude):
            _check_rev_token(rev)
        stdin = "".join(f"{r}\n" for r in include) + "".join(f"^{r}\n" for r in exclude)
        args = ["log", "-z", f"--format={_LOG_FORMAT}", "--no-color", "--stdin"]
        if no_walk:
            args.append("--no-walk=unsorted")
        else:
            args.append("--topo-order")
        if reverse and not no_walk:
            args.append("--reverse")
        if exclude_all:
            args += ["--not", "--all"]
        with self._process(args, stdin.encode(), "log", "check that the revisions exist") as (out, argv):
            yield from _parse_log_stream(out, argv)

    def commits(self, include: Sequence[str], exclude: Sequence[str] = (), *,
                exclude_all: bool = False) -> list[Commit]:
        return list(self.iter_log(include, exclude, exclude_all=exclude_all))

    def iter_raw_log(self, include: Sequence[str], exclude: Sequence[str] = (), *, since: str | None = None,
                     every_ref: bool = False) -> Iterator[tuple[Commit, bool]]:
        """(commit, signed) for `include ^exclude` (newest first, git's default order, streamed as git
        walks): one `git log -z --pretty=raw` process, whose raw headers say whether a commit carries a
        signature (`gpgsig*`) without verifying it. `every_ref`: all branches, tags and remote-tracking
        refs (not `--all`, which would walk notes commits too)."""
        for parts in self.iter_raw_parts(include, exclude, since=since, every_ref=every_ref):
            yield commit_from_parts(parts), parts[7]

    def iter_raw_parts(self, include: Sequence[str], exclude: Sequence[str] = (), *, since: str | None = None,
                       every_ref: bool = False) -> Iterator[RawParts]:
        """iter_raw_log's records before a Commit is built (no trailer parsing): (sha, parents, author,
        author_time, committer, commit_time, message, signed). The audit builds a Commit only for commits
        that may carry evidence; `commit_from_parts` makes the same Commit iter_raw_log yields."""
        for rev in (*include, *exclude):
            _check_rev_token(rev)
        if since is not None and (not since.strip() or since.startswith("-") or any(ord(c) < 32 for c in since)):
            raise GitError(f"invalid date {since!r}", "pass a date such as 2026-01-31 or '6 months ago'")
        if not include and not every_ref:
            return
        stdin = "".join(f"{r}\n" for r in include) + "".join(f"^{r}\n" for r in exclude)
        args = ["log", "-z", "--pretty=raw", "--no-notes", "--no-color", "--no-abbrev", "--stdin"]
        if every_ref:
            args += ["--branches", "--tags", "--remotes"]
        if since is not None:
            args.append(f"--since={since}")
        with self._process(args, stdin.encode(), "log", "check that the revisions exist and the repository is "
                           "intact (`git fsck`)") as (out, argv):
            yield from _parse_raw_stream(out, argv)

    def merge_bases(self, a: str, b: str) -> list[str]:
        """Every best common ancestor of a and b (`merge-base --all`); empty when they share none."""
        _check_rev_token(a)
        _check_rev_token(b)
        proc = self.run("merge-base", "--all", a, b, check=False)
        return [s for s in proc.stdout.decode().split() if is_sha(s)] if proc.returncode == 0 else []

    def landing_merges(self, shas: Sequence[str], refs: Sequence[str]) -> dict[str, str]:
        """For commits in the history of `refs`: the first-parent commit of a ref through which each arrived
        (a commit on a ref's first-parent line maps to nothing). One `git name-rev` for all: a name such as
        `main~5^2~3` arrived through `main~5`; the names are resolved with one `rev-parse`."""
        wanted = [s for s in dict.fromkeys(shas) if is_sha(s)]
        if not wanted or not refs:
            return {}
        for ref in refs:
            _check_rev_token(ref)
        args = ["name-rev", "--name-only", *(f"--refs={ref}" for ref in refs), *wanted]
        proc = self.run(*args, check=False, timeout=max(self.timeout, 600))
        if proc.returncode != 0:
            return {}
        names = proc.stdout.decode("utf-8", "replace").split("\n")
        through: dict[str, str] = {}
        for sha, name in zip(wanted, names, strict=False):
            if "^" in name and not name.startswith(("undefined", "-")) and not any(ord(c) < 33 for c in name):
                through[sha] = name.split("^", 1)[0]
        if not through:
            return {}
        points = sorted(set(through.values()))
        resolved = self.run("rev-parse", *points, check=False)
        found = resolved.stdout.decode().split() if resolved.returncode == 0 else []
        if len(found) != len(points):
            return {}
        at = dict(zip(points, found, strict=True))
        return {sha: at[point] for sha, point in through.items() if is_sha(at[point])}

    def new_commit_ids(self, update: RefUpdate, *, pushed: bool) -> list[str]:
        """The commits a ref update brings: `pushed` means pre-receive (exclude every existing ref)."""
        if update.kind is RefKind.DELETE or is_zero(update.new):
            return []
        if pushed:
            return self.rev_list([update.new], exclude_all=True)
        if is_zero(update.old):
            return self.rev_list([update.new], exclude_all=True)
        return self.rev_list([update.new], [update.old])

    # -- trees and blobs ------------------------------------------------------------------------
    def changed_files(self, shas: Iterable[str]) -> dict[str, tuple[FileChange, ...]]:
        """Paths each commit changed with blob ids, from one `diff-tree --stdin -r -z` process.

        Non-merge commits are diffed against their parent (root commits against the empty tree);
        merges use the combined diff (`-c`), i.e. only paths that differ from every parent, which is
        where a merge itself introduces content (conflict resolutions, evil merges).
        """
        shas = list(dict.fromkeys(shas))
        if not shas:
            return {}
        stdin = "".join(f"{s}\n" for s in shas).encode()
        raw = self.run("diff-tree", "--stdin", "-r", "-z", "--root", "-c", "--no-renames", "--no-ext-diff",
                       "--raw", input=stdin).stdout
        return _parse_diff_tree(raw, shas)

    def changed_files_each_parent(self, shas: Iterable[str], paths: Sequence[str]) -> dict[str, tuple[FileChange, ...]]:
        """Paths under `paths` (literal prefixes) that each commit changed against ANY of its parents.

        Unlike `changed_files` (the combined diff of a merge hides a path that matches one parent), a
        merge is diffed against every parent (`-m`): a merge that takes an old version of a file from
        one side shows up. Each entry's `new_blob`/`new_mode` is the commit's own version. One process.
        """
        shas = list(dict.fromkeys(shas))
        if not shas or not paths:
            return {s: () for s in shas}
        for sha in shas:
            _check_rev_token(sha)
        stdin = "".join(f"{s}\n" for s in shas).encode()
        raw = self.run("diff-tree", "--stdin", "-r", "-z", "--root", "-m", "--no-renames", "--no-ext-diff", "--raw",
                       "--", *(f":(literal){p}" for p in paths), input=stdin).stdout
        return _parse_diff_tree(raw, shas)

    def tree_files(self, rev: str, paths: Sequence[str]) -> dict[str, tuple[str, str]]:
        """`{path: (mode, object id)}` of every file at or under `paths` (literal) at `rev`; one process.
        Keys are display paths (lossless, see models.display_path)."""
        _check_rev_token(rev)
        if not paths:
            return {}
        proc = self.run("ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths, check=False)
        if proc.returncode != 0:
            raise GitError(f"cannot list the files of {rev[:12]}", "check the repository with `git fsck`")
        files: dict[str, tuple[str, str]] = {}
        for record in proc.stdout.split(b"\x00"):
            meta, tab, name = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if tab and len(fields) == 3:
                files[display_path(name)] = (fields[0], fields[2])
        return files

    def changed_paths_between(self, old: str, new: str, paths: Sequence[str]) -> list[str]:
        """Display paths under `paths` (literal) whose content differs between two revisions."""
        _check_rev_token(old)
        _check_rev_token(new)
        if not paths:
            return []
        proc = self.run("diff-tree", "-r", "-z", "--name-only", "--no-renames", old, new, "--",
                        *(f":(literal){p}" for p in paths), check=False)
        if proc.returncode != 0:
            raise GitError(f"could not compare {old[:12]} and {new[:12]}", "check the repository with `git fsck`")
        return [display_path(p) for p in proc.stdout.split(b"\x00") if p]

    def commit_patches(self, shas: Sequence[str], *, big_file_threshold: int) -> Iterator[bytes]:
        """Lines of each commit's own patch (-U0), streamed from one `diff-tree --stdin` process.

        Each commit's output starts with a line holding its id. Non-merges are diffed against their
        parent (root commits against the empty tree); merges get the dense combined diff (`--cc`), one
        `+`/`-`/space column per parent. Files over `big_file_threshold` bytes are shown by git as
        binary (core.bigFileThreshold), so a huge blob never streams through here.
        """
        shas = list(dict.fromkeys(shas))
        if not shas:
            return iter(())
        for sha in shas:
            _check_rev_token(sha)
        stdin = "".join(f"{s}\n" for s in shas).encode()
        return self._stream(["-c", f"core.bigFileThreshold={max(big_file_threshold, 1)}", "diff-tree", "--stdin",
                             "-r", "--root", "--cc", *_PATCH_OPTIONS, *self._pathspec()], stdin, "diff-tree",
                            attr_free=True)

    def range_patch(self, bases: Sequence[str], head: str, *, big_file_threshold: int) -> Iterator[bytes]:
        """Lines of the net patch (-U0) from the range's boundary commit(s) to its head.

        No base: against the empty tree (every line at head is new). One base: `git diff base head`.
        Several (the range merges in history from outside it): the combined diff of head against all of
        them (`git diff --cc head b1 b2 ...`), whose lines marked `+` in every column are the ones no
        boundary commit has.
        """
        for rev in (*bases, head):
            _check_rev_token(rev)
        threshold = ["-c", f"core.bigFileThreshold={max(big_file_threshold, 1)}"]
        if not bases:
            args = ["diff", *_PATCH_OPTIONS, self.empty_tree(), head]
        elif len(bases) == 1:
            args = ["diff", *_PATCH_OPTIONS, bases[0], head]
        else:
            args = ["diff", "--cc", *_PATCH_OPTIONS, head, *bases]
        return self._stream([*threshold, *args, *self._pathspec()], None, "diff", attr_free=True)

    def range_files(self, bases: Sequence[str], head: str) -> tuple[FileChange, ...]:
        """Paths whose content at `head` differs from the boundary commit(s), with head's blob and mode
        (combined with several boundaries: only paths that differ from every one of them)."""
        for rev in (*bases, head):
            _check_rev_token(rev)
        common = ["diff", "--raw", "-z", "-r", "--no-renames", "--no-abbrev", "--no-ext-diff", "--no-textconv",
                  "--no-relative"]
        if not bases:
            args = [*common, self.empty_tree(), head]
        elif len(bases) == 1:
            args = [*common, bases[0], head]
        else:
            args = [*common, "-c", head, *bases]
        raw = self.run(*args, *self._pathspec()).stdout
        return _parse_diff_tree(head.encode() + b"\x00" + raw, [head]).get(head, ())

    def parents(self, shas: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Parent ids of each commit, from one `rev-list --no-walk --parents --stdin` process."""
        shas = list(dict.fromkeys(shas))
        if not shas:
            return {}
        for sha in shas:
            _check_rev_token(sha)
        out = self.out("rev-list", "--no-walk=unsorted", "--parents", "--stdin",
                       input="".join(f"{s}\n" for s in shas).encode())
        result: dict[str, tuple[str, ...]] = {}
        for line in out.splitlines():
            ids = line.split()
            if ids and is_sha(ids[0]):
                result[ids[0]] = tuple(ids[1:])
        return result

    def is_partial_clone(self) -> bool:
        """A clone made with --filter (it has a promisor remote): objects may be missing by design."""
        return self.config_get("extensions.partialclone") is not None

    def missing_objects(self, commits: Sequence[str]) -> set[str]:
        """Trees and blobs in the trees of `commits` (each one's whole tree, not walked to its parents) that
        this repository does not have: pass the range's commits and its base commits to cover both sides
        of every diff.

        `rev-list --missing=print` lists them without fetching (a partial clone would otherwise ask its
        promisor remote for each) and without failing; a damaged repository's lost objects show the same.
        """
        if not commits:
            return set()
        for rev in commits:
            _check_rev_token(rev)
        out = self.out("rev-list", "--objects", "--missing=print", "--no-object-names", "--no-walk=unsorted",
                       "--stdin", input="".join(f"{r}\n" for r in dict.fromkeys(commits)).encode())
        return {line[1:].strip() for line in out.splitlines() if line.startswith("?")}

    def object_sizes(self, shas: Iterable[str]) -> dict[str, int | None]:
        """Sizes of objects from their headers only (one `cat-file --batch-check`); None when missing."""
        shas = [s for s in dict.fromkeys(shas) if is_sha(s)]
        if not shas:
            return {}
        out = self.out("cat-file", "--batch-check=%(objectname) %(objectsize)",
                       input="".join(f"{s}\n" for s in shas).encode())
        sizes: dict[str, int | None] = dict.fromkeys(shas)
        for line in out.splitlines():
            name, _, size = line.partition(" ")
            if name in sizes and size.isdigit():
                sizes[name] = int(size)
        return sizes

    def object_types(self, shas: Iterable[str]) -> dict[str, str | None]:
        """Types of objects (one `cat-file --batch-check`); None when missing."""
        shas = [s for s in dict.fromkeys(shas) if is_sha(s)]
        if not shas:
            return {}
        out = self.out("cat-file", "--batch-check=%(objectname) %(objecttype)",
                       input="".join(f"{s}\n" for s in shas).encode())
        types: dict[str, str | None] = dict.fromkeys(shas)
        for line in out.splitlines():
            name, _, kind = line.partition(" ")
            if name in types and kind in ("blob", "tree", "commit", "tag"):
                types[name] = kind
        return types

    def empty_tree(self) -> str:
        """The id of the empty tree in this repository's hash algorithm (sha1 or sha256)."""
        return self.out("hash-object", "-t", "tree", "--stdin", input=b"").strip()

    def _stream(self, args: list[str], stdin: bytes | None, what: str, *, attr_free: bool = False) -> Iterator[bytes]:
        """Output lines of one git process, read as they come (see `_process`)."""
        with self._process(args, stdin, what, "check that the revisions exist", attr_free=attr_free) as (out, _):
            yield from out

    @contextlib.contextmanager
    def _process(self, args: list[str], stdin: bytes | None, what: str, fix: str, *,
                 attr_free: bool = False) -> Iterator[tuple[IO[bytes], list[str]]]:
        """One streaming git process: (its stdout, its argv) while the caller reads. stdin is fed and
        stderr drained by threads — git answers each input line before reading the next, and a process
        that fills its stderr pipe (a history with many missing objects) would otherwise stop writing
        stdout, and the reader would wait forever. The process is reaped on the way out (killed when the
        reader stopped early); a failure raises GitError once the output was read in full."""
        argv = self.argv(*args)
        cwd, env = self._attr_free() if attr_free else (self.path, self.env)
        proc = subprocess.Popen(argv, cwd=cwd, env=env,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        feeder = threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True)
        feeder.start()
        errors: list[bytes] = []
        drainer = threading.Thread(target=lambda: errors.append(proc.stderr.read() if proc.stderr else b""),
                                   daemon=True)
        drainer.start()
        finished = False
        try:
            yield proc.stdout, argv
            finished = True
        finally:
            if not finished and proc.poll() is None:
                proc.kill()
            try:
                proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            feeder.join(timeout=5)
            drainer.join(timeout=5)
            proc.stdout.close()
            proc.stderr.close()
        if proc.returncode != 0:
            stderr = b"".join(errors).decode("utf-8", "replace")
            raise GitError(f"git {what} failed: {_first_line(stderr)}", fix, argv=tuple(argv),
                           returncode=proc.returncode, stderr=stderr)

    def batch(self) -> BlobReader:
        return BlobReader(self)

    def read_objects(self, shas: Iterable[str], *, max_size: int | None = None) -> dict[str, tuple[str, bytes | None]]:
        """type and content per object id; content None when over max_size or missing.

        Pipelined: every request is written by a feeder thread while the answers are read, instead of
        one request/answer round trip per object (20,000 commit objects: ~1.4 s -> ~0.1 s)."""
        wanted = list(dict.fromkeys(shas))
        for sha in wanted:
            if not is_sha(sha):
                raise GitError(f"invalid object id {sha!r}", "this is a bug in gatekeeper; please report it")
        if not wanted:
            return {}
        argv = self.argv("cat-file", "--batch")
        proc = subprocess.Popen(argv, cwd=self.path, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        feeder = threading.Thread(target=_feed, args=(proc.stdin, "".join(f"{s}\n" for s in wanted).encode()),
                                  daemon=True)
        feeder.start()
        result: dict[str, tuple[str, bytes | None]] = {}
        assert proc.stdout is not None
        try:
            for sha in wanted:
                header = proc.stdout.readline()
                if not header:
                    raise GitError("git cat-file --batch stopped unexpectedly", "check the repository with `git fsck`")
                parts = header.decode().split()
                if len(parts) == 2 and parts[1] == "missing":
                    result[sha] = ("missing", None)
                    continue
                if len(parts) != 3:
                    raise GitError(f"unexpected cat-file header {header[:80]!r}",
                                   "check the repository with `git fsck`")
                kind, size = parts[1], int(parts[2])
                if max_size is not None and size > max_size:
                    _discard(proc.stdout, size + 1)
                    result[sha] = (kind, None)
                    continue
                data = _read_exact(proc.stdout, size)
                proc.stdout.read(1)  # the newline after each object
                result[sha] = (kind, data)
        finally:
            proc.stdout.close()
            feeder.join(timeout=self.timeout)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return result

    def path_changes(self, shas: Iterable[str], path: str) -> list[tuple[str, str, str]]:
        """(commit, old blob, new blob) for each of `shas` whose diff against its first parent changes `path`
        (one `git log --no-walk`; zeros for a side that does not exist)."""
        wanted = "".join(f"{sha}\n" for sha in shas if is_sha(sha))
        if not wanted:
            return []
        proc = self.run("log", "--no-walk=unsorted", "--stdin", "--format=%x00%H", "--raw", "-z", "--no-abbrev",
                        "--no-renames", "--first-parent", "--", path, input=wanted.encode())
        found: list[tuple[str, str, str]] = []
        current: str | None = None
        tokens = proc.stdout.decode("utf-8", "replace").split("\x00")
        for index, token in enumerate(tokens):
            token = token.strip("\n")
            if is_sha(token):
                current = token
            elif token.startswith(":") and current is not None and index + 1 < len(tokens):
                fields = token[1:].split()
                if len(fields) == 5 and tokens[index + 1] == path:
                    found.append((current, fields[2], fields[3]))
        return found

    def show_file(self, rev: str, path: str) -> bytes | None:
        """A file's bytes at a revision, read from the object store (never the work tree)."""
        proc = self.run("cat-file", "blob", f"{rev}:{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None

    def tree_entries(self, rev: str, path: str, *, recursive: bool = False) -> list[TreeEntry]:
        """Entries named `path` at `rev` (with `recursive`, every file beneath it), from `ls-tree -z`;
        modes tell files from symlinks and gitlinks, which callers must not follow."""
        _check_rev_token(rev)
        args = ["ls-tree", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
        proc = self.run(*args, rev, "--", path, check=False)
        if proc.returncode != 0:
            return []
        entries: list[TreeEntry] = []
        for record in proc.stdout.split(b"\x00"):
            meta, tab, name = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if tab and len(fields) == 3:
                entries.append(TreeEntry(fields[0], fields[1], fields[2], display_path(name), name))
        return entries

    def tree_blobs(self, tree: str) -> list[TreeEntry]:
        """Every blob of a tree, recursively, from `ls-tree -r -z` (gitlinks left out: no content here)."""
        if not is_sha(tree):
            raise GitError(f"invalid tree id {tree!r}", "this is a bug in gatekeeper; please report it")
        entries: list[TreeEntry] = []
        for record in self.run("ls-tree", "-r", "-z", "--full-tree", tree).stdout.split(b"\x00"):
            meta, tab, name = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if tab and len(fields) == 3 and fields[1] == "blob":
                entries.append(TreeEntry(fields[0], fields[1], fields[2], display_path(name), name))
        return entries

    def merge_base(self, a: str, b: str) -> str | None:
        _check_rev_token(a)
        _check_rev_token(b)
        proc = self.run("merge-base", a, b, check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and is_sha(sha) else None

    def is_shallow(self) -> bool:
        """Shallow right now (not cached like info(): a fetch may have deepened the clone)."""
        return self.out("rev-parse", "--is-shallow-repository").strip() == "true"

    def fetch_commits(self, remote: str, shas: Sequence[str], *, unshallow: bool = False,
                      timeout: float | None = None) -> tuple[bool, str]:
        """One `git fetch` of exact commit ids (and `--unshallow`) from a configured remote; never retried.
        Returns (ok, first error line). Credentials are whatever the remote's config already has."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", remote):
            raise GitError(f"invalid remote name {remote!r}", "name a configured remote such as origin")
        for sha in shas:
            if not is_sha(sha):
                raise GitError(f"invalid commit id {sha!r}", "this is a bug in gatekeeper; please report it")
        args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
        if unshallow:
            args.append("--unshallow")
        proc = self.run(*args, remote, *shas, check=False, timeout=timeout)
        self._info = None
        return proc.returncode == 0, _first_line(proc.stderr.decode("utf-8", "replace"))

    def notes(self, shas: Iterable[str], ref: str = NOTES_REF, *, max_size: int = 64 * 1024) -> dict[str, str]:
        """git notes under `ref` for the given commits (empty when the notes ref does not exist); notes
        larger than `max_size` are left out. BrokenNotes when the ref is not a notes commit (a pushed
        blob, a commit whose tree holds something else): git's own `notes list` would fail on it."""
        wanted = set(shas)
        if not wanted:
            return {}
        tip = self._ref_tip(ref)
        if tip is None:
            return {}
        index, problem = self.notes_index(tip)
        if problem is not None:
            raise BrokenNotes(ref, tip, problem)
        return self._note_texts({c: b for c, b in index.items() if c in wanted}, max_size)

    def notes_shas(self, ref: str = NOTES_REF) -> set[str]:
        """The objects that have a note under `ref` (what a history audit asks first); BrokenNotes as in
        notes()."""
        tip = self._ref_tip(ref)
        if tip is None:
            return set()
        index, problem = self.notes_index(tip)
        if problem is not None:
            raise BrokenNotes(ref, tip, problem)
        return set(index)

    def notes_at(self, notes_commit: str, shas: Iterable[str], *, max_size: int = 64 * 1024) -> dict[str, str]:
        """Notes as stored in a notes commit that is not (yet) a ref: the tip a push brings for a notes
        ref, read from the quarantine (empty when it is not a well-formed notes commit: the push's
        check refuses that)."""
        wanted = set(shas)
        if not wanted or not is_sha(notes_commit):
            return {}
        index, problem = self.notes_index(notes_commit)
        if problem is not None:
            return {}
        return self._note_texts({c: b for c, b in index.items() if c in wanted}, max_size)

    def _ref_tip(self, ref: str) -> str | None:
        """The object a ref names (whatever its type); None when the ref does not exist."""
        proc = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", ref, check=False)
        tip = proc.stdout.decode().strip()
        return tip if proc.returncode == 0 and is_sha(tip) else None

    def notes_index(self, tip: str) -> tuple[dict[str, str], str | None]:
        """(annotated object id -> note blob id, None) for a well-formed notes commit, else ({}, what is
        wrong). A notes tree holds only blobs named by the full id of the object they annotate,
        possibly split into two-digit fan-out directories (ab/cdef…), as `git notes` writes it."""
        if not is_sha(tip):
            return {}, "not an object id"
        kind = self.object_type(tip)
        if kind != "commit":
            return {}, f"it names a {kind or 'missing object'}, not a notes commit"
        proc = self.run("ls-tree", "-r", "-z", "--full-tree", tip, check=False)
        if proc.returncode != 0:
            return {}, "its tree cannot be read"
        index: dict[str, str] = {}
        for record in proc.stdout.split(b"\x00"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            fields = meta.split()
            shown = path.decode("utf-8", "backslashreplace")[:120]
            if len(fields) != 3 or fields[1] != b"blob":
                kind_here = fields[1].decode("ascii", "replace") if len(fields) == 3 else "entry"
                return {}, f"its tree holds a {kind_here} at {shown!r}, not a note"
            parts = path.split(b"/")
            name = b"".join(parts).decode("ascii", "replace")
            if not is_sha(name) or any(len(p) != 2 for p in parts[:-1]):
                return {}, f"its tree holds {shown!r}, which is not named by an object id"
            index[name] = fields[2].decode("ascii")
        return index, None

    def _note_texts(self, pairs: Mapping[str, str], max_size: int) -> dict[str, str]:
        if not pairs:
            return {}
        blobs = self.read_objects(pairs.values(), max_size=max_size)
        return {commit: content.decode("utf-8", "replace")
                for commit, blob in pairs.items()
                if (content := blobs.get(blob, ("missing", None))[1]) is not None}

    def note(self, ref: str, sha: str, *, max_size: int = 256 * 1024) -> bytes | None:
        """The note of one commit under `ref`, in one git call; None when there is none. GitError when
        the notes ref exists but cannot be read as notes (so a broken ref is never taken for "no note")."""
        if not is_sha(sha) or not ref.startswith("refs/notes/"):
            raise GitError(f"invalid note lookup {ref!r} {sha!r}", "this is a bug in gatekeeper; please report it")
        proc = self.run("notes", f"--ref={ref}", "show", sha, check=False)
        if proc.returncode == 0:
            return proc.stdout if len(proc.stdout) <= max_size else None
        if self.try_resolve_object(ref) is None or b"no note found" in proc.stderr:
            return None
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"cannot read {ref}: {_first_line(stderr)}",
                       f"an administrator must repair {ref} (it should name a notes commit)", stderr=stderr)

    def write_note(self, ref: str, sha: str, content: bytes, *, author: str = "gatekeeper") -> None:
        """Attach (or replace) the note of commit `sha` under `ref`, as a commit by `author`. Used on the
        server after a push was accepted (attestations); the notes ref's own lock serialises writers."""
        if not is_sha(sha) or not ref.startswith("refs/notes/") or any(ord(c) <= 32 for c in ref):
            raise GitError(f"invalid note target {ref!r} {sha!r}", "this is a bug in gatekeeper; please report it")
        self.run("-c", f"user.name={author}", "-c", "user.email=gatekeeper@localhost",
                 "notes", f"--ref={ref}", "add", "--force", "--file=-", sha, input=content)

    def config_get(self, key: str) -> str | None:
        proc = self.run("config", "--get", key, check=False)
        return proc.stdout.decode().strip() if proc.returncode == 0 else None


class BlobReader:
    """One long-lived `git cat-file --batch` process; object sizes are checked before reading."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        argv = self.git.argv("cat-file", "--batch")
        self._proc = subprocess.Popen(argv, cwd=self.git.path, env=self.git.env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.close()
            self._proc.stdout.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def read(self, sha: str, *, max_size: int | None = None) -> tuple[str, bytes | None]:
        """(type, content); type "missing" for unknown ids; content None when larger than max_size."""
        kind, _size, data = self.read_sized(sha, max_size=max_size)
        return kind, data

    def read_sized(self, sha: str, *, max_size: int | None = None) -> tuple[str, int, bytes | None]:
        """(type, size, content): the size comes from cat-file's header, so an object over max_size is
        skipped without being held in memory (its bytes are drained from the pipe in 1 MiB chunks)."""
        if self._proc is None:
            raise RuntimeError("BlobReader used outside its context")
        if not is_sha(sha):
            raise GitError(f"invalid object id {sha!r}", "this is a bug in gatekeeper; please report it")
        assert self._proc.stdin is not None and self._proc.stdout is not None
        stdin, stdout = self._proc.stdin, self._proc.stdout
        stdin.write(f"{sha}\n".encode())
        stdin.flush()
        header = stdout.readline()
        if not header:
            raise GitError("git cat-file --batch stopped unexpectedly", "check the repository with `git fsck`")
        parts = header.decode().split()
        if len(parts) == 2 and parts[1] == "missing":
            return "missing", 0, None
        if len(parts) != 3:
            raise GitError(f"unexpected cat-file header {header[:80]!r}", "check the repository with `git fsck`")
        kind, size = parts[1], int(parts[2])
        if max_size is not None and size > max_size:
            _discard(stdout, size + 1)
            return kind, size, None
        data = _read_exact(stdout, size)
        stdout.read(1)  # the newline after each object
        return kind, size, data

    def size(self, sha: str) -> int | None:
        kind, data = self.read(sha, max_size=0)
        # Cheap enough for the rare caller: batch-check would need a second process.
        return None if kind == "missing" else (len(data) if data is not None else -1)


def _feed(pipe: IO[bytes] | None, data: bytes | None) -> None:
    if pipe is None:
        return
    try:
        if data:
            pipe.write(data)
    except (BrokenPipeError, ValueError):
        pass  # git exited early; its exit status tells why
    finally:
        with contextlib.suppress(BrokenPipeError, ValueError):
            pipe.close()


def _read_exact(stream: object, size: int) -> bytes:
    read = stream.read  # type: ignore[attr-defined]
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = read(min(remaining, 1 << 20))
        if not chunk:
            raise GitError("git cat-file --batch output ended early", "check the repository with `git fsck`")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _discard(stream: object, size: int) -> None:
    read = stream.read  # type: ignore[attr-defined]
    remaining = size
    while remaining > 0:
        chunk = read(min(remaining, 1 << 20))
        if not chunk:
            break
        remaining -= len(chunk)


def _first_line(text: str) -> str:
    # git's `hint:` lines (e.g. the grafts deprecation hint the empty GIT_GRAFT_FILE provokes) say nothing
    # about what failed: the first other line does.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if not line.startswith("hint:"):
            return line[:300]
    return lines[0][:300] if lines else "(no error output)"


def _check_rev_token(rev: str) -> None:
    if not rev or rev.startswith(("-", "^")) or any(ord(c) < 33 for c in rev):
        raise GitError(f"invalid revision {rev!r}", "name a branch, tag or commit id")


def _parse_log_stream(stream: object, argv: list[str]) -> Iterator[Commit]:
    # One incremental UTF-8 decode per 64 KiB chunk (a character split across chunks is kept for the
    # next one) instead of nine bytes.decode() calls per commit.
    read = stream.read  # type: ignore[attr-defined]
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer = ""
    fields: list[str] = []
    n = len(_LOG_FIELDS)
    people: dict[tuple[str, str], Person] = {}
    while True:
        chunk = read(1 << 16)
        buffer += decoder.decode(chunk, final=not chunk)
        parts = buffer.split("\x00")
        buffer = parts.pop() if chunk else ""
        if not chunk and parts == [""]:
            parts = []
        for part in parts:
            fields.append(part)
            if len(fields) == n:
                yield _commit_from_fields(fields, argv, people)
                fields = []
        if not chunk:
            break
    if buffer:
        fields.append(buffer)
    if len(fields) == n:
        yield _commit_from_fields(fields, argv, people)
    elif fields and any(fields):
        raise GitError("could not parse git log output (truncated record)", "check the repository with `git fsck`",
                       argv=tuple(argv))


def _parse_raw_stream(stream: object, argv: list[str]) -> Iterator[RawParts]:
    """Records of `git log -z --pretty=raw`: headers as git stores them, the message indented by four spaces."""
    read = stream.read  # type: ignore[attr-defined]
    people: dict[bytes, tuple[Person, int]] = {}
    pending = b""
    while True:
        chunk = read(1 << 16)
        if chunk:
            pending += chunk
            records = pending.split(b"\x00")
            pending = records.pop()
        else:
            records = [pending] if pending.strip() else []
            pending = b""
        for raw in records:
            yield _raw_parts(raw, people, argv)
        if not chunk:
            return


RawParts = tuple[str, tuple[str, ...], Person, int, Person, int, str, bool]


def commit_from_parts(parts: RawParts) -> Commit:
    sha, parents, author, author_time, committer, commit_time, message, _signed = parts
    return Commit(sha=sha, parents=parents, author=author, committer=committer, author_time=author_time,
                  commit_time=commit_time, message=message, trailers=parse_trailers(message))


def _raw_parts(raw: bytes, people: dict[bytes, tuple[Person, int]], argv: list[str]) -> RawParts:
    # Header fields are found with find() rather than by splitting every line (a signature adds a dozen
    # armor lines to most forge-made commits), all in this one function: it runs once per commit of a whole
    # history, and function calls are a good part of its cost.
    if raw[:1] == b"\n":
        raw = raw.lstrip(b"\n")
    cut = raw.find(b"\n\n")
    if cut < 0:
        head, body = raw, b""
    else:
        head, body = raw[:cut], raw[cut + 2 :]
    sha = head[7:47].decode("ascii", "replace")
    if not head.startswith(b"commit ") or not is_sha(sha):
        raise GitError(f"could not parse git log output near {head[:30]!r}", "check the repository with `git fsck`",
                       argv=tuple(argv))
    at = head.find(b"\nparent ")
    if at < 0:
        parents: tuple[str, ...] = ()
    else:
        found: list[str] = []
        while at >= 0:
            found.append(head[at + 8 : at + 48].decode("ascii", "replace"))
            at = head.find(b"\nparent ", at + 8)
        parents = tuple(found)
    who: list[Person] = []
    when: list[int] = []
    for key in (b"\nauthor ", b"\ncommitter "):
        at = head.find(key)
        if at < 0:
            who.append(_NOBODY)
            when.append(0)
            continue
        end = head.find(b"\n", at + 1)
        value = head[at + len(key) : end if end >= 0 else len(head)]
        close = value.rfind(b">")
        ident = value[: close + 1]
        stamp = value[close + 2 :].split(b" ", 1)[0]
        when.append(int(stamp) if stamp.isdigit() else 0)
        known = people.get(ident)
        if known is None:
            start = ident.find(b"<")
            person = Person(ident[:start].strip().decode("utf-8", "replace"),
                            ident[start + 1 : -1].decode("utf-8", "replace") if start >= 0 else "")
            if len(people) < 100_000:
                people[ident] = (person, 0)
            who.append(person)
        else:
            who.append(known[0])
    # The message is indented by four spaces; removed before decoding (both are ASCII, so the same text).
    message = (b"\n" + body).replace(b"\n    ", b"\n")[1:].decode("utf-8", "replace") if body else ""
    return (sha, parents, who[0], when[0], who[1], when[1], message, b"\ngpgsig" in head)


_NOBODY = Person("", "")


def _person(people: dict[tuple[str, str], Person], name: str, email: str) -> Person:
    # The same few authors recur across thousands of commits: share one immutable Person each.
    key = (name, email)
    found = people.get(key)
    if found is None:
        found = people[key] = Person(name, email)
    return found


def _commit_from_fields(text: list[str], argv: list[str], people: dict[tuple[str, str], Person]) -> Commit:
    sha = text[0].lstrip("\n")
    if not is_sha(sha):
        raise GitError(f"could not parse git log output near {sha[:20]!r}",
                       "a commit message may contain NUL bytes; inspect it with `git cat-file -p`",
                       argv=tuple(argv))
    message = text[8]
    return Commit(
        sha=sha,
        parents=tuple(text[1].split()),
        author=_person(people, text[2], text[3]),
        committer=_person(people, text[5], text[6]),
        author_time=_int(text[4]),
        commit_time=_int(text[7]),
        message=message,
        trailers=parse_trailers(message),
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


_STATUS = {"A": FileStatus.ADDED, "M": FileStatus.MODIFIED, "D": FileStatus.DELETED, "T": FileStatus.TYPE_CHANGED}


def _parse_diff_tree(raw: bytes, shas: list[str]) -> dict[str, tuple[FileChange, ...]]:
    # Paths stay bytes until display_path: a lossy decode would let two names that differ only in
    # undecodable bytes (creds\xfe.txt, creds\xff.txt) share one key.
    result: dict[str, list[FileChange]] = {s: [] for s in shas}
    tokens = raw.split(b"\x00")
    current: str | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i].decode("ascii", "replace")
        i += 1
        if not token:
            continue
        if token.startswith(":"):
            if current is None or i >= len(tokens):
                break
            path = tokens[i]
            i += 1
            colons = len(token) - len(token.lstrip(":"))
            fields = token[colons:].split()
            # `colons` parents: modes (parents + 1), ids (parents + 1), status letters.
            parents = colons
            modes = fields[: parents + 1]
            ids = fields[parents + 1 : 2 * parents + 2]
            status_field = fields[2 * parents + 2] if len(fields) > 2 * parents + 2 else "X"
            letter = status_field[0] if parents == 1 else ("A" if set(status_field) == {"A"} else "M")
            if ids[-1] == ZERO_SHA or modes[-1] == "000000":
                letter = "D"
            result.setdefault(current, []).append(FileChange(
                path=display_path(path),
                status=_STATUS.get(letter, FileStatus.OTHER),
                old_blob=ids[0],
                new_blob=ids[-1],
                old_mode=modes[0],
                new_mode=modes[-1],
                raw_path=path,
            ))
        elif is_sha(token.strip()):
            current = token.strip()
    return {k: tuple(v) for k, v in result.items()}


def classify_update(git: Git, old: str, new: str, ref: str) -> RefKind:
    """The kind of one `old new ref` update (force = old is not an ancestor of new)."""
    if ref.startswith("refs/tags/"):
        return RefKind.DELETE if is_zero(new) else RefKind.TAG
    if is_zero(new):
        return RefKind.DELETE
    if is_zero(old):
        return RefKind.CREATE
    if git.object_type(old) != "commit" or git.object_type(new) != "commit":
        return RefKind.UPDATE
    return RefKind.UPDATE if git.is_ancestor(old, new) else RefKind.FORCE
