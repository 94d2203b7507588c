"""Benchmark: the file scanners (semgrep + bandit) on a change, cold cache vs warm cache, same run.

Builds a throw-away repository whose one change adds N Python/JavaScript files (default 200), then
runs SemgrepScanner and BanditScanner exactly as the gate does (`scan(job)`) twice with the same
fresh cache directory: the first run scans every blob, the second finds every blob in the cache and
starts no tool process. Both runs must report the same findings before any number is printed.

Run from the repository root: `python bench/bench_scan_cache.py [--files N]`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_semgrep import build_repo
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.bandit import BanditScanner
from gatekeeper.scan.cache import ResultCache
from gatekeeper.scan.head import HeadScanner
from gatekeeper.scan.semgrep import SemgrepScanner


def run(scanners: list[HeadScanner], job: ScanJob) -> tuple[float, list[tuple[str, str | None, int | None]], str]:
    started = time.perf_counter()
    found: list[tuple[str, str | None, int | None]] = []
    notes = []
    for scanner in scanners:
        result = scanner.scan(job)
        if not result.stat.ran:
            raise SystemExit(f"{scanner.name} failed: {result.stat.error}")
        found += [(f.rule_id, f.path, f.line) for f in result.findings]
        info = scanner.last_run
        notes.append(f"{scanner.name}: {info.tool_files} file(s) to the tool, {info.cache_hits} from cache, "
                     f"{info.invocations} process(es)")
    return time.perf_counter() - started, sorted(found, key=str), "; ".join(notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    print(f"$ python bench/bench_scan_cache.py --files {args.files}")
    with tempfile.TemporaryDirectory(prefix="gk-bench-cache-") as tmp:
        root = Path(tmp)
        repo = build_repo(root, args.files)
        git = Git(repo)
        head = git.resolve("HEAD")
        commits = git.commits([head])
        job = ScanJob(git=git, commits=commits, changes=git.changed_files([head]), head=head)
        cache_dir = root / "cache"

        def scanners() -> list[HeadScanner]:
            return [SemgrepScanner(cache=ResultCache(cache_dir)), BanditScanner(cache=ResultCache(cache_dir))]

        cold_s, cold, cold_notes = run(scanners(), job)
        warm_s, warm, warm_notes = run(scanners(), job)
    if cold != warm:
        print(f"MISMATCH: cold {len(cold)} findings, warm {len(warm)}", file=sys.stderr)
        return 1
    print(f"findings (identical both runs): {len(cold)}")
    print(f"first run (cold cache):  {cold_s:7.2f} s  [{cold_notes}]")
    print(f"second run (warm cache): {warm_s:7.2f} s  [{warm_notes}]")
    print(f"ratio cold / warm: {cold_s / warm_s:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
