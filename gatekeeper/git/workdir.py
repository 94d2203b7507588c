"""Clones with a work tree that gatekeeper changes on someone's behalf, by named operations.

Two users: `gatekeeper tag`, which rewrites the message of the user's own HEAD (as the user: their
config, their signing setup), and `gatekeeper demo`, which builds throwaway repositories and pushes
between them in a sandboxed environment. Nothing here ever touches a repository under judgement: the
gate itself only reads (see the other modules of this package).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gatekeeper.errors import GitError
from gatekeeper.git.repo import Git


class Workdir(Git):
    """A clone (or the directory new repositories are made in) that gatekeeper writes to.

    `env`, when given, is the whole environment of every git call (the demo's sandbox: its own HOME, no
    user config, the author of the next commit); otherwise it is built as for any Git."""

    def __init__(self, path: Path | str, *, env: Mapping[str, str] | None = None, timeout: float = 120.0,
                 user_config: bool = False) -> None:
        super().__init__(path, timeout=timeout, user_config=user_config)
        if env is not None:
            self._env = dict(env)

    def init_bare(self, target: Path, *, branch: str) -> None:
        self._run("init", "-q", "--bare", "-b", branch, str(target))

    def clone(self, source: Path, target: Path) -> None:
        self._run("clone", "-q", str(source), str(target))

    def add(self, *paths: str) -> None:
        self._run("add", "--", *paths)

    def commit(self, message: str) -> None:
        """Commit what is staged with exactly `message` (no hooks, no message clean-up)."""
        self._run("commit", "-q", "--no-verify", "--cleanup=verbatim", "-F", "-", input=message.encode())

    def amend_message(self, message: str) -> str | None:
        """Replace HEAD's message, and nothing else: `--only` keeps anything staged out of the commit and
        `--no-verify` skips pre-commit/commit-msg hooks that would re-check content this does not touch.
        None when done, else git's error output (the caller says what to fix)."""
        proc = self._run("commit", "--amend", "--only", "--no-verify", "--cleanup=verbatim", "--allow-empty",
                         "-F", "-", input=message.encode("utf-8"), check=False)
        return None if proc.returncode == 0 else proc.stderr.decode("utf-8", "replace").strip()

    def push(self, remote: str, *refspecs: str, timeout: float = 60.0) -> tuple[int, str]:
        """`git push remote refspecs...`: (exit code, what git printed: stderr then stdout). A rejected push
        is an answer, not an error."""
        for name in (remote, *refspecs):
            _check_name(name)
        proc = self._run("push", remote, *refspecs, check=False, timeout=timeout)
        return proc.returncode, proc.stderr.decode("utf-8", "replace") + proc.stdout.decode("utf-8", "replace")

    def fetch(self, source: str, ref: str) -> None:
        """Fetch one ref of another repository into FETCH_HEAD."""
        _check_name(source)
        self._run("fetch", "-q", source, ref)

    def merge(self, rev: str, message: str) -> None:
        """Merge `rev` into HEAD with a merge commit (`--no-ff`, no hooks) carrying `message`."""
        _check_name(rev)
        self._run("merge", "-q", "--no-ff", "--no-verify", rev, "-m", message)

    def reset_hard(self, rev: str) -> None:
        _check_name(rev)
        self._run("reset", "-q", "--hard", rev)


def _check_name(value: str) -> None:
    # Never let a name turn into an option of the command it is passed to.
    if not value or value.startswith("-") or any(ord(c) < 32 for c in value):
        raise GitError(f"invalid argument {value!r}", "this is a bug in gatekeeper; please report it")
