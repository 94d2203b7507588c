"""Signatures on real public histories: gatekeeper agrees with git's %G? on every SSH-signed commit and a sixth of
the OpenPGP-signed ones (sampled: see `sampled`; the bench reads them all).

Reads the bare mirrors under $GATEKEEPER_REAL_REPOS (default /work/.mirror; skipped when absent) at
the pinned commits below. git is asked with a GnuPG home holding only the forge keys gatekeeper ships
and an empty allowed-signers file, i.e. the same trust gatekeeper has without a policy. The mapping:

| git | gatekeeper |
|---|---|
| G, U, Y by a shipped forge key (GitHub OpenPGP, GitLab SSH) | good, forge set (U: gpg has no owner trust for it; Y: GitHub's previous key, expired 2024-01-16 after it signed) |
| U (SSH, valid, key not listed) | untrusted |
| E (no public key) | untrusted, "not checked: no GnuPG keyring" — reported once per run, not an error per commit |
| B | bad |
| N | unsigned (N for an x509 signature, gitsign's: gatekeeper error — neither can check it; sig161) |

For every letter but N the key must be the one git names: gatekeeper's key is the fingerprint or key id %GK
gives (sig150: every Ed25519 OpenPGP signature was reported with no key; beads and humanlayer hold some).

The small-repository suite covers the same cases (tests/test_signature_armor.py, tests/test_forge_keys.py,
tests/test_openpgp_issuer.py, and the key shapes no mirror reaches in tests/test_signature_shapes.py).
"""

from __future__ import annotations

import base64
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gatekeeper.models import SignatureStatus
from gatekeeper.provenance import verify_commit
from gatekeeper.provenance.allowed_signers import ssh_fingerprint
from gatekeeper.provenance.gpg import forge_gnupghome
from gatekeeper.provenance.openpgp import bundled_forge_keys
from gatekeeper.provenance.signatures import NO_KEYRING

S = SignatureStatus
ROOT = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
PINNED = {
    "opencontainers+runc": "76d9cf5da5683ff449ae967db58fa8c5927ca54b",
    "github+github-mcp-server": "64a49f34d076b6f5917dae1424521d43c7bcae84",
    "Aider-AI+aider": "5dc9490bb35f9729ef2c95d00a19ccd30c26339c",
    "golang+net": "0ca694d2a5adcce7f36d4d65e5f8d72390d94051",
    "f-droid+fdroidclient": "b962e281343a533984b19fb2560d96299d428b96",  # GitLab merge requests
    # sig150: AI-era histories with SSH (ed25519, RSA, ECDSA) and Ed25519 OpenPGP signatures by people.
    "steveyegge+beads": "fbcee6c6246c874ed98a129d9c1ac22127d8c585",
    "humanlayer+humanlayer": "99abe673498cf8bdcd5f989aebe9406a27185b3b",
}
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _repo(name: str) -> Path:
    path = ROOT / name / "repo"
    if not path.is_dir():
        pytest.skip(f"real history {name} not present under {ROOT} (set GATEKEEPER_REAL_REPOS to its parent)")
    probe = subprocess.run(["git", "-C", str(path), "cat-file", "-e", PINNED[name]], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"{path} does not hold the pinned commit {PINNED[name]}")
    return path


OPENPGP_SAMPLE = 6  # every 6th OpenPGP-signed commit of each committer kind (GitHub's, people's): see sampled


def sampled(repo: Path, rev: str) -> list[str]:
    """The commits git is asked about: every SSH-signed commit and every commit signed in another format than
    OpenPGP or SSH, and every OPENPGP_SAMPLE-th OpenPGP-signed one, counted apart for those GitHub committed (its
    web-flow key) and those people did, in history order. git verifies an OpenPGP signature with one gpg process,
    ~37 ms on the CI machine: asking it about all of runc's 2,670 took 100 s of the suite, these seven histories
    5 minutes of CPU. bench/bench_signature_real.py still compares every signed commit of whole histories."""
    out = subprocess.run(["git", "-C", str(repo), "log", "--format=%H %ce", rev], capture_output=True, text=True,
                         check=True).stdout
    committers = [line.split(" ", 1) for line in out.splitlines()]
    objects = raw_objects(repo, [sha for sha, _ in committers])
    chosen: list[str] = []
    seen = {True: 0, False: 0}
    for sha, email in committers:
        raw = objects[sha]
        head = raw[: raw.find(b"\n\n")]
        at = head.find(b"\ngpgsig")
        if at < 0:
            continue
        armor = head[at : at + 80]
        if b"BEGIN PGP SIGNATURE" not in armor:
            chosen.append(sha)  # SSH, x509 and anything else: every one
            continue
        github = email == "noreply@github.com"
        if seen[github] % OPENPGP_SAMPLE == 0:
            chosen.append(sha)
        seen[github] += 1
    return chosen


