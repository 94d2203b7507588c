"""Red-team reproductions (red42): a commit judged signed by the right person when it is not.

Each test makes its own keys in its tmp dir (gpg, ssh-keygen), signs real commits with `git commit -S`, and runs
the real CLI (`gatekeeper check --format json`) with a policy whose `gpg_home` is a server keyring the policy
owners control: the admin's key is ultimately trusted there and vouches for the signers' user ids by certifying
them (the OpenPGP web of trust, what `TRUST_FULLY` means). GnuPG itself is the oracle for which user id, and
which mailbox, that keyring vouches for. The findings tests fail on the code they were written against and pass
once the signer binding only names identities the keyring vouches for.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gatekeeper.provenance.signatures import split_signature
from tests.provenance_helpers import (
    Key,
    check_json,
    findings,
    install_policy,
    make_keys,
    replace_head,
    signed_commit,
    with_signature,
)
from tests.repo_builder import RepoBuilder

POLICY = """\
version: 1
rules:
  mobile: {{scanners: [], block_at: high, require_signature: true, review: null}}
  default: {{scanners: [], block_at: high, require_signature: true, review: null}}
{extra}"""



@dataclass(frozen=True)
class Pgp:
    signer_home: Path  # the signer's own GnuPG home (secret key)
    server_home: Path  # the policy's gpg_home: admin ultimately trusted, the signer's public key imported
    fpr: str  # the signer's primary key fingerprint


def _gpg(home: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback",
                           "--passphrase", "", *args], input=input, capture_output=True, check=True)
    return proc.stdout.decode("utf-8", "replace")


def _fpr(home: Path) -> str:
    return next(line.split(":")[9] for line in _gpg(home, "--with-colons", "--list-keys").splitlines()
                if line.startswith("fpr:"))


@contextlib.contextmanager
def web_of_trust(tmp: Path, certified_uid: str, extra_primary_uid: str | None = None) -> Iterator[Pgp]:
    """A signer key whose `certified_uid` the admin certified; the signer may then add `extra_primary_uid`
    herself (no one certifies it) and make it primary. The server keyring trusts the admin ultimately and holds
    the signer's current public key (as after any key refresh: `gpg --import` merges new user ids)."""
    if shutil.which("gpg") is None or shutil.which("gpgconf") is None:
        pytest.skip("gpg is not installed")
    homes = {name: tmp / f"gnupg-{name}" for name in ("admin", "signer", "server")}
    for home in homes.values():
        home.mkdir(mode=0o700)
    admin, signer, server = homes["admin"], homes["signer"], homes["server"]
    try:
        _gpg(admin, "--quick-gen-key", "Admin <admin@example.com>", "ed25519", "sign", "never")
        _gpg(signer, "--quick-gen-key", certified_uid, "ed25519", "sign", "never")
        admin_fpr, fpr = _fpr(admin), _fpr(signer)
        _gpg(admin, "--import", input=_gpg(signer, "--armor", "--export", fpr).encode())
        _gpg(admin, "--yes", "--quick-sign-key", fpr, certified_uid)
        _gpg(signer, "--import", input=_gpg(admin, "--armor", "--export", fpr).encode())
        if extra_primary_uid is not None:
            _gpg(signer, "--quick-add-uid", fpr, extra_primary_uid)
            _gpg(signer, "--quick-set-primary-uid", fpr, extra_primary_uid)
        _gpg(server, "--import", input=_gpg(admin, "--armor", "--export", admin_fpr).encode())
        _gpg(server, "--import-ownertrust", input=f"{admin_fpr}:6:\n".encode())
        _gpg(server, "--import", input=_gpg(signer, "--armor", "--export", fpr).encode())
        _gpg(server, "--check-trustdb")
        yield Pgp(signer, server, fpr)
    finally:
        for home in homes.values():
            subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)


def uid_validity(home: Path, fpr: str) -> dict[str, str]:
    """GnuPG's own verdict: each user id of the key and its validity in that keyring (f/u/m: vouched for)."""
    out = _gpg(home, "--with-colons", "--list-keys", fpr)
    return {line.split(":")[9]: line.split(":")[1] for line in out.splitlines() if line.startswith("uid:")}


