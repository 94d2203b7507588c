"""Benchmark: semgrep batched once over N files vs semgrep once per file, same files, same run.

Builds a throw-away repository with N generated Python and JavaScript files (default 200, half each,
a few with findings), materialises them through gatekeeper's workspace (as the gate does), then runs
our rules (rules/semgrep) with the gate's exact command line:
  (a) batched: ONE semgrep process over all files — what SemgrepScanner does;
  (b) per file: one semgrep process per file.
Both must report the same findings before any number is printed.

Run from the repository root: `python bench/bench_semgrep.py [--files N] [--no-experimental]`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gatekeeper.git import Git
from gatekeeper.scan.common import run_tool, tool_env
from gatekeeper.scan.semgrep import SemgrepScanner, default_rules_dir, find_semgrep
from gatekeeper.scan.workspace import Entry, Workspace

PY = '''import subprocess


def handler_{i}(request):
    name = request.args.get("name", "")
    total = sum(range({i}))
    if total % 7 == 0:
        return subprocess.run("echo " + name, shell=True)
    return {{"name": name, "total": total}}
'''
JS = '''const express = require("express");

function handler{i}(req, res) {{
  const q = req.query.q || "";
  const total = [...Array({i}).keys()].reduce((a, b) => a + b, 0);
  if (total % 5 === 0) {{
    return eval(q);
  }}
  res.json({{ q, total }});
}}
module.exports = handler{i};
'''


def build_repo(root: Path, files: int) -> Path:
    repo = root / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for i in range(files):
        path = repo / "src" / (f"mod_{i}.py" if i % 2 == 0 else f"mod_{i}.js")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((PY if i % 2 == 0 else JS).format(i=i))
    env = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@example.com", "PATH": "/usr/bin:/bin", "HOME": str(root)}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "bench"], cwd=repo, check=True, env=env)
    return repo


def findings(stdout: bytes) -> set[tuple[str, str, int]]:
    data = json.loads(stdout.decode("utf-8", "replace"))
    return {(r["check_id"], r["path"].removeprefix("./"), r["start"]["line"]) for r in data["results"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--no-experimental", action="store_true")
    args = parser.parse_args()
    semgrep = find_semgrep()
    if semgrep is None:
        print("semgrep not found", file=sys.stderr)
        return 2
    experimental = not args.no_experimental
    print(f"$ python bench/bench_semgrep.py --files {args.files}" + (" --no-experimental" if not experimental else ""))
    with tempfile.TemporaryDirectory(prefix="gk-bench-semgrep-") as tmp:
        root = Path(tmp)
        repo = build_repo(root, args.files)
        git = Git(repo)
        listing = subprocess.run(["git", "ls-tree", "-r", "-z", "HEAD"], cwd=repo, capture_output=True, check=True,
                                 text=True).stdout.split("\x00")
        entries = []
        for item in filter(None, listing):
            meta, path = item.split("\t", 1)
            mode, _, blob = meta.split()
            entries.append(Entry(path, blob, mode))
        scanner = SemgrepScanner(rules_dir=default_rules_dir(), executable=semgrep, use_cache=False)
        home = root / "home"
        home.mkdir()
        env = tool_env(home)
        with Workspace() as ws:
            targets = ws.materialise(git, entries)
            names = [t.rel for t in targets]
            batched_argv = scanner.argv(semgrep, names, experimental=experimental)
            shown = [*batched_argv[: batched_argv.index("--") + 1], f"<{len(names)} files>"]
            print("semgrep command (batched):  " + shlex.join(shown))
            print("semgrep command (per file): " + shlex.join([*batched_argv[: batched_argv.index("--") + 1],
                                                               "<one file>"]))
            print(f"files: {len(targets)} ({sum(t.size for t in targets)} bytes), rules: {default_rules_dir()}")

            started = time.perf_counter()
            run = run_tool(batched_argv, cwd=ws.root, env=env, timeout=900)
            batched_s = time.perf_counter() - started
            if run.returncode not in (0, 1):
                print(f"batched run failed: {run.describe()}", file=sys.stderr)
                return 1
            batched = findings(run.stdout)

            per_file: set[tuple[str, str, int]] = set()
            started = time.perf_counter()
            for name in names:
                one = run_tool(scanner.argv(semgrep, [name], experimental=experimental), cwd=ws.root, env=env,
                               timeout=300)
                if one.returncode not in (0, 1):
                    print(f"per-file run failed on {name}: {one.describe()}", file=sys.stderr)
                    return 1
                per_file |= findings(one.stdout)
            per_file_s = time.perf_counter() - started

    if batched != per_file:
        print(f"MISMATCH: batched {len(batched)} findings, per file {len(per_file)}", file=sys.stderr)
        return 1
    print(f"findings (identical both ways): {len(batched)}")
    print(f"batched once:   {batched_s:8.2f} s  (1 semgrep process)")
    print(f"once per file:  {per_file_s:8.2f} s  ({len(names)} semgrep processes)")
    print(f"ratio per-file / batched: {per_file_s / batched_s:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