def git_letters(repo: Path, rev: str, tmp_path: Path) -> dict[str, tuple[str, str]]:
    """sha -> (%G?, %GK) as git reports them with only the forge keys and no allowed signers, for the sampled
    signed commits of `rev`'s history."""
    home = forge_gnupghome()
    if home is None:
        pytest.skip("gpg is not installed")
    signers = tmp_path / "allowed_signers"
    signers.write_text("")
    env = {**os.environ, "GNUPGHOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    shas = sampled(repo, rev)
    out = subprocess.run(["git", "-C", str(repo), "-c", f"gpg.ssh.allowedSignersFile={signers}", "log",
                          "--no-walk=unsorted", "--stdin", "--format=%H %G? %GK"], input="".join(f"{s}\n" for s in shas),
                         env=env, capture_output=True, text=True, check=True).stdout
    letters: dict[str, tuple[str, str]] = {}
    for line in out.splitlines():
        sha, letter, *key = line.split(" ")
        letters[sha] = (letter, key[0] if key else "")
    return letters


def raw_objects(repo: Path, shas: list[str]) -> dict[str, bytes]:
    out = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input="".join(f"{s}\n" for s in shas).encode(),
                         capture_output=True, check=True).stdout
    objects: dict[str, bytes] = {}
    at = 0
    for sha in shas:
        newline = out.index(b"\n", at)
        size = int(out[at:newline].split()[2])
        objects[sha] = out[newline + 1 : newline + 1 + size]
        at = newline + 1 + size + 1
    return objects


def agrees(letter: str, key: str, info: object, history: bool = False) -> bool:
    """`history`: the audit's reading (a forge key's signature made while the key was valid is good); else the
    gate's, which judges the key now as git does (`Y`: a good signature by a key that has expired)."""
    from gatekeeper.models import SignatureInfo

    assert isinstance(info, SignatureInfo)
    if letter != "N" and key and not (info.key or "").upper().endswith(key.upper()):
        return False  # the key git names (%GK: an OpenPGP key id, an SSH fingerprint) is the one we report
    keys = bundled_forge_keys()
    forge_ids = {k.key_id for k in keys.openpgp}
    if letter == "Y" and key.upper()[-16:] in forge_ids and not history:
        return info.status is S.EXPIRED and info.forge == "github"
    if letter in ("G", "U", "Y") and key.upper()[-16:] in forge_ids:
        return info.status is S.GOOD and info.forge == "github"
    if letter == "U" and key in {ssh_fingerprint(base64.b64decode(k.key_b64)) for k in keys.ssh}:
        return info.status is S.GOOD and info.forge == "gitlab"
    if letter == "U":
        return info.status is S.UNTRUSTED and info.format == "ssh"
    if letter == "E":
        return (info.status is S.UNTRUSTED and info.detail.endswith(NO_KEYRING)) or info.status is S.ERROR
    if letter == "B":
        return info.status is S.BAD
    if letter == "N" and info.format == "x509":
        # gitsign's keyless x509 (sig161): gpgsm, git's x509 program, cannot parse its CMS and git says N; gatekeeper
        # cannot check it either: error (an info note where no signature is required, enforced where one is).
        return info.status is S.ERROR
    if letter == "N":
        return info.status is S.UNSIGNED
    return False


@pytest.mark.parametrize("name", sorted(PINNED))
def test_every_signed_commit_agrees_with_git(name: str, tmp_path: Path) -> None:
    repo = _repo(name)
    letters = git_letters(repo, PINNED[name], tmp_path)
    signed = [sha for sha, (letter, _key) in letters.items() if letter != "N"]
    objects = raw_objects(repo, signed)
    keys = bundled_forge_keys()
    disagreements = []
    for sha in signed:
        letter, key = letters[sha]
        for history in (False, True):
            info = verify_commit(objects[sha], signers=(), now=NOW, forge=keys, forge_history=history)
            if not agrees(letter, key, info, history):
                disagreements.append(f"{sha} git={letter}/{key} gatekeeper={info.status.value} "
                                     f"{'(audit) ' if history else ''}{info.detail[:80]}")
    assert disagreements == [], f"{len(disagreements)} of {len(signed)} disagree:\n" + "\n".join(disagreements[:20])
    # Every history here has signatures except golang/net (Gerrit); make sure the test tested something.
    assert signed or name == "golang+net"
