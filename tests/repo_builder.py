"""Builds real git repositories for tests: commits with trailers, notes, merges, odd identities.

Everything goes through the real `git` binary with a pinned, monotonically increasing clock so
commit ids are reproducible within a test.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# `[main (root-commit) <id>] subject`, `[detached HEAD <id>] subject`: the first line `git commit` prints.
_COMMITTED = re.compile(r"\[[^\n]*? ([0-9a-f]{40}|[0-9a-f]{64})\] ")


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
        # Each file is added as soon as it is written, as a test lists them: an attributes or ignore file applies to
        # the files after it, not to those before. Those after the last such file are added by one `git add` (a
        # commit of 2,000 files cost 2,000 processes): each sees every attributes file, as it would one by one.
        written = list((files or {}).items())
        rules = [i for i, (relpath, _) in enumerate(written) if Path(relpath).name in (".gitattributes", ".gitignore")]
        split = rules[-1] + 1 if rules else 0
        for relpath, content in written[:split]:
            self.write(relpath, content)
            self.git("add", "--", relpath)
        for relpath, content in written[split:]:
            self.write(relpath, content)
        if written[split:]:
            self.git("add", "--pathspec-from-file=-", "--pathspec-file-nul",
                     input=b"".join(relpath.encode("utf-8", "surrogateescape") + b"\0" for relpath, _ in written[split:]))
        self.clock += 60
        stamp = f"{when if when is not None else self.clock} +0000"
        env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        if author:
            env.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1])
        if committer:
            env.update(GIT_COMMITTER_NAME=committer[0], GIT_COMMITTER_EMAIL=committer[1])
        # Not -q: git's summary line names the commit (in full: core.abbrev=no), which saves a `rev-parse` process a
        # commit — the suite makes thousands.
        args = ["-c", "core.abbrev=no", "commit", "--no-verify", "-F", "-", *extra_args]
        if allow_empty or not files:
            args.append("--allow-empty")
        made = _COMMITTED.match(self.git(*args, input=message, env=env))
        return made.group(1) if made else self.head()

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


def wide_octopus_history(repo: Path, *, sides: int, octopuses: int, chained: bool = False) -> None:
    """A repository (made here, branch `main`) whose main is `octopuses` merges in a row on a root commit,
    each naming the same `sides` commits as parents: a small pack (the parent lists delta against each
    other) but `sides` links per merge for whatever walks or diffs them. The side commits each add their
    own file on the root (tips of branches `side1`..`sideN`), or, `chained`, form one line `side` on it
    and add nothing. One `git fast-import`."""
    stream = ["commit refs/heads/main\nmark :1\ncommitter D <d@e.x> 1600000000 +0000\ndata 5\nroot\n"
              "M 644 inline README\ndata 3\nhi\n\n"]
    for i in range(2, sides + 2):
        ref, start, change = (("side", f":{i - 1}", "") if chained else
                              (f"side{i - 1}", ":1", f"M 644 inline f{i - 1}.txt\ndata 2\n{i % 10}\n"))
        stream.append(f"commit refs/heads/{ref}\nmark :{i}\ncommitter D <d@e.x> {1_600_000_000 + i} +0000\n"
                      f"data 5\nside\nfrom {start}\n{change}\n")
    for j in range(octopuses):
        mark = sides + 2 + j
        stream.append(f"commit refs/heads/main\nmark :{mark}\ncommitter D <d@e.x> {1_600_010_000 + j} +0000\n"
                      f"data 5\nocto\nfrom :{mark - 1 if j else 1}\n"
                      + "".join(f"merge :{k}\n" for k in range(2, sides + 2)) + "\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream).encode(), check=True)
