"""Benchmark: in-process SSH signature verification vs `git log --format=%G?` on the same commits.

Builds a throw-away repository with N SSH-signed commits (default 1,000). The commits are real signed
commit objects, assembled and signed in Python (SSHSIG over the exact payload git signs, ed25519 key
made by ssh-keygen) and written as loose objects, because one `git commit -S` per commit runs
ssh-keygen each time and would dominate the setup. git itself then verifies them with
`gpg.ssh.allowedSignersFile`; both sides must agree on every commit before any number is printed.

Measured, same run, same commits:
  (a) gatekeeper: `git rev-list` + ONE `git cat-file --batch` + `verify_commit` for every commit;
  (b) git: `git log --format=%G?` (ssh-keygen twice per commit).

Run from the repository root: `python bench/bench_signatures.py [--commits N]`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shlex
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_ssh_private_key

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gatekeeper.models import SignatureStatus
from gatekeeper.provenance import parse_allowed_signers, verify_commit

EMPTY_TREE = b"tree 0\x00"


def ssh_string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def sshsig_armor(private: Ed25519PrivateKey, public_blob: bytes, payload: bytes) -> bytes:
    """What `ssh-keygen -Y sign -n git` writes for payload (PROTOCOL.sshsig), without the process."""
    digest = hashlib.sha512(payload).digest()
    signed = b"SSHSIG" + ssh_string(b"git") + ssh_string(b"") + ssh_string(b"sha512") + ssh_string(digest)
    sig_blob = ssh_string(b"ssh-ed25519") + ssh_string(private.sign(signed))
    blob = (b"SSHSIG" + struct.pack(">I", 1) + ssh_string(public_blob) + ssh_string(b"git") + ssh_string(b"")
            + ssh_string(b"sha512") + ssh_string(sig_blob))
    text = base64.b64encode(blob)
    lines = [b"-----BEGIN SSH SIGNATURE-----", *(text[i : i + 70] for i in range(0, len(text), 70)),
             b"-----END SSH SIGNATURE-----"]
    return b"\n".join(lines) + b"\n"


def write_object(git_dir: Path, kind: bytes, body: bytes) -> str:
    data = kind + b" " + str(len(body)).encode() + b"\x00" + body
    sha = hashlib.sha1(data).hexdigest()
    path = git_dir / "objects" / sha[:2] / sha[2:]
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(zlib.compress(data, 1))
    return sha


def make_key(path: Path) -> tuple[tuple[Ed25519PrivateKey, bytes], str]:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)], check=True)
    private = load_ssh_private_key(path.read_bytes(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    key_type, key_b64 = path.with_suffix(".pub").read_text().split()[:2]
    return (private, base64.b64decode(key_b64)), f"{key_type} {key_b64}"


def build_repo(root: Path, count: int, env: dict[str, str]) -> tuple[Path, Path, list[str]]:
    repo = root / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    trusted, trusted_line = make_key(root / "id_trusted")
    stranger, _ = make_key(root / "id_stranger")
    allowed = root / "allowed_signers"
    allowed.write_text(f'bench@example.com namespaces="git" {trusted_line}\n')

    git_dir = repo / ".git"
    tree = hashlib.sha1(EMPTY_TREE).hexdigest()
    write_object(git_dir, b"tree", b"")
    parent: str | None = None
    shas: list[str] = []
    for n in range(count):
        # every 10th commit by a key that is not in the allowed signers: git's slower "U" path
        private, public_blob = stranger if n % 10 == 9 else trusted
        stamp = 1_767_225_600 + n * 60
        header = f"tree {tree}\n" + (f"parent {parent}\n" if parent else "")
        header += f"author Bench <bench@example.com> {stamp} +0000\ncommitter Bench <bench@example.com> {stamp} +0000\n"
        message = f"\nchange {n}\n\nOrigin-Device: mobile\n"
        payload = (header + message).encode()
        armor = sshsig_armor(private, public_blob, payload)
        gpgsig = b"gpgsig " + armor.rstrip(b"\n").replace(b"\n", b"\n ") + b"\n"
        parent = write_object(git_dir, b"commit", header.encode() + gpgsig + message.encode())
        shas.append(parent)
    subprocess.run(["git", "update-ref", "refs/heads/main", shas[-1]], cwd=repo, check=True, env=env)
    return repo, allowed, shas


def ours(repo: Path, allowed: Path, env: dict[str, str]) -> list[SignatureStatus]:
    signers = parse_allowed_signers(allowed.read_text(), str(allowed))
    now = datetime.now(UTC)
    shas = subprocess.run(["git", "rev-list", "main"], cwd=repo, env=env, check=True,
                          capture_output=True).stdout
    out = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, env=env, check=True, input=shas,
                         capture_output=True).stdout
    statuses: list[SignatureStatus] = []
    pos = 0
    while pos < len(out):
        eol = out.index(b"\n", pos)
        _sha, kind, size = out[pos:eol].split(b" ")
        assert kind == b"commit"
        start = eol + 1
        end = start + int(size)
        statuses.append(verify_commit(out[start:end], signers=signers, now=now).status)
        pos = end + 1
    return statuses


def gits(repo: Path, argv: list[str], env: dict[str, str]) -> list[str]:
    out = subprocess.run(argv, cwd=repo, env=env, check=True, capture_output=True, text=True).stdout
    return out.split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    args = parser.parse_args()
    print(f"$ python bench/bench_signatures.py --commits {args.commits}")

    with tempfile.TemporaryDirectory(prefix="gk-bench-sig-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
               "LANG": "C", "LC_ALL": "C"}
        started = time.perf_counter()
        repo, allowed, shas = build_repo(root, args.commits, env)
        elapsed = time.perf_counter() - started
        print(f"setup: {len(shas)} SSH-signed commits (ed25519; every 10th by an unlisted key) in {elapsed:.1f}s")
        git_argv = ["git", "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "--format=%G?", "main"]
        print(f"git side: $ {shlex.join(git_argv)}")
        print("gatekeeper side: git rev-list main | git cat-file --batch -> verify_commit() per commit")

        t0 = time.perf_counter()
        mine = ours(repo, allowed, env)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        theirs = gits(repo, git_argv, env)
        t_git = time.perf_counter() - t0

        expected = {"G": SignatureStatus.GOOD, "U": SignatureStatus.UNTRUSTED}
        agree = len(mine) == len(theirs) == len(shas) and all(
            expected.get(g) is m for m, g in zip(mine, theirs, strict=True))
        if not agree:
            print(f"MISMATCH: gatekeeper {sorted(set(mine))} vs git {sorted(set(theirs))}", file=sys.stderr)
            return 1
        n = len(shas)
        good = sum(1 for m in mine if m is SignatureStatus.GOOD)
        print(f"verdicts agree on all {n} commits ({good} good, {n - good} untrusted)")
        print(f"gatekeeper in-process: {t_ours:8.3f}s  {n / t_ours:10.0f} commits/s")
        print(f"git log --format=%G?:  {t_git:8.3f}s  {n / t_git:10.0f} commits/s")
        ratio = t_git / t_ours
        print(f"speed-up: {ratio:.1f}x (goal >= 20x) -> {'OK' if ratio >= 20 else 'BELOW GOAL'}")
        return 0 if ratio >= 20 else 2


if __name__ == "__main__":
    raise SystemExit(main())
