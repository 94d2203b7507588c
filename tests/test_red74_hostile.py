"""Red team red74: commit-header tricks that make the GATE (`gatekeeper check`, the hook, the Action) judge a
commit more leniently than its object warrants.

The gate reads identities and message through git's own pretty format (`%an %ae %cn %ce %B`,
i18n.logOutputEncoding=UTF-8, gatekeeper/git/history.py `_LOG_FORMAT`) and the signature from the raw object.
git's format parser (pretty.c parse_commit_header) takes the LAST `author`/`committer` header it meets, and it
parses the buffer only AFTER re-encoding the whole object from its declared `encoding` (logmsg_reencode): with a
stateful, ASCII-looking encoding (UTF-7) an ordinary-looking extra header re-encodes into a new `author` line.
Everything else that reads the object — `git cat-file -p`, `git fsck`, libgit2/JGit (the forges' web views and
APIs, which report the first `author` header), reviewers — sees the first, stored author.

Each test FAILS on the code at the time of writing for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed). Real SSH keys (ssh-keygen), hand-written commit objects stored with
`git hash-object -t commit -w` (git's own format check; `git fsck --strict` accepts each), signed with
`ssh-keygen -Y sign -n git` exactly as `git commit -S` signs, and the real CLI in-process.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.hook_helpers import make_server, spush
from tests.provenance_helpers import (
    Key,
    check_json,
    findings,
    install_policy,
    make_keys,
    raw_commit,
    registry_with,
    utf7,
)
from tests.repo_builder import RepoBuilder

POLICY = """\
version: 1
rules:
  mobile: {scanners: [], block_at: high, require_signature: true, require_registered_device: true, review: null}
  default: {scanners: [], block_at: high, require_signature: true, review: null}
devices: .gatekeeper/devices.yml
allowed_signers: .gatekeeper/allowed_signers
"""
ALICE = "alice@example.com"  # the attacker: her phone's key is enrolled to her
BOB = "bob@example.com"  # the victim: the commit's stored author
WHEN = b"1767225900 -0500"  # (a UTF-7 buffer must not hold `+0000`: `+` opens a base64 run)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)



@pytest.fixture
def repo(tmp_path: Path, keys: dict[str, Key]) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    registry = registry_with({"id": "pixel8-alice", "owner": ALICE, "managed": False, "key": keys["alice"]})
    install_policy(repo, POLICY, registry)
    repo.branch("feature")
    return repo


def _signed_object(repo: RepoBuilder, tmp_path: Path, key: Key, headers: list[bytes], body: bytes) -> str:
    """A commit on the current branch with `headers` after tree/parent, signed by `key` over the object as
    stored (ssh-keygen -Y sign -n git, what `git commit -S` with gpg.format=ssh does), `gpgsig` last."""
    tree = repo.git("write-tree")
    payload = (f"tree {tree}\nparent {repo.head()}\n".encode() + b"".join(h + b"\n" for h in headers)
               + b"\n" + body)
    unsigned = tmp_path / "payload"
    unsigned.write_bytes(payload)
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f", str(key.private), str(unsigned)],
                   check=True, capture_output=True)
    armor = (tmp_path / "payload.sig").read_bytes().rstrip(b"\n").replace(b"\n", b"\n ")
    (tmp_path / "payload.sig").unlink()
    head, _, rest = payload.partition(b"\n\n")
    obj = tmp_path / "commit.obj"
    obj.write_bytes(head + b"\ngpgsig " + armor + b"\n\n" + rest)
    sha = repo.git("hash-object", "-t", "commit", "-w", str(obj))
    repo.git("update-ref", "HEAD", sha)
    assert repo.git("fsck", "--strict", "--no-dangling") == ""  # git's strictest check accepts the object
    return sha


def _stored_author(repo: RepoBuilder, sha: str) -> str:
    """The author as the object stores it and every non-pretty reader (cat-file, libgit2, a forge) reports it:
    the first `author` header."""
    raw = repo.git("cat-file", "commit", sha)
    return next(line for line in raw.splitlines() if line.startswith("author ")).split("<")[1].split(">")[0]


def _gate_author(repo: RepoBuilder, sha: str) -> str:
    return repo.git("-c", "i18n.logOutputEncoding=UTF-8", "log", "-1", "--format=%ae", sha)


def _blocking_on(data: dict, sha: str) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in data["findings"] if f.get("commit") == sha and f["blocking"]]


def _control_is_blocked(repo: RepoBuilder, tmp_path: Path, keys: dict[str, Key]) -> None:
    """Without the trick: Alice's key on a commit authored by Bob is a blocking signer mismatch."""
    base = repo.head()
    sha = _signed_object(repo, tmp_path, keys["alice"], [b"author Bob <bob@example.com> " + WHEN,
                                                         b"committer Bob <bob@example.com> " + WHEN],
                         b"rotate the deploy key\n")
    code, data = check_json(repo)
    assert code == 1, data
    assert [f["commit"] for f in findings(data, "provenance/signer-mismatch")] == [sha]
    repo.git("update-ref", "HEAD", base)


