"""Commits signed with a FIDO security key (`ssh-keygen -t ed25519-sk` / `ecdsa-sk`: a YubiKey), cross-checked with
git's own `%G?` (which runs `ssh-keygen -Y verify`) on the same allowed-signers file.

No hardware here: the key is made in software and signs what the authenticator signs — sha256(application) ||
flags || counter || sha256(SSHSIG data) — so the signature is byte for byte the shape a YubiKey's is, and OpenSSH
is the judge of whether it is one. Before, gatekeeper called every such signature `error` (an unsupported key type,
`provenance/unsupported-signature`, never good): a team whose members sign with hardware keys — the strongest key
a developer has — had all of their signed commits treated as unverifiable (red119: six in 20,799 commits of five
public histories; crush and continue have them too).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import struct
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from gatekeeper.models import SignatureStatus as S
from gatekeeper.provenance import load_allowed_signers, verify_commit
from gatekeeper.provenance.allowed_signers import ssh_fingerprint
from gatekeeper.provenance.signatures import split_signature
from tests.provenance_helpers import Key, check_json, install_policy, registry_with, replace_head, with_signature
from tests.repo_builder import RepoBuilder

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
ED = "sk-ssh-ed25519@openssh.com"
ECDSA = "sk-ecdsa-sha2-nistp256@openssh.com"


def _string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def _mpint(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big")  # (a leading zero byte when the top bit is set)
    return _string(raw.lstrip(b"\x00") if raw[1:2] and not raw[1] & 0x80 else raw)


class SecurityKey:
    """A security key made in software: its public blob and line, and signatures of its shape."""

    def __init__(self, kind: str, application: bytes = b"ssh:") -> None:
        self.kind = kind
        self.application = application
        if kind == ED:
            self._ed = ed25519.Ed25519PrivateKey.generate()
            point = self._ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self.blob = _string(kind.encode()) + _string(point) + _string(application)
        else:
            self._ec = ec.generate_private_key(ec.SECP256R1())
            point = self._ec.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint)
            self.blob = _string(kind.encode()) + _string(b"nistp256") + _string(point) + _string(application)
        self.line = f"{kind} {base64.b64encode(self.blob).decode()} yubikey@desk"
        self.fingerprint = ssh_fingerprint(self.blob)

    def signature(self, data: bytes, *, flags: int = 1, counter: int = 42) -> bytes:
        """The SSHSIG signature blob over `data` (the SSHSIG signed-data structure)."""
        signed = (hashlib.sha256(self.application).digest() + bytes((flags,)) + struct.pack(">I", counter)
                  + hashlib.sha256(data).digest())
        if self.kind == ED:
            inner = _string(self._ed.sign(signed))
        else:
            r, s = decode_dss_signature(self._ec.sign(signed, ec.ECDSA(hashes.SHA256())))
            inner = _string(_mpint(r) + _mpint(s))
        return _string(self.kind.encode()) + inner + bytes((flags,)) + struct.pack(">I", counter)

    def armor(self, payload: bytes, *, flags: int = 1, counter: int = 42, blob: bytes | None = None,
              sig_blob: bytes | None = None) -> bytes:
        digest = hashlib.sha512(payload).digest()
        signed = b"SSHSIG" + _string(b"git") + _string(b"") + _string(b"sha512") + _string(digest)
        sig = sig_blob if sig_blob is not None else self.signature(signed, flags=flags, counter=counter)
        whole = (b"SSHSIG" + struct.pack(">I", 1) + _string(blob or self.blob) + _string(b"git") + _string(b"")
                 + _string(b"sha512") + _string(sig))
        text = base64.b64encode(whole)
        return (b"-----BEGIN SSH SIGNATURE-----\n" + b"\n".join(text[i: i + 70] for i in range(0, len(text), 70))
                + b"\n-----END SSH SIGNATURE-----\n")


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return RepoBuilder.init(tmp_path / "repo")


def _signed(repo: RepoBuilder, key: SecurityKey, message: str = "fix: from the train", **armor: object) -> str:
    sha = repo.commit(message, {"a.txt": message + "\n"})
    raw = repo.git("cat-file", "commit", sha).encode() + b"\n"
    _, payload, _ = split_signature(raw)
    return replace_head(repo, with_signature(raw, key.armor(payload, **armor)))  # type: ignore[arg-type]


def _allowed(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "allowed_signers"
    path.write_text("".join(f"dev@example.com {line}\n" for line in lines))
    return path


def _ours(repo: RepoBuilder, sha: str, allowed: Path) -> tuple[S, str | None, str | None]:
    raw = subprocess.run(["git", "cat-file", "commit", sha], cwd=repo.path, capture_output=True, check=True).stdout
    info = verify_commit(raw, signers=load_allowed_signers(allowed).signers, now=NOW)
    return info.status, info.signer, info.key


def _git(repo: RepoBuilder, sha: str, allowed: Path) -> str:
    return repo.git("-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "-1", "--format=%G?", sha).strip()


@pytest.mark.parametrize("kind", [ED, ECDSA])
@pytest.mark.parametrize("flags", [1, 5, 0])  # user present; present and verified (PIN); a no-touch-required key
def test_a_security_key_signature_is_good_as_git_says(repo: RepoBuilder, tmp_path: Path, kind: str,
                                                      flags: int) -> None:
    """OpenSSH's `-Y verify` accepts the signature whatever its flags (no touch required included): so does the gate."""
    key = SecurityKey(kind)
    sha = _signed(repo, key, flags=flags)
    allowed = _allowed(tmp_path, key.line)

    assert _git(repo, sha, allowed) == "G"
    assert _ours(repo, sha, allowed) == (S.GOOD, "dev@example.com", key.fingerprint)


