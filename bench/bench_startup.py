"""Benchmark gatekeeper's start-up: the fixed cost every command pays before it reads a single commit.

Times, on a one-commit repository, the interpreter alone, `gatekeeper audit --format json`, `gatekeeper
--help` and the hook entry point (`python -m gatekeeper.cli_hook --help`), each the minimum of N runs
(wall and CPU = user + system of the command and its children), and lists the gatekeeper modules the
audit imports. Two settings: with a warm bytecode cache (what an installed package sees: pip compiles
on install), and as this environment runs it; with PYTHONDONTWRITEBYTECODE=1 and an editable checkout
that means compiling every imported module of ours from source on each run.

    python bench/bench_startup.py [--rounds 9] [--tree DIR ...]

`--tree DIR` adds `python -m gatekeeper audit` with the gatekeeper package of another checkout (e.g.
`git worktree add /tmp/before <rev>`) on PYTHONPATH, timed in the same interleaved rounds: a before /
after comparison on the same machine load.

No timed assertions: it prints figures for the README and for comparing two revisions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import gatekeeper_argv, make_repo

_IMPORTED = ("import sys\nfrom gatekeeper.cli import run\ncode = run(sys.argv[1:])\n"
             "print(len([m for m in sys.modules if m.startswith('gatekeeper')]), len(sys.modules), file=sys.stderr)\n"
             "sys.exit(code)")


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys of the command and the children it waited for), from wait4's
    rusage: finer than /usr/bin/time's 10 ms steps, which are as large as the differences measured here."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, argv)
    return elapsed, usage.ru_utime + usage.ru_stime


class Case(NamedTuple):
    label: str
    argv: list[str]
    tree: Path | None = None  # a `--tree` checkout, first on PYTHONPATH

    def env(self, base: dict[str, str] | None) -> dict[str, str] | None:
        if self.tree is None:
            return base
        return dict(os.environ if base is None else base, PYTHONPATH=str(self.tree.resolve()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--tree", type=Path, action="append", default=[],
                        help="another checkout whose `python -m gatekeeper audit` is timed alongside")
    args = parser.parse_args()
    gk = gatekeeper_argv()
    audit = ["audit", "--format", "json", "--no-progress"]
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "one-commit"
        make_repo(repo, 1)
        cases = [Case("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"]),
                 Case("gatekeeper audit --format json", [*gk, *audit]),
                 Case("gatekeeper --help", [*gk, "--help"]),
                 Case("python -m gatekeeper.cli_hook --help", [sys.executable, "-m", "gatekeeper.cli_hook", "--help"]),
                 *(Case(f"python -m gatekeeper audit ({tree.name})", [sys.executable, "-m", "gatekeeper", *audit], tree)
                   for tree in args.tree)]
        cached = dict(os.environ, PYTHONPYCACHEPREFIX=str(Path(tmp) / "pyc"))
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        for case in cases:
            timed(case.argv, repo, case.env(cached))  # fills the cache
        as_is = "as this environment runs it" + (" (PYTHONDONTWRITEBYTECODE=1)"
                                                 if os.environ.get("PYTHONDONTWRITEBYTECODE") else "")
        for setting, env in (("with a warm bytecode cache", cached), (as_is, None)):
            best: dict[str, tuple[float, float]] = {}
            for _ in range(args.rounds):  # interleaved, so a burst of load elsewhere hits every case alike
                for case in cases:
                    wall, cpu = timed(case.argv, repo, case.env(env))
                    old = best.get(case.label, (wall, cpu))
                    best[case.label] = (min(old[0], wall), min(old[1], cpu))
            print(f"start-up on a one-commit repository, {setting}, min of {args.rounds} runs")
            print(f"  {'':44} {'wall':>7}  {'CPU':>7}")
            for label, (wall, cpu) in best.items():
                print(f"  {label:44} {wall * 1000:5.0f}ms  {cpu * 1000:5.0f}ms")
        proc = subprocess.run([sys.executable, "-c", _IMPORTED, "audit", "--format", "json", "--no-progress"],
                              cwd=repo, capture_output=True, text=True, check=True)
        ours, total = proc.stderr.split()[-2:]
        print(f"  modules loaded by the audit: {ours} of gatekeeper's, {total} in all")


if __name__ == "__main__":
    main()
