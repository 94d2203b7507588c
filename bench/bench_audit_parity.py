"""Agreement check: `gatekeeper audit` against `gatekeeper check` (the gate) on the same commits of real histories.

The audit reads raw records (`git log --pretty=raw --encoding=none`) and has a fast path; the gate reads git's
`%an %ae %B`. Both must judge every commit alike. For each bare repository given (default: every
<owner>+<name>/repo under GATEKEEPER_REAL_REPOS, /work/.mirror), with a policy that runs no scanner and protects
nothing (so `check` judges origin and provenance only), it runs `check --base ROOT --head HEAD --format json` and
`audit --format json`, and compares per commit the origin the two report: device class, AI involvement, device
id, client, and the evidence sources. Prints the differences (with up to three examples each) and both times.

    python bench/bench_audit_parity.py [REPO ...]

No assertions: it prints figures for the README.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

POLICY = ("version: 1\nprotected_refs: [refs/heads/__nothing__]\n"
          "rules:\n  default: {scanners: [], review: null, block_at: critical}\n")
FIELDS = ("device", "ai", "device_id", "client")


def gatekeeper() -> str:
    return str(Path(sys.executable).with_name("gatekeeper"))


def compare(repo: Path, policy: Path) -> tuple[int, Counter[str], dict[str, list[object]], float, float]:
    root = subprocess.run(["git", "-C", str(repo), "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.split()[-1]
    start = time.perf_counter()
    checked = subprocess.run([gatekeeper(), "check", "--repo", str(repo), "--base", root, "--head", "HEAD",
                              "--policy", str(policy), "--format", "json"], capture_output=True, text=True)
    check_s = time.perf_counter() - start
    gate = json.loads(checked.stdout[checked.stdout.index("{") : checked.stdout.rindex("}") + 1])
    start = time.perf_counter()
    audited = subprocess.run([gatekeeper(), "audit", "--repo", str(repo), "--policy", str(policy), "--format", "json",
                              "--no-progress"], capture_output=True, text=True, check=True)
    audit_s = time.perf_counter() - start
    by_sha = {c["sha"]: c for c in json.loads(audited.stdout)["commits"]}
    differences: Counter[str] = Counter()
    examples: dict[str, list[object]] = defaultdict(list)
    for commit in gate["commits"]:
        other = by_sha.get(commit["sha"])
        if other is None:
            differences["not in the audit"] += 1
            continue
        ours, theirs = commit["origin"], other["origin"]
        for name in FIELDS:
            if ours.get(name) != theirs.get(name):
                differences[name] += 1
                if len(examples[name]) < 3:
                    examples[name].append((commit["sha"][:12], ours.get(name), theirs.get(name)))
        sources = (sorted(e["source"] for e in ours["evidence"]), sorted(e["source"] for e in theirs["evidence"]))
        if sources[0] != sources[1]:
            differences["evidence"] += 1
            if len(examples["evidence"]) < 3:
                examples["evidence"].append((commit["sha"][:12], *sources))
    return len(gate["commits"]), differences, examples, check_s, audit_s


def main() -> None:
    base = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
    repos = [Path(a) for a in sys.argv[1:]] or sorted(p for p in base.glob("*/repo") if (p / "HEAD").exists())
    with tempfile.TemporaryDirectory() as scratch:
        policy = Path(scratch) / "policy.yml"
        policy.write_text(POLICY)
        total = 0
        for repo in repos:
            n, differences, examples, check_s, audit_s = compare(repo, policy)
            total += n
            print(f"{repo.parent.name}: {n} commits; check {check_s:.1f}s, audit {audit_s:.1f}s; differences: "
                  f"{dict(differences) or 'none'}" + (f" {dict(examples)}" if examples else ""))
        print(f"{total} commits in all")


if __name__ == "__main__":
    main()