@pytest.mark.parametrize("kind", [ED, ECDSA])
def test_a_key_nobody_listed_is_untrusted_as_git_says(repo: RepoBuilder, tmp_path: Path, kind: str) -> None:
    key, other = SecurityKey(kind), SecurityKey(kind)
    sha = _signed(repo, key)
    allowed = _allowed(tmp_path, other.line)

    assert _git(repo, sha, allowed) == "U"
    assert _ours(repo, sha, allowed)[0] is S.UNTRUSTED


def _rewrite(sig_blob: bytes, *, flags: int | None = None, counter: int | None = None,
             algorithm: bytes | None = None) -> bytes:
    """The signature blob with its flags, counter or algorithm name changed after signing."""
    name_len = struct.unpack(">I", sig_blob[:4])[0]
    name, rest = sig_blob[4: 4 + name_len], sig_blob[4 + name_len:]
    inner_len = struct.unpack(">I", rest[:4])[0]
    inner, tail = rest[: 4 + inner_len], rest[4 + inner_len:]
    old_flags, old_counter = tail[0], struct.unpack(">I", tail[1:5])[0]
    return (_string(algorithm or name) + inner + bytes((old_flags if flags is None else flags,))
            + struct.pack(">I", old_counter if counter is None else counter))


@pytest.mark.parametrize("kind", [ED, ECDSA])
@pytest.mark.parametrize("change", ["flags", "counter", "application", "algorithm", "message", "truncated"])
def test_a_signature_changed_after_signing_is_bad_as_git_says(repo: RepoBuilder, tmp_path: Path, kind: str,
                                                              change: str) -> None:
    """The flags and counter travel beside the signature but are signed; the application is part of the key (a key
    for another application is another key); the signature names its own algorithm."""
    key = SecurityKey(kind)
    sha = repo.commit("fix: from the train", {"a.txt": "x\n"})
    raw = repo.git("cat-file", "commit", sha).encode() + b"\n"
    _, payload, _ = split_signature(raw)
    digest = hashlib.sha512(payload).digest()
    signed = b"SSHSIG" + _string(b"git") + _string(b"") + _string(b"sha512") + _string(digest)
    good = key.signature(signed, flags=1, counter=42)
    blob = None
    listed = key.line
    if change == "flags":
        armor = key.armor(payload, sig_blob=_rewrite(good, flags=5))
    elif change == "counter":
        armor = key.armor(payload, sig_blob=_rewrite(good, counter=43))
    elif change == "algorithm":
        armor = key.armor(payload, sig_blob=_rewrite(good, algorithm=(ECDSA if kind == ED else ED).encode()))
    elif change == "application":
        other = SecurityKey(kind, application=b"ssh:other")
        blob = key.blob[: -len(_string(b"ssh:"))] + _string(b"ssh:other")
        listed = f"{kind} {base64.b64encode(blob).decode()} yubikey@desk"
        assert other.application != key.application
        armor = key.armor(payload, sig_blob=good, blob=blob)
    elif change == "message":
        armor = key.armor(payload + b"and one more line\n", sig_blob=None)
    else:
        armor = key.armor(payload, sig_blob=good[:-1])
    forged = replace_head(repo, with_signature(raw, armor))
    allowed = _allowed(tmp_path, listed)

    assert _git(repo, forged, allowed) != "G"
    assert _ours(repo, forged, allowed)[0] is S.BAD


def test_an_application_holding_a_nul_is_no_key(repo: RepoBuilder, tmp_path: Path) -> None:
    """OpenSSH reads a security key's application as a C string: one holding a NUL makes the key unreadable."""
    key = SecurityKey(ED, application=b"ssh:\x00x")
    sha = _signed(repo, key)
    allowed = _allowed(tmp_path, SecurityKey(ED).line)

    assert _git(repo, sha, allowed) != "G"
    assert _ours(repo, sha, allowed)[0] is S.BAD


def test_a_phone_registered_with_a_security_key_is_recognised_by_its_signature(repo: RepoBuilder) -> None:
    """A device registered with its security key (a YubiKey over NFC on a phone): the commit it signs is that device's,
    verified — the same as for any other key type."""
    key = SecurityKey(ED)
    pub = repo.path.parent / "yubikey.pub"
    pub.write_text(key.line + "\n")
    listed = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(pub)], capture_output=True, text=True,
                            check=True).stdout
    assert listed.split()[1] == key.fingerprint and "ED25519-SK" in listed  # (ssh-keygen reads it as we do)
    device = Key(pub, pub, key.line, key.fingerprint)
    policy = ("version: 1\nrules:\n  mobile: {scanners: [], block_at: high, require_signature: true, review: null}\n"
              "  default: {scanners: [], block_at: critical}\ndevices: .gatekeeper/devices.yml\n"
              "allowed_signers: .gatekeeper/allowed_signers\n")
    install_policy(repo, policy, registry_with({"id": "pixel-yubikey", "owner": "dev@example.com", "managed": True,
                                                "key": device}))
    repo.branch("feature")
    sha = _signed(repo, key)

    code, data = check_json(repo)

    (report,) = data["commits"]
    assert report["sha"] == sha
    assert report["signature"]["status"] == "good" and report["signature"]["device_id"] == "pixel-yubikey"
    assert report["origin"]["device"] == "mobile"
    assert not [f for f in data["findings"] if f["rule_id"].startswith("provenance/")], data["findings"]
