"""Benchmark: `gatekeeper check` with semgrep and bandit on single commits of a real history, this checkout
against another (`--compare`), cold scan cache, interleaved in the same run.

What it shows: the cost of judging findings on lines a change did not add against the file's version before
the change (scan/head.py HeadScanner._earlier, red51/red56): a file with a finding the change did not write
has its earlier version scanned too, one more tool run per scanner. Commits that modify Python files of the
history are sampled evenly (default 40); each is checked as `--base C~1 --head C` with a policy running both
scanners on every commit, a fresh cache directory per checkout (a warm cache, e.g. the previous push's head
scanned already, answers the earlier version from the cache). Prints the total time of each checkout, the
ratio, and whether both reported the same findings (they should, unless a finding was hidden before).

    python bench/bench_scan_real.py [--repo /work/.mirror/Aider-AI+aider/repo] [--commits 40]
        [--compare OTHER_CHECKOUT] [--consecutive] [--paths '*.py' '*.ts' ...] [--whole-history] [--list]

For judging findings by hand rather than timing: `--paths` picks the files a sampled commit must change
(default `*.py`), `--whole-history` samples evenly over every such commit (added or modified files) instead
of the latest ones, and `--list` prints each finding of this checkout: commit, rule, path:line, severity,
message.

The history is read-only (a bare mirror fetched with the tool library's `fetch`); nothing is written into
it. No timed assertions: it prints figures for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICY = """version: 1
origins: {undeclared: desktop}
rules:
  mobile: {scanners: [semgrep, bandit], block_at: high}
  default: {scanners: [semgrep, bandit], block_at: high}
"""


def sample(repo: Path, count: int, consecutive: bool, paths: list[str] | None = None,
           whole: bool = False) -> list[str]:
    if consecutive:
        # The latest commits of the main line, oldest first: each check's earlier version is the previous
        # check's head, as when a server or CI checks every push with a kept cache.
        out = subprocess.run(["git", "-C", str(repo), "log", "--first-parent", "--no-merges", "--format=%H", "-n",
                              str(count)], capture_output=True, text=True, check=True).stdout.split()
        return out[::-1]
    if whole:
        limit, diff_filter = [], "--diff-filter=AM"
    else:
        limit, diff_filter = ["-n", str(count * 8)], "--diff-filter=M"
    out = subprocess.run(["git", "-C", str(repo), "log", "--no-merges", "--format=%H", diff_filter, *limit, "--",
                          *(paths or ["*.py"])], capture_output=True, text=True, check=True).stdout.split()
    step = max(1, len(out) // count)
    return out[::step][:count]


LISTED: list[dict] = []  # --list: every finding of this checkout, in check order
FILES_SCANNED: list[int] = []  # --list: the files each check of this checkout scanned


def check(tree: Path, repo: Path, sha: str, policy: Path, cache: Path) -> tuple[float, list[tuple[str, str]]]:
    env = dict(os.environ, GATEKEEPER_CACHE_DIR=str(cache), PYTHONPATH=str(tree), SEMGREP_ENABLE_VERSION_CHECK="0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--repo", str(repo), "--base", f"{sha}~1",
                           "--head", sha, "--policy", str(policy), "--format", "json"], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)
    took = time.monotonic() - started
    try:
        verdict = json.loads(proc.stdout)
    except ValueError:
        raise SystemExit(f"{tree}: check of {sha[:12]} failed: {proc.stderr[-400:]}") from None
    scanned = [f for f in verdict["findings"] if f["rule_id"].startswith(("semgrep/", "bandit/", "tool/", "scan/"))]
    if tree == ROOT:
        LISTED.extend(dict(f, checked=sha) for f in scanned)
        FILES_SCANNED.append(int((verdict.get("stats") or {}).get("files_scanned") or 0))
    found = sorted((f["rule_id"], f.get("path") or "") for f in scanned)
    return took, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=Path("/work/.mirror/Aider-AI+aider/repo"))
    parser.add_argument("--commits", type=int, default=40)
    parser.add_argument("--compare", type=Path, help="another checkout of gatekeeper (the baseline)")
    parser.add_argument("--consecutive", action="store_true",
                        help="the latest main-line commits in order, one cache kept across them (warm)")
    parser.add_argument("--paths", nargs="+", help="pathspecs a sampled commit must change (default: *.py)")
    parser.add_argument("--whole-history", action="store_true",
                        help="sample evenly over every commit adding or modifying such files, not the latest")
    parser.add_argument("--list", action="store_true", help="print every finding of this checkout")
    args = parser.parse_args()
    if not (args.repo / "HEAD").exists():
        raise SystemExit(f"no repository at {args.repo} (fetch one, e.g. github:Aider-AI/aider)")
    shas = sample(args.repo, args.commits, args.consecutive, args.paths, args.whole_history)
    trees = {"this": ROOT, **({"baseline": args.compare.resolve()} if args.compare else {})}
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "policy.yml"
        policy.write_text(POLICY)
        caches = {name: Path(tmp) / f"cache-{name}" for name in trees}
        totals = dict.fromkeys(trees, 0.0)
        findings: dict[str, int] = dict.fromkeys(trees, 0)
        differ = 0
        for sha in shas:
            seen = {}
            for name, tree in trees.items():  # interleaved: the same load for both
                took, found = check(tree, args.repo, sha, policy, caches[name])
                totals[name] += took
                findings[name] += len(found)
                seen[name] = found
            differ += len({tuple(v) for v in seen.values()}) > 1
    kind = "consecutive main-line commits, one cache kept" if args.consecutive else "sampled commits, cold cache"
    print(f"{len(shas)} {kind}, {args.repo} (semgrep + bandit)")
    for name in trees:
        print(f"  {name:9} {totals[name]:7.1f} s  ({totals[name] / len(shas):.2f} s per check), "
              f"{findings[name]} finding(s)")
    if args.list:
        # What a mobile commit would meet: the policy blocks at high (rules.mobile.block_at), bandit below medium
        # confidence or severity never reaches the verdict (the default `bandit:` thresholds).
        blocking = sum(1 for f in LISTED if f.get("blocking"))
        medium = sum(1 for f in LISTED if f.get("severity") == "medium")
        print(f"  files scanned {sum(FILES_SCANNED)}, findings {len(LISTED)}: blocking {blocking}, medium {medium}")
        for f in LISTED:
            print(f"  {f['checked'][:12]} {f['rule_id']} {f.get('path') or '-'}:{f.get('line') or '-'} "
                  f"{f.get('severity')}{' BLOCKING' if f.get('blocking') else ''} {f.get('message', '')[:160]}")
    if args.compare:
        print(f"  this / baseline: {totals['this'] / totals['baseline']:.2f}x the time; commits whose findings "
              f"differ: {differ}")


if __name__ == "__main__":
    main()
