"""Benchmark: what yamlio's hostile-document checks cost (duplicate keys, depth, alias expansion, tag
errors with key paths) against plain PyYAML safe loading of the same text, in the same run.

Inputs: the shipped semgrep rule files (the biggest YAML gatekeeper reads, via libyaml) and the
built-in policy (pure-Python loader, as every configuration file). Prints the best of N rounds for each
and the ratio guarded / plain (goal: <= 1.5; the duplicate-key walk alone was already there before).

Usage: python bench/bench_yaml_guard.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import yaml

from gatekeeper import yamlio
from gatekeeper.config import DEFAULT_POLICY_YAML
from gatekeeper.scan.semgrep import default_rules_dir, rule_files


def best(rounds: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    rules = [p.read_text(encoding="utf-8") for p in rule_files(default_rules_dir())]
    policies = [DEFAULT_POLICY_YAML] * 50
    fast_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    cases = [
        (f"{len(rules)} rule files (libyaml)", lambda: [yamlio.load(t, fast=True) for t in rules],
         lambda: [yaml.load(t, Loader=fast_loader) for t in rules]),
        ("50 policies (pure Python)", lambda: [yamlio.load(t) for t in policies],
         lambda: [yaml.load(t, Loader=yaml.SafeLoader) for t in policies]),
    ]
    for label, guarded, plain in cases:
        g, p = best(args.rounds, guarded), best(args.rounds, plain)
        print(f"{label}: guarded {g * 1000:.1f} ms, plain {p * 1000:.1f} ms, ratio {g / p:.2f}")


if __name__ == "__main__":
    main()