# -- 1. a second `author` header: the gate binds the signer to the last, everyone else shows the first ---------------

def test_a_second_author_header_makes_the_signer_binding_match_the_wrong_person(
        repo: RepoBuilder, tmp_path: Path, keys: dict[str, Key]) -> None:
    """Attack: Alice (her phone's key enrolled to alice@example.com) writes a commit object whose author and
    committer are `Bob <bob@example.com>`, followed by a second header `author Alice <alice@example.com>`, and
    signs it with her key. `git hash-object` and `git fsck --strict` accept it (fsck checks the first author and
    committer, then ignores further headers). `git cat-file -p`, libgit2/JGit and so the forge's commit page and
    API report Bob as the author (the first header); git's pretty parser (`%ae`, what the gate reads) takes the
    last: Alice.

    The gate: SignatureCheck._mismatch compares the signer (alice, from the device registry) with
    `report.commit.author.email` = alice: no `provenance/signer-mismatch`, the commit passes the mobile rules
    that require a registered, matching signer. The same commit without the extra header (author Bob, signed by
    Alice) is blocked with a high, blocking signer mismatch (checked first below).

    Should: block — a commit whose object names more than one author (or committer) is ambiguous and must not
    pass an identity binding; at the least every `author` header must match the signer.
    Severity high: the signer binding exists so that one enrolled key cannot put work on main under someone
    else's name; one extra header line defeats it for every reader except git's pretty formats, and it also
    decides DCO (`Signed-off-by` by "the author") and review's `exclude_authors`.
    Fix: read author/committer from the raw object (the signature is read there already) and refuse — a
    blocking finding such as `provenance/ambiguous-identity` — any commit with repeated `author`/`committer`
    headers; or bind the signer against every identity header the object holds."""
    _control_is_blocked(repo, tmp_path, keys)
    sha = _signed_object(repo, tmp_path, keys["alice"], [b"author Bob <bob@example.com> " + WHEN,
                                                         b"committer Bob <bob@example.com> " + WHEN,
                                                         b"author Alice <alice@example.com> " + WHEN],
                         b"rotate the deploy key\n")
    assert _stored_author(repo, sha) == BOB
    assert _gate_author(repo, sha) == ALICE

    code, data = check_json(repo)

    (report,) = data["commits"]
    assert report["signature"]["status"] == "good"
    assert code == 1 and _blocking_on(data, sha), data["findings"]


# -- 2. `encoding UTF-7`: a header that re-encodes into a new `author` line ------------------------------------------

