"""False blocking secrets findings on real public histories, with the default policy.

Runs the secrets scanner (what every mode runs: each commit's added lines and its message) over the
whole first-parent-agnostic history of each repository under GATEKEEPER_REAL_REPOS (default
/work/.mirror: bare clones of runc, aider, golang/net, github-mcp-server, git-lfs,
libgit2, gemini-cli, OpenHands, cline, Roo-Code, pydantic-ai, modelcontextprotocol/servers) and lists every finding
the default policy would block on (severity >= high), with the rule, commit, path, line and the
redacted value, so each one can be judged by hand; prints the count per 10,000 commits.
`--min-severity info` lists every finding instead (each line then shows its severity), for judging
what the detector reports below the blocking threshold too.

Run from the repository root:
`python bench/bench_secrets_history.py [--repo NAME ...] [--limit N] [--min-severity LEVEL]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from gatekeeper.config import default_policy  # noqa: E402
from gatekeeper.errors import GitError  # noqa: E402
from gatekeeper.git import Git  # noqa: E402
from gatekeeper.interfaces import ScanJob  # noqa: E402
from gatekeeper.models import Finding, Severity  # noqa: E402
from gatekeeper.scan.secrets_scanner import SecretsScanner  # noqa: E402

REPOS = ("opencontainers+runc", "Aider-AI+aider", "golang+net", "github+github-mcp-server", "git-lfs+git-lfs",
         "libgit2+libgit2", "google-gemini+gemini-cli", "All-Hands-AI+OpenHands", "cline+cline", "RooCodeInc+Roo-Code",
         "pydantic+pydantic-ai", "modelcontextprotocol+servers")


def scan_repo(name: str, path: Path, threshold: Severity, limit: int, batch_size: int) -> tuple[int, list[Finding]]:
    git = Git(path, timeout=3600)
    shas = git.rev_list(["HEAD"])
    if limit:
        shas = shas[:limit]
    scanner = SecretsScanner()
    started = time.perf_counter()
    blocking: list[Finding] = []
    rules: Counter[str] = Counter()
    unreadable: list[str] = []

    def scan(batch: list[str]) -> None:
        commits = list(git.iter_log(batch, no_walk=True))
        try:
            result = scanner.scan(ScanJob(git=git, commits=commits, changes={}, head=None))
        except GitError:
            # The mirrors leave out their largest blobs: narrow down to the commits that need one.
            if len(batch) == 1:
                unreadable.append(batch[0])
                return
            scan(batch[: len(batch) // 2])
            scan(batch[len(batch) // 2 :])
            return
        for finding in result.findings:
            if finding.category == "secrets" and finding.severity >= threshold and not finding.suppressed_by:
                blocking.append(finding)
                rules[finding.rule_id] += 1

    for start in range(0, len(shas), batch_size):
        scan(shas[start : start + batch_size])
    seconds = time.perf_counter() - started
    if unreadable:
        print(f"{name}: {len(unreadable)} commits not scanned (a blob missing from the mirror)")
    per_10k = len(blocking) / max(len(shas), 1) * 10_000
    print(f"{name}: {len(shas)} commits in {seconds:.0f} s, {len(blocking)} secrets findings >= "
          f"{Severity(threshold).name.lower()} "
          f"({per_10k:.2f} per 10,000 commits) {dict(rules)}")
    for f in blocking:
        print(f"  {f.rule_id} {Severity(f.severity).name.lower()} {f.commit[:12] if f.commit else '-'} "
              f"{f.path}:{f.line} {f.message}")
    return len(shas), blocking


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repo", action="append", help="directory name under GATEKEEPER_REAL_REPOS (repeatable)")
    parser.add_argument("--limit", type=int, default=0, help="newest N commits only (0: all)")
    parser.add_argument("--batch", type=int, default=500, help="commits per scanner call")
    parser.add_argument("--min-severity", choices=[s.name.lower() for s in Severity],
                        help="list findings at or above this severity (default: the default policy's block_at)")
    args = parser.parse_args(argv)
    base = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
    threshold = (Severity.parse(args.min_severity) if args.min_severity
                 else default_policy().ruleset("default").block_at)
    total_commits = total_blocking = 0
    for name in args.repo or REPOS:
        path = base / name / "repo"
        if not path.is_dir():
            print(f"{name}: not found at {path}, skipped")
            continue
        commits, blocking = scan_repo(name, path, threshold, args.limit, args.batch)
        total_commits += commits
        total_blocking += len(blocking)
    print(f"all: {total_commits} commits, {total_blocking} findings >= {Severity(threshold).name.lower()} "
          f"({total_blocking / max(total_commits, 1) * 10_000:.2f} per 10,000 commits)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
