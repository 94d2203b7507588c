"""Benchmark: what attestation adds to a push, and how fast `attest verify` walks a long chain.

1. Push cost: a bare server with pre-receive + post-receive installed; pushes of 10 commits / 30
   files to the protected main, alternating with and without GATEKEEPER_ATTEST_KEY (same run, same
   machine). Without the key post-receive returns at once; with it, pre-receive records the admission
   and post-receive signs and stores the provenance + VSA. Prints the median added wall time (goal:
   <= 50 ms) next to the push's own median.
2. Verify: a chain of N attested revisions (default 1,000) written in-process, then
   `verify_revision` on the tip, which checks every envelope, subject and link back to the start.
   Prints revisions per second, and the same over a chain of N/10 as the baseline ratio.

Usage: python bench/bench_attest.py [--rounds 7] [--chain 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gatekeeper.attest.admission import Settings, attest_update
from gatekeeper.attest.controls import Controls, policy_digest
from gatekeeper.attest.envelope import load_public_key
from gatekeeper.attest.verify import verify_revision
from gatekeeper.config import default_policy
from gatekeeper.git import Git
from gatekeeper.models import RefKind, RefUpdate
from gatekeeper.modes.install import install

POLICY = """version: 1
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [secrets], block_at: high, review: {approvals: 1}}
  default: {scanners: [secrets], block_at: high}
pre_receive: {budget_seconds: 4.5, scanners: [secrets], defer: [semgrep, bandit]}
"""


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=True)
    return proc.stdout.decode().strip()


def keypair(root: Path) -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private, public = root / "gate.pem", root / "gate.pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Dev",
                "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
                "GIT_COMMITTER_EMAIL": "dev@example.com"})
    env.pop("GATEKEEPER_ATTEST_KEY", None)
    return env


def push_cost(root: Path, rounds: int, private: Path) -> tuple[float, float, float, float]:
    env = base_env()
    bare = root / "server.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=root)
    policy = root / "policy.yml"
    policy.write_text(POLICY)
    install(bare, "pre-receive", policy=policy)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(hook.read_text().replace(" pre-receive --legacy ", " pre-receive --no-watchdog --legacy "))
    work = root / "work"
    git("clone", "-q", bare.as_uri(), str(work), cwd=root, env=env)
    (work / "README.md").write_text("base\n")
    git("add", "-A", cwd=work, env=env)
    git("commit", "-qm", "base", cwd=work, env=env)
    git("push", "-q", "origin", "HEAD:refs/heads/main", cwd=work, env=env)
    plain: list[float] = []
    attested: list[float] = []
    plain_cpu: list[float] = []
    attested_cpu: list[float] = []
    for n in range(rounds * 2):
        for c in range(10):
            for f in range(3):
                (work / f"pkg{f}").mkdir(exist_ok=True)
                (work / f"pkg{f}" / f"m{c}.py").write_text(f"VALUE = {n * 100 + c}\n")
            git("add", "-A", cwd=work, env=env)
            git("commit", "-qm", f"change {n}.{c}", cwd=work, env=env)
        with_key = n % 2 == 1
        run_env = dict(env)
        if with_key:
            run_env["GATEKEEPER_ATTEST_KEY"] = str(private)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(["git", "push", "-q", "origin", "HEAD:refs/heads/main"], cwd=work, env=run_env,
                       capture_output=True, check=True)
        (attested if with_key else plain).append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        (attested_cpu if with_key else plain_cpu).append(cpu)
    notes = git("notes", "--ref=refs/notes/gatekeeper/attestations", "list", cwd=bare)
    assert len(notes.splitlines()) == rounds, "every attested push must have written its note"
    return (statistics.median(plain), statistics.median(attested), statistics.median(plain_cpu),
            statistics.median(attested_cpu))


def chain(root: Path, length: int, private: Path, public: Path) -> float:
    repo = root / f"chain-{length}"
    env = base_env()
    git("init", "-q", "-b", "main", str(repo), cwd=root)
    # Commits through fast-import: the chain's cost is the attestations, not making commits.
    stream = []
    for i in range(length):
        stream.append(f"commit refs/heads/main\nmark :{i + 1}\ncommitter Dev <dev@example.com> {1700000000 + i} "
                      f"+0000\ndata {len(f'c{i}')}\nc{i}\n" + (f"from :{i}\n" if i else "") + "\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream).encode(), env=env, check=True)
    g = Git(repo)
    shas = list(reversed(g.rev_list(["refs/heads/main"])))
    settings = Settings(signer_path=private, verifier_id="urn:gatekeeper:bench", resource_uri="git+file://bench")
    controls = Controls(gate_verdict=True, decision="allow", force_push_refused=True, deletion_refused=True,
                        fail_closed=True, secrets_scanned=True, mobile_review_required=True, mobile_reviewed=True)
    digest = policy_digest(default_policy())
    previous = "0" * 40
    for sha in shas:
        attest_update(g, RefUpdate("refs/heads/main", previous, sha, RefKind.UPDATE), controls, settings=settings,
                      activity="push", actor="bench", verdict_digest="0" * 64, policy_digest_value=digest,
                      policy_source="bench", start=previous == "0" * 40)
        previous = sha
    keys = [load_public_key(public)]
    t0 = time.perf_counter()
    result = verify_revision(g, shas[-1], keys)
    elapsed = time.perf_counter() - t0
    assert result.verified and len(result.chain) == length, result.problems
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--chain", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gk-bench-attest-") as tmp:
        root = Path(tmp)
        private, public = keypair(root)
        plain, attested, plain_cpu, attested_cpu = push_cost(root, args.rounds, private)
        print(f"push of 10 commits / 30 files to protected main, median of {args.rounds} (wall / CPU of the push's "
              "processes, hooks included):")
        print(f"  without attestation  {plain * 1000:7.0f} ms wall  {plain_cpu * 1000:7.0f} ms CPU")
        print(f"  with attestation     {attested * 1000:7.0f} ms wall  {attested_cpu * 1000:7.0f} ms CPU")
        added_cpu = (attested_cpu - plain_cpu) * 1000
        print(f"  added                {(attested - plain) * 1000:+7.0f} ms wall  {added_cpu:+7.0f} ms CPU  "
              f"(goal <= 50 ms; ratio {attested / plain:.3f}x)")
        small = max(10, args.chain // 10)
        t_small = chain(root, small, private, public)
        t_big = chain(root, args.chain, private, public)
        print(f"attest verify over a chain of {small:>5}: {t_small:6.2f} s = {small / t_small:7.0f} revisions/s")
        print(f"attest verify over a chain of {args.chain:>5}: {t_big:6.2f} s = {args.chain / t_big:7.0f} "
              f"revisions/s ({(args.chain / t_big) / (small / t_small):.2f}x the short chain's rate)")


if __name__ == "__main__":
    main()
