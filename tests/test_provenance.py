"""Provenance: allowed signers, the device registry and commit signatures — on real keys and real git.

Every signature verdict on a real commit is cross-checked against `git verify-commit` /
`git log --format=%G?` run with the same allowed-signers file. Where gatekeeper deliberately disagrees
with git (validity judged at the time of the check instead of the committer date; duplicate signature
headers), the test's docstring says so.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_ssh_private_key

from gatekeeper.errors import ConfigError
from gatekeeper.models import DeviceClass, SignatureInfo, SignatureStatus
from gatekeeper.provenance import (
    AllowedSigner,
    DeviceRegistry,
    allowed_signers_text,
    dump_registry,
    enroll_device,
    format_allowed_signer,
    load_allowed_signers,
    load_registry,
    openpgp_verifier,
    parse_allowed_signers,
    parse_gpg_status,
    parse_registry,
    principals_for_key,
    read_allowed_signers,
    revoke_device,
    signature_format,
    split_signature,
    verify_commit,
)
from gatekeeper.provenance.allowed_signers import match_pattern_list
from tests.provenance_helpers import Key, keygen

S = SignatureStatus
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # the time of the check
COMMIT_DATE = "2026-05-01T12:00:00Z"  # what commits claim unless a test backdates them


# -- fixtures and helpers ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    directory = tmp_path_factory.mktemp("keys")
    return {
        "alice": keygen(directory, "alice", "-t", "ed25519"),
        "bob": keygen(directory, "bob", "-t", "rsa", "-b", "2048"),
        "carol": keygen(directory, "carol", "-t", "ecdsa", "-b", "256"),
        "mallory": keygen(directory, "mallory", "-t", "ed25519"),
    }


@pytest.fixture(autouse=True)
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real git, isolated from the machine's configuration, with pinned identities and dates."""
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith(("GIT_", "GITHUB_", "INPUT_")) or name in ("CI", "GNUPGHOME", "SSH_AUTH_SOCK"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("LANG", "C")
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Alice")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "alice@example.com")
    monkeypatch.setenv("GIT_AUTHOR_DATE", COMMIT_DATE)
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Alice")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "alice@example.com")
    monkeypatch.setenv("GIT_COMMITTER_DATE", COMMIT_DATE)


def git(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True, check=check,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return path


def commit(repo: Path, message: str, key: Key | None = None, *, date: str | None = None) -> str:
    args = ["commit", "-q", "--allow-empty", "-m", message]
    if key is not None:
        args = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key.private}", *args, "-S"]
    env = {"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date} if date else None
    git(repo, *args, env=env)
    return git(repo, "rev-parse", "HEAD").stdout.decode().strip()


def raw_commit(repo: Path, sha: str) -> bytes:
    return git(repo, "cat-file", "commit", sha).stdout


def write_commit(repo: Path, raw: bytes) -> str:
    """Store a hand-made commit object exactly as given (the way an attacker would push it)."""
    return git(repo, "hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=raw).stdout.decode().strip()


def allowed_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "allowed_signers"
    path.write_text(text)
    return path


def git_verdict(repo: Path, sha: str, allowed: Path) -> tuple[int, str, str]:
    """(verify-commit exit code, its stderr, %G?) from git with this allowed-signers file."""
    config = ["-c", f"gpg.ssh.allowedSignersFile={allowed}"]
    verify = git(repo, *config, "verify-commit", sha, check=False)
    letter = git(repo, *config, "log", "-1", "--format=%G?", sha).stdout.decode().strip()
    return verify.returncode, verify.stderr.decode(), letter


def ours(raw: bytes, allowed: Path, registry: DeviceRegistry | None = None, now: datetime = NOW) -> SignatureInfo:
    return verify_commit(raw, signers=load_allowed_signers(allowed).signers, now=now, registry=registry)


def with_signature(raw: bytes, armor: bytes) -> bytes:
    """The unsigned part of `raw` with `armor` as its gpgsig header (after the committer line)."""
    _sig, payload, _ = split_signature(raw)
    head, _, body = payload.partition(b"\n\n")
    folded = armor.rstrip(b"\n").replace(b"\n", b"\n ")
    return head + b"\ngpgsig " + folded + b"\n\n" + body


def ssh_string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def sshsig_armor(public_blob: bytes, sig_blob: bytes, namespace: bytes = b"git", hash_algo: bytes = b"sha512") -> bytes:
    blob = (b"SSHSIG" + struct.pack(">I", 1) + ssh_string(public_blob) + ssh_string(namespace) + ssh_string(b"")
            + ssh_string(hash_algo) + ssh_string(sig_blob))
    text = base64.b64encode(blob)
    return (b"-----BEGIN SSH SIGNATURE-----\n" + b"\n".join(text[i : i + 70] for i in range(0, len(text), 70))
            + b"\n-----END SSH SIGNATURE-----\n")


def registry_yaml(*devices: str) -> str:
    return "version: 1\ndevices:\n" + "".join(devices)


def device_yaml(device_id: str, key: Key | str, *, owner: str = "alice@example.com", extra: str = "") -> str:
    line = key.line if isinstance(key, Key) else key
    return (f"  - id: {device_id}\n    owner: {owner}\n    class: mobile\n    managed: false\n"
            f"    keys:\n      - \"{line}\"\n    enrolled: 2026-01-01\n{extra}")


# -- signatures on real commits, cross-checked with git ------------------------------------------------------

@pytest.mark.parametrize("name", ["alice", "bob", "carol"])  # ed25519, RSA, ECDSA P-256
def test_listed_key_is_good_like_git(repo: Path, tmp_path: Path, keys: dict[str, Key], name: str) -> None:
    key = keys[name]
    sha = commit(repo, "feat: from the phone", key)
    allowed = allowed_file(tmp_path, f'{name}@example.com namespaces="git" {key.line}\n')

    info = ours(raw_commit(repo, sha), allowed)

    assert info == SignatureInfo(S.GOOD, "ssh", signer=f"{name}@example.com", key=key.fingerprint)
    assert git_verdict(repo, sha, allowed)[0] == 0
    assert git_verdict(repo, sha, allowed)[2] == "G"


def test_unknown_key_is_untrusted_like_git(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    sha = commit(repo, "signed by a stranger", keys["mallory"])
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git" {keys["alice"].line}\n')

    info = ours(raw_commit(repo, sha), allowed)

    assert info.status is S.UNTRUSTED
    assert info.key == keys["mallory"].fingerprint
    assert info.signer is None
    assert info.detail == (f"valid signature, but the ssh-ed25519 key {keys['mallory'].fingerprint} "
                           "is not in the allowed signers")
    code, stderr, letter = git_verdict(repo, sha, allowed)
    assert code != 0
    assert "No principal matched" in stderr
    assert letter == "U"


def test_tampered_message_is_bad_for_both(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    sha = commit(repo, "harmless change", keys["alice"])
    raw = raw_commit(repo, sha)
    forged = write_commit(repo, raw.replace(b"harmless change", b"add a backdoor!"))
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git" {keys["alice"].line}\n')

    info = ours(raw_commit(repo, forged), allowed)

    assert info.status is S.BAD
    assert info.detail == "the signature does not match the commit (modified after signing, or forged)"
    assert info.device_id is None
    code, _stderr, letter = git_verdict(repo, forged, allowed)
    assert code != 0
    assert letter == "B"


def test_unsigned_commit(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    sha = commit(repo, "no key on this phone")
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git" {keys["alice"].line}\n')

    assert ours(raw_commit(repo, sha), allowed) == SignatureInfo(S.UNSIGNED, detail="the commit has no signature")
    assert git_verdict(repo, sha, allowed)[2] == "N"


def test_payload_is_exactly_what_git_signed(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    sha = commit(repo, "subject\n\nbody line\n\nOrigin-Device: mobile", keys["alice"])
    raw = raw_commit(repo, sha)

    signature, payload, problem = split_signature(raw)

    assert problem is None
    assert signature is not None and signature.startswith(b"-----BEGIN SSH SIGNATURE-----\n")
    assert b"gpgsig" not in payload
    assert payload.endswith(b"\n\nsubject\n\nbody line\n\nOrigin-Device: mobile\n")
    sig_file = tmp_path / "sig"
    sig_file.write_bytes(signature)
    check = subprocess.run(["ssh-keygen", "-Y", "check-novalidate", "-n", "git", "-s", str(sig_file)],
                           input=payload, capture_output=True)
    assert check.returncode == 0, check.stderr


def test_other_hash_signature_header_is_not_part_of_the_payload(repo: Path, tmp_path: Path,
                                                                 keys: dict[str, Key]) -> None:
    """A `gpgsig-sha256` header in a SHA-1 repository is cut out of the payload, as git does."""
    sha = commit(repo, "interop", keys["alice"])
    raw = raw_commit(repo, sha)
    head, _, body = raw.partition(b"\n\n")
    extra = b"gpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n c29tZXRoaW5n\n -----END SSH SIGNATURE-----"
    both = write_commit(repo, head + b"\n" + extra + b"\n\n" + body)
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git" {keys["alice"].line}\n')

    assert ours(raw_commit(repo, both), allowed).status is S.GOOD
    assert git_verdict(repo, both, allowed)[2] == "G"


def test_sha256_repository_uses_gpgsig_sha256(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = tmp_path / "repo256"
    subprocess.run(["git", "init", "-q", "--object-format=sha256", str(repo)], check=True)
    sha = commit(repo, "sha256 objects", keys["alice"])
    raw = raw_commit(repo, sha)
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git" {keys["alice"].line}\n')

    assert b"\ngpgsig-sha256 " in raw
    assert ours(raw, allowed).status is S.GOOD
    assert git_verdict(repo, sha, allowed)[2] == "G"


def test_two_gpgsig_headers_are_never_good(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    """Divergence from git: git concatenates both headers and ssh-keygen reads only the first armor, so
    git says G. A commit carries one signature from one signer; two headers mean the object was
    assembled by hand (e.g. to smuggle a second signature past a tool that reads the other one), so
    gatekeeper calls it BAD."""
    sha = commit(repo, "signed once", keys["alice"])
    raw = raw_commit(repo, sha)
    signature, _payload, _ = split_signature(raw)
    assert signature is not None
    doubled = with_signature(raw, signature).replace(b"\n\n", b"\ngpgsig " + signature.rstrip(b"\n")
                                                     .replace(b"\n", b"\n ") + b"\n\n", 1)
    dup = write_commit(repo, doubled)
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git" {keys["alice"].line}\n')

    info = ours(raw_commit(repo, dup), allowed)

    assert info.status is S.BAD
    assert info.format == "ssh"
    assert info.detail == ("the commit has 2 gpgsig headers; one signer signs a commit once, "
                           "so this object was assembled by hand")
    assert git_verdict(repo, dup, allowed)[2] == "G"  # the divergence this test documents


def test_signature_for_another_namespace_is_bad(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    """A signature made with `ssh-keygen -Y sign -n file` must not be replayable as a commit signature."""
    sha = commit(repo, "file-signed")
    raw = raw_commit(repo, sha)
    payload_file = tmp_path / "payload"
    payload_file.write_bytes(raw)
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "file", "-f", str(keys["alice"].private),
                    str(payload_file)], check=True, capture_output=True)
    forged = write_commit(repo, with_signature(raw, (tmp_path / "payload.sig").read_bytes()))
    allowed = allowed_file(tmp_path, f'alice@example.com {keys["alice"].line}\n')  # any namespace

    info = ours(raw_commit(repo, forged), allowed)

    assert info.status is S.BAD
    assert info.detail == "the signature is for namespace 'file', not 'git'"
    assert git_verdict(repo, forged, allowed)[0] != 0


def test_rsa_sha1_signature_is_refused(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    """A cryptographically valid `ssh-rsa` (SHA-1) signature: OpenSSH refuses it for SSHSIG, so do we."""
    sha = commit(repo, "sha1 signature")
    raw = raw_commit(repo, sha)
    private = load_ssh_private_key(keys["bob"].private.read_bytes(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    digest = hashlib.sha512(raw).digest()
    signed = b"SSHSIG" + ssh_string(b"git") + ssh_string(b"") + ssh_string(b"sha512") + ssh_string(digest)
    sig_blob = ssh_string(b"ssh-rsa") + ssh_string(private.sign(signed, padding.PKCS1v15(), hashes.SHA1()))
    public_blob = base64.b64decode(keys["bob"].line.split()[1])
    forged = write_commit(repo, with_signature(raw, sshsig_armor(public_blob, sig_blob)))
    allowed = allowed_file(tmp_path, f'bob@example.com namespaces="git" {keys["bob"].line}\n')

    assert ours(raw_commit(repo, forged), allowed).status is S.BAD
    assert git_verdict(repo, forged, allowed)[2] != "G"


@pytest.mark.parametrize(
    ("armor", "detail"),
    [
        (b"-----BEGIN SSH SIGNATURE-----\ngarbage!!\n-----END SSH SIGNATURE-----\n",
         "malformed SSH signature: the armor body is not base64"),
        (b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
         "malformed SSH signature: truncated"),
        (b"-----BEGIN SSH SIGNATURE-----\naGVsbG8gd29ybGQ=\n-----END SSH SIGNATURE-----\n",
         "malformed SSH signature: the blob does not start with SSHSIG"),
        (b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAg==\n-----END SSH SIGNATURE-----\n",
         "malformed SSH signature: unsupported SSHSIG version 2"),
        (b"-----BEGIN SSH SIGNATURE-----\n", "malformed SSH signature: the armor has no END line"),
        # ssh-keygen ignores whatever follows the END line: the blob itself is what is wrong here.
        (b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\ntrailing\n",
         "malformed SSH signature: truncated"),
        (b"-----BEGIN SSH SIGNATURE-----\r\nU1NIU0lH\r\n-----END SSH SIGNATURE-----\r\n",
         "malformed SSH signature: the armor does not start with its BEGIN line"),
        (b"-----BEGIN NONSENSE-----\nabc\n", "unrecognised signature armor (not SSH, OpenPGP or x509)"),
    ],
)
def test_garbage_signature_is_bad_not_an_exception(repo: Path, tmp_path: Path, keys: dict[str, Key],
                                                   armor: bytes, detail: str) -> None:
    raw = with_signature(raw_commit(repo, commit(repo, "x")), armor)
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git" {keys["alice"].line}\n')

    info = ours(raw, allowed)

    assert (info.status, info.detail) == (S.BAD, detail)


def test_x509_signature_is_an_unsupported_error(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    armor = (b"-----BEGIN SIGNED MESSAGE-----\nMIAGCSqGSIb3DQEHAqCAMIACAQExDTALBglghkgBZQMEAgEwgAYJKoZIhvcNAQcB\n"
             b"-----END SIGNED MESSAGE-----\n")
    raw = with_signature(raw_commit(repo, commit(repo, "gitsign")), armor)

    info = ours(raw, allowed_file(tmp_path, f'alice@example.com {keys["alice"].line}\n'))

    assert info == SignatureInfo(S.ERROR, "x509", detail="unsupported signature format")
    assert signature_format(armor) == "x509"


def test_unsupported_key_type_is_an_error(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    """DSA, which OpenSSH no longer signs with. (Security keys are checked: tests/test_security_key_signatures.py.)"""
    raw = raw_commit(repo, commit(repo, "dsa"))
    dss_key = ssh_string(b"ssh-dss") + b"".join(ssh_string(bytes([1]) * 20) for _ in range(4))
    sig_blob = ssh_string(b"ssh-dss") + ssh_string(bytes(40))
    info = ours(with_signature(raw, sshsig_armor(dss_key, sig_blob)),
                allowed_file(tmp_path, f'alice@example.com {keys["alice"].line}\n'))

    assert info.status is S.ERROR
    assert info.format == "ssh"
    assert info.detail.startswith("unsupported SSH key type 'ssh-dss'")


@pytest.mark.parametrize(
    ("public_blob", "status", "detail"),
    [
        (ssh_string(b"ssh-ed25519") + ssh_string(bytes(31)), S.BAD,
         "malformed SSH signature: malformed ssh-ed25519 public key"),
        (ssh_string(b"ssh-ed25519") + ssh_string(bytes(32)) + b"trailing", S.BAD,
         "malformed SSH signature: malformed ssh-ed25519 public key"),
        (b"\xff\xff\xff\xff", S.BAD, "malformed SSH signature: malformed public key"),
        (ssh_string(b"ssh-rsa") + ssh_string(b"\x01\x00\x01") + ssh_string(b"\x00" + b"\xc3" * 5000), S.BAD,
         "malformed SSH signature: oversized public key"),
        (ssh_string(b"ssh-rsa") + ssh_string(b"\x01\x00\x01") + ssh_string(b"\x00" + b"\xc3" * 64), S.ERROR,
         "RSA key of 512 bits is outside what OpenSSH accepts (1024-16384)"),
    ],
)
def test_hostile_public_keys(repo: Path, public_blob: bytes, status: SignatureStatus, detail: str) -> None:
    raw = raw_commit(repo, commit(repo, "hostile key"))
    sig_blob = ssh_string(b"ssh-ed25519") + ssh_string(bytes(64))

    info = verify_commit(with_signature(raw, sshsig_armor(public_blob, sig_blob)), signers=(), now=NOW)

    assert (info.status, info.detail) == (status, detail)


def test_openpgp_without_a_keyring_is_untrusted_not_an_error(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    """Unchecked is never good; the missing keyring is reported once per run (provenance/keyring-missing)."""
    armor = b"-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n-----END PGP SIGNATURE-----\n"
    raw = with_signature(raw_commit(repo, commit(repo, "pgp")), armor)

    info = ours(raw, allowed_file(tmp_path, f'alice@example.com {keys["alice"].line}\n'))

    assert (info.status, info.format) == (S.UNTRUSTED, "openpgp")
    assert info.detail.endswith("not checked: no GnuPG keyring is configured (policy gpg_home)")


def test_mutated_commits_never_crash_and_never_pass(repo: Path, keys: dict[str, Key]) -> None:
    """Random byte flips, cuts and splices of a signed commit: no exception, and GOOD only when the
    signed payload is byte-for-byte the original (e.g. a flip in base64 padding bits)."""
    raw = raw_commit(repo, commit(repo, "fuzz me", keys["alice"]))
    original_payload = split_signature(raw)[1]
    signers = parse_allowed_signers(f'alice@example.com namespaces="git" {keys["alice"].line}\n', "mem")
    rng = random.Random(20260601)
    for _ in range(400):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(4)
            pos = rng.randrange(len(data))
            if op == 0:
                data[pos] ^= 1 << rng.randrange(8)
            elif op == 1:
                del data[pos : pos + rng.randint(1, 40)]
            elif op == 2:
                data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
            else:
                data[pos:pos] = data[rng.randrange(len(data)) :][: rng.randint(1, 80)]
        info = verify_commit(bytes(data), signers=signers, now=NOW)
        if info.status is S.GOOD:
            assert split_signature(bytes(data))[1] == original_payload
    for _ in range(100):
        blob = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        assert verify_commit(blob, signers=signers, now=NOW).status is not S.GOOD


# -- time, devices, revocation ------------------------------------------------------------------------------

def test_valid_before_is_judged_now_not_at_the_committer_date(repo: Path, tmp_path: Path,
                                                              keys: dict[str, Key]) -> None:
    """Divergence from git, on purpose. git passes the committer date to `ssh-keygen -Overify-time`, and
    the committer date is written by the signer: a key whose `valid-before` lies in the past still
    yields G on any commit the holder backdates. gatekeeper judges the window at the time of the check
    (`now`), so the same commit is EXPIRED."""
    key = keys["alice"]
    backdated = commit(repo, "written after the key expired, dated before", key, date="2026-01-15T09:00:00Z")
    honest = commit(repo, "honest date", key)
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git",valid-before="20260301Z" {key.line}\n')

    for sha in (backdated, honest):
        info = ours(raw_commit(repo, sha), allowed)
        assert info.status is S.EXPIRED
        assert info.signer == "alice@example.com"
        assert info.detail == f"key expired at 2026-03-01T00:00:00Z ({allowed}:1: valid-before)"
    assert git_verdict(repo, backdated, allowed)[:1] == (0,)  # git is fooled by the date
    assert git_verdict(repo, backdated, allowed)[2] == "G"
    assert git_verdict(repo, honest, allowed)[0] != 0


def test_valid_after_in_the_future_is_expired(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    key = keys["alice"]
    sha = commit(repo, "too early", key)
    allowed = allowed_file(tmp_path, f'alice@example.com valid-after="20270101Z",namespaces="git" {key.line}\n')

    info = ours(raw_commit(repo, sha), allowed)

    assert info.status is S.EXPIRED
    assert info.detail.startswith("key is not valid before 2027-01-01T00:00:00Z")


def test_key_listed_only_for_another_namespace_is_untrusted(repo: Path, tmp_path: Path,
                                                            keys: dict[str, Key]) -> None:
    key = keys["alice"]
    sha = commit(repo, "namespaces", key)
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="file,!git" {key.line}\n')

    info = ours(raw_commit(repo, sha), allowed)

    assert info.status is S.UNTRUSTED
    assert info.detail == f"the allowed signers list key {key.fingerprint}, but not for namespace 'git'"
    assert git_verdict(repo, sha, allowed)[2] != "G"


def test_registered_device_is_named(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    registry = parse_registry(registry_yaml(device_yaml("pixel8-alice", keys["alice"])), "devices.yml")
    sha = commit(repo, "from the pixel", keys["alice"])
    allowed = allowed_file(tmp_path, allowed_signers_text(registry))

    info = ours(raw_commit(repo, sha), allowed, registry)

    assert info == SignatureInfo(S.GOOD, "ssh", signer="alice@example.com", key=keys["alice"].fingerprint,
                                 device_id="pixel8-alice")
    assert git_verdict(repo, sha, allowed)[2] == "G"  # the generated file makes git agree


def test_revoked_device_key_is_revoked_even_when_backdated(repo: Path, tmp_path: Path,
                                                           keys: dict[str, Key]) -> None:
    """The phone was lost on 2026-03-01. Its key signs a commit dated 2025 and pushed afterwards: the
    stale allowed-signers file still lists the key, and git (which knows nothing of revocation and
    judges at the committer date) says G. gatekeeper says REVOKED, because revocation is judged now."""
    key = keys["alice"]
    registry = parse_registry(registry_yaml(device_yaml(
        "pixel8-alice", key, extra="    revoked_at: 2026-03-01T08:00:00Z\n    revoked_reason: phone lost\n")),
        "devices.yml")
    sha = commit(repo, "pushed after the theft", key, date="2025-12-24T18:00:00Z")
    stale = allowed_file(tmp_path, f'alice@example.com namespaces="git" {key.line}\n')

    info = ours(raw_commit(repo, sha), stale, registry)

    assert info == SignatureInfo(S.REVOKED, "ssh", signer="alice@example.com", key=key.fingerprint,
                                 device_id="pixel8-alice",
                                 detail="key of device 'pixel8-alice' was revoked at 2026-03-01T08:00:00Z (phone lost)")
    assert git_verdict(repo, sha, stale)[2] == "G"
    # The allowed-signers file generated from the registry leaves the key out, so git stops trusting it too.
    fresh = tmp_path / "fresh_allowed_signers"
    fresh.write_text(allowed_signers_text(registry))
    assert git_verdict(repo, sha, fresh)[2] == "U"
    assert ours(raw_commit(repo, sha), fresh, registry).status is S.REVOKED
    # Before the revocation instant the key was fine.
    assert ours(raw_commit(repo, sha), stale, registry, now=datetime(2026, 2, 1, tzinfo=UTC)).status is S.GOOD


def test_expired_device_is_expired(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    key = keys["alice"]
    registry = parse_registry(registry_yaml(device_yaml("pixel8-alice", key, extra="    expires: 2026-05-15\n")),
                              "devices.yml")
    sha = commit(repo, "after the device expired", key, date="2026-05-10T00:00:00Z")
    stale = allowed_file(tmp_path, f'alice@example.com namespaces="git" {key.line}\n')

    info = ours(raw_commit(repo, sha), stale, registry)

    assert (info.status, info.device_id, info.detail) == (S.EXPIRED, "pixel8-alice",
                                                          "device 'pixel8-alice' expired on 2026-05-15")
    # allowed_signers_text turns `expires` into valid-before: git agrees for honestly dated commits
    generated = tmp_path / "generated"
    generated.write_text(allowed_signers_text(registry))
    assert 'valid-before="20260515Z"' in generated.read_text()
    honest = commit(repo, "honest date after expiry", key, date="2026-05-20T00:00:00Z")
    assert git_verdict(repo, honest, generated)[2] != "G"
    assert ours(raw_commit(repo, honest), generated, registry).status is S.EXPIRED


def test_registered_key_missing_from_allowed_signers_is_untrusted(repo: Path, tmp_path: Path,
                                                                  keys: dict[str, Key]) -> None:
    registry = parse_registry(registry_yaml(device_yaml("pixel8-alice", keys["alice"])), "devices.yml")
    sha = commit(repo, "registered but not allowed", keys["alice"])
    allowed = allowed_file(tmp_path, f'bob@example.com namespaces="git" {keys["bob"].line}\n')

    info = ours(raw_commit(repo, sha), allowed, registry)

    assert (info.status, info.device_id) == (S.UNTRUSTED, "pixel8-alice")
    assert info.detail.endswith("(the key is registered to device 'pixel8-alice')")


def test_naive_now_is_taken_as_utc(repo: Path, tmp_path: Path, keys: dict[str, Key]) -> None:
    sha = commit(repo, "naive", keys["alice"])
    allowed = allowed_file(tmp_path, f'alice@example.com namespaces="git" {keys["alice"].line}\n')
    assert ours(raw_commit(repo, sha), allowed, now=datetime(2026, 6, 1, 12, 0)).status is S.GOOD


# -- OpenPGP -------------------------------------------------------------------------------------------------

def _run(argv: list[str], stdin: bytes | None) -> tuple[int, bytes, bytes]:
    proc = subprocess.run(argv, input=stdin, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def gnupghome(tmp_path: Path) -> Iterator[Path]:
    if shutil.which("gpg") is None or shutil.which("gpgconf") is None:
        pytest.skip("gpg is not installed")
    home = Path(tmp_path / "gnupg")
    home.mkdir(mode=0o700)
    yield home
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)


def test_openpgp_good_and_tampered_with_real_gpg(repo: Path, gnupghome: Path) -> None:
    gpg = ["gpg", "--homedir", str(gnupghome), "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run([*gpg, "--quick-gen-key", "Alice <alice@example.com>", "ed25519", "sign", "never"],
                   check=True, capture_output=True)
    listing = subprocess.run([*gpg, "--with-colons", "--list-keys"], check=True, capture_output=True, text=True)
    fpr = next(line.split(":")[9] for line in listing.stdout.splitlines() if line.startswith("fpr:"))
    git(repo, "-c", f"user.signingkey={fpr}", "commit", "-q", "--allow-empty", "-S", "-m", "pgp signed",
        env={"GNUPGHOME": str(gnupghome)})
    sha = git(repo, "rev-parse", "HEAD").stdout.decode().strip()
    raw = raw_commit(repo, sha)
    registry = parse_registry(registry_yaml(device_yaml("laptop-alice", " ".join(
        fpr[i : i + 4] for i in range(0, 40, 4)))), "devices.yml")
    verifier = openpgp_verifier(_run, gnupghome)

    info = verify_commit(raw, signers=(), now=NOW, registry=registry, gpg=verifier)
    tampered = verify_commit(raw.replace(b"pgp signed", b"pgp signeD"), signers=(), now=NOW, gpg=verifier)

    assert info == SignatureInfo(S.GOOD, "openpgp", signer="Alice <alice@example.com>", key=fpr,
                                 device_id="laptop-alice")
    assert tampered.status is S.BAD
    assert signature_format(split_signature(raw)[0] or b"") == "openpgp"


@pytest.mark.parametrize(
    ("status", "returncode", "expected"),
    [
        ("[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 1122334455667788 Alice <a@e.com>\n"
         "[GNUPG:] VALIDSIG AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111 2026-01-01 1 0 4 0 22 10 00 "
         "BBBB2222BBBB2222BBBB2222BBBB2222BBBB2222\n[GNUPG:] TRUST_ULTIMATE 0 pgp\n", 0,
         SignatureInfo(S.GOOD, "openpgp", "Alice <a@e.com>", "BBBB2222BBBB2222BBBB2222BBBB2222BBBB2222")),
        ("[GNUPG:] GOODSIG 1122334455667788 Alice <a@e.com>\n"
         "[GNUPG:] VALIDSIG AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111 2026-01-01 1 0 4 0 22 10 00 "
         "AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111\n[GNUPG:] TRUST_UNDEFINED 0 pgp\n", 0,
         SignatureInfo(S.UNTRUSTED, "openpgp", "Alice <a@e.com>", "AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111",
                       detail="valid signature, but the key's owner trust in the GnuPG keyring is undefined")),
        ("[GNUPG:] BADSIG 1122334455667788 Alice <a@e.com>\n", 1,
         SignatureInfo(S.BAD, "openpgp", "Alice <a@e.com>", "1122334455667788",
                       detail="the signature does not match the commit (modified after signing, or forged)")),
        ("[GNUPG:] ERRSIG 1122334455667788 22 10 00 1767225600 9 -\n[GNUPG:] NO_PUBKEY 1122334455667788\n", 2,
         SignatureInfo(S.ERROR, "openpgp", key="1122334455667788",
                       detail="no public key 1122334455667788 in the GnuPG keyring; import it to verify")),
        ("[GNUPG:] EXPKEYSIG 1122334455667788 Alice <a@e.com>\n", 0,
         SignatureInfo(S.EXPIRED, "openpgp", "Alice <a@e.com>", "1122334455667788",
                       detail="the signing key has expired")),
        ("[GNUPG:] REVKEYSIG 1122334455667788 Alice <a@e.com>\n", 0,
         SignatureInfo(S.REVOKED, "openpgp", "Alice <a@e.com>", "1122334455667788",
                       detail="the signing key was revoked")),
        ("[GNUPG:] GOODSIG 1122334455667788 Alice <a@e.com>\n[GNUPG:] BADSIG 99 Mallory\n", 1,
         SignatureInfo(S.ERROR, "openpgp", detail="the signature holds more than one OpenPGP signature")),
        ("gpg: [GNUPG:] GOODSIG forged by payload text\n", 2,
         SignatureInfo(S.ERROR, "openpgp", detail="gpg reported no signature status (exit 2)")),
    ],
)
def test_gpg_status_lines(status: str, returncode: int, expected: SignatureInfo) -> None:
    assert parse_gpg_status(status.encode(), returncode) == expected


# -- allowed-signers file ------------------------------------------------------------------------------------

def test_allowed_signers_parse_everything_git_accepts(keys: dict[str, Key]) -> None:
    alice, bob = keys["alice"], keys["bob"]
    text = (
        "# team signers\n"
        "\n"
        f'alice@example.com namespaces="git" {alice.line}\n'
        f'  "bob@example.com,*@ci.example.com" valid-after="20260101",Valid-Before="202701011200Z" {bob.type_and_b64}\n'
        f"carol@example.com {keys['carol'].line}\n"
        f"root@example.com cert-authority {keys['mallory'].line}\n"
    )
    parsed = read_allowed_signers(text, "allowed_signers")

    first, second, third = parsed.signers
    assert first == AllowedSigner(("alice@example.com",), "ssh-ed25519", alice.line.split()[1], ("git",), None, None,
                                  3, "allowed_signers")
    assert first.fingerprint == alice.fingerprint
    assert second.principals == ("bob@example.com", "*@ci.example.com")
    assert second.valid_before == datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
    assert second.valid_after == datetime(2026, 1, 1).astimezone()  # no Z: local time, as ssh-keygen reads it
    assert second.fingerprint == bob.fingerprint
    assert third.namespaces is None and third.allows_namespace("git")
    assert parsed.warnings == ("allowed_signers:6: cert-authority entries are not supported; the line is ignored "
                               "(signatures by keys it certifies count as untrusted)",)
    assert principals_for_key(parsed.signers, first.key_b64, at=NOW) == ("alice@example.com",)
    assert principals_for_key(parsed.signers, first.key_b64, at=NOW, namespace="file") == ()
    assert principals_for_key(parsed.signers, second.key_b64, at=datetime(2027, 2, 1, tzinfo=UTC)) == ()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("alice@example.com", "malformed line: expected principals, then a key (only one field found)"),
        ("alice@example.com ssh-ed25519", "malformed line: the ssh-ed25519 key has no base64 key data"),
        ("alice@example.com ssh-foo AAAAC3Nza", "unknown key type 'ssh-foo'"),
        ("alice@example.com ssh-ed25519 not*base64", "the ssh-ed25519 key is not valid base64"),
        ("alice@example.com ssh-ed25519 AAAA", "the ssh-ed25519 key data is truncated or not an SSH public key"),
        ("alice@example.com ssh-rsa {alice_b64}", "the key data is a 'ssh-ed25519' key but the line says 'ssh-rsa'"),
        ('alice@example.com namespace="git" {alice}',
         "unknown option 'namespace' (expected one of: cert-authority, namespaces, valid-after, valid-before)"),
        ("alice@example.com namespaces=git {alice}",
         "option 'namespaces' needs a double-quoted value, e.g. namespaces=\"...\""),
        ('alice@example.com namespaces="git",namespaces="file" {alice}', "option 'namespaces' is given twice"),
        ('alice@example.com valid-before="20261301" {alice}',
         'bad date in valid-before="20261301" (expected YYYYMMDD[HHMM[SS]][Z])'),
        ('alice@example.com valid-after="2026-01-01" {alice}',
         'bad date in valid-after="2026-01-01" (expected YYYYMMDD[HHMM[SS]][Z])'),
        ('alice@example.com valid-after="20270101Z",valid-before="20260101Z" {alice}',
         "valid-before is earlier than valid-after"),
        ('alice@example.com namespaces="git {alice}', "bad option: unterminated double quote"),
        ('"alice@example.com {alice}', "malformed line: unterminated quote in the principals field"),
        ("alice@example.com,,bob@example.com {alice}",
         "malformed line: empty principal in 'alice@example.com,,bob@example.com'"),
    ],
)
def test_malformed_allowed_signers_line_names_the_line(keys: dict[str, Key], line: str, message: str) -> None:
    alice = keys["alice"]
    text = "# header comment\n\n" + line.format(alice=alice.line, alice_b64=alice.line.split()[1]) + "\n"

    with pytest.raises(ConfigError) as caught:
        parse_allowed_signers(text, "allowed_signers")

    assert caught.value.message == f"allowed_signers:3: {message}"
    assert caught.value.fix


def test_load_allowed_signers_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_allowed_signers(tmp_path / "nope")
    assert caught.value.message == f"{tmp_path / 'nope'}: allowed signers file not found"


def test_format_allowed_signer_round_trips_and_agrees_with_git(repo: Path, tmp_path: Path,
                                                               keys: dict[str, Key]) -> None:
    line = format_allowed_signer("bob@example.com", keys["bob"].line)
    assert line == f'bob@example.com namespaces="git" {keys["bob"].type_and_b64}'
    (entry,) = parse_allowed_signers(line, "x")
    assert entry.fingerprint == keys["bob"].fingerprint
    sha = commit(repo, "enrolled", keys["bob"])
    assert git_verdict(repo, sha, allowed_file(tmp_path, line + "\n"))[2] == "G"
    with pytest.raises(ConfigError, match="invalid principal 'bob smith'"):
        format_allowed_signer("bob smith", keys["bob"].line)
    with pytest.raises(ConfigError, match="invalid public key: unknown key type 'ssh-nope'"):
        format_allowed_signer("bob@example.com", "ssh-nope AAAA")


def test_namespace_patterns_follow_openssh() -> None:
    assert match_pattern_list("git", ("git",))
    assert match_pattern_list("git", ("file", "g*"))
    assert match_pattern_list("git", ("g?t",))
    assert not match_pattern_list("git", ("*", "!git"))
    assert not match_pattern_list("git", ("gi",))


# -- device registry -----------------------------------------------------------------------------------------

def test_registry_parses_and_round_trips(keys: dict[str, Key]) -> None:
    text = registry_yaml(
        device_yaml("pixel8-alice", keys["alice"], extra="    expires: 2027-11-01\n    revoked_at: null\n"
                                                         "    revoked_reason: null\n"),
        device_yaml("ipad-bob", keys["bob"], owner="bob@example.com",
                    extra="    revoked_at: 2026-04-01 10:30:00+02:00\n    revoked_reason: stolen\n")
        .replace("class: mobile", "class: tablet").replace("managed: false", "managed: true"),
        "  - id: laptop-carol\n    owner: carol@example.com\n    class: desktop\n    managed: true\n"
        "    keys: [\"0123 4567 89AB CDEF 0123  4567 89ab cdef 0123 4567\", \"" + keys["carol"].line + "\"]\n",
    )
    registry = parse_registry(text, "devices.yml")

    alice, bob, carol = registry.devices
    assert alice.device_class is DeviceClass.MOBILE and alice.managed is False
    assert alice.enrolled == date(2026, 1, 1) and alice.expires == date(2027, 11, 1)
    assert alice.keys[0].fingerprint == keys["alice"].fingerprint
    assert alice.keys[0].comment == "alice@device"
    assert bob.revoked_at == datetime(2026, 4, 1, 8, 30, tzinfo=UTC) and bob.revoked_reason == "stolen"
    assert carol.keys[0].kind == "gpg" and carol.keys[0].fingerprint == "0123456789ABCDEF0123456789ABCDEF01234567"
    assert registry.by_fingerprint(keys["carol"].fingerprint) is carol
    assert registry.by_fingerprint("0123456789abcdef0123456789abcdef01234567") is carol
    assert registry.by_fingerprint("SHA256:nothing") is None
    assert registry.is_revoked(bob, NOW) and not registry.is_revoked(bob, datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    assert not registry.is_expired(alice, datetime(2027, 11, 1, 0, 0, tzinfo=UTC))
    assert registry.is_expired(alice, datetime(2027, 11, 1, 0, 0, 1, tzinfo=UTC))
    assert parse_registry(dump_registry(registry), "dumped.yml") == registry
    # only non-revoked SSH keys reach the allowed-signers file, and it parses back
    generated = parse_allowed_signers(allowed_signers_text(registry), "generated")
    assert [(s.principal, s.fingerprint) for s in generated] == [
        ("alice@example.com", keys["alice"].fingerprint), ("carol@example.com", keys["carol"].fingerprint)]
    assert generated[0].valid_before == datetime(2027, 11, 1, tzinfo=UTC)


def test_load_registry_from_file(tmp_path: Path, keys: dict[str, Key]) -> None:
    path = tmp_path / "devices.yml"
    path.write_text(registry_yaml(device_yaml("pixel8-alice", keys["alice"])))
    assert load_registry(path).devices[0].id == "pixel8-alice"
    with pytest.raises(ConfigError, match="device registry not found"):
        load_registry(tmp_path / "missing.yml")


KEYS_IN_ORDER = "id, owner, class, managed, keys, enrolled, expires, revoked_at, revoked_reason, logins"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda k: "devices: []\n", "devices.yml: version: required key is missing"),
        (lambda k: "", "devices.yml: version: required key is missing (the file is empty)"),
        (lambda k: "version: 2\ndevices: []\n", "devices.yml: version: unsupported version 2 "
                                                "(this gatekeeper reads version 1)"),
        (lambda k: "version: 1\n", "devices.yml: devices: required key is missing"),
        (lambda k: "version: 1\ndevice: []\n", "devices.yml: device: unknown key (expected one of: version, devices)"),
        (lambda k: registry_yaml(device_yaml("a", k["alice"]), device_yaml("b", k["bob"]),
                                 device_yaml("c", k["carol"]).replace("class:", "clas:")),
         f"devices.yml: devices[2].clas: unknown key (expected one of: {KEYS_IN_ORDER})"),
        (lambda k: registry_yaml(device_yaml("pixel8-alice", k["alice"]), device_yaml("pixel8-alice", k["bob"])),
         "devices.yml: devices[1].id: duplicate device id 'pixel8-alice' (also devices[0].id)"),
        (lambda k: registry_yaml(device_yaml("pixel8-alice", k["alice"]), device_yaml("ipad-alice", k["alice"])),
         "devices.yml: devices[1].keys[0]: key {fp} is also on device 'pixel8-alice' (devices[0].keys[0])"),
        (lambda k: registry_yaml(device_yaml("a", k["alice"]).replace("managed: false", 'managed: "no"')),
         "devices.yml: devices[0].managed: expected true or false, got a string"),
        (lambda k: registry_yaml(device_yaml("a", k["alice"]).replace("class: mobile", "class: phone")),
         "devices.yml: devices[0].class: expected one of mobile, tablet, web, desktop, ci, got 'phone'"),
        (lambda k: registry_yaml(device_yaml("a", k["alice"]).replace("    owner: alice@example.com\n", "")),
         "devices.yml: devices[0].owner: required key is missing"),
        (lambda k: registry_yaml(device_yaml("a", k["alice"], extra="    owner: eve@example.com\n")),
         "devices.yml: line 10: duplicate key 'owner'"),
        (lambda k: registry_yaml(device_yaml("a", "ssh-foo AAAA")),
         "devices.yml: devices[0].keys[0]: unknown key type 'ssh-foo' (expected one of: ssh-ed25519, ssh-rsa, "
         "ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, "
         "sk-ecdsa-sha2-nistp256@openssh.com, ssh-dss)"),
        (lambda k: registry_yaml(device_yaml("a", k["alice"], extra="    enrolled: 2026-01-01T10:00:00Z\n")
                                 .replace("    enrolled: 2026-01-01\n", "", 1)),
         "devices.yml: devices[0].enrolled: expected a date (YYYY-MM-DD), got a timestamp "
         "datetime.datetime(2026, 1, 1, 10, 0, tzinfo=datetime.timezone.utc)"),
        (lambda k: registry_yaml(device_yaml("a", k["alice"], extra="    revoked_reason: lost\n")),
         "devices.yml: devices[0].revoked_reason: is set but revoked_at is null"),
        (lambda k: registry_yaml(device_yaml("a b", k["alice"])),
         "devices.yml: devices[0].id: invalid device id 'a b': use letters, digits, '.', '_' and '-' "
         "(at most 100, starting with a letter or digit)"),
        (lambda k: "version: 1\ndevices: [\n", "devices.yml: line 3, column 1: invalid YAML: expected the node "
                                              "content, but found '<stream end>'"),
    ],
)
def test_registry_errors_name_the_key_path(keys: dict[str, Key], make: Callable[[dict[str, Key]], str],
                                           message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_registry(make(keys), "devices.yml")
    assert caught.value.message == message.format(fp=keys["alice"].fingerprint)
    assert caught.value.fix


def test_enroll_and_revoke(keys: dict[str, Key]) -> None:
    registry = enroll_device(DeviceRegistry(), id="pixel8-alice", owner="alice@example.com",
                             device_class=DeviceClass.MOBILE, managed=False, public_key_line=keys["alice"].line,
                             today=date(2026, 5, 1))
    registry = enroll_device(registry, id="ipad-bob", owner="bob@example.com", device_class="tablet", managed=True,
                             public_key_line=keys["bob"].line, today=date(2026, 5, 2), expires=date(2027, 5, 2))
    assert [d.id for d in registry.devices] == ["pixel8-alice", "ipad-bob"]
    assert registry.by_fingerprint(keys["bob"].fingerprint) is registry.devices[1]

    with pytest.raises(ConfigError) as taken:
        enroll_device(registry, id="pixel8-alice", owner="alice@example.com", device_class="mobile", managed=False,
                      public_key_line=keys["carol"].line, today=date(2026, 5, 3))
    assert taken.value.message == "device id 'pixel8-alice' is already enrolled (owner alice@example.com)"
    with pytest.raises(ConfigError) as reused:
        enroll_device(registry, id="pixel9-alice", owner="alice@example.com", device_class="mobile", managed=False,
                      public_key_line=keys["alice"].line, today=date(2026, 5, 3))
    assert reused.value.message == f"key {keys['alice'].fingerprint} is already enrolled for device 'pixel8-alice'"
    with pytest.raises(ConfigError, match="invalid key for device 'x'"):
        enroll_device(registry, id="x", owner="x@example.com", device_class="mobile", managed=False,
                      public_key_line="ssh-ed25519 !!!", today=date(2026, 5, 3))

    revoked = revoke_device(registry, "pixel8-alice", at=datetime(2026, 5, 10, 9, 0, tzinfo=UTC), reason="lost")
    device = revoked.by_id("pixel8-alice")
    assert device is not None and device.revoked_at == datetime(2026, 5, 10, 9, 0, tzinfo=UTC)
    assert revoked.is_revoked(device, NOW)
    assert parse_registry(dump_registry(revoked), "devices.yml") == revoked
    assert keys["alice"].type_and_b64 not in allowed_signers_text(revoked)
    assert keys["bob"].type_and_b64 in allowed_signers_text(revoked)
    with pytest.raises(ConfigError, match="already revoked"):
        revoke_device(revoked, "pixel8-alice", at=NOW, reason="again")
    with pytest.raises(ConfigError, match="no device with id 'nope'"):
        revoke_device(revoked, "nope", at=NOW, reason="?")
    with pytest.raises(ConfigError, match="needs a reason"):
        revoke_device(registry, "ipad-bob", at=NOW, reason=" ")


def test_the_package_surface_loads_on_first_use() -> None:
    # Importing the package (every check does, for the allowed-signers patterns) must not load the verifiers
    # (sshsig, cryptography); each public name still resolves, from the module that defines it.
    code = ("import importlib, sys, gatekeeper.provenance as p\n"
            "print(sorted(m for m in ('gatekeeper.provenance.signatures', 'sshsig', 'cryptography') if m in sys.modules))\n"
            "home = {n: importlib.import_module(f'gatekeeper.provenance.{p._HOME[n]}') for n in p._HOME}\n"
            "print(sorted(n for n in p.__all__ if getattr(p, n) is not getattr(home[n], n)))\n"
            "print(sorted(set(p.__all__) ^ set(p._HOME)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "[]", "[]"]
    import gatekeeper.provenance as package

    with pytest.raises(AttributeError):
        package.no_such_name