def test_a_utf7_encoding_header_smuggles_an_author_only_the_gate_sees(
        repo: RepoBuilder, tmp_path: Path, keys: dict[str, Key]) -> None:
    """Attack: Alice writes a commit object with ONE author and committer, `Bob <bob@example.com>`, an
    `encoding UTF-7` header and one extra header `x-note +AAoAYQB1AHQAaABv...-`: plain ASCII letters and digits,
    which UTF-7 decodes to `\\nauthor Alice <alice@example.com> 1767225900 -0500`. She signs the object with her
    key. `git fsck --strict` accepts it; `git cat-file -p` shows one author, Bob — so do the forge and any
    library reading the object. git re-encodes the WHOLE buffer from UTF-7 before its pretty parser reads the
    headers (logmsg_reencode → parse_commit_header), so the re-encoded buffer holds a second author line and
    `%ae` — the gate's author — is alice@example.com.

    The gate: the signer (alice) matches its author (alice): no signer mismatch, the signed, registered-device
    commit passes, although the only author the object stores is Bob (without the trick it is a blocking
    mismatch, checked first below). Unlike a repeated header, nothing in the stored object or in `git log`'s
    default output shows Alice as author at all (the `Author:` line git prints twice is only after decoding).

    Should: block — the identities the gate binds must be the ones the object stores; an `encoding` header that
    changes the header block when git decodes it is an attack, never a reason to trust the decoded identity.
    Severity high: defeats the signer/device-owner binding with an object that looks entirely ordinary to every
    other tool and to `git fsck --strict`.
    Fix: take author/committer (names, e-mails, dates) from the raw object's headers (first occurrence, as
    fsck and the forges do), decoding only their values; flag (blocking) any commit whose `encoding` is not
    ASCII-compatible for header text or whose git-decoded identities differ from the stored ones (compare
    `%an %ae %cn %ce` with the raw headers and refuse a difference)."""
    _control_is_blocked(repo, tmp_path, keys)
    hidden = utf7("\nauthor Alice <alice@example.com> " + WHEN.decode())
    base = repo.head()
    for second in range(200):
        # The signature's armor is base64 too: a `+` in it opens a UTF-7 run, and when that run is not valid
        # UTF-16 iconv fails and git prints the object as stored. About one signature in four decodes; the
        # commit time picks one that does (what an attacker retries locally in milliseconds).
        when = WHEN.replace(b"1767225900", str(1767225900 + second).encode())
        repo.git("update-ref", "HEAD", base)
        sha = _signed_object(repo, tmp_path, keys["alice"], [b"author Bob <bob@example.com> " + when,
                                                             b"committer Bob <bob@example.com> " + when,
                                                             b"encoding UTF-7", b"x-note " + hidden],
                             b"rotate the deploy key\n")
        if _gate_author(repo, sha) == ALICE:
            break
    raw = repo.git("cat-file", "commit", sha)
    assert [line.split(">")[0] for line in raw.splitlines() if line.startswith("author ")] == [
        "author Bob <bob@example.com"]  # the object stores one author: Bob
    # (The key's own armor may hold a `+` run iconv cannot decode, whatever the time: git then reads Bob, and the
    # signer mismatch blocks as in the control. The unsigned test below decodes every time.)

    code, data = check_json(repo)

    (report,) = data["commits"]
    assert report["signature"]["status"] == "good"
    assert code == 1 and _blocking_on(data, sha), data["findings"]


# -- 3. the DCO check binds the sign-off to the last `author` header -------------------------------------------------

