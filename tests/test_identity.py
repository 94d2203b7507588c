"""One identity rule (gatekeeper/identity.py): who a person is, who wrote a commit, who is a bot.

Pinned here because three review paths (Reviewed-by trailers at push time, forge merges, GitHub reviews)
and the audit's review evidence all answer "is the reviewer one of the change's people?" with it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gatekeeper.identity import (
    Identity,
    coauthors,
    commit_people,
    is_human,
    people,
    signer_identity,
    valid_login,
    wrote,
)
from gatekeeper.models import Commit, Person, SignatureInfo, SignatureStatus
from gatekeeper.trailers import parse_trailers
from tests.hook_helpers import MO, MOBILE, TEST_POLICY, make_server, seed, spush

MALLORY = ("Mallory", "mallory@example.com")


@pytest.mark.parametrize("pusher", ["mallory", "mo"])
def test_a_signer_impersonating_the_author_cannot_review_her_own_commit(tmp_path: Path, pusher: str) -> None:
    """The attack: Mallory writes a mobile commit under Mo's name (author and committer), signs it with her
    own registered key and adds `Reviewed-by: Mallory`. The signature proves Mallory made the commit
    object; the author field is only what she typed. Her review must count as a self-review whether she
    pushes it (the pusher vouches for the claim) or Mo does (her signature vouches for it)."""
    from tests.provenance_helpers import keygen

    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    keys = tmp_path / "keys"
    keys.mkdir()
    mallory = keygen(keys, "mallory", "-t", "ed25519")
    signers = tmp_path / "allowed_signers"
    signers.write_text(f'mallory@example.com namespaces="git" {mallory.line}\n')
    server = make_server(tmp_path / "srv", policy=TEST_POLICY + f"allowed_signers: {signers}\n")
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    before = server.tip()
    work.git("config", "gpg.format", "ssh")
    sha = work.commit("phone fix" + MOBILE + "Reviewed-by: Mallory <mallory@example.com>\n", {"m.py": "m = 1\n"},
                      author=MO, committer=MO, extra_args=(f"--gpg-sign={mallory.private}",))
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": pusher})
    commit = server.last_verdict()["commits"][0]
    assert commit["signature"]["status"] == "good" and commit["signature"]["signer"] == "mallory@example.com"
    review = commit["review"]
    assert review["status"] == "self", review
    assert result.code != 0 and server.tip() == before
    assert result.remote[1].startswith(f"  review/self-approved {sha[:12]}: "), result.remote


# -- the unified rule, one behaviour at a time -------------------------------------------------------------

def _commit(message: str = "m", *, author: tuple[str, str] = ("Mo Bile", "mo@example.com"),
            committer: tuple[str, str] | None = None) -> Commit:
    return Commit("1" * 40, (), Person(*author), Person(*(committer or author)), 0, 0, message,
                  parse_trailers(message))


def test_a_commits_people_are_author_committer_coauthors_and_signer() -> None:
    commit = _commit("fix\n\nCo-authored-by: Carol <123+carol@users.noreply.github.com>\n",
                     committer=("Cody", "cody@example.com"))
    good = SignatureInfo(SignatureStatus.GOOD, "ssh", signer="mallory@example.com")
    keys = [p.keys() for p in commit_people(commit, signature=good)]
    assert {"mo bile", "mo@example.com", "mo"} <= keys[0] and "cody" in keys[1]
    assert "carol" in keys[2] and "mallory" in keys[3]
    assert wrote(Identity(login="carol"), commit)
    assert wrote(Identity(login="cody"), commit) and not wrote(Identity(login="cody"), commit, committer=False)
    assert not wrote(Identity(login="mallory"), commit)
    assert wrote(Identity(login="mallory"), commit, signature=good)


@pytest.mark.parametrize("status", [SignatureStatus.GOOD, SignatureStatus.REVOKED, SignatureStatus.EXPIRED,
                                    SignatureStatus.BAD])
def test_any_signer_a_signature_names_is_one_of_the_people_but_only_a_good_one_verifies(
        status: SignatureStatus) -> None:
    sig = SignatureInfo(status, "ssh", signer="Mallory <mallory@example.com>")
    assert wrote(Identity(login="mallory"), _commit(), signature=sig)
    assert (signer_identity(sig) is not None) is (status is SignatureStatus.GOOD)
    assert signer_identity(SignatureInfo()) is None


def test_coauthor_lines_count_anywhere_in_the_message() -> None:
    """Was: the push path read only git's trailer block, the Action any line; now both read both."""
    message = "fix\n\nCo-authored-by: Rita Reviewer <rita@example.com>\n\nSigned-off-by: Mo <mo@example.com>\n"
    commit = _commit(message)
    assert commit.trailer_values("co-authored-by") == ()  # not a trailer by git's rules
    assert wrote(Identity(login="rita"), commit)
    assert [str(p) for p in coauthors(message)] == ["Rita Reviewer <rita@example.com>"]
    assert coauthors("x\n\nCo-authored-by: \n") == []


