"""Forge commits, signatures and review evidence on real histories: gatekeeper vs an independent git count.

For each bare mirror under $GATEKEEPER_REAL_REPOS (default /work/.mirror) at a pinned commit, the whole
first-parent-and-merged history of that commit is judged twice:

  (a) plain git, one `git log` with `%P %cn %ce %s %G? %GK` and `%(trailers:key=...)` — git's own trailer
      parser — and a GnuPG home holding only the forge keys gatekeeper ships (what git then says is
      what anyone can reproduce); the forge kind is counted with the issue's literal rules:
      committer GitHub <noreply@github.com> + "Merge pull request #N from" (two parents) or a subject
      ending "(#N)" = pr-merge, any other web-flow commit = web-edit; a GitLab "See merge request g/p!N"
      merge = pr-merge, a GitLab <noreply@gitlab.com> commit = web-edit;
  (b) gatekeeper's engine (evaluate with the provenance source, no scanners): origin evidence
      forge/pr-merge|forge/web-edit with the PR number, signature status, review evidence.

Per commit and field it prints agreement and lists every disagreement, then the time of (b) over (a).
Expected, explained disagreements: GitHub security-advisory merges ("Merge pull request from GHSA-…",
"Merge commit from fork") are pull-request merges to gatekeeper but fit neither literal rule.

Run from the repository root: `python bench/bench_forge_real.py [--repo NAME ...]`.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gatekeeper.config import parse_policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.git import Git
from gatekeeper.models import ZERO_SHA, CommitReport, RefKind, RefUpdate, SignatureStatus
from gatekeeper.provenance.allowed_signers import ssh_fingerprint
from gatekeeper.provenance.gpg import forge_gnupghome
from gatekeeper.provenance.openpgp import bundled_forge_keys
from gatekeeper.provenance.source import ProvenanceSource, filesystem_reader

PINNED = {
    "opencontainers+runc": "76d9cf5da5683ff449ae967db58fa8c5927ca54b",
    "github+github-mcp-server": "64a49f34d076b6f5917dae1424521d43c7bcae84",
    "Aider-AI+aider": "5dc9490bb35f9729ef2c95d00a19ccd30c26339c",
    "golang+net": "0ca694d2a5adcce7f36d4d65e5f8d72390d94051",
    "f-droid+fdroidclient": "b962e281343a533984b19fb2560d96299d428b96",  # GitLab merge requests
}
POLICY = "version: 1\nrules:\n  mobile: {scanners: []}\n  default: {scanners: []}\n"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
SEP, REC = "\x1f", "\x1e"
_MERGE_BUTTON = re.compile(r"^Merge pull request #(\d+) from ")
_SQUASH = re.compile(r"\(#(\d+)\)$")
_GITLAB = re.compile(r"^See merge request \S*!(\d+)(\s+\S+)?$", re.MULTILINE)


def forge_ssh_fingerprints() -> set[str]:
    return {ssh_fingerprint(base64.b64decode(k.key_b64)) for k in bundled_forge_keys().ssh}


def git_reference(repo: Path, rev: str, home: Path, signers: Path) -> tuple[dict[str, dict[str, object]], float]:
    fields = ["%H", "%P", "%cn", "%ce", "%s", "%G?", "%GK", "%b",
              "%(trailers:key=Reviewed-on,valueonly,separator=%x1d)",
              "%(trailers:key=Reviewed-by,valueonly,separator=%x1d)",
              "%(trailers:key=Acked-by,valueonly,separator=%x1d)"]
    env = {**os.environ, "GNUPGHOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    started = time.monotonic()
    out = subprocess.run(["git", "-C", str(repo), "-c", f"gpg.ssh.allowedSignersFile={signers}", "log",
                          f"--format={SEP.join(fields)}{REC}", rev], env=env, capture_output=True, check=True
                         ).stdout.decode("utf-8", "replace")
    elapsed = time.monotonic() - started
    result: dict[str, dict[str, object]] = {}
    forge_ids = {k.key_id for k in bundled_forge_keys().openpgp} | forge_ssh_fingerprints()
    for record in out.split(REC):
        record = record.lstrip("\n")
        if not record:
            continue
        sha, parents, cn, ce, subject, letter, key, body, reviewed_on, reviewed_by, acked_by = record.split(SEP)
        merge = len(parents.split()) > 1
        kind, pr = None, None
        if (cn.lower(), ce.lower()) == ("github", "noreply@github.com"):
            if ((m := _MERGE_BUTTON.match(subject)) and merge) or (m := _SQUASH.search(subject)):
                kind, pr = "pr-merge", int(m.group(1))
            else:
                kind = "web-edit"
        elif (m := _GITLAB.search(body)) and merge:
            kind, pr = "pr-merge", int(m.group(1))
        elif ce.lower() == "noreply@gitlab.com":
            kind = "web-edit"
        if letter in ("G", "U", "Y") and (key.upper()[-16:] in forge_ids or key in forge_ids):
            signature = "good"  # the shipped forge keys: trusted by being shipped (git: no owner trust / expired key)
        else:
            signature = {"G": "good", "U": "untrusted", "E": "untrusted", "B": "bad", "N": "unsigned",
                         "X": "expired", "Y": "expired", "R": "revoked"}[letter]
        reviewers = sorted({v.strip() for v in reviewed_by.split("\x1d") if v.strip()})
        ackers = sorted({v.strip() for v in acked_by.split("\x1d") if v.strip()})
        result[sha] = {"kind": kind, "pr": pr, "signature": signature,
                       "review": (bool(reviewed_on.strip()), pr, tuple(reviewers), tuple(ackers))}
    return result, elapsed


def gatekeeper_view(report: CommitReport) -> dict[str, object]:
    forge = [e for e in report.origin.evidence if e.source in ("forge/pr-merge", "forge/web-edit")]
    kind = forge[0].source.split("/")[1] if forge else None
    pr = forge[0].pr if forge else None
    evidence = report.review.evidence
    gerrit = any(e.source == "gerrit" for e in evidence)
    pr_evidence = next((e.pr for e in evidence if e.source == "forge/pr-merge"), None)
    reviewers = tuple(sorted({e.reviewer or "" for e in evidence if e.source == "trailer/reviewed-by"}))
    ackers = tuple(sorted({e.reviewer or "" for e in evidence if e.source == "trailer/acked-by"}))
    status = report.signature.status
    signature = status.value if status is not SignatureStatus.ERROR else "error"
    return {"kind": kind, "pr": pr, "signature": signature, "review": (gerrit, pr_evidence, reviewers, ackers)}


def judge(repo: Path, rev: str) -> tuple[dict[str, dict[str, object]], float]:
    policy = parse_policy(POLICY, "bench.yml")
    request = Request(git=Git(repo), updates=(RefUpdate("refs/heads/bench", ZERO_SHA, rev, RefKind.CREATE),),
                      policy=policy, now=NOW)
    started = time.monotonic()
    verdict = evaluate(request, Services(signatures=ProvenanceSource(filesystem_reader)))
    elapsed = time.monotonic() - started
    return {r.commit.sha: gatekeeper_view(r) for r in verdict.commits}, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", action="append", help="mirror name, e.g. opencontainers+runc (default: all pinned)")
    args = parser.parse_args()
    root = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
    home = forge_gnupghome()
    if home is None:
        print("gpg is not installed: git cannot be asked")
        return 2
    total_disagreements = 0
    with tempfile.TemporaryDirectory() as tmp:
        signers = Path(tmp) / "allowed_signers"
        signers.write_text("")
        for name in args.repo or sorted(PINNED):
            repo = root / name / "repo"
            rev = PINNED[name]
            if not repo.is_dir():
                print(f"{name}: not present under {root}, skipped")
                continue
            reference, git_s = git_reference(repo, rev, home, signers)
            ours, ours_s = judge(repo, rev)
            print(f"\n== {name} @ {rev} ({len(reference)} commits)")
            kinds = Counter(str(v["kind"]) for v in reference.values())
            print(f"   git count: forge kinds {dict(kinds)}; signatures "
                  f"{dict(Counter(str(v['signature']) for v in reference.values()))}")
            disagreements: list[str] = []
            for field in ("kind", "pr", "signature", "review"):
                agree = 0
                for sha, expected in reference.items():
                    got = ours.get(sha, {}).get(field, "<missing>")
                    if got == expected[field]:
                        agree += 1
                    else:
                        disagreements.append(f"   {sha[:12]} {field}: git={expected[field]!r} gatekeeper={got!r}")
                print(f"   {field:<9} agree {agree}/{len(reference)} ({100 * agree / max(len(reference), 1):.2f} %)")
            for line in disagreements:
                print(line)
            total_disagreements += len(disagreements)
            ratio = ours_s / max(git_s, 1e-9)
            print(f"   time: gatekeeper {ours_s:.2f} s vs git log {git_s:.2f} s -> ratio {ratio:.2f}")
    print(f"\n{total_disagreements} disagreement(s) in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
