"""Benchmark gatekeeper's secrets detector against detect-secrets, in one process, on the same lines.

1. speed: real source files (stdlib and installed packages) plus the labelled lines, scanned file by
   file by both detectors (each reads the file and scans every line), several repetitions; the best
   repetition of each is compared.
2. quality: precision / recall / F1 per line on the labelled set (bench/labelled_secrets.py), and
   recall per provider family for gatekeeper.

Engines side by side in the same run: gatekeeper with the Hyperscan prefilter (the default), the same
rules with the portable `str.find` prefilter (GATEKEEPER_SECRETS_ENGINE=re), the rules as they were
before issue 11 (42 rules, `--baseline-rev`, read from git) on the portable prefilter, and
detect-secrets. The README quotes this script's numbers.

detect-secrets runs with all its default plugins and filters (`default_settings()`), through
`scan_file` — its normal per-file path, which applies entropy limits and its heuristic filters and is
faster than the ad-hoc `scan_line` (that one clears its filter cache on every call and reports
every word in eager mode, so it is neither fast nor a fair quality baseline).

Run from the repository root: `python bench/bench_secrets.py [--lines N] [--reps N] [--baseline-rev REV]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from labelled_secrets import Sample, build_samples  # noqa: E402

from gatekeeper.scan import secrets as secrets_module  # noqa: E402
from gatekeeper.scan.secrets import SecretDetector, parse_rules  # noqa: E402

BASELINE_REV = "e8731e6"  # main before issue 11: 42 rules, str.find prefilter

CORPUS_EXTENSIONS = {".py", ".json", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".md", ".rst", ".txt", ".js", ".sh"}


def corpus_files(limit_lines: int) -> list[tuple[str, list[str]]]:
    """(file name, lines) of real source text, in a fixed order, about `limit_lines` lines in all."""
    stdlib = Path(os.__file__).parent
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    roots = [stdlib / "email", stdlib / "http", stdlib / "logging", stdlib / "json", stdlib / "urllib",
             stdlib / "asyncio", site / "requests", site / "urllib3", site / "click", site / "yaml",
             site / "jsonschema", site / "git", stdlib / "test"]
    files: list[tuple[str, list[str]]] = []
    total = 0
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix not in CORPUS_EXTENSIONS or not path.is_file():
                continue
            try:
                lines = path.read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                continue
            files.append((path.name, lines))
            total += len(lines)
            if total >= limit_lines:
                return files
    return files


def labelled_files(samples: list[Sample]) -> list[tuple[str, list[int]]]:
    """Samples grouped by the file they would live in: (file name, sample indexes)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, sample in enumerate(samples):
        groups[sample.path].append(index)
    return sorted(groups.items())


def write_tree(directory: Path, files: Iterable[tuple[str, list[str]]]) -> list[Path]:
    paths = []
    for n, (name, lines) in enumerate(files):
        folder = directory / f"{n:05d}"
        folder.mkdir()
        path = folder / Path(name).name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


# --- the two detectors, same shape: path -> set of line numbers with a finding -------------------


def ours_scanner(detector: SecretDetector) -> Callable[[Path], set[int]]:
    def scan(path: Path) -> set[int]:
        text = path.read_text(encoding="utf-8")
        return {hit.line for hit in detector.scan_text(text)}

    return scan


def detect_secrets_scanner() -> Callable[[Path], set[int]]:
    from detect_secrets.core.scan import scan_file

    def scan(path: Path) -> set[int]:
        return {secret.line_number for secret in scan_file(str(path))}

    return scan


def timed(scan: Callable[[Path], set[int]], paths: list[Path], reps: int) -> list[float]:
    durations = []
    for _ in range(reps):
        start = time.perf_counter()
        for path in paths:
            scan(path)
        durations.append(time.perf_counter() - start)
    return durations


def quality(scan: Callable[[Path], set[int]], samples: list[Sample], groups: list[tuple[str, list[int]]],
            paths: list[Path]) -> tuple[int, int, int, list[Sample], list[Sample]]:
    tp = fp = fn = 0
    misses: list[Sample] = []
    false_alarms: list[Sample] = []
    for (_, indexes), path in zip(groups, paths, strict=True):
        flagged = scan(path)
        for line_number, index in enumerate(indexes, start=1):
            sample = samples[index]
            hit = line_number in flagged
            if hit and sample.secret:
                tp += 1
            elif hit:
                fp += 1
                false_alarms.append(sample)
            elif sample.secret:
                fn += 1
                misses.append(sample)
    return tp, fp, fn, misses, false_alarms


