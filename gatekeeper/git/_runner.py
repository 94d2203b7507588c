"""The package's private git runner: argv, environment, timeouts and errors of every git call.

Only the modules of gatekeeper.git use it; everything else asks `Git` a question by name. The security
properties it keeps are listed in the package docstring (gatekeeper/git/__init__.py).
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import os
import resource
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from gatekeeper import process
from gatekeeper.errors import GitError

# Config that changes what machine formats print, or runs programs; pinned on every call.
_PINNED_CONFIG = (
    "log.showSignature=false",
    "core.quotePath=false",
    "color.ui=never",
    "core.fsmonitor=false",
    "i18n.logOutputEncoding=UTF-8",
    "log.decorate=false",
    "diff.renames=false",
    "diff.submodule=short",  # a gitlink's patch is its two commit ids, whatever the repository's config says
    "core.pager=cat",
    # Attributes decide whether a diff shows a file as text; a user-wide attributes file (or the XDG
    # default ~/.config/git/attributes) must not hide lines from the scanners.
    f"core.attributesFile={os.devnull}",
    # GIT_GRAFT_FILE names an empty file (below), and git then advises on every walk that grafts are
    # deprecated: nine `hint:` lines in front of what a command shows the user (the demo's pushes).
    "advice.graftFileDeprecated=false",
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
    # Which commits git takes for parentless: a local check must read the clone's own (red64: a variable naming
    # the head cut the range down to one commit); receive-pack may set it for a hook.
    "GIT_SHALLOW_FILE",
)
# Switches that change how every pathspec reads: `:(literal)` and `:(top,exclude,…)` would match nothing under
# GIT_LITERAL_PATHSPECS (red64: the re-merge of merges asked for no path), so none is ever inherited.
_PATHSPEC_VARS = ("GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS")


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
                 "GIT_REPLACE_REF_BASE", "GIT_ATTR_SOURCE", *_PATHSPEC_VARS):
        env.pop(name, None)
    return env


def _absolute_alternates(value: str, base: Path) -> str:
    """GIT_ALTERNATE_OBJECT_DIRECTORIES with its relative entries made absolute from `base`. git separates entries
    with `:` and C-quotes one that holds a `:` (receive-pack does, for a repository path with a colon, red65):
    a quoted entry is kept whole as it is (git writes those absolute; a relative one would fail, not mislead)."""
    entries: list[str] = []
    at = 0
    while at <= len(value):
        if value.startswith('"', at):
            end = at + 1
            while end < len(value) and value[end] != '"':
                end += 2 if value[end] == "\\" else 1
            entries.append(value[at : end + 1])
            at = end + 2  # past the closing quote and the separator
            continue
        end = value.find(os.pathsep, at)
        end = len(value) if end < 0 else end
        part = value[at:end]
        entries.append(str((base / part).resolve()) if part and not os.path.isabs(part) else part)
        at = end + 1
    return os.pathsep.join(entries)


# Commands whose output or walk may rest on a diff: given --ignore-submodules=none (Runner._argv).
_DIFF_COMMANDS = frozenset({"diff", "diff-tree", "diff-index", "diff-files", "log", "show", "whatchanged", "rev-list"})


@dataclass(frozen=True, slots=True)
class RepoInfo:
    git_dir: Path
    toplevel: Path | None  # None for a bare repository
    shallow: bool


class Runner:
    """A repository path and how git is run in it; the questions are asked by the classes built on it."""

    def __init__(self, path: Path | str, *, inherit_git_env: bool = False, timeout: float = 120.0,
                 safe_directory: bool = False, user_config: bool = False, offline: bool = False) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._env = git_environment(inherit_git_env=inherit_git_env, user_config=user_config)
        # Acting as the user (install, tag): git stays in the terminal's process group, where a signing
        # passphrase prompt can reach the user. Every other git call gets its own group (see process.py).
        self._foreground = user_config
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

    def without_paths(self, paths: Iterable[bytes]) -> Self:
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
    def _argv(self, *args: str) -> list[str]:
        # Every command that can print a diff shows every submodule pointer change (red63): git otherwise takes
        # `submodule.<name>.ignore = all` from the work tree's .gitmodules (a pull request's own, in the Action's
        # checkout), the index or HEAD's, and drops that gitlink from every diff, plumbing and `--raw` included —
        # a zone path changed unseen where the bare hook sees it.
        at = 0
        while at + 1 < len(args) and args[at] == "-c":
            at += 2
        if at < len(args) and args[at] in _DIFF_COMMANDS:
            args = (*args[: at + 1], "--ignore-submodules=none", *args[at + 1 :])
        return ["git", "--no-replace-objects", *self._config, *args]

    def _start(self, args: list[str]) -> process.Child | None:
        """A git process started now and asked later, its stdin, stdout and stderr piped (the caller owns it:
        `communicate`, then `close`). None when it cannot start: the caller asks the ordinary way instead."""
        try:
            return process.Child(self._argv(*args), cwd=self.path, env=self._env, stdin="pipe",
                                 foreground=self._foreground)
        except OSError:
            return None

    def _run(self, *args: str, input: bytes | None = None, check: bool = True,
             timeout: float | None = None, attr_free: bool = False) -> process.Result:
        argv = self._argv(*args)
        cwd, env = self._attr_free() if attr_free else (self.path, self._env)
        try:
            proc = process.run(argv, cwd=cwd, env=env, input=input, timeout=timeout or self.timeout,
                               foreground=self._foreground)
        except NotADirectoryError as exc:
            raise GitError(f"{self.path}: not a directory", "pass --repo with a git repository path",
                           argv=tuple(argv)) from exc
        except FileNotFoundError as exc:
            if not self.path.is_dir():
                raise GitError(f"{self.path}: no such directory", "pass --repo with a git repository path",
                               argv=tuple(argv)) from exc
            raise GitError("git is not installed or not on PATH", "install git >= 2.31",
                           argv=tuple(argv)) from exc
        except process.Timeout as exc:
            raise GitError(f"git {args[0]} timed out after {timeout or self.timeout:.0f}s",
                           "retry, or check the repository for corruption", argv=tuple(argv)) from exc
        if check and proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {args[0]} failed: {_first_line(stderr)}", "", argv=tuple(argv),
                           returncode=proc.returncode, stderr=stderr)
        return proc

    def _out(self, *args: str, input: bytes | None = None) -> str:
        return self._run(*args, input=input).stdout.decode("utf-8", "replace")

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
            env = dict(self._env)
            # The cwd changes: location variables git gave relative must keep meaning the same place. Each is one
            # path, but the alternates, a list (red65: a repository path holding `:` was split, and the re-merge
            # in the hook's quarantine failed).
            for name in ("GIT_OBJECT_DIRECTORY", "GIT_QUARANTINE_PATH", "GIT_COMMON_DIR"):
                if env.get(name) and not os.path.isabs(env[name]):
                    env[name] = str((self.path / env[name]).resolve())
            if env.get("GIT_ALTERNATE_OBJECT_DIRECTORIES"):
                env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = _absolute_alternates(
                    env["GIT_ALTERNATE_OBJECT_DIRECTORIES"], self.path)
            env.update({"GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(empty),
                        "GIT_INDEX_FILE": str(empty / "no-index")})
            self._attr_free_env = (empty, env)
        return self._attr_free_env

    def _stream(self, args: list[str], stdin: bytes | None, what: str, *, attr_free: bool = False,
                memory: int | None = None) -> Iterator[bytes]:
        """Output lines of one git process, read as they come (see `_process`)."""
        with self._process(args, stdin, what, "check that the revisions exist", attr_free=attr_free,
                           memory=memory) as (out, _):
            yield from out

    @contextlib.contextmanager
    def _process(self, args: list[str], stdin: bytes | None, what: str, fix: str, *, attr_free: bool = False,
                 wide: bool = False, memory: int | None = None) -> Iterator[tuple[IO[bytes], list[str]]]:
        """One streaming git process: (its stdout, its argv) while the caller reads. stdin is fed and
        stderr drained by threads — git answers each input line before reading the next, and a process
        that fills its stderr pipe (a history with many missing objects) would otherwise stop writing
        stdout, and the reader would wait forever. The process is reaped on the way out (killed when the
        reader stopped early); a failure raises GitError once the output was read in full."""
        argv = self._argv(*args)
        cwd, env = self._attr_free() if attr_free else (self.path, self._env)
        child = process.Child(argv, cwd=cwd, env=env, stdin="pipe" if stdin is not None else "devnull",
                              foreground=self._foreground)
        assert child.stdout is not None and child.stderr is not None
        if memory is not None:
            _limit_memory(child.pid, memory)
        if wide:
            _widen(child.stdout)
        feeder = process.start_thread(_feed, child.stdin, stdin)
        errors: list[bytes] = []
        drainer = process.start_thread(lambda: errors.append(child.stderr.read() if child.stderr else b""))
        finished = False
        try:
            yield child.stdout, argv
            finished = True
        finally:
            if not finished and child.poll() is None:
                child.kill()
            child.wait(timeout=self.timeout)
            feeder.join(timeout=5)
            drainer.join(timeout=5)
            child.close()
        if child.returncode != 0:
            stderr = b"".join(errors).decode("utf-8", "replace")
            raise GitError(f"git {what} failed: {_first_line(stderr)}", fix, argv=tuple(argv),
                           returncode=child.returncode, stderr=stderr)

    # -- repository -----------------------------------------------------------------------------
    def info(self) -> RepoInfo:
        if self._info is None:
            self._info = self._one_call_info() or self._read_info()
        return self._info

    def _one_call_info(self) -> RepoInfo | None:
        """The answer of one `rev-parse` that also asks for the work tree: a work tree's, or a bare
        repository's (git prints the other three answers, then refuses --show-toplevel there alone).
        None for anything else, which the step-by-step reading then explains."""
        proc = self._run("rev-parse", "--absolute-git-dir", "--is-bare-repository", "--is-shallow-repository",
                         "--show-toplevel", check=False)
        # Paths as the file system names them: a directory whose name is not UTF-8 (a clone of `x/\xff.git`, or a
        # core.worktree pointing at one) decodes as os.fsdecode does, so that it still opens (red94).
        lines = os.fsdecode(proc.stdout).split("\n")
        if len(lines) < 4 or not lines[0] or lines[1] not in ("true", "false") or lines[2] not in ("true", "false"):
            return None
        if proc.returncode == 0 and lines[1] == "false" and len(lines) == 5 and lines[3] and not lines[4]:
            return RepoInfo(Path(lines[0]), Path(lines[3].strip()), lines[2] == "true")
        if (proc.returncode != 0 and len(lines) == 4 and not lines[3]
                and b"must be run in a work tree" in proc.stderr):
            return RepoInfo(Path(lines[0]), None, lines[2] == "true")
        return None

    def _read_info(self) -> RepoInfo:
        proc = self._run("rev-parse", "--absolute-git-dir", "--is-bare-repository",
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
        git_dir, bare, shallow = os.fsdecode(proc.stdout).split("\n")[:3]
        toplevel = None
        if bare != "true":
            top = self._run("rev-parse", "--show-toplevel", check=False)
            toplevel = Path(os.fsdecode(top.stdout).strip()) if top.returncode == 0 else None
        return RepoInfo(Path(git_dir), toplevel, shallow == "true")


# A whole-history stream (`wide=True`) gets a pipe of up to 1 MiB instead of the kernel's 64 KiB: git then
# runs ahead of a reader that does real work per record instead of stopping every 64 KiB until the reader
# comes back, which on a 2-core machine cost a 100,000-commit audit 0.4 s of waiting (bench/bench_audit.py).
# Only there: in pre-receive, a reader that seldom blocks on its pipe left the watchdog's timer thread
# firing late (tests/test_adversarial.py caught it). Linux only; refused or unknown elsewhere, the default
# pipe is kept (it is only slower).
_PIPE_BYTES = 1 << 20


def _widen(pipe: IO[bytes]) -> None:
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setter is None:
        return
    with contextlib.suppress(OSError, ValueError):
        fcntl.fcntl(pipe.fileno(), setter, _PIPE_BYTES)


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


def _limit_memory(pid: int, limit: int) -> None:
    """Cap a just-started git's address space (Linux `prlimit`; elsewhere, and where the caller's own limit is
    lower, it keeps what it has). Set before its input is fed, so a `--stdin` process has done nothing yet: one
    that needs more fails with git's "Out of memory" and the caller reads the rest another way."""
    prlimit = getattr(resource, "prlimit", None)
    if prlimit is None:
        return
    with contextlib.suppress(OSError, ValueError):
        prlimit(pid, resource.RLIMIT_AS, (limit, limit))


def out_of_memory(exc: GitError) -> bool:
    """Whether git stopped because it could not get memory (a limit set by `_limit_memory`, or the machine's)."""
    text = (exc.stderr or "").lower()
    return ("out of memory" in text or "cannot allocate memory" in text or "mmap failed" in text
            or exc.returncode in (-9, 137))