def pgp_commit(repo: RepoBuilder, pgp: Pgp, message: str, files: dict[str, str],
               author: tuple[str, str]) -> str:
    repo.env_overrides["GNUPGHOME"] = str(pgp.signer_home)
    repo.git("config", "gpg.format", "openpgp")
    try:
        return repo.commit(message, files, author=author, extra_args=(f"--gpg-sign={pgp.fpr}",))
    finally:
        del repo.env_overrides["GNUPGHOME"]


def bob_commit_is_a_mismatch(repo: RepoBuilder, pgp: Pgp, why: str) -> None:
    """Under the keyring `pgp.server_home`, a commit authored by Bob and signed with `pgp`'s key: a good
    signature, and a blocking `provenance/signer-mismatch` on it (`why` says what binding went wrong)."""
    install_policy(repo, POLICY.format(extra=f"gpg_home: {pgp.server_home}\n"))
    repo.branch("feature")
    sha = pgp_commit(repo, pgp, "as bob", {"a.py": "x = 1\n"}, author=("Bob", "bob@example.com"))
    _code, data = check_json(repo)
    (report,) = data["commits"]
    assert report["sha"] == sha and report["signature"]["status"] == "good"
    mismatch = findings(data, "provenance/signer-mismatch")
    assert [f["commit"] for f in mismatch] == [sha], f"{why}: signature={report['signature']}"
    assert mismatch[0]["blocking"] is True


# -- findings -----------------------------------------------------------------------------------------------------

def test_openpgp_signer_is_an_uncertified_primary_user_id_the_key_owner_chose(repo: RepoBuilder,
                                                                             tmp_path: Path) -> None:
    """Finding (high): the OpenPGP signer is whatever user id the key owner made primary, vouched for or not.

    Attack: Alice holds a key the policy's keyring trusts because the admin certified her user id
    `Alice <alice@example.com>`. She adds a second user id `Bob <bob@example.com>` to her own key (no one
    certifies it), marks it primary, and her refreshed public key reaches the server keyring (`gpg --import`
    merges new user ids). She then commits as author Bob and signs with her key. gpg's status line
    `GOODSIG <keyid> Bob <bob@example.com>` names the primary user id, and `TRUST_FULLY` is the validity of the
    *key* (its best user id), not of that user id: gpg's own listing shows `Bob` as `[unknown]` and
    `Good signature from "Bob <bob@example.com>" [unknown] / aka "Alice <alice@example.com>" [full]`.
    gatekeeper takes the GOODSIG text as the signer (gatekeeper/provenance/signatures.py:525,
    `uid = rest.partition(" ")[2]`), calls the signature GOOD, and the signer-vs-author check
    (gatekeeper/checks/provenance.py:126 via source.py:bound_identity) finds signer == author == Bob:
    no `provenance/signer-mismatch`. The commit is judged signed by Bob, whom no one vouched for, and Bob is then
    excluded as a reviewer while Alice is not (identity.commit_people).

    Severity high: any holder of a trusted key signs as any colleague, where the rules require signatures and
    bind the signer to the author, without the policy registry (`gpg_home` trust only).

    Secure behaviour: bind the author only to user ids whose validity the keyring vouches for (e.g. list the
    key's uids with `gpg --with-colons --list-keys FPR` and keep those with validity m/f/u; or verify with
    `--verify-options show-uid-validity`), so Alice's signature on Bob's commit is a signer mismatch.
    """
    with web_of_trust(tmp_path, "Alice <alice@example.com>", extra_primary_uid="Bob <bob@example.com>") as pgp:
        # The oracle: the keyring vouches for Alice, not for Bob.
        validity = uid_validity(pgp.server_home, pgp.fpr)
        assert validity["Alice <alice@example.com>"] in "fu"
        assert validity["Bob <bob@example.com>"] not in "mfu"
        install_policy(repo, POLICY.format(extra=f"gpg_home: {pgp.server_home}\n"))
        repo.branch("feature")
        sha = pgp_commit(repo, pgp, "as bob", {"a.py": "x = 1\n"}, author=("Bob", "bob@example.com"))

        _code, data = check_json(repo)

    (report,) = data["commits"]
    assert report["sha"] == sha
    assert report["signature"]["format"] == "openpgp"
    # The signature is cryptographically Alice's and her key is trusted: only the binding is wrong.
    mismatch = findings(data, "provenance/signer-mismatch")
    assert [f["commit"] for f in mismatch] == [sha], (
        f"Alice's key signed a commit authored by Bob and gatekeeper bound it to Bob's uncertified user id: "
        f"signature={report['signature']}")
    assert mismatch[0]["blocking"] is True


