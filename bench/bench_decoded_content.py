"""Benchmark: what reading "binary" content costs the secrets scanner (UTF-16, NUL-bearing text, binaries).

Builds one repository per variant in the same run, each with a base commit and one commit adding the
same FILES files of about SIZE bytes of source text (with a few credential-shaped lines):
- utf8: plain UTF-8 text (git shows the lines; the baseline);
- utf16: the same text as UTF-16 with a byte-order mark (git shows "Binary files differ"; the scanner
  reads each blob, decodes it and scans every line);
- binary: random bytes of the same size (decoded as printable runs, scanned, still reported);
Then times SecretsScanner.scan over the commit, several rounds, and prints medians and the ratio of
each variant to the utf8 baseline.
"""

from __future__ import annotations

import argparse
import codecs
import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.secrets_scanner import SecretsScanner


def _git(repo: Path, *args: str, data: bytes | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@example.com", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=repo, input=data, capture_output=True, check=True,
                          env=env).stdout.decode().strip()


def _text(size: int, seed: int) -> str:
    rng = random.Random(seed)
    words = ["value", "config", "timeout", "retries", "endpoint", "region", "user", "token_ttl", "name"]
    lines = []
    while sum(len(line) + 1 for line in lines) < size:
        lines.append(f"{rng.choice(words)}_{rng.randint(0, 999)} = {rng.randint(0, 10**6)}  # {rng.choice(words)}")
    return "\n".join(lines) + "\n"


def build(root: Path, variant: str, files: int, size: int) -> tuple[Git, ScanJob]:
    repo = root / variant
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    for i in range(files):
        text = _text(size, i)
        if variant == "utf8":
            data = text.encode()
        elif variant == "utf16":
            data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
        else:
            data = random.Random(i).randbytes(size)
        (repo / f"f{i:03d}.cfg").write_bytes(data)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "add")
    git = Git(repo)
    head = git.resolve("HEAD")
    commits = git.commits([head], [git.resolve("HEAD~1")])
    return git, ScanJob(git=git, commits=commits, changes=git.changed_files([head]), head=head)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--size", type=int, default=64 * 1024)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gatekeeper-bench-") as tmp:
        jobs = {v: build(Path(tmp), v, args.files, args.size) for v in ("utf8", "utf16", "binary")}
        scanner = SecretsScanner()
        scanner.detector()  # rule loading is not what is measured
        times: dict[str, list[float]] = {v: [] for v in jobs}
        for _ in range(args.rounds):
            for variant, (_, job) in jobs.items():
                t0 = time.perf_counter()
                result = scanner.scan(job)
                times[variant].append(time.perf_counter() - t0)
                assert result.stat.files == args.files, (variant, result.stat)
        base = statistics.median(times["utf8"])
        print(f"{args.files} files x {args.size // 1024} KiB, median of {args.rounds} rounds")
        for variant, values in times.items():
            median = statistics.median(values)
            print(f"  {variant:7s} {median * 1000:8.1f} ms   x{median / base:5.2f} of utf8")


if __name__ == "__main__":
    main()
