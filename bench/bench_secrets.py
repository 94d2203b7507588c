"""Benchmark gatekeeper's secrets detector against detect-secrets, in one process, on the same lines.

1. speed: real source files (stdlib and installed packages) plus the labelled lines, scanned file by
   file by both detectors (each reads the file and scans every line), several repetitions; the best
   repetition of each is compared.
2. quality: precision / recall / F1 per line on the labelled set (bench/labelled_secrets.py).

detect-secrets runs with all its default plugins and filters (`default_settings()`), through
`scan_file` — its normal per-file path, which applies entropy limits and its heuristic filters and is
faster than the ad-hoc `scan_line` (that one clears its filter cache on every call and reports
every word in eager mode, so it is neither fast nor a fair quality baseline).

Run from the repository root: `python bench/bench_secrets.py [--lines N] [--reps N]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from labelled_secrets import Sample, build_samples  # noqa: E402

from gatekeeper.scan.secrets import SecretDetector  # noqa: E402

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=30_000, help="lines of real source in the speed corpus")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of the speed run")
    args = parser.parse_args(argv)

    print("$ " + shlex.join(["python", *sys.argv]))
    from detect_secrets.__version__ import VERSION as DS_VERSION
    from detect_secrets.settings import default_settings

    detector = SecretDetector.load()
    print(f"python {platform.python_version()} on {platform.machine()}, detect-secrets {DS_VERSION}, "
          f"gatekeeper secrets rules: {len(detector.rules)} (sha256 {detector.digest[:12]})")

    samples = build_samples()
    groups = labelled_files(samples)
    corpus = corpus_files(args.lines)
    ours = ours_scanner(detector)

    with tempfile.TemporaryDirectory(prefix="gk-bench-") as tmp, default_settings():
        theirs = detect_secrets_scanner()
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
        ours(speed_paths[0])
        theirs(speed_paths[0])
        ours_times: list[float] = []
        theirs_times: list[float] = []
        for _ in range(args.reps):
            ours_times += timed(ours, speed_paths, 1)
            theirs_times += timed(theirs, speed_paths, 1)

        print()
        print(f"speed: {len(speed_paths)} files, {n_lines:,} lines, {n_bytes / 1e6:.1f} MB, "
              f"best of {args.reps} repetitions")
        print(f"  {'detector':<16}{'best s':>9}{'median s':>10}{'lines/s':>12}{'MB/s':>8}")
        for name, times in (("gatekeeper", ours_times), ("detect-secrets", theirs_times)):
            best = min(times)
            median = sorted(times)[len(times) // 2]
            print(f"  {name:<16}{best:>9.3f}{median:>10.3f}{n_lines / best:>12,.0f}{n_bytes / 1e6 / best:>8.2f}")
        ratio = min(theirs_times) / min(ours_times)
        print(f"  ours is {ratio:.1f}x faster (goal >= 5x)")

        print()
        positives = sum(s.secret for s in samples)
        print(f"quality: labelled set, {positives} lines with a secret, {len(samples) - positives} without "
              f"(per line)")
        print(f"  {'detector':<16}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
        report: dict[str, tuple[list[Sample], list[Sample]]] = {}
        for name, scan in (("gatekeeper", ours), ("detect-secrets", theirs)):
            tp, fp, fn, misses, false_alarms = quality(scan, samples, groups, labelled_paths)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            print(f"  {name:<16}{tp:>5}{fp:>5}{fn:>5}{precision:>11.3f}{recall:>8.3f}{f1:>7.3f}")
            report[name] = (misses, false_alarms)
        for name, (misses, false_alarms) in report.items():
            for label, items in (("missed", misses), ("false alarms", false_alarms)):
                kinds: dict[str, int] = defaultdict(int)
                for sample in items:
                    kinds[sample.kind] += 1
                summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
                print(f"  {name} {label}: {summary or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
