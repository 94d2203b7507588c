"""Benchmark: what the pre-receive hook adds to a push of 10 commits / 30 files.

Builds a clone with a base commit and 10 new SSH-signed, mobile-tagged commits touching 30 Python
files, then times `git push` of those commits into a fresh bare repository (seeded with the base)
in the same run, alternating:
- no hook;
- fast profile: the installed hook with origin + provenance (signature verification against an
  allowed-signers file) + the secrets scanner; semgrep and bandit deferred to CI (the default);
- full profile: the same with semgrep and bandit run in the hook too, once with the server's scan
  cache warm (a re-push of blobs seen before) and once cold (a fresh cache directory per push).
The pushed branch is unprotected, so the push is accepted whatever review would say and the whole
hook runs. Prints medians of wall time and of the CPU time of the push's processes (which includes
the hook's), and what each profile adds to the no-hook push (goals: fast <= 0.5 s, full <= 2.5 s).
Wall time on a shared, loaded machine overstates what a quiet server sees; the CPU column does not.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from gatekeeper.modes.install import install

POLICY = """version: 1
protected_refs: ["refs/heads/main"]
rules:
  mobile: {{scanners: [secrets, semgrep, bandit], block_at: high, require_signature: true,
           review: {{approvals: 1}}}}
  default: {{scanners: [secrets], block_at: critical}}
