"""Helpers for end-to-end provenance tests: real SSH keys, real signed commits, a policy inside the repository.

Keys come from ssh-keygen; commits are signed by git itself (`gpg.format=ssh`, `--gpg-sign=<key file>`),
so what the tests verify is exactly what a phone's git client would push.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from gatekeeper.cli import run
from gatekeeper.models import DeviceClass
from gatekeeper.provenance import DeviceRegistry, allowed_signers_text, dump_registry, enroll_device, revoke_device
from gatekeeper.provenance.signatures import split_signature
from tests.repo_builder import RepoBuilder

if TYPE_CHECKING:
    from collections.abc import Iterator

    from gatekeeper.provenance.openpgp import ForgeKeys

SCHEMA = json.loads((Path(__file__).parents[1] / "gatekeeper" / "schema" / "verdict.schema.json").read_text())
X509_ARMOR = (b"-----BEGIN SIGNED MESSAGE-----\nMIAGCSqGSIb3DQEHAqCAMIACAQExDTALBglghkgBZQMEAgEwgAYJKoZIhvcNAQcB\n"
              b"-----END SIGNED MESSAGE-----\n")


@dataclass(frozen=True)
class Key:
    private: Path
    pub: Path
    line: str  # "ssh-ed25519 AAAA... comment"
    fingerprint: str  # as `ssh-keygen -l` prints it

    @property
    def type_and_b64(self) -> str:
        return " ".join(self.line.split()[:2])


def keygen(directory: Path, name: str, *args: str) -> Key:
    private = directory / name
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-C", f"{name}@device", "-f", str(private), *args], check=True)
    pub = private.with_name(name + ".pub")
    listing = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(pub)], check=True,
                             capture_output=True, text=True).stdout
    return Key(private, pub, pub.read_text().strip(), listing.split()[1])


def make_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    directory = tmp_path_factory.mktemp("keys")
    return {
        "alice": keygen(directory, "alice", "-t", "ed25519"),
        "bob": keygen(directory, "bob", "-t", "ed25519"),
        "carol": keygen(directory, "carol", "-t", "ecdsa", "-b", "256"),
        "mallory": keygen(directory, "mallory", "-t", "ed25519"),
    }


def signed_commit(repo: RepoBuilder, message: str, key: Key, files: dict[str, str] | None = None, *,
                  author: tuple[str, str] | None = None, committer: tuple[str, str] | None = None,
                  when: int | None = None, signoff: bool = False) -> str:
    """A commit signed by git with the SSH key (`when` sets both author and committer date)."""
    repo.git("config", "gpg.format", "ssh")
    extra = (f"--gpg-sign={key.private}", *(("--signoff",) if signoff else ()))
    return repo.commit(message, files, author=author, committer=committer, when=when, extra_args=extra)


def registry_with(*devices: dict[str, Any], today: dt.date = dt.date(2026, 1, 1)) -> DeviceRegistry:
    """A registry built with the same API the CLI uses; each dict holds enroll_device's keywords
    (`key` is a Key, `revoked_at`/`reason` revoke it after enrolling)."""
    registry = DeviceRegistry()
    for spec in devices:
        spec = dict(spec)
        key: Key = spec.pop("key")
        revoked_at = spec.pop("revoked_at", None)
        reason = spec.pop("reason", "lost")
        registry = enroll_device(registry, public_key_line=key.line, today=spec.pop("today", today),
                                 device_class=spec.pop("device_class", DeviceClass.MOBILE), **spec)
        if revoked_at is not None:
            registry = revoke_device(registry, spec["id"], at=revoked_at, reason=reason)
    return registry


def install_policy(repo: RepoBuilder, policy: str, registry: DeviceRegistry | None = None,
                   allowed_signers: str | None = None) -> str:
    """Commit `.gatekeeper.yml` (+ registry, + allowed signers) on main; returns the commit id."""
    files = {".gatekeeper.yml": policy}
    if registry is not None:
        files[".gatekeeper/devices.yml"] = dump_registry(registry)
        files[".gatekeeper/allowed_signers"] = allowed_signers_text(registry)
    if allowed_signers is not None:
        files[".gatekeeper/allowed_signers"] = allowed_signers
    return repo.commit("policy", files)


def check_json(repo: RepoBuilder, *args: str) -> tuple[int, dict[str, Any]]:
    """`gatekeeper check --format json` on the repository (policy from its work tree)."""
    out = repo.path.parent / "verdict.json"
    out.unlink(missing_ok=True)
    code = run(["check", "--repo", str(repo.path), "--format", "json", "--output", str(out), *args])
    data: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    if data:
        jsonschema.validate(data, SCHEMA)
    return code, data


def findings(data: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["rule_id"] == rule_id]


def rule_ids(data: dict[str, Any]) -> set[str]:
    return {f["rule_id"] for f in data["findings"]}


def with_signature(raw: bytes, armor: bytes) -> bytes:
    """The unsigned part of `raw` with `armor` as its gpgsig header (after the committer line)."""
    _sig, payload, _ = split_signature(raw)
    head, _, body = payload.partition(b"\n\n")
    folded = armor.rstrip(b"\n").replace(b"\n", b"\n ")
    return head + b"\ngpgsig " + folded + b"\n\n" + body


def replace_head(repo: RepoBuilder, raw: bytes) -> str:
    """Store a hand-made commit object and point the current branch at it (what an attacker pushes)."""
    sha = repo.git("hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=raw)
    repo.git("update-ref", "HEAD", sha)
    return sha


@contextlib.contextmanager
def forge_gpg_key(home: Path, uid: str = "Forge <noreply@forge.example>") -> Iterator[tuple[list[str], ForgeKeys, str]]:
    """An RSA OpenPGP key standing in for a forge's key (GitHub's web-flow key): (gpg argv prefix, ForgeKeys,
    fingerprint), its GnuPG home at `home` (made here); skips the test where gpg is not installed."""
    from gatekeeper.provenance.openpgp import ForgeKeys, load_openpgp_keys

    if shutil.which("gpg") is None or shutil.which("gpgconf") is None:
        pytest.skip("gpg is not installed")
    home.mkdir(mode=0o700)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run([*gpg, "--quick-gen-key", uid, "rsa2048", "sign", "never"], check=True, capture_output=True)
    listing = subprocess.run([*gpg, "--with-colons", "--list-keys"], check=True, capture_output=True, text=True)
    fpr = next(line.split(":")[9] for line in listing.stdout.splitlines() if line.startswith("fpr:"))
    armored = subprocess.run([*gpg, "--armor", "--export", fpr], check=True, capture_output=True).stdout
    try:
        yield gpg, ForgeKeys(load_openpgp_keys(armored, "github", "github web-flow"), ()), fpr
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)


def utf7(text: str) -> bytes:
    """`text` as one UTF-7 base64 run: ASCII letters and digits only, whatever `text` holds (newlines too)."""
    return b"+" + base64.b64encode(text.encode("utf-16-be")).rstrip(b"=") + b"-"


def feature_repo(path: Path, policy: str) -> RepoBuilder:
    """A repository whose main holds `policy` as its .gatekeeper.yml, on a new `feature` branch."""
    repo = RepoBuilder.init(path)
    install_policy(repo, policy)
    repo.branch("feature")
    return repo


def raw_commit(repo: RepoBuilder, tmp_path: Path, headers: list[bytes], body: bytes) -> str:
    """A commit object on HEAD with `headers` after tree/parent, written as given (`git hash-object -t commit
    -w`); `git fsck --strict` must accept it (the objects red74-red76 attack with are well-formed to git)."""
    tree = repo.git("write-tree")
    obj = tmp_path / "commit.obj"
    obj.write_bytes(f"tree {tree}\nparent {repo.head()}\n".encode() + b"".join(h + b"\n" for h in headers)
                    + b"\n" + body)
    sha = repo.git("hash-object", "-t", "commit", "-w", str(obj))
    repo.git("update-ref", "HEAD", sha)
    assert repo.git("fsck", "--strict", "--no-dangling") == ""
    return sha