@pytest.mark.parametrize(("person", "bot"), [
    (Identity(login="dependabot[bot]"), True),
    (Identity(login="renovate-bot"), True),
    (Identity(name="Release-Bot", email="release@example.com"), True),  # was: only the last spelling
    (Identity(email="ci-bot@example.com"), True),
    (Identity(name="GitHub", email="noreply@github.com"), True),  # web-flow
    (Identity(email="123+octocat@users.noreply.github.com"), False),
    (Identity(name="Abbot", login="abbot"), False),
    (Identity(login="bob-smith"), False),
])
def test_bots(person: Identity, bot: bool) -> None:
    assert person.is_bot is bot
    if person.login:
        assert is_human(person.login, "User") is (not bot)


def test_github_accounts_that_are_not_users_are_never_human() -> None:
    assert is_human("octocat", "User")
    assert not is_human("octocat", "Bot") and not is_human("octocat", "Organization")
    assert not is_human("octo\x1b[31m", "User") and not is_human("", "User")


@pytest.mark.parametrize(("login", "valid"), [
    ("octocat", True), ("a", True), ("bob-smith", True), ("a" * 39, True), ("dependabot[bot]", True),
    # Enterprise Managed Users: `<handle>_<shortcode>`, the shortcode 3 to 8 alphanumerics, 39 in all.
    ("bob_octo", True), ("Bob-Smith_acmecorp", True), ("b_abc", True), ("a" * 30 + "_octocorp", True),
    ("a" * 31 + "_octocorp", False), ("bob_ab", False), ("bob_abcdefghi", False), ("bob_octo_x", False),
    ("_octo", False), ("bob_", False), ("bob_oc-to", False), ("-bob", False), ("a" * 40, False),
    ("", False), ("bob\n", False), ("bob octo", False), ("bob[bot]x", False), ("[bot]", False),
])
def test_valid_login(login: str, valid: bool) -> None:
    assert valid_login(login) is valid
    shouted = login.upper().replace("[BOT]", "[bot]")
    assert valid_login(shouted) is valid  # logins compare case-insensitively; any case is well-formed


def test_an_enterprise_managed_user_is_a_human_reviewer_and_matched_by_login() -> None:
    assert is_human("bob_octo", "User")
    assert people(logins=["Bob_Octo"]).includes(Identity(login="bob_octo"))
    assert not people(logins=["bob_octo"]).includes(Identity(login="bob_acme"))


def test_people_membership_is_same_person() -> None:
    who = people(logins=["Alice", None, ""], emails=["bob@corp.example", None],
                 messages=["x\n\nCo-authored-by: Dave <dave@users.noreply.github.com>"])
    for login in ("alice", "ALICE", "bob", "dave"):
        assert who.includes(Identity(login=login)), login
    assert who.includes(Identity(email="BOB@corp.example"))
    assert not who.includes(Identity(login="erin"))
    assert who.merged(people(logins=["erin"])).includes(Identity(login="erin"))
    assert people().spellings == frozenset()


def test_identity_rules_are_defined_once() -> None:
    import ast

    pkg = Path(__file__).parents[1] / "gatekeeper"
    rules = {"Identity", "Identities", "People", "parse_identity", "same_person", "commit_people", "wrote", "is_human",
             "is_bot", "valid_login", "coauthor_emails", "coauthors", "login_from_email"}
    for path in pkg.rglob("*.py"):
        if path.name == "identity.py" and path.parent == pkg:
            continue
        defined = {n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                   if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        assert not defined & rules, f"{path} defines {defined & rules}: identity rules live in gatekeeper/identity.py"
