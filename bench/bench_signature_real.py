"""Signature verdicts on real histories: gatekeeper's verify_commit vs git's %G? / %GK on every signed commit.

For each bare mirror under $GATEKEEPER_REAL_REPOS (default /work/.mirror) the signed commits of HEAD's
history (the newest --cap of them) are judged twice:

  (a) git: one `git log --no-walk --stdin --format='%H %G? %GK %GF %GP'` with a GnuPG home holding only
      the forge keys gatekeeper ships and an empty allowed-signers file (tests/test_signature_real.py);
  (b) gatekeeper: `verify_commit` with the shipped forge keys, as the gate (key judged now) and as the
      audit (forge_history), mapped to git's letter as tests/test_signature_real.agrees maps it.

The key is compared too: gatekeeper's key must be the fingerprint or key id git names (%GK, %GF or %GP) —
sig150 found every Ed25519 OpenPGP signature reported with no key. Then the SSH-signed commits again with an
allowed-signers file listing every key met (principal: the first committer e-mail seen with it): git's
`G` and %GS against gatekeeper's good and signer.

Run from the repository root: `python bench/bench_signature_real.py [--repo NAME ...] [--cap N]`.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gatekeeper.provenance import parse_allowed_signers, verify_commit
from gatekeeper.provenance.gpg import forge_gnupghome
from gatekeeper.provenance.openpgp import bundled_forge_keys
from gatekeeper.provenance.signatures import _dearmor, _parse_sshsig, signature_format, split_signature
from tests.test_signature_real import NOW, agrees, raw_objects

ROOT = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
# sig150's sample: AI-era and GitHub-web-heavy histories with person-signed (SSH, OpenPGP) commits.
DEFAULT = ["go-vikunja+vikunja", "coollabsio+coolify", "langfuse+langfuse", "steveyegge+beads", "github+spec-kit",
           "pi-hole+pi-hole", "dokku+dokku", "healthchecks+healthchecks", "paperless-ngx+paperless-ngx",
           "humanlayer+humanlayer"]
_SIGNED = re.compile(rb"^gpgsig", re.M)


def _git(repo: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], input=stdin, env=env, capture_output=True, text=True,
                          check=True).stdout


def _kind(raw: bytes) -> str:
    head = raw.split(b"\n\n", 1)[0]
    if b"SSH SIGNATURE" in head:
        return "ssh"
    if b"SIGNED MESSAGE" in head:
        return "x509"
    return "web-flow" if b"\ncommitter GitHub <noreply@github.com>" in head else "openpgp"


def _same_key(key: str | None, names: tuple[str, str, str]) -> bool:
    ours = (key or "").upper()
    return bool(ours) and any(n and (ours == n.upper() or ours.endswith(n.upper())) for n in names)


def measure(name: str, cap: int, scratch: Path) -> dict[str, object]:
    repo = ROOT / name / "repo"
    shas = _git(repo, "rev-list", "HEAD").split()
    objects = raw_objects(repo, shas)
    signed = [s for s in shas if _SIGNED.search(objects[s].split(b"\n\n", 1)[0])][:cap]
    home = forge_gnupghome()
    if home is None:
        raise SystemExit("gpg is not installed")
    empty = scratch / "allowed_signers"
    empty.write_text("")
    env = {**os.environ, "GNUPGHOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    wrong_early: Counter[str] = Counter()
    started = time.perf_counter()
    # git dies ("bad/incompatible signature") on a signature header with no armor it knows (git/git b9882d90c5da,
    # sig161): those are asked one by one, and one git cannot judge is left out of the comparison and counted.
    odd = {s for s in signed if signature_format(split_signature(objects[s])[0] or b"") is None}
    out = _git(repo, "-c", f"gpg.ssh.allowedSignersFile={empty}", "log", "--no-walk=unsorted", "--stdin",
               "--format=%H %G? %GK %GF %GP", stdin="".join(f"{s}\n" for s in signed if s not in odd), env=env)
    git_died = 0
    for sha in sorted(odd):
        try:
            out += _git(repo, "-c", f"gpg.ssh.allowedSignersFile={empty}", "log", "--no-walk", "-1",
                        "--format=%H %G? %GK %GF %GP", sha, env=env)
        except subprocess.CalledProcessError:
            git_died += 1
            if verify_commit(objects[sha], signers=(), now=NOW).status.value == "good":
                wrong_early[f"git died, gatekeeper good: {sha[:12]}"] += 1
    git_seconds = time.perf_counter() - started
    keys = bundled_forge_keys()
    table: Counter[tuple[str, str, str]] = Counter()
    wrong: Counter[str] = wrong_early
    started = time.perf_counter()
    for line in out.splitlines():
        sha, letter, *names = line.split(" ")
        gk, gf, gp = [*names, "", "", ""][:3]
        for history in (False, True):
            info = verify_commit(objects[sha], signers=(), now=NOW, forge=keys, forge_history=history)
            if not history:
                table[(_kind(objects[sha]), letter, info.status.value)] += 1
            if not agrees(letter, gk, info, history):
                wrong[f"status {letter}->{info.status.value}{' (audit)' if history else ''}"] += 1
            elif letter != "N" and gk and not _same_key(info.key, (gk, gf, gp)):
                wrong[f"key ({letter}, {'none' if info.key is None else 'other'}){' (audit)' if history else ''}"] += 1
    ours_seconds = time.perf_counter() - started
    # SSH again, every key met listed in an allowed-signers file.
    ssh = [s for s in signed if _kind(objects[s]) == "ssh"]
    listed: dict[str, str] = {}
    for sha in ssh:
        signature = split_signature(objects[sha])[0] or b""
        try:
            blob = _parse_sshsig(_dearmor(signature)).public_key
        except Exception:  # a malformed one stays out of the list; both sides judge it below
            continue
        key_type = blob[4 : 4 + int.from_bytes(blob[:4], "big")].decode()
        email = re.search(rb"^committer [^<]*<([^>]*)>", objects[sha], re.M)
        listed.setdefault(f"{key_type} {base64.b64encode(blob).decode()}", email.group(1).decode() if email else "x")
    text = "".join(f"{email} {key}\n" for key, email in listed.items())
    allowed = scratch / f"allowed-{name}"
    allowed.write_text(text)
    trust = parse_allowed_signers(text, str(allowed))
    out = _git(repo, "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "--no-walk=unsorted", "--stdin",
               "--format=%H|%G?|%GS|%GK", stdin="".join(f"{s}\n" for s in ssh), env=env) if ssh else ""
    listed_ok = 0
    for line in out.splitlines():
        sha, letter, principal, key = line.split("|")
        info = verify_commit(objects[sha], signers=trust, now=NOW, forge=keys)
        if (letter, info.signer, info.key) == ("G", principal, key) and info.status.value == "good":
            listed_ok += 1
        else:
            wrong[f"ssh listed {letter}->{info.status.value}"] += 1
    return {"name": name, "commits": len(shas), "signed": len(signed), "table": table, "wrong": wrong,
            "ssh": len(ssh), "ssh_keys": len(listed), "ssh_listed_ok": listed_ok,
            "git_s": git_seconds, "ours_s": ours_seconds, "git_died": git_died}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", action="append", help="mirror name (owner+name); default: sig150's ten")
    parser.add_argument("--cap", type=int, default=100_000, help="newest signed commits per history")
    args = parser.parse_args()
    names = [n for n in (args.repo or DEFAULT) if (ROOT / n / "repo").is_dir()]
    if not names:
        print(f"no mirror of {args.repo or DEFAULT} under {ROOT}")
        return 0
    print("| history | signed | ssh / openpgp / web-flow / x509 | agree (gate, audit) | disagreements | "
          "ssh listed: G = good, same signer | git s | gatekeeper s |")
    print("|---|---:|---|---:|---|---:|---:|---:|")
    total_signed = total_wrong = 0
    with tempfile.TemporaryDirectory(prefix="gatekeeper-bench-sig-") as tmp:
        for name in names:
            r = measure(name, args.cap, Path(tmp))
            table: Counter[tuple[str, str, str]] = r["table"]  # type: ignore[assignment]
            wrong: Counter[str] = r["wrong"]  # type: ignore[assignment]
            kinds = Counter(kind for (kind, _l, _s), n in table.items() for _ in range(n))
            signed = int(r["signed"]) - int(r["git_died"])  # type: ignore[call-overload]
            bad = sum(wrong.values())
            if r["git_died"]:
                wrong[f"git died (not compared; gatekeeper never good): {r['git_died']}"] += 0
            total_signed += 2 * signed
            total_wrong += bad
            print(f"| {name.replace('+', '/')} | {signed:,} | {kinds['ssh']:,} / {kinds['openpgp']:,} / "
                  f"{kinds['web-flow']:,} / {kinds['x509']:,} | {2 * signed - bad:,} of {2 * signed:,} | "
                  f"{', '.join(f'{k}: {v}' if v else k for k, v in sorted(wrong.items())) or '0'} | "
                  f"{r['ssh_listed_ok']:,} of {r['ssh']:,} ({r['ssh_keys']} keys) | {r['git_s']:.1f} | "
                  f"{r['ours_s']:.1f} |")
    print(f"\n{total_signed - total_wrong:,} of {total_signed:,} verdicts (gate and audit) agree with git")
    return 1 if total_wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