def baseline_detector(rev: str) -> SecretDetector | None:
    proc = subprocess.run(["git", "show", f"{rev}:rules/secrets.yml"], cwd=ROOT, capture_output=True, check=False)
    if proc.returncode != 0:
        return None
    os.environ[secrets_module.ENGINE_ENV] = "re"
    try:
        return SecretDetector(parse_rules(proc.stdout.decode(), f"{rev}:rules/secrets.yml"))
    finally:
        del os.environ[secrets_module.ENGINE_ENV]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=30_000, help="lines of real source in the speed corpus")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of the speed run")
    parser.add_argument("--baseline-rev", default=BASELINE_REV, help="git revision whose rules are the baseline")
    args = parser.parse_args(argv)

    print("$ " + shlex.join(["python", *sys.argv]))
    from detect_secrets.__version__ import VERSION as DS_VERSION
    from detect_secrets.settings import default_settings

    detector = SecretDetector.load()
    os.environ[secrets_module.ENGINE_ENV] = "re"
    portable = SecretDetector.load()
    del os.environ[secrets_module.ENGINE_ENV]
    baseline = baseline_detector(args.baseline_rev)
    print(f"python {platform.python_version()} on {platform.machine()}, detect-secrets {DS_VERSION}, "
          f"gatekeeper secrets rules: {len(detector.rules)} (sha256 {detector.digest[:12]}), prefilter "
          f"{detector.engine}; baseline {args.baseline_rev}: "
          f"{len(baseline.rules) if baseline else 'unavailable'} rules")

    samples = build_samples()
    groups = labelled_files(samples)
    corpus = corpus_files(args.lines)
    engines: list[tuple[str, Callable[[Path], set[int]]]] = [
        (f"gatekeeper/{detector.engine}", ours_scanner(detector)),
        ("gatekeeper/re", ours_scanner(portable)),
    ]
    if baseline is not None:
        engines.append((f"before/{args.baseline_rev}", ours_scanner(baseline)))

    with tempfile.TemporaryDirectory(prefix="gk-bench-") as tmp, default_settings():
        engines.append(("detect-secrets", detect_secrets_scanner()))
        labelled_dir = Path(tmp) / "labelled"
        labelled_dir.mkdir()
        labelled_paths = write_tree(labelled_dir, [(name, [samples[i].line for i in idx]) for name, idx in groups])
        speed_dir = Path(tmp) / "speed"
        speed_dir.mkdir()
        speed_files = [*corpus, *[(name, [samples[i].line for i in idx]) for name, idx in groups]]
        speed_paths = write_tree(speed_dir, speed_files)
        n_lines = sum(len(lines) for _, lines in speed_files)
        n_bytes = sum(p.stat().st_size for p in speed_paths)

        # warm-up (imports, regex compilation, file cache), then alternate to share any drift
        for _, scan in engines:
            scan(speed_paths[0])
        times: dict[str, list[float]] = {name: [] for name, _ in engines}
        source_times: dict[str, list[float]] = {name: [] for name, _ in engines}
        source_paths = speed_paths[: len(corpus)]
        source_bytes = sum(p.stat().st_size for p in source_paths)
        for _ in range(args.reps):
            for name, scan in engines:
                times[name] += timed(scan, speed_paths, 1)
                source_times[name] += timed(scan, source_paths, 1)

        print()
        print(f"speed: {len(speed_paths)} files, {n_lines:,} lines, {n_bytes / 1e6:.1f} MB, "
              f"best of {args.reps} repetitions (file read + scan, one process)")
        print(f"  {'detector':<22}{'best s':>9}{'median s':>10}{'lines/s':>12}{'MB/s':>8}{'vs ds':>8}")
        ds_best = min(times["detect-secrets"])
        for name, _ in engines:
            best = min(times[name])
            median = sorted(times[name])[len(times[name]) // 2]
            print(f"  {name:<22}{best:>9.3f}{median:>10.3f}{n_lines / best:>12,.0f}{n_bytes / 1e6 / best:>8.2f}"
                  f"{ds_best / best:>7.1f}x")

        print(f"  real source only ({len(source_paths)} files, {source_bytes / 1e6:.1f} MB, no labelled lines): "
              + ", ".join(f"{name} {source_bytes / 1e6 / min(source_times[name]):.1f} MB/s" for name, _ in engines))

        print()
        positives = sum(s.secret for s in samples)
        print(f"quality: labelled set, {positives} lines with a secret, {len(samples) - positives} without "
              f"(per line)")
        print(f"  {'detector':<22}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}{'bare':>7}")
        report: dict[str, tuple[list[Sample], list[Sample]]] = {}
        bare_total = sum(1 for s in samples if s.kind.startswith("bare:"))
        for name, scan in engines:
            tp, fp, fn, misses, false_alarms = quality(scan, samples, groups, labelled_paths)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            bare = 1 - sum(1 for m in misses if m.kind.startswith("bare:")) / max(bare_total, 1)
            print(f"  {name:<22}{tp:>5}{fp:>5}{fn:>5}{precision:>11.3f}{recall:>8.3f}{f1:>7.3f}{bare:>7.3f}")
            report[name] = (misses, false_alarms)
        for name, (misses, false_alarms) in report.items():
            for label, items in (("missed", misses), ("false alarms", false_alarms)):
                kinds: dict[str, int] = defaultdict(int)
                for sample in items:
                    kinds[sample.kind] += 1
                summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
                print(f"  {name} {label}: {summary or 'none'}")

        print()
        print("recall per family (gatekeeper):")
        misses = report[engines[0][0]][0]
        missed: dict[str, int] = defaultdict(int)
        for sample in misses:
            missed[sample.kind] += 1
        totals: dict[str, int] = defaultdict(int)
        for sample in samples:
            if sample.secret:
                totals[sample.kind] += 1
        cells = [f"{kind} {1 - missed[kind] / n:.2f}" for kind, n in sorted(totals.items())]
        for start in range(0, len(cells), 6):
            print("  " + ", ".join(cells[start:start + 6]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
