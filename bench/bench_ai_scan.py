"""Benchmark: what `ai.scan` (scanning agent-written lines with a stricter set) costs a gate run.

Builds a repository with a base commit and 10 new commits touching 30 Python files (3 per commit); every
other commit carries a git-ai note (refs/notes/ai) attributing half of each file's lines to an agent.
Then times `engine.evaluate` over the range in the same run, alternating, with the scan cache off:
- baseline: every commit under the default rule set (secrets only), no `ai.scan`;
- ai-secrets: the same plus `ai.scan: {scanners: [secrets]}` — the line-scoping work alone;
- ai-semgrep: plus `ai.scan: {scanners: [secrets, semgrep]}` — semgrep over the AI commits' files;
- all-semgrep: the alternative without attribution: semgrep over every commit (rule set `default`
  running secrets + semgrep).
Prints medians and ratios against the baseline, and semgrep's process count per run (must be 1).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from gatekeeper import engine
from gatekeeper.config import parse_policy
from gatekeeper.git import Git
from gatekeeper.models import RefKind, RefUpdate
from gatekeeper.scan import build_scanners

BASE = """version: 1
rules:
  default: {{scanners: {default}, block_at: critical}}
{ai}"""

MODULE = '''"""Module {i}."""
import os
import subprocess


def handler_{i}(request):
    value = request.get("value", "{i}")
    total = 0
    for step in range(10):
        total += len(value) * step
    return {{"total": total, "env": os.environ.get("HOME")}}


def run_{i}(command):
    return subprocess.run(command, shell=True, check=False)
'''


def git(*args: str, cwd: Path, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=True)
    return proc.stdout.decode().strip()


def build(root: Path) -> tuple[Path, str, str]:
    repo = root / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    git("config", "user.name", "Bench", cwd=repo)
    git("config", "user.email", "bench@example.com", cwd=repo)
    (repo / "README").write_text("bench\n")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "base", cwd=repo)
    base = git("rev-parse", "HEAD", cwd=repo)
    meta = json.dumps({"schema_version": "authorship/3.0.0",
                       "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": "claude", "model": "m"}}}})
    for c in range(10):
        paths = []
        for f in range(3):
            i = c * 3 + f
            path = f"pkg/mod_{i}.py"
            (repo / "pkg").mkdir(exist_ok=True)
            (repo / path).write_text(MODULE.format(i=i))
            paths.append(path)
        git("add", "-A", cwd=repo)
        git("commit", "-q", "-m", f"change {c}", cwd=repo)
        if c % 2 == 0:
            body = "".join(f"{p}\n  s_c9883b05a2487d 1-9\n" for p in paths)
            git("notes", "--ref=ai", "add", "-m", f"{body}---\n{meta}", "HEAD", cwd=repo)
    return repo, base, git("rev-parse", "HEAD", cwd=repo)


def run_once(repo: Path, base: str, head: str, policy_text: str) -> tuple[float, int]:
    policy = parse_policy(policy_text)
    scanners = build_scanners(policy, use_cache=False)
    request = engine.Request(git=Git(repo), updates=(RefUpdate("refs/heads/main", base, head, RefKind.UPDATE),),
                             policy=policy)
    t0 = time.perf_counter()
    engine.evaluate(request, engine.Services(scanners=scanners))
    elapsed = time.perf_counter() - t0
    lazy = scanners["semgrep"]
    built = getattr(lazy, "_scanner", None)
    return elapsed, built.last_run.invocations if built is not None else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    profiles = {
        "baseline": BASE.format(default="[secrets]", ai=""),
        "ai-secrets": BASE.format(default="[secrets]", ai="ai: {scan: {scanners: [secrets], block_at: medium}}\n"),
        "ai-semgrep": BASE.format(default="[secrets]",
                                  ai="ai: {scan: {scanners: [secrets, semgrep], block_at: medium}}\n"),
        "all-semgrep": BASE.format(default="[secrets, semgrep]", ai=""),
    }
    with tempfile.TemporaryDirectory() as tmp:
        repo, base, head = build(Path(tmp))
        times: dict[str, list[float]] = {name: [] for name in profiles}
        invocations: dict[str, set[int]] = {name: set() for name in profiles}
        for _ in range(args.runs):
            for name, text in profiles.items():
                elapsed, count = run_once(repo, base, head, text)
                times[name].append(elapsed)
                invocations[name].add(count)
    baseline = statistics.median(times["baseline"])
    print(f"{'profile':<12} {'median s':>9} {'x baseline':>11} semgrep runs")
    for name in profiles:
        median = statistics.median(times[name])
        print(f"{name:<12} {median:9.3f} {median / baseline:11.2f} {sorted(invocations[name])}")


if __name__ == "__main__":
    main()
