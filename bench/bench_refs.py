"""Benchmark: what judging every ref on its real objects costs a push (issue 9: refs and objects).

Builds a bare repository with many refs (branches, lightweight and annotated tags, a symbolic ref) and
a notes ref with many notes, then times, in the same run and alternating:
- baseline: one `git rev-parse HEAD` (the price of any git process here);
- the per-push ref questions the hook now asks: `symref_targets` for the pushed names, `peel` of the
  pushed tips, `ref_targets` (asked, for the protected refs only, when a protected tag or a new
  protected branch is pushed);
- reading notes for 100 commits: the old way (`git notes list` + batch read) against `notes_index`
  (the tree parsed, every entry validated) + batch read;
- the push-origin store: `lookup` of 1,000 commit ids in an empty store, and misses and hits in one holding
  1,000 records.
Prints medians and each one's ratio to the baseline process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gatekeeper.git import Git
from gatekeeper.models import CommitReport, DeviceClass, Evidence, Origin, Trust
from gatekeeper.origin.recorded import PushOriginStore


def _git(repo: Path, *args: str, input: str | None = None) -> str:
    return subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True, text=True,
                          check=True).stdout.strip()


def build(root: Path, commits: int, tags: int, notes: int) -> tuple[Path, list[str]]:
    work = root / "work"
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    env_lines = []
    for i in range(commits):
        message = f"c{i}\n"
        env_lines.append(f"commit refs/heads/main\nmark :{i + 1}\ncommitter B <b@example.com> {1767225600 + i} +0000\n"
                         f"data {len(message)}\n{message}M 644 inline f{i % 50}.txt\ndata 2\n{i % 10}\n\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=work, input="".join(env_lines), text=True, check=True)
    shas = _git(work, "rev-list", "--reverse", "main").split()
    refs = []
    for i in range(tags):
        sha = shas[i % len(shas)]
        refs.append(f"create refs/tags/l{i} {sha}\n")
        refs.append(f"create refs/heads/b{i % 200} {sha}\n" if i < 200 else "")
    _git(work, "update-ref", "--stdin", input="".join(refs))
    for i in range(0, tags, 10):
        _git(work, "tag", "-a", "-m", "t", f"a{i}", shas[i % len(shas)])
    _git(work, "symbolic-ref", "refs/heads/trunk", "refs/heads/main")
    _git(work, "pack-refs", "--all")  # as `git gc` leaves a server's refs (2,600 loose refs: ~8x slower to list)
    for sha in shas[:notes]:
        _git(work, "notes", "--ref=refs/notes/origin", "add", "-m", "Origin-Device: mobile", sha)
    return work, shas


def timed(fn: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--tags", type=int, default=2000)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gatekeeper-bench-refs-") as tmp:
        work, shas = build(Path(tmp), args.commits, args.tags, args.notes)
        git = Git(work)
        wanted = shas[:100]
        pushed = ["refs/heads/main", "refs/heads/trunk", "refs/tags/v9", "refs/heads/new-topic"]

        def old_notes() -> dict[str, str]:
            pairs = {}
            listing = subprocess.run(["git", "notes", "--ref=refs/notes/origin", "list"], cwd=work,
                                     capture_output=True, check=True, text=True).stdout
            for line in listing.splitlines():
                blob, _, commit = line.partition(" ")
                if commit in wanted:
                    pairs[commit] = blob
            return {c: d.decode() for c, (_, d) in zip(pairs, git.read_objects(pairs.values()).values(), strict=False)
                    if d is not None}

        empty = PushOriginStore(Path(tmp) / "empty-store")
        full = PushOriginStore(Path(tmp) / "store")
        evidence = (Evidence("push-option", "push option origin-device: mobile", Trust.DECLARED,
                             device=DeviceClass.MOBILE),)
        reports: list[CommitReport] = []
        for commit in git.iter_log(shas[:1000], no_walk=True):
            reports.append(CommitReport(commit, Origin(device=DeviceClass.MOBILE, evidence=evidence), True, "mobile"))
        full.record(reports, pusher="bench", when=dt.datetime.now(dt.UTC))
        lookups = shas[-1000:]

        cases: list[tuple[str, Callable[[], object]]] = [
            ("baseline: git rev-parse HEAD", lambda: git.try_resolve("HEAD")),
            ("symref_targets(4 pushed names)", lambda: git.symref_targets(pushed)),
            ("peel(4 pushed tips)", lambda: git.peel(shas[-4:])),
            (f"ref_targets() (all {args.tags // 10 + args.tags + 200} refs)", git.ref_targets),
            (f"ref_targets(protected: {args.tags // 10} refs/tags/a*)",
             lambda: git.ref_targets(lambda name: name.startswith("refs/tags/a"))),
            (f"notes, old: notes list ({args.notes} notes) + read 100", old_notes),
            (f"notes, new: notes_index ({args.notes} notes) + read 100",
             lambda: git.notes(wanted, "refs/notes/origin")),
            ("push-origin lookup x1000, empty store", lambda: empty.lookup(lookups)),
            ("push-origin lookup x1000 misses, store of 1000", lambda: full.lookup(lookups)),
            ("push-origin lookup x1000 hits, store of 1000", lambda: full.lookup(shas[:1000])),
        ]
        results = {name: timed(fn, args.rounds) for name, fn in cases}
        base = results[cases[0][0]]
        for name, seconds in results.items():
            print(f"{name:58s} {seconds * 1000:8.1f} ms   {seconds / base:6.1f}x baseline")


if __name__ == "__main__":
    main()
