"""Issue #9 items closed on the hook side, proven with real pushes into a bare repository with the hook:
inline suppression refused for secrets by default and every suppression shown to the pusher (item 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hook_helpers import Server, make_server, seed, spush
from tests.repo_builder import RepoBuilder

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"
SCANNING = """\
version: 1
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [secrets], block_at: high, review: {approvals: 0}}
  default: {scanners: [secrets], block_at: high}
pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}
"""


@pytest.mark.parametrize("comment", ["ignore[*]", "ignore[secrets/*]", "ignore[secrets/aws-access-key]"])
def test_inline_ignore_cannot_silence_a_live_key_on_a_protected_ref(tmp_path: Path, comment: str) -> None:
    server = make_server(tmp_path / "srv", policy=SCANNING)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    work.commit("config\n", {"settings.py": f"KEY = '{AWS_KEY}'  # gatekeeper: {comment}\n"})
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "push REJECTED" in result.remote_text
    assert "secrets/aws-access-key" in result.remote_text
    assert "not honoured: policy inline_ignore.refuse names 'secrets'" in result.remote_text
    assert AWS_KEY not in result.output


def test_every_suppression_is_shown_to_the_pusher(tmp_path: Path) -> None:
    policy = SCANNING + "inline_ignore: {refuse: []}\n"
    server = make_server(tmp_path / "srv", policy=policy)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    work.commit("fixture\n", {"fixture.py": f"KEY = '{AWS_KEY}'  # gatekeeper: ignore[secrets/*]\n"})
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    assert "  suppressed: 1 finding(s) not counted (see the audit log or JSON report):" in result.remote
    assert any(line.startswith("    secrets/aws-access-key ") and "fixture.py:1: inline: gatekeeper: ignore[secrets/*]"
               in line for line in result.remote), result.remote_text
    assert AWS_KEY not in result.output



IN_REPO = """\
version: 1
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}
"""
STRICT = IN_REPO.replace("review: {approvals: 1}", "review: {approvals: 2}")


@pytest.fixture
def repo_policy(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("Add the policy\n", {".gatekeeper.yml": IN_REPO})
    assert spush(server, work, "origin", "main").code == 0
    return server, work


@pytest.mark.parametrize("path", [".github/workflows/ci.yml", ".github/CODEOWNERS", "CODEOWNERS",
                                  "docs/CODEOWNERS"])
def test_one_definition_of_gate_configuration_in_the_hook(repo_policy: tuple[Server, RepoBuilder],
                                                          path: str) -> None:
    """Issue #9 item 6 / #13: CODEOWNERS and workflows are gate configuration for pre-receive too."""
    server, work = repo_policy
    before = server.tip()
    work.commit("tweak\n", {path: "* @someone\n"})
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code != 0, result.output
    assert any(line.startswith("  policy/changed ") and path in line for line in result.remote), result.remote_text
    assert server.tip() == before


def test_merge_with_an_ancestor_that_takes_its_old_policy_is_caught(repo_policy: tuple[Server, RepoBuilder]) -> None:
    """A merge whose second parent is an old main commit, resolved to that commit's weaker policy."""
    server, work = repo_policy
    old = work.head()
    work.commit("Tighten\n\nReviewed-by: Rita Reviewer <rita@example.com>\n", {".gatekeeper.yml": STRICT})
    assert spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"}).code == 0
    before = server.tip()
    assert before is not None
    work.git("checkout", old, "--", ".gatekeeper.yml")
    tree = work.git("write-tree")
    merge = work.git("commit-tree", tree, "-p", before, "-p", old, "-m", "Merge old main")
    work.git("reset", "-q", "--hard", merge)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "dana"})
    assert result.code != 0, result.output
    assert any(line.startswith(f"  policy/changed {merge[:12]}: ") and ".gatekeeper.yml" in line
               for line in result.remote), result.remote_text
    assert server.tip() == before


def test_trusted_files_are_never_read_through_a_symlink(tmp_path: Path) -> None:
    """trusted.py reads every trusted file: a registry committed as a symlink is a config error, not
    the link's target text or a followed file."""
    from gatekeeper.errors import ConfigError
    from gatekeeper.git import Git
    from gatekeeper.provenance.source import git_reader

    work = RepoBuilder.init(tmp_path / "w")
    (work.path / ".gatekeeper").mkdir()
    (work.path / ".gatekeeper" / "devices.yml").symlink_to("/etc/passwd")
    work.git("add", "-A")
    sha = work.commit("link\n")
    with pytest.raises(ConfigError, match="is a symlink, not a file"):
        git_reader(Git(work.path), sha, None)(Path(".gatekeeper/devices.yml"))


@pytest.mark.parametrize(("bad", "where"), [
    ("pre_receive: {budget_seconds: .nan, scanners: [], defer: []}\non_timeout: warn\n",
     "pre_receive.budget_seconds: must be a finite number"),
    ("ignore:\n  - {rule: semgrep/x, reason: r, expires: 2027-02-30}\n", "ignore[0].expires: line"),
    ("on_timeout: !!python/object/apply:os.system ['true']\n", "on_timeout: line"),
])
def test_a_hostile_policy_on_main_fails_closed_with_the_key_path(tmp_path: Path, bad: str, where: str) -> None:
    """Issue #9 items 16 and 25 with real pushes: a NaN budget never accepts pushes unchecked, and an
    impossible date or a bad tag is a config error naming the key — not an internal error."""
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    base = IN_REPO.replace("pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}\n", "")
    work.commit("Add the policy\n", {".gatekeeper.yml": base + bad})
    assert spush(server, work, "origin", "main").code == 0  # the first push: no policy before it
    before = server.tip()
    work.commit("change\n", {"a.py": "A = 1\n"})
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "could not evaluate" in result.remote_text and where in result.remote_text, result.remote_text
    assert "internal error" not in result.remote_text
    assert server.tip() == before
