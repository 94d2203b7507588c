"""Benchmark: `gatekeeper check --format json` over a 20,000-commit range vs plain `git log`.

Generates a repository with git fast-import (a quarter of the commits tagged mobile, some with AI
co-authors), then times, in the same run and alternating, the baseline
`git log --format=%H%x00%B BASE..HEAD` and gatekeeper's check of the same range with
(a) a policy without content scanners (engine overhead: log, trailers, origin, policy, JSON) and
(b) the built-in default policy (secrets on every commit, all scanners on mobile ones).
Prints medians and the ratio "gatekeeper runs at N % of git's speed" (goal >= 40 %).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NO_SCAN = """version: 1
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
"""


def build_repo(path: Path, commits: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    lines: list[str] = []
    stamp = 1_767_225_600
    for i in range(commits):
        trailer = ""
        if i % 4 == 0:
            trailer = "\n\nOrigin-Device: mobile\nOrigin-Client: working-copy/6.1\n"
        elif i % 7 == 0:
            trailer = "\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
        message = f"change {i}: adjust module {i % 97}\n\nSome body text for commit {i}.{trailer}"
        content = f"value_{i} = {i}\n"
        lines.append("commit refs/heads/main")
        lines.append(f"committer Dev <dev@example.com> {stamp + i} +0000")
        data = message.encode()
        lines.append(f"data {len(data)}")
        lines.append(message)
        lines.append(f"M 100644 inline src/mod_{i % 97}.py")
        lines.append(f"data {len(content.encode())}")
        lines.append(content)
    stream = ("\n".join(lines) + "\n").encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=stream, check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=path, check=True)


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"$ python bench/bench_check.py --commits {args.commits} --repeat {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        t0 = time.perf_counter()
        build_repo(repo, args.commits + 1)
        print(f"generated {args.commits + 1} commits in {time.perf_counter() - t0:.1f}s")
        root = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.split()[0]
        policy = Path(tmp) / "noscan.yml"
        policy.write_text(NO_SCAN)
        env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", GATEKEEPER_CACHE_DIR=str(Path(tmp) / "cache"))
        gk = [sys.executable, "-m", "gatekeeper", "check", "--repo", str(repo), "--base", root, "--format", "json"]
        runs: dict[str, list[float]] = {"git log": [], "check (no scanners)": [], "check (default policy)": []}
        for _ in range(args.repeat):
            runs["git log"].append(timed(["git", "log", "--format=%H%x00%B", f"{root}..HEAD"], repo, env))
            runs["check (no scanners)"].append(timed([*gk, "--policy", str(policy)], repo, env))
            runs["check (default policy)"].append(timed(gk, repo, env))
        base = statistics.median(runs["git log"])
        print(f"{'':24} {'median s':>9} {'% of git speed':>15}")
        for name, values in runs.items():
            med = statistics.median(values)
            print(f"{name:24} {med:9.3f} {100 * base / med:14.1f}%")
        print(f"commits in range: {args.commits}; goal: check >= 40 % of git's speed")


if __name__ == "__main__":
    main()