def test_openpgp_signer_email_is_the_last_angle_bracket_not_the_mailbox_gpg_certifies(repo: RepoBuilder,
                                                                                     tmp_path: Path) -> None:
    """Finding (medium): the signer's e-mail is taken from the *last* `<...>` of the user id; GnuPG's mailbox is
    the first.

    Attack: Mallory's key carries the user id `Mallory <mallory@example.com> <bob@example.com>`. To GnuPG (and
    to an admin certifying it, who checks the mailbox with `gpg --list-keys '<mallory@example.com>'`) its
    mailbox is mallory@example.com; `gpg --list-keys '<bob@example.com>'` finds no key. The admin certifies it
    in good faith, so the keyring vouches fully for that very user id. Mallory commits as author Bob and signs.
    gatekeeper's bound_identity (gatekeeper/provenance/source.py:399,
    `signer[signer.rindex("<") + 1 : ...rindex(">")]`) extracts bob@example.com, so the signer-vs-author check
    passes: the commit is judged signed by Bob.

    Severity medium: needs a certifier who accepts an odd user id, but no key material of Bob's and no change to
    the keyring beyond a certification of Mallory's own mailbox.

    Secure behaviour: extract the mailbox as GnuPG does (the first `<...>`, and refuse a user id with more
    than one), or refuse to bind such a user id at all: Mallory's signature on Bob's commit is a mismatch.
    """
    uid = "Mallory <mallory@example.com> <bob@example.com>"
    with web_of_trust(tmp_path, uid) as pgp:
        assert uid_validity(pgp.server_home, pgp.fpr)[uid] in "fu"  # the keyring vouches for this user id
        # The oracle: GnuPG's mailbox of that user id is Mallory's, not Bob's.
        assert pgp.fpr in _gpg(pgp.server_home, "--with-colons", "--list-keys", "<mallory@example.com>")
        lookup = subprocess.run(["gpg", "--homedir", str(pgp.server_home), "--batch", "--list-keys",
                                 "<bob@example.com>"], capture_output=True, check=False)
        assert lookup.returncode != 0
        bob_commit_is_a_mismatch(repo, pgp, "Mallory's certified user id was bound to bob@example.com")


# -- controls -----------------------------------------------------------------------------------------------------

def test_control_openpgp_certified_uid_signing_as_someone_else_is_a_mismatch(repo: RepoBuilder,
                                                                            tmp_path: Path) -> None:
    """Control (held): Alice's certified key (primary user id Alice) signing a commit authored by Bob is a
    blocking `provenance/signer-mismatch` — the binding works when the primary user id is the vouched one."""
    with web_of_trust(tmp_path, "Alice <alice@example.com>") as pgp:
        install_policy(repo, POLICY.format(extra=f"gpg_home: {pgp.server_home}\n"))
        repo.branch("feature")
        sha = pgp_commit(repo, pgp, "as bob", {"a.py": "x = 1\n"}, author=("Bob", "bob@example.com"))

        code, data = check_json(repo)

    assert data["commits"][0]["signature"]["status"] == "good"
    (mismatch,) = findings(data, "provenance/signer-mismatch")
    assert mismatch["commit"] == sha and mismatch["blocking"] is True
    assert code == 1


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)


