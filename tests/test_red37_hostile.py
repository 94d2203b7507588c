"""Red team (red37): where gatekeeper reads names from git differently from how git (or a client's file system)
tells them apart — the class of red36's `splitlines()` ref snapshot. Real repositories, and for the hook real
`git push` into a bare repository with the hook installed.

git allows any byte from 0x80 up in a ref name, valid UTF-8 or not. gatekeeper reads ref names as text decoded
with errors="replace" (hookinput.parse_input for the hook's stdin, Refs.refs / Refs.ref_targets for
for-each-ref), so `refs/heads/release/\\xfe` and `refs/heads/release/\\xff` — two refs to git — become one name,
`refs/heads/release/\\ufffd`, and every dict keyed by that name keeps only one of them.

Failing tests are findings (see each docstring: what a hostile pusher gains, severity); the others are controls
pinning what held."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audit_helpers import AI, DANA, audit, seeded
from tests.hook_helpers import MO, MOBILE, spush
from tests.repo_builder import RepoBuilder


def raw_ref(name: bytes) -> str:
    """A ref name with bytes that are not UTF-8, as a str that subprocess passes to git byte for byte."""
    return name.decode("utf-8", "surrogateescape")


# Two release branches (protected by `refs/heads/release/*` in TEST_POLICY and in the default policy) whose names
# differ only in a byte that is not UTF-8.
RELEASE_FE = raw_ref(b"refs/heads/release/\xfe")
RELEASE_FF = raw_ref(b"refs/heads/release/\xff")


# -- findings ---------------------------------------------------------------------------------------------------

def test_two_protected_refs_whose_names_decode_alike_land_an_unreviewed_mobile_commit(tmp_path: Path) -> None:
    """FINDING (high): an unreviewed mobile commit lands on a protected branch (release/*) through the hook.

    engine._commits_and_refs keys `reaching` (the commits each protected update brings) by the ref's *decoded*
    name. The attacker first pushes the mobile commit to an unprotected topic branch (accepted: no review needed
    there), then in one push creates `refs/heads/release/\\xfe` at that commit and `refs/heads/release/\\xff` at
    main's tip. Both updates are `refs/heads/release/\\ufffd` to gatekeeper: the second's (empty) set of arriving
    commits overwrites the first's, the mobile commit is already in the repository (so `new_commit_ids` does not
    name it either) and is judged under no ref at all — `review/missing` never fires. git creates both refs:
    the mobile commit now sits, unreviewed, on a branch the policy protects. (Alone, the same create is refused:
    see the control below.) Root cause: hookinput.parse_input decodes stdin with errors="replace" (and
    Refs.ref_targets does the same), so names git keeps apart share one key."""
    server, work = seeded(tmp_path)
    base = work.head()
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", "HEAD:refs/heads/topic").code == 0  # unprotected: accepted
    result = spush(server, work, "origin", f"{mobile}:{RELEASE_FE}", f"{base}:{RELEASE_FF}")
    assert server.tip(RELEASE_FE) is None, f"unreviewed mobile commit landed on a protected branch:\n{result.output}"
    assert result.code != 0
    # Fixed by refusing ref names that are not UTF-8 (the hook cannot tell such names apart as text).
    assert "ref name not UTF-8: 'refs/heads/release/\\xfe'" in result.output


def test_audit_loses_a_protected_branch_to_another_whose_name_decodes_alike(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """FINDING (medium): `gatekeeper audit` stops counting an unreviewed AI commit as on a protected branch.

    Refs.refs() decodes `for-each-ref` output with errors="replace" into a dict keyed by name, and
    audit.history.protected_tips builds the protected tips from it. `refs/heads/release/\\xfe` (holding an
    unreviewed AI commit) and `refs/heads/release/\\xff` (anything, e.g. main's tip, which a pusher can create at
    any time without review: nothing new arrives) become one key and the later ref wins: the first branch's tip
    is never walked as protected. The AI commit is reported as not on a protected branch and the list of
    unreviewed mobile/AI commits on protected branches is empty. (The same repository without the second ref
    lists it: see the assertion on `alone`.)"""
    base = repo.commit("base")
    agent = repo.commit("agent work" + AI)
    repo.git("reset", "-q", "--hard", base)
    repo.git("update-ref", RELEASE_FE, agent)
    alone = audit(capsys, repo.path, "--all")
    assert [i["subject"] for i in alone["summary"]["unreviewed_mobile_ai_on_protected"]["items"]] == ["agent work"]
    repo.git("update-ref", RELEASE_FF, base)
    data = audit(capsys, repo.path, "--all")
    assert len(data["summary"]["protected_refs"]) == 3, data["summary"]["protected_refs"]  # main and both releases
    assert {c["subject"]: c["protected"] for c in data["commits"]}["agent work"] is True
    assert [i["subject"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]] == ["agent work"]


@pytest.mark.parametrize("ref", [
    "refs/heads/relea\u017fe/2.0",  # LATIN SMALL LETTER LONG S: casefolds to `s` (APFS), upper-cases to `S` (NTFS)
    "refs/heads/ma\u0131n",  # LATIN SMALL LETTER DOTLESS I: upper-cases to `I` (NTFS's upcase table): MAIN
    "refs/tags/ma\u0131n",
    "refs/remotes/origin/ma\u0131n",
])
def test_a_ref_equal_to_a_protected_one_under_unicode_case_folding_is_refused(tmp_path: Path, ref: str) -> None:
    """FINDING (low/medium): the case-insensitive-client rule of `policy/ambiguous-ref` folds with str.lower().

    checks/refs.AmbiguousRefCheck refuses `refs/heads/MAIN`, `refs/tags/Main`, `refs/heads/Release/2.0` because a
    macOS or Windows clone stores loose refs as files and two names that differ only in case are one file there
    (`refs/heads/MAIN` fetched lands on origin/main). But it folds with `str.lower()`, which leaves U+017F (long s) and
    U+0131 (dotless i) alone, while those file systems fold them to ASCII: APFS (case-insensitive) by Unicode case folding
    (long s -> `s`), NTFS by its upcase table (long s -> `S`, dotless i -> `I`). So `refs/heads/relea<U+017F>e/2.0`
    or `refs/heads/ma<U+0131>n` is accepted: on such a client the fetched ref is written to the same file as
    origin/release/2.0 or origin/main (and a tag `ma<U+0131>n` is found for `main`), the very substitution the rule
    exists to stop. Expected: refused like `refs/heads/MAIN` (fold with casefold() and upper(), or refuse
    non-ASCII letters that fold to ASCII)."""
    server, work = seeded(tmp_path)
    bait = work.commit("bait\n", {"b.txt": "b\n"}, author=DANA, committer=DANA)
    work.git("reset", "-q", "--hard", "HEAD~1")
    result = spush(server, work, "origin", f"{bait}:{ref}")
    assert result.code != 0, result.output
    assert "policy/ambiguous-ref" in result.output
    assert server.tip(ref) is None


# -- controls ---------------------------------------------------------------------------------------------------

def test_control_one_undecodable_protected_ref_alone_is_refused(tmp_path: Path) -> None:
    """Held: a protected branch whose name is not UTF-8 does not take the mobile commit (before the fix it was
    judged as `release/\\ufffd` and needed review; now every ref name that is not UTF-8 is refused)."""
    server, work = seeded(tmp_path)
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", "HEAD:refs/heads/topic").code == 0
    result = spush(server, work, "origin", f"{mobile}:{RELEASE_FE}")
    assert result.code != 0
    assert "ref name not UTF-8" in result.output
    assert server.tip(RELEASE_FE) is None


def test_control_ascii_case_variants_stay_refused(tmp_path: Path) -> None:
    """Held: the ASCII case variants (and U+212A KELVIN SIGN, which str.lower() folds to `k`) are refused."""
    server, work = seeded(tmp_path)
    result = spush(server, work, "origin", "HEAD:refs/heads/RELEASE/2.0")
    assert result.code != 0 and "policy/ambiguous-ref" in result.output, result.output


def test_control_ref_names_with_unicode_line_separators_stay_one_name(tmp_path: Path) -> None:
    """Held (red36's fix, now also through the hook): a branch `main<U+2028>x` is its own unprotected branch;
    pushing it neither moves nor shadows main, and main's next push is judged against main's real tip."""
    server, work = seeded(tmp_path)
    main = work.head()
    other = work.commit("side\n", {"s.txt": "s\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "HEAD:refs/heads/main\u2028x").code == 0
    assert server.tip("refs/heads/main") == main
    work.git("reset", "-q", "--hard", main)
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "HEAD:main")
    assert result.code != 0 and f"review/missing {mobile[:12]}" in result.output, result.output
    assert other != mobile
