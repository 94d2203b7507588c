"""Builds real git repositories for tests: commits with trailers, notes, merges, odd identities.

Everything goes through the real `git` binary with a pinned, monotonically increasing clock so
commit ids are reproducible within a test.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RepoBuilder:
    path: Path
    clock: int = 1_767_225_600  # 2026-01-01T00:00:00Z
    env_overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    def init(cls, path: Path, *, bare: bool = False, branch: str = "main",
             object_format: str = "sha1") -> RepoBuilder:
        path.mkdir(parents=True, exist_ok=True)
        args = ["git", "init", "-q", "-b", branch, f"--object-format={object_format}"]
        if bare:
            args.append("--bare")
        subprocess.run([*args, str(path)], check=True)
        return cls(path)

    def git(self, *args: str, input: bytes | str | None = None, env: Mapping[str, str] | None = None,
            check: bool = True) -> str:
        full_env = dict(os.environ)
        full_env.update(self.env_overrides)
        if env:
            full_env.update(env)
        data = input.encode() if isinstance(input, str) else input
        proc = subprocess.run(["git", *args], cwd=self.path, env=full_env, input=data, capture_output=True,
                              check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
        return proc.stdout.decode("utf-8", "replace").strip()

    def write(self, relpath: str, content: str | bytes) -> Path:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def commit(self, message: str, files: Mapping[str, str | bytes] | None = None, *,
               author: tuple[str, str] | None = None, committer: tuple[str, str] | None = None,
               allow_empty: bool = False, when: int | None = None, extra_args: tuple[str, ...] = ()) -> str:
        for relpath, content in (files or {}).items():
            self.write(relpath, content)
            self.git("add", "--", relpath)
        self.clock += 60
        stamp = f"{when if when is not None else self.clock} +0000"
        env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        if author:
            env.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1])
        if committer:
            env.update(GIT_COMMITTER_NAME=committer[0], GIT_COMMITTER_EMAIL=committer[1])
        args = ["commit", "-q", "--no-verify", "-F", "-", *extra_args]
        if allow_empty or not files:
            args.append("--allow-empty")
        self.git(*args, input=message, env=env)
        return self.head()

    def raw_commit(self, message: bytes, *, parents: tuple[str, ...] = (), tree: str | None = None) -> str:
        """A commit object written byte for byte (invalid UTF-8, control characters, ...)."""
        tree = tree or self.git("write-tree")
        self.clock += 60
        lines = [f"tree {tree}".encode()]
        lines += [f"parent {p}".encode() for p in parents]
        lines.append(f"author Dev Eloper <dev@example.com> {self.clock} +0000".encode())
        lines.append(f"committer Dev Eloper <dev@example.com> {self.clock} +0000".encode())
        body = b"\n".join(lines) + b"\n\n" + message
        sha = self.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=body)
        return sha

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(self, other: str, message: str = "merge") -> str:
        self.clock += 60
        stamp = f"{self.clock} +0000"
        self.git("merge", "-q", "--no-ff", "--no-edit", "-m", message, other,
                 env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
        return self.head()

    def note(self, commit: str, text: str, ref: str = "refs/notes/origin") -> None:
        self.git("notes", f"--ref={ref}", "add", "-f", "-m", text, commit)