def test_control_ssh_signature_in_another_namespace_is_bad_like_git(repo: RepoBuilder, keys: dict[str, Key],
                                                                   tmp_path: Path) -> None:
    """Control (held): an SSHSIG made by a trusted key for namespace `file` over the exact commit payload
    (e.g. obtained from the victim's `ssh-keygen -Y sign -n file` tooling) is not a commit signature. git says
    `B`; gatekeeper says bad."""
    key = keys["alice"]
    allowed = f'dev@example.com {key.line}\n'  # no namespaces option: every namespace is allowed
    install_policy(repo, POLICY.format(extra="allowed_signers: .gatekeeper/allowed_signers\n"),
                   allowed_signers=allowed)
    repo.branch("feature")
    sha = signed_commit(repo, "x", key, {"a.py": "x = 1\n"})
    raw = repo.git("cat-file", "commit", sha).encode() + b"\n"
    _sig, payload, _ = split_signature(raw)
    (tmp_path / "payload").write_bytes(payload)
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "file", "-f", str(key.private), str(tmp_path / "payload")],
                   check=True, capture_output=True)
    forged = replace_head(repo, with_signature(raw, (tmp_path / "payload.sig").read_bytes()))
    (tmp_path / "allowed").write_text(allowed)
    letter = repo.git("-c", f"gpg.ssh.allowedSignersFile={tmp_path / 'allowed'}", "log", "-1", "--format=%G?",
                      forged)

    _code, data = check_json(repo)

    assert letter == "B"
    assert data["commits"][0]["signature"]["status"] == "bad"


# -- the fix's edges, with gpg's answers given (the real-gpg tests above hold the common ones) ----------------------

_FPR = "A" * 40
_GOOD = (f"[GNUPG:] GOODSIG {_FPR[-16:]} Bob <bob@example.com>\n[GNUPG:] VALIDSIG {_FPR} 2026-01-01 1767225600 0 4 0 "
         f"22 10 00 {_FPR}\n[GNUPG:] TRUST_FULLY 0 pgp\n").encode()


def _answers(listing: tuple[int, bytes]) -> tuple[list[list[str]], object]:
    calls: list[list[str]] = []

    def run(argv: list[str], stdin: bytes | None) -> tuple[int, bytes, bytes]:
        calls.append(argv)
        return (0, _GOOD, b"") if "--verify" in argv else (listing[0], listing[1], b"")

    return calls, run


@pytest.mark.parametrize(("listing", "status", "signer"), [
    # Only Bob's user id is vouched for: gpg's primary answer stands (one listing per key, cached).
    ((0, f"pub:f:255:22:{_FPR[-16:]}:1::::::scESC::::::23::0:\nuid:f::::1::H::Bob <bob@example.com>::::::::::0:\n"
         .encode()), "good", "Bob <bob@example.com>"),
    # The keyring vouches for none of the key's user ids: not a signature anyone is bound to.
    ((0, f"pub:f:255:22:{_FPR[-16:]}:1:::::\nuid:-::::1::H::Bob <bob@example.com>::::::::::0:\n".encode()),
     "untrusted", None),
    # A colon inside the vouched user id comes escaped (\x3a) and is read back whole.
    ((0, b"uid:u::::1::H::Alice \\x3a Ops <alice@example.com>::::::::::0:\n"), "good", "Alice : Ops <alice@example.com>"),
    # gpg cannot list the key it just verified with: an error, never the unvouched primary.
    ((2, b""), "error", "Bob <bob@example.com>"),
])
def test_the_signer_is_a_user_id_the_keyring_vouches_for(listing: tuple[int, bytes], status: str,
                                                          signer: str | None) -> None:
    from gatekeeper.provenance.signatures import openpgp_verifier

    calls, run = _answers(listing)
    verify = openpgp_verifier(run, None)  # type: ignore[arg-type]
    first, second = verify(b"sig", b"payload"), verify(b"sig", b"payload")
    assert first == second
    assert (first.status.value, first.signer) == (status, signer)
    assert sum("--list-keys" in argv for argv in calls) == 1
    assert all(argv[-1] == _FPR for argv in calls if "--list-keys" in argv)