allowed_signers: {signers}
pre_receive: {{budget_seconds: 4.5, scanners: {scanners}, defer: {defer}}}
"""

MODULE = '''"""Module {i}."""
import os
import subprocess


def handler_{i}(request):
    value = request.get("value", "{i}")
    total = 0
    for step in range(10):
        total += len(value) * step
    return {{"total": total, "env": os.environ.get("HOME")}}


def run_{i}(command):
    return subprocess.run(command, shell=False, check=False)
'''


def git(*args: str, cwd: Path, env: dict[str, str], input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, input=input, capture_output=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode().strip()


def build(tmp: Path, env: dict[str, str]) -> tuple[Path, Path, Path]:
    """The seed bare repository (base commit only), the clone with 10 new commits, the signers file."""
    key = tmp / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mo@example.com", "-f", str(key)],
                   check=True)
    signers = tmp / "allowed_signers"
    signers.write_text(f"mo@example.com namespaces=\"git\" {(tmp / 'id_ed25519.pub').read_text().strip()}\n")
    work = tmp / "work"
    git("init", "-q", "-b", "main", str(work), cwd=tmp, env=env)
    for name, value in (("user.name", "Mo Bile"), ("user.email", "mo@example.com"), ("gpg.format", "ssh"),
                        ("user.signingkey", str(key)), ("commit.gpgsign", "true")):
        git("config", name, value, cwd=work, env=env)
    (work / "README.md").write_text("bench\n")
    git("add", "README.md", cwd=work, env=env)
    git("commit", "-q", "-m", "base", cwd=work, env=env)
    seed = tmp / "seed.git"
    git("clone", "-q", "--bare", str(work), str(seed), cwd=tmp, env=env)
    git("checkout", "-q", "-b", "bench", cwd=work, env=env)
    for c in range(10):
        for f in range(3):
            i = c * 3 + f
            path = work / "src" / f"mod_{i}.py"
            path.parent.mkdir(exist_ok=True)
            path.write_text(MODULE.format(i=i))
            git("add", str(path.relative_to(work)), cwd=work, env=env)
        message = (f"Change {c}\n\nOrigin-Device: mobile\nOrigin-Client: termux/0.118\n"
                   "Assisted-by: codex-mobile/0.3\n")
        git("commit", "-q", "-F", "-", cwd=work, env=env, input=message.encode())
    return seed, work, signers


def server(tmp: Path, seed: Path, name: str, policy: Path | None, env: dict[str, str]) -> Path:
    target = tmp / f"{name}.git"
    if target.exists():
        shutil.rmtree(target)
    git("clone", "-q", "--bare", str(seed), str(target), cwd=tmp, env=env)
    if policy is not None:
        install(target, "pre-receive", policy=policy)
    return target


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_push(work: Path, target: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of every process of the push (git, receive-pack, the hook, scanners), output."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(["git", "push", "-q", str(target), "bench"], cwd=work, env=env, capture_output=True,
                          check=False)
    elapsed = time.perf_counter() - t0
    cpu = _children_cpu() - cpu0
    out = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"push to {target.name} failed ({proc.returncode}):\n{out}")
    return elapsed, cpu, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"$ python bench/bench_pre_receive.py --repeat {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GIT_", "GATEKEEPER_", "GITHUB_", "GL_", "GITEA_"))}
        env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LANG="C",
                   SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
        seed, work, signers = build(tmp, env)
        policies = {}
        for name, scanners, defer in (("fast", "[secrets]", "[semgrep, bandit]"),
                                      ("full", "[secrets, semgrep, bandit]", "[]")):
            path = tmp / f"{name}.yml"
            path.write_text(POLICY.format(signers=signers, scanners=scanners, defer=defer))
            policies[name] = path
        profiles: dict[str, tuple[Path | None, bool]] = {
            "no hook": (None, False), "fast profile": (policies["fast"], False),
            "fast, no start-up cache": (policies["fast"], False),
            "full, warm cache": (policies["full"], False), "full, cold cache": (policies["full"], True)}
        # The same fast push with the hook's start-up compiled again in every run (gatekeeper.startup_cache off):
        # what the start-up cache saves, measured in the same rounds.
        uncached = {"fast, no start-up cache"}
        cache_root = tmp / "caches"

        def push_env(cold: bool, index: int) -> dict[str, str]:
            # The hook inherits the push's environment (local transport), so this picks the server's cache.
            return dict(env, GATEKEEPER_CACHE_DIR=str(cache_root / (f"cold-{index}" if cold else "warm")))

        # One untimed round warms the page cache, semgrep's start-up files and the warm scan cache.
        for policy, cold in profiles.values():
            timed_push(work, server(tmp, seed, "warm", policy, env), push_env(cold, -1))
        wall: dict[str, list[float]] = {name: [] for name in profiles}
        cpu: dict[str, list[float]] = {name: [] for name in profiles}
        outputs: dict[str, str] = {}
        for index in range(args.repeat):
            for name, (policy, cold) in profiles.items():
                target = server(tmp, seed, "target", policy, env)
                push = push_env(cold, index)
                if name in uncached:
                    push["GATEKEEPER_STARTUP_CACHE"] = "off"
                elapsed, used, out = timed_push(work, target, push)
                wall[name].append(elapsed)
                cpu[name].append(used)
                outputs[name] = out
        base_wall, base_cpu = statistics.median(wall["no hook"]), statistics.median(cpu["no hook"])
        load = os.getloadavg()[0]
        print(f"push: 10 commits / 30 files, SSH-signed, Origin-Device: mobile; {args.repeat} repetitions, median; "
              f"{os.cpu_count()} CPUs, load average {load:.1f}")
        print(f"{'':23} {'wall s':>7} {'added':>7} {'cpu s':>7} {'added':>7}  goal (added wall)")
        goals = {"no hook": "", "fast profile": "<= 0.5 s", "fast, no start-up cache": "",
                 "full, warm cache": "<= 2.5 s", "full, cold cache": "<= 2.5 s"}
        for name in profiles:
            w, c = statistics.median(wall[name]), statistics.median(cpu[name])
            added_w = "" if name == "no hook" else f"{w - base_wall:7.3f}"
            added_c = "" if name == "no hook" else f"{c - base_cpu:7.3f}"
            print(f"{name:23} {w:7.3f} {added_w:>7} {c:7.3f} {added_c:>7}  {goals[name]}")
        for name in ("fast profile", "full, cold cache"):
            print(f"\n{name}, last push's remote output:")
            for line in outputs[name].splitlines():
                if line.startswith("remote:"):
                    print(f"  {line.rstrip()}")


if __name__ == "__main__":
    main()
