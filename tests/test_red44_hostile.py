"""Red team red44: what still gets past e5d5f9f (OpenPGP signer = a user id the keyring vouches for) and c6cfe0d
(decision log: damaged logs, the audit's belief in records).

Each finding test fails on w/red44 at c2fae9c for the reason its docstring names and asserts the secure behaviour.
Real gpg keyrings (the web-of-trust helper of tests/test_red42_hostile.py: an admin key ultimately trusted on the
server certifies the signer's user id), real `git commit -S`, real SQLite logs, the CLI in-process.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from gatekeeper.audit.decisionlog import open_log
from tests.leak_helpers import gk
from tests.provenance_helpers import check_json, findings, install_policy
from tests.repo_builder import RepoBuilder
from tests.test_red41_hostile import _entry, _sql, two_commits
from tests.test_red42_hostile import (
    POLICY,
    bob_commit_is_a_mismatch,
    pgp_commit,
    uid_validity,
    web_of_trust,
)

# -- 1. A vouched OpenPGP mailbox is read as a wildcard pattern ---------------------------------------------------

def test_openpgp_mailbox_with_a_wildcard_binds_to_every_author(repo: RepoBuilder, tmp_path: Path) -> None:
    """Finding (medium): the e-mail of a vouched OpenPGP user id is matched against the author as an OpenSSH
    *pattern* (`*`, `?`, `!`), though to GnuPG it is a literal mailbox.

    Attack: Mallory's key carries the user id `Ops Team <*@example.com>`; the admin certifies it (a shared team
    address; GnuPG itself reads the mailbox `*@example.com` literally: `gpg --list-keys '<bob@example.com>'` finds
    no key). After e5d5f9f that user id is the vouched signer, so bound_identity (gatekeeper/provenance/source.py:
    404) returns `*@example.com`, and ProvenanceCheck._mismatch (gatekeeper/checks/provenance.py:126) calls
    `match_pattern_list(author, identities)` — the allowed-signers principal matcher — which expands `*`. Mallory
    signs a commit authored by Bob: no `provenance/signer-mismatch`, the commit is judged signed by Bob.

    Severity medium: like red42's `<mallory@…> <bob@…>`, it needs a certifier who accepts an odd user id, but the
    result is stronger: one certification binds a key to every author at the domain (`?` variants are subtler:
    `b?b@example.com`).

    Secure behaviour: an OpenPGP mailbox is compared literally (case-insensitively) with the author's e-mail;
    only the admin-written allowed-signers principals are patterns. Mallory's signature on Bob's commit is a
    blocking mismatch.
    """
    uid = "Ops Team <*@example.com>"
    with web_of_trust(tmp_path, uid) as pgp:
        assert uid_validity(pgp.server_home, pgp.fpr)[uid] in "fu"  # the keyring vouches for this user id
        lookup = subprocess.run(["gpg", "--homedir", str(pgp.server_home), "--batch", "--list-keys",
                                 "<bob@example.com>"], capture_output=True, check=False)
        assert lookup.returncode != 0  # GnuPG: no key has Bob's mailbox
        bob_commit_is_a_mismatch(repo, pgp, "the mailbox '*@example.com' was matched as a pattern against "
                                 "bob@example.com")


def test_control_escaped_vouched_user_id_is_the_signer_not_the_unvouched_primary(repo: RepoBuilder, tmp_path: Path) -> None:
    """Control (held): Mallory's certified user id contains a literal `%25` (which gpg's status line writes as
    `%2525` and gatekeeper unescapes once); she adds `Bob <bob@example.com>` herself and makes it primary. The
    keyring vouches only for her own user id, so that — read back whole through both escapings — is the signer,
    and her signature on Bob's commit is a blocking mismatch: no escaping difference between GOODSIG and the colon
    listing makes `primary in vouched` true for the wrong user id."""
    with web_of_trust(tmp_path, "Mallory 100%25 <mallory@example.com>",
                      extra_primary_uid="Bob <bob@example.com>") as pgp:
        install_policy(repo, POLICY.format(extra=f"gpg_home: {pgp.server_home}\n"))
        repo.branch("feature")
        sha = pgp_commit(repo, pgp, "as bob", {"a.py": "x = 1\n"}, author=("Bob", "bob@example.com"))

        _code, data = check_json(repo)

    (report,) = data["commits"]
    assert report["signature"]["status"] == "good"
    assert report["signature"]["signer"] == "Mallory 100%25 <mallory@example.com>"
    assert [f["commit"] for f in findings(data, "provenance/signer-mismatch")] == [sha]


# -- 2. A record whose seq column is not a number stops every reader of the log -----------------------------------

def test_a_record_whose_seq_column_is_not_a_number_does_not_stop_verify_show_export(tmp_path: Path,
                                                                                   capsys) -> None:  # type: ignore[no-untyped-def]
    """Finding (low): c6cfe0d made the SQLite store name a head whose seq is not a number as damaged, and `log
    show/export` survive a record whose *body* is unreadable, but a record whose `seq` *column* is not a number
    (SQLite keeps any value in a non-STRICT table: one `UPDATE decisions SET seq = 'x'`) still raises ValueError
    in SqliteStore.records (gatekeeper/audit/sqlite_store.py:188, `int(row[2])`). `log verify`, `log show` and
    `log export` all die with "internal error" (exit 4): the one edited cell hides every chain of the log from the
    tools an investigator uses, and verify names no damage at all. (The audit dies the same way when the cell is
    in the audited repository's chain.)

    Severity low: needs write access to the log; the failure is loud, not "intact", but the evidence in every
    other chain cannot be read or checked with gatekeeper.

    Secure behaviour: a row whose seq is not an integer is reported like an unreadable record: `log verify` exits 1
    naming it, `log show`/`export` exit 0 and still show the other records.
    """
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    for i in range(2):
        store.append(_entry("github:acme/app", "block", (f"{i:040x}",)))
    store.append(_entry("github:acme/other", "allow", ("f" * 40,)))
    store.close()
    _sql(log, ("UPDATE decisions SET seq = 'x' WHERE repository = 'github:acme/other'", ()))

    code, out = gk(capsys, "log", "verify", "--log", str(log))
    assert code == 1 and "internal error" not in out, out
    code, out = gk(capsys, "log", "show", "--log", str(log))
    assert code == 0 and "internal error" not in out and "github:acme/app" in out, out
    code, out = gk(capsys, "log", "export", "--log", str(log), "--format", "json")
    assert code == 0 and "internal error" not in out, out


# -- 3. A logged decision named `period` overwrites the month in the audit ----------------------------------------

def test_a_logged_decision_name_does_not_overwrite_the_month_of_the_audit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Finding (low): gatekeeper/audit/mode.py:185 builds each month row as `{"period": k, **counts}` where the
    count keys are the `decision` strings of the log's records — which nothing holds to allow/warn/block/error
    (red41 sanitised them for the text report only). A record appended with decision `period` (hash-valid: the
    chain has no key) replaces the month with a number: the JSON audit says `{"period": 1, "allow": 1}` (the
    schema's period is a string), and the HTML chart labels that month `1`, so the month's real decisions are shown
    under no month at all.

    Severity low: needs write access to the log; it garbles rather than forges the report.

    Secure behaviour: only known decision names are counted as columns (others under e.g. `other`), or the counts
    sit under their own key: every month row's period is the month string from the records.
    """
    repo, head, log = two_commits(tmp_path)
    store = open_log(str(log))
    store.append(_entry(str(repo.path.resolve()), "period", (head,)))
    store.append(_entry(str(repo.path.resolve()), "allow", (head,)))
    store.close()
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--log", str(log))
    assert code == 0, out
    months = json.loads(out)["summary"]["decisions"]["months"]
    assert months and all(isinstance(row["period"], str) and len(row["period"]) == 7 for row in months), months


def test_a_body_edited_without_its_hash_is_not_joined_or_counted(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The lazy edit (noted by red44, fixed with its findings): a record's body changed from `block` to `allow`
    without recomputing its hash. `log verify` names it; the audit now neither joins it to the commit nor counts
    it in the months, and says it set a record aside."""
    repo, head, log = two_commits(tmp_path)
    store = open_log(str(log))
    store.append(_entry(str(repo.path.resolve()), "block", (head,)))
    store.close()
    _sql(log, ("UPDATE decisions SET body = replace(body, '\"decision\":\"block\"', '\"decision\":\"allow\"')", ()))
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--log", str(log))
    assert code == 0, out
    data = json.loads(out[: out.rindex("}") + 1])
    joined = {c["sha"]: c["decisions"] for c in data["commits"]}[head]
    assert joined == [], joined
    assert any("record(s) of the decision log" in n for n in data["summary"]["notes"]), data["summary"]["notes"]