def test_a_second_author_header_satisfies_the_dco_for_an_author_who_never_signed_off(tmp_path: Path) -> None:
    """Attack: the policy requires the DCO (`require_dco: true`: a `Signed-off-by` by the author). Mallory pushes
    a commit object whose stored author is `Bob <bob@example.com>` (what `git cat-file`, the forge's page and the
    DCO bots, which read the API's author, show) with `Signed-off-by: Mallory <mallory@example.com>` only, plus a
    second header `author Mallory <mallory@example.com>` after the committer. `git fsck --strict` accepts it.

    The gate: DcoCheck compares the sign-offs with `commit.author.email` — git's `%ae`, the LAST author header:
    mallory, who signed off. No `provenance/dco-missing`, allow. The same object without the extra header is
    blocked (checked first below).

    Should: block — Bob, the author the object stores, never certified the DCO; an object with two authors has
    no single author to certify for it.
    Severity low/medium: the DCO is a legal certification, not access control, but the gate reports it met for
    a contribution attributed to someone who did not sign off (and the same trick defeats the signer binding,
    tests 1-2).
    Fix: as for test 1 — read identities from the raw object and refuse commits with repeated `author`/
    `committer` headers (or require the sign-off of every author header)."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("policy", {".gatekeeper.yml": "version: 1\nrequire_dco: true\n"
                           "rules:\n  default: {scanners: [], block_at: high}\n"})
    repo.branch("feature")
    base = repo.head()
    idents = [b"author Bob <bob@example.com> " + WHEN, b"committer Bob <bob@example.com> " + WHEN]
    body = b"vendor the client\n\nSigned-off-by: Mallory <mallory@example.com>\n"
    control = raw_commit(repo, tmp_path, idents, body)
    code, data = check_json(repo)
    assert code == 1 and [f["commit"] for f in findings(data, "provenance/dco-missing")] == [control], data
    repo.git("update-ref", "HEAD", base)

    sha = raw_commit(repo, tmp_path, [*idents, b"author Mallory <mallory@example.com> " + WHEN], body)
    assert _stored_author(repo, sha) == BOB

    code, data = check_json(repo)

    assert code == 1 and _blocking_on(data, sha), data["findings"]


def test_an_encoding_that_rewrites_the_headers_makes_the_commit_no_ones(tmp_path: Path) -> None:
    """The fix for tests 1-3, without a signature's armor in the way (UTF-7 then decodes every time): git reads an
    author the object does not store, and the gate refuses the commit (`provenance/ambiguous-identity`, high);
    the same object without the smuggled line, and a commit in ISO-8859-1 with a non-ASCII name, pass."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("policy", {".gatekeeper.yml": "version: 1\nrules:\n  default: {scanners: [], block_at: high}\n"})
    repo.branch("feature")
    base = repo.head()
    idents = [b"author Bob <bob@example.com> " + WHEN, b"committer Bob <bob@example.com> " + WHEN]
    hidden = utf7("\nauthor Alice <alice@example.com> " + WHEN.decode())
    sha = raw_commit(repo, tmp_path, [*idents, b"encoding UTF-7", b"x-note " + hidden], b"tidy up\n")
    assert _stored_author(repo, sha) == BOB and _gate_author(repo, sha) == ALICE
    code, data = check_json(repo)
    assert code == 1 and [f["commit"] for f in findings(data, "provenance/ambiguous-identity")] == [sha], data
    repo.git("update-ref", "HEAD", base)
    latin = [b"author J\xfcrgen <j@example.com> " + WHEN, b"committer J\xfcrgen <j@example.com> " + WHEN,
             b"encoding ISO-8859-1"]
    raw_commit(repo, tmp_path, latin, b"Gr\xfc\xdfe\n")
    raw_commit(repo, tmp_path, [*idents, b"x-note plain"], b"tidy up\n")
    code, data = check_json(repo)
    assert code == 0 and not findings(data, "provenance/ambiguous-identity"), data["findings"]


def test_a_real_push_of_a_commit_with_two_authors_is_refused_by_the_hook(tmp_path: Path) -> None:
    """The same refusal at the pre-receive door, with a real `git push` into a bare repository with the hook:
    a branch push holding a commit stored as Bob's with a second `author Mallory` header (what git's `%ae` reads)
    is rejected as provenance/ambiguous-identity; the same push without the header is accepted."""
    server = make_server(tmp_path / "srv", policy="version: 1\nprotected_refs: [refs/heads/main]\n"
                                                  "rules:\n  default: {scanners: [], block_at: high}\n")
    work = server.clone()
    work.commit("base\n", {"a.txt": "a\n"})
    assert spush(server, work, "origin", "main").code == 0
    idents = [b"author Bob <bob@example.com> " + WHEN, b"committer Bob <bob@example.com> " + WHEN]
    raw_commit(work, tmp_path, idents, b"plain change\n")
    assert spush(server, work, "origin", "main").code == 0  # control: one author
    sha = raw_commit(work, tmp_path, [*idents, b"author Mallory <mallory@example.com> " + WHEN], b"vendor it\n")
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert [f["commit"] for f in server.last_verdict()["findings"]
            if f["rule_id"] == "provenance/ambiguous-identity"] == [sha]
