"""`gatekeeper audit` on small real repositories the tests build: classes, agents, signatures, review
evidence, DCO, zones, the protected line, the decision-log join, ranges, bad input, hostile data, and
the published JSON schema. (The HTML report in a real browser: test_audit_html.py.)"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gatekeeper.audit.decisionlog import Entry, open_log
from gatekeeper.audit.history import AuditRange, CommitAudit, Summary
from gatekeeper.audit.mode import forge_of
from gatekeeper.audit.render import JsonWriter, commit_dict
from gatekeeper.cli import run
from tests.provenance_helpers import Key, make_keys, registry_with, signed_commit
from tests.repo_builder import RepoBuilder

SCHEMA = json.loads((Path(__file__).parents[1] / "gatekeeper" / "schema" / "audit.schema.json").read_text())
WEB_FLOW = ("GitHub", "noreply@github.com")
POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
protected_refs: ["refs/heads/main"]
zones:
  - {name: payments, paths: ["src/payments/**"], mobile: block}
devices: .gatekeeper/devices.yml
"""


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)


def gk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def audit_json(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> dict[str, Any]:
    code, out, err = gk(capsys, "audit", "--repo", str(repo), "--format", "json", *args)
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    return data


def by_subject(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["subject"]: c for c in data["commits"]}


@pytest.fixture
def history(repo: RepoBuilder, keys: dict[str, Key]) -> RepoBuilder:
    """main: policy, plain work, a mobile commit straight to main (unreviewed), a Gerrit-reviewed commit,
    an AI commit that arrived through a GitHub PR merge, a revoked phone's signed commit, a sign-off; a
    feature branch with a mobile commit never merged."""
    from gatekeeper.provenance import allowed_signers_text, dump_registry

    registry = registry_with({"key": keys["alice"], "id": "pixel-alice", "owner": "alice@example.com",
                              "managed": False, "revoked_at": dt.datetime(2026, 2, 1, tzinfo=dt.UTC)})
    repo.commit("policy", {".gatekeeper.yml": POLICY, ".gatekeeper/devices.yml": dump_registry(registry),
                           ".gatekeeper/allowed_signers": allowed_signers_text(registry)})
    repo.commit("plain work", {"a.txt": "1\n"})
    repo.commit("phone fix to payments\n\nOrigin-Device: mobile\nOrigin-Device-Id: pixel-jdoe\n",
                {"src/payments/pay.py": "x = 1\n"}, author=("Jo Doe", "jo@example.com"))
    repo.commit("gerrit change\n\nChange-Id: I0123456789abcdef\nReviewed-on: https://go-review.googlesource.com/c/x/+/1"
                "\nReviewed-by: Rita Reviewer <rita@example.com>\n", {"b.txt": "1\n"})
    repo.branch("feature")
    repo.commit("agent work\n\nAssisted-by: codex-mobile:gpt-5-codex\n", {"c.txt": "1\n"})
    repo.checkout("main")
    repo.commit("main moves on", {"d.txt": "1\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from jo/feature\n\nagent work", "feature",
             env={"GIT_COMMITTER_NAME": WEB_FLOW[0], "GIT_COMMITTER_EMAIL": WEB_FLOW[1]})
    signed_commit(repo, "from the lost phone", keys["alice"], {"e.txt": "1\n"},
                  author=("Alice", "alice@example.com"))
    repo.commit("signed off", {"f.txt": "1\n"}, extra_args=("--signoff",))
    repo.branch("wip")
    repo.commit("unmerged phone work\n\nOrigin-Device: tablet\n", {"g.txt": "1\n"})
    repo.checkout("main")
    return repo


def test_audit_json_reports_each_commit_and_the_summary(history: RepoBuilder,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = audit_json(capsys, history.path)
    commits = by_subject(data)
    count = int(history.git("rev-list", "--count", "HEAD"))
    assert len(data["commits"]) == count == data["summary"]["commits"]
    assert "unmerged phone work" not in commits  # HEAD's history only
    assert all(c["protected"] for c in data["commits"])

    phone = commits["phone fix to payments"]
    assert phone["class"] == "mobile" and phone["mobile"] and phone["origin"]["device_id"] == "pixel-jdoe"
    assert phone["review"]["evidence"] == "none" and phone["zones"][0]["path"] == "src/payments/pay.py"

    gerrit = commits["gerrit change"]["review"]
    assert gerrit["evidence"] == "gerrit" and gerrit["change_id"] == "I0123456789abcdef"
    assert gerrit["reviewers"] == ["Rita Reviewer <rita@example.com>"]

    agent = commits["agent work"]
    assert agent["ai"]["involvement"] == "assisted"
    assert agent["ai"]["agents"] == [{"id": "codex-mobile", "model": "gpt-5-codex", "session": None,
                                      "source": "ai/trailer"}]
    merge = commits["Merge pull request #7 from jo/feature"]
    assert merge["merge"] and merge["review"]["evidence"] == "forge-pr-merge" and merge["review"]["pr"] == 7
    assert merge["dco"] is None

    lost = commits["from the lost phone"]
    assert lost["signature"]["status"] == "revoked" and lost["origin"]["device_id"] == "pixel-alice"
    assert lost["class"] == "mobile"  # a revoked phone's commit is still a phone's commit
    assert commits["signed off"]["dco"] is True and commits["plain work"]["dco"] is False

    s = data["summary"]
    assert s["protected_refs"] == ["refs/heads/main"] and s["protected_commits"] == count
    unreviewed = {i["subject"]: i for i in s["unreviewed_mobile_ai_on_protected"]["items"]}
    # The agent's commit came in through PR #7 (reviewed); the phone fix and the lost phone's commit did not.
    assert set(unreviewed) == {"phone fix to payments", "from the lost phone"}
    assert s["reviews"]["forge-pr-merge (via merge)"]["count"] == 1
    # The periods count the same reviewed commits as the totals, "via merge" ones included (red77).
    reviewed = sum(v["count"] for k, v in s["reviews"].items()
                   if k.split(" (")[0] in ("forge-pr-merge", "gerrit", "reviewed-by-verified"))
    assert sum(r["reviewed"] for r in s["months"]) == sum(r["reviewed"] for r in s["weeks"]) == reviewed == 3
    # ... through a merge anyone could have made to look like GitHub's: listed as resting on unverified evidence.
    (merged,) = s["unverified_review_mobile_ai_on_protected"]["items"]
    assert (merged["subject"], merged["trust"]) == ("agent work", "heuristic")
    assert merged["via"] == commits["Merge pull request #7 from jo/feature"]["sha"]
    assert [i["subject"] for i in s["revoked_on_protected"]["items"]] == ["from the lost phone"]
    assert s["revoked_on_protected"]["items"][0]["device_id"] == "pixel-alice"
    assert s["zone_violations"]["total"] == 1 and "payments" in s["zone_violations"]["items"][0]["message"]
    assert s["classes"]["mobile"]["count"] == 2 and s["mobile"]["count"] == 2
    assert s["ai"]["assisted"]["count"] == 1 and s["top_agents"] == [{"id": "codex-mobile", "commits": 1}]
    assert {d["id"] for d in s["top_devices"]} == {"pixel-jdoe", "pixel-alice"}
    assert sum(row["commits"] for row in s["months"]) == count == sum(row["commits"] for row in s["weeks"])
    assert s["unsigned_on_protected"]["total"] == count - 1
    assert s["complete"] and s["decisions"] is None


def test_all_refs_marks_what_never_reached_a_protected_branch(history: RepoBuilder,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = audit_json(capsys, history.path, "--all")
    commits = by_subject(data)
    wip = commits["unmerged phone work"]
    assert wip["protected"] is False and wip["class"] == "tablet"
    assert len(data["commits"]) == len({c["sha"] for c in data["commits"]})  # each commit once
    unreviewed = [i["subject"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]
    assert "unmerged phone work" not in unreviewed


def test_ranges_and_dates(history: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    data = audit_json(capsys, history.path, "--rev-range", "HEAD~2..HEAD")
    assert [c["subject"] for c in data["commits"]] == ["signed off", "from the lost phone"]
    assert "HEAD~2..HEAD" in data["range"]
    empty = audit_json(capsys, history.path, "--rev-range", "HEAD..HEAD")
    assert empty["commits"] == [] and "the range holds no commits" in empty["summary"]["notes"]
    future = audit_json(capsys, history.path, "--since", "2099-01-01")
    assert future["summary"]["commits"] == 0
    code, _, err = gk(capsys, "audit", "--repo", str(history.path), "--rev-range", "HEAD...main")
    assert code == 2 and "symmetric" in err
    code, _, err = gk(capsys, "audit", "--repo", str(history.path), "--rev-range", "nope..HEAD")
    assert code == 4 and "unknown revision 'nope'" in err
    code, _, err = gk(capsys, "audit", "--repo", str(history.path), "--since", "--exec=x")
    assert code == 2 and "invalid date" in err


def test_text_summary_trims_lists_and_says_so(history: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = gk(capsys, "audit", "--repo", str(history.path), "--list-cap", "3")
    assert code == 0
    assert "mobile or AI commits on a protected branch with no review evidence: 2" in out
    assert "revoked-key commits on a protected branch: 1" in out
    assert "more not shown" in out and "--list-cap" in out
    assert "origin class:" in out and "mobile 2 (" in out


def test_empty_repository_and_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = RepoBuilder.init(tmp_path / "empty")
    code, _, err = gk(capsys, "audit", "--repo", str(empty.path))
    assert code == 4 and "no commits yet" in err
    (tmp_path / "plain").mkdir()
    code, _, err = gk(capsys, "audit", "--repo", str(tmp_path / "plain"))
    assert code == 4 and "not a git repository" in err


def test_shallow_clone_is_audited_and_said(history: RepoBuilder, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", history.path.as_uri(), str(shallow)], check=True)
    data = audit_json(capsys, shallow)
    assert data["summary"]["commits"] >= 3 and data["summary"]["complete"] is False
    assert any("shallow" in note for note in data["summary"]["notes"])


def test_missing_objects_are_reported_and_the_rest_audited(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = RepoBuilder.init(tmp_path / "broken")
    shas = [repo.commit(f"c{i}", {"f.txt": f"{i}\n"}) for i in range(6)]
    victim = repo.path / ".git" / "objects" / shas[2][:2] / shas[2][2:]
    victim.unlink()  # loose objects: the third commit is gone
    data = audit_json(capsys, repo.path)
    # What git could walk before the hole is audited (git reads a commit's parents before printing it).
    assert [c["subject"] for c in data["commits"]][:2] == ["c5", "c4"]
    assert data["summary"]["complete"] is False
    assert any("missing objects" in note and shas[2] in note for note in data["summary"]["notes"])


def test_decision_log_join(history: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = history.head()
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    store.append(Entry(repository="acme/app", mode="pre-receive", event="decision", decision="block", exit_code=1,
                       commits=(head,), blocking_rules=("review/missing",)))
    store.append(Entry(repository="acme/app", mode="pre-receive", event="decision", decision="allow", exit_code=0,
                       commits=(head,)))
    # The same commit judged in another repository the log serves: never joined as this one's decision.
    store.append(Entry(repository="mallory/scratch", mode="pre-receive", event="decision", decision="allow",
                       exit_code=0, commits=(head,)))
    store.close()
    # The names the audit derives (paths, the forge's name) are not the one these records use: nothing joined,
    # and the report says how to name it.
    data = audit_json(capsys, history.path, "--log", str(log))
    assert by_subject(data)["signed off"]["decisions"] == []
    assert data["summary"]["decisions"]["records"] == 0
    assert any("--log-repository" in note and "2 other repositories" in note for note in data["summary"]["notes"])
    data = audit_json(capsys, history.path, "--log", str(log), "--log-repository", "acme/app")
    mine = by_subject(data)["signed off"]
    assert [(d["seq"], d["decision"]) for d in mine["decisions"]] == [(1, "block"), (2, "allow")]
    decisions = data["summary"]["decisions"]
    assert decisions["records"] == 2 and decisions["commits_by_decision"] == {"allow": 1, "block": 1}
    assert decisions["repositories"] == ["acme/app"]
    # Records under other names are not joined, but said (a renamed repository keeps its old name's records).
    assert any("other repository name" in note and "'mallory/scratch'" in note and "acme/app" not in note
               for note in data["summary"]["notes"])
    assert decisions["top_blocking_rules"] == [{"rule": "review/missing", "count": 1}]
    # An unreadable log is a note, never a failure: the audit reports, it does not gate.
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"x" * 5000)
    data = audit_json(capsys, history.path, "--log", str(junk))
    assert any(n.startswith("decision log not joined") for n in data["summary"]["notes"])


def test_hostile_commit_data_is_escaped(repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = "</td><script>alert(1)</script>\x1b[31mred\x1b[0m \u202eevil"
    repo.commit(f"{evil}\n\nOrigin-Device: mobile\n", {"x.txt": "1\n"}, author=('<img src=x onerror=alert(1)>',
                                                                               "a@example.com"))
    code, out, _ = gk(capsys, "audit", "--repo", str(repo.path))
    assert code == 0 and "\x1b" not in out and "\u202e" not in out
    html_file = tmp_path / "r.html"
    code, _, _ = gk(capsys, "audit", "--repo", str(repo.path), "--format", "html", "--output", str(html_file))
    page = html_file.read_text()
    assert code == 0 and "<script>" not in page and "<img" not in page
    assert "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Nor does the page let a subject reorder or hide what a reader sees, any more than the text does.
    assert "\x1b" not in page and "\u202e" not in page and "red evil" in page
    data = audit_json(capsys, repo.path)
    assert data["commits"][0]["subject"].startswith("</td><script>")  # JSON keeps the data, escaped by JSON


def test_plain_commits_render_exactly_like_the_full_form(repo: RepoBuilder,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit('quote " backslash \\ and ünïcode', {"a.txt": "1\n"}, author=('Zoë "Z" O\'Neil', "z@example.com"))
    repo.commit("signed off, nothing else\n\nSigned-off-by: Zoë <z@example.com>\n", {"a.txt": "2\n"},
                author=("Zoë", "z@example.com"))
    repo.commit("signed off by someone else\n\nSigned-off-by: Other <o@example.com>\n", {"a.txt": "3\n"})
    data = audit_json(capsys, repo.path)
    captured: list[CommitAudit] = []
    from gatekeeper.audit.history import AuditRequest, resolve_range, run_audit
    from gatekeeper.config import default_policy
    from gatekeeper.git import Git
    from gatekeeper.provenance.source import filesystem_reader

    git = Git(repo.path)
    run_audit(AuditRequest(git, default_policy(), filesystem_reader, resolve_range(git, None, None, False),
                           dt.datetime.now(dt.UTC)), captured.append)
    assert [a.plain for a in captured] == [True, True, True]
    assert [a.dco for a in captured] == [False, True, False]
    for rendered, audit in zip(data["commits"], captured, strict=True):
        assert rendered == json.loads(json.dumps(commit_dict(audit)))


def test_json_writer_streams(tmp_path: Path) -> None:
    """Commits reach the output as they are judged, before the summary exists."""
    import io

    out = io.StringIO()
    writer = JsonWriter(out, {"schema_version": 1})
    assert out.getvalue().endswith('"commits":[')
    writer.close({"commits": 0})
    assert json.loads(out.getvalue()) == {"schema_version": 1, "commits": [], "summary": {"commits": 0}}
    assert Summary(list_cap=3).unreviewed.cap == 3
    assert AuditRange((), (), True, None, "x").every_ref


@pytest.mark.parametrize(("url", "expected"), [
    ("https://github.com/opencontainers/runc.git", "https://github.com/opencontainers/runc"),
    ("git@github.com:opencontainers/runc.git", "https://github.com/opencontainers/runc"),
    ("https://x-access-token:ghp_secret@github.com/o/r", "https://github.com/o/r"),
    ("ssh://git@gitlab.com/group/sub/project.git", "https://gitlab.com/group/sub/project"),
    ("https://evil.example/o/r", None),
    ("javascript:alert(1)//github.com/o/r", None),
    ("https://github.com/o/r\"><script>", None),
    ("https://github.com/../../x", None),
    ("https://github.com/o/r/extra", None),
    ("https://github.com/./evil", None),
    ("https://gitlab.com/x/-/raw/y", None),
    ("git@gitlab.com:group/-sub/project.git", None),
    (None, None),
])
def test_forge_links_come_only_from_known_forges(url: str | None, expected: str | None) -> None:
    forge = forge_of(url)
    assert (forge.base if forge else None) == expected
    if forge is not None:
        assert "secret" not in forge.base


def test_partial_clone_is_audited_without_fetching(history: RepoBuilder, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    history.git("config", "uploadpack.allowFilter", "true")
    partial = tmp_path / "partial"
    subprocess.run(["git", "clone", "-q", "--no-checkout", "--filter=blob:none", history.path.as_uri(), str(partial)],
                   check=True)
    objects_before = sorted(p.name for p in (partial / ".git" / "objects" / "pack").iterdir())
    data = audit_json(capsys, partial)
    assert data["summary"]["commits"] == int(history.git("rev-list", "--count", "HEAD"))
    assert any("partial clone" in note for note in data["summary"]["notes"])
    assert any("built-in default policy was used" in note for note in data["summary"]["notes"])
    # Nothing was fetched behind the audit's back (zones need trees and blobs: they are skipped, and said so).
    assert sorted(p.name for p in (partial / ".git" / "objects" / "pack").iterdir()) == objects_before


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib
    import io

    from gatekeeper.audit.mode import _progress_bar

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert isinstance(_progress_bar(True), contextlib.nullcontext)  # piped
    monkeypatch.setattr("sys.stderr", Tty())
    assert not isinstance(_progress_bar(True), contextlib.nullcontext)  # a terminal
    assert isinstance(_progress_bar(False), contextlib.nullcontext)  # --no-progress
    monkeypatch.setenv("CI", "true")
    assert isinstance(_progress_bar(True), contextlib.nullcontext)  # CI


def test_a_bare_repository_is_audited_with_the_policy_at_head(repo: RepoBuilder, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("work", {"a.txt": "1\n"})
    plain = tmp_path / "plain.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(plain)], check=True)
    repo.commit("policy", {".gatekeeper.yml": POLICY.replace("devices: .gatekeeper/devices.yml\n", "")})
    with_policy = tmp_path / "with-policy.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(with_policy)], check=True)

    data = audit_json(capsys, plain)
    assert data["policy"] == "built-in default" and not data["summary"]["notes"]
    data = audit_json(capsys, with_policy)
    head = repo.git("rev-parse", "HEAD").strip()
    assert data["policy"] == f"HEAD:.gatekeeper.yml at {head[:12]}" and not data["summary"]["notes"]


def test_commit_times_outside_the_calendar_are_reported_not_fatal(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A committer chooses the commit's time: year 33658 must not stop the audit of a whole history (it raised
    ValueError and left half a JSON document); it is shown within the schema's calendar, and the summary says how
    many were out of it. A negative time is unreadable to git's raw reader and counts as 0, as before."""
    repo = RepoBuilder.init(tmp_path / "r")
    tree = repo.git("hash-object", "-t", "tree", "-w", "/dev/null").strip()
    parent = None
    for when in (999_999_999_999, 253_402_300_800, -99_999_999_999, 1_700_000_000):
        header = f"tree {tree}\n" + (f"parent {parent}\n" if parent else "")
        raw = (f"{header}author A <a@example.com> {when} +0000\ncommitter A <a@example.com> {when} +0000\n\n"
               f"at {when}\n").encode()
        parent = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
                                cwd=repo.path, input=raw, capture_output=True, check=True).stdout.decode().strip()
    repo.git("update-ref", "refs/heads/main", parent)
    repo.git("symbolic-ref", "HEAD", "refs/heads/main")
    data = audit_json(capsys, repo.path)  # validated against the published schema
    times = {c["subject"]: c["time"] for c in data["commits"]}
    assert times == {"at 999999999999": "9999-12-31T23:59:59Z", "at 253402300800": "9999-12-31T23:59:59Z",
                     "at -99999999999": "1970-01-01T00:00:00Z", "at 1700000000": "2023-11-14T22:13:20Z"}
    assert any(note.startswith("2 commit(s) carry a commit time outside years 1-9999")
               for note in data["summary"]["notes"])
    for fmt in ("text", "html"):
        code, out, _ = gk(capsys, "audit", "--repo", str(repo.path), "--format", fmt, "--no-progress")
        assert code == 0 and out


# -- which merge brought a commit: the landing walk and the first-parent shortcut ------------------------------

def _landing_history(repo: RepoBuilder) -> dict[str, str]:
    """main with a PR merge, a merge of a merge, a commit straight on main and a branch never merged."""
    made = {"root": repo.commit("root", {"a": "1"})}
    repo.branch("feature")
    made["feature work"] = repo.commit("feature work", {"f": "1"})
    repo.branch("nested")
    made["nested work"] = repo.commit("nested work", {"n": "1"})
    repo.checkout("feature")
    made["feature more"] = repo.commit("feature more", {"f": "2"})
    made["merge nested"] = repo.merge("nested", "merge nested")
    repo.checkout("main")
    made["direct"] = repo.commit("direct", {"d": "1"})
    made["merge feature"] = repo.merge("feature", "Merge pull request #3 from x/feature")
    made["after"] = repo.commit("after", {"e": "1"})
    repo.branch("stray")
    made["stray"] = repo.commit("stray", {"s": "1"})
    repo.checkout("main")
    return made


def test_landings_name_the_merge_that_brought_each_commit(repo: RepoBuilder) -> None:
    from gatekeeper.git import Git, Landing

    made = _landing_history(repo)
    git = Git(repo.path)
    main = {"refs/heads/main": made["after"]}
    found = git.landings(list(made.values()), main)
    # The commits of the feature branch (and the nested one) arrived through the PR merge; those committed
    # onto main land as themselves; the stray branch never reached main.
    brought = ("feature work", "nested work", "feature more", "merge nested")
    assert found == {**{made[k]: (Landing("refs/heads/main", made["merge feature"], frozenset()),) for k in brought},
                     **{made[k]: (Landing("refs/heads/main", made[k], frozenset()),)
                        for k in ("root", "direct", "merge feature", "after")}}
    assert git.landings([], main) == {} and git.landings([made["root"]], {}) == {}
    # git cannot walk a tip that is not there: nothing is traced (None, which the audit says in a note).
    assert git.landings([made["root"]], {"refs/heads/main": "1" * 40}) is None


def _pr_merge(repo: RepoBuilder, branch: str, number: int) -> None:
    repo.git("merge", "-q", "--no-ff", "-m", f"Merge pull request #{number} from x/{branch}", branch,
             env={"GIT_COMMITTER_NAME": WEB_FLOW[0], "GIT_COMMITTER_EMAIL": WEB_FLOW[1]})


def _mobile(repo: RepoBuilder, subject: str, when: int | None = None) -> str:
    return repo.commit(f"{subject}\n\nOrigin-Device: mobile\n", {subject.replace(" ", "-"): "1"}, when=when)


def test_commits_on_a_first_parent_line_need_no_landing_walk(repo: RepoBuilder,
                                                             capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from gatekeeper.git import Git

    asked: list[str] = []
    original = Git.landings

    def spy(self: Git, shas: list[str], tips: dict[str, str]) -> Any:
        asked.append(",".join(tips))
        return original(self, shas, tips)

    monkeypatch.setattr(Git, "landings", spy)
    repo.commit("root", {"a": "1"})
    _mobile(repo, "phone one")
    repo.branch("side")
    repo.commit("side work", {"s": "1"})
    repo.checkout("main")
    _mobile(repo, "phone two")
    repo.merge("side", "merge side")
    _mobile(repo, "phone three")
    data = audit_json(capsys, repo.path)
    listed = [i["subject"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]
    assert listed == ["phone three", "phone two", "phone one"]
    assert asked == []  # every unreviewed commit was committed onto main itself: no whole-history walk

    # A phone commit brought by the merge still has its merge looked up.
    repo.checkout("side")
    _mobile(repo, "phone on side")
    repo.checkout("main")
    _pr_merge(repo, "side", 9)
    data = audit_json(capsys, repo.path)
    listed = [i["subject"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]
    assert listed == ["phone three", "phone two", "phone one"]
    assert data["summary"]["reviews"]["forge-pr-merge (via merge)"]["count"] == 1
    assert asked == ["refs/heads/main"]

    # A range that does not start at the tips: git's first-parent walk says which were committed onto main,
    # and only the one brought by the merge is traced.
    asked.clear()
    data = audit_json(capsys, repo.path, "--rev-range", "HEAD^2")  # the side branch's history
    listed = [i["subject"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]
    assert listed == ["phone one"]
    assert data["summary"]["reviews"]["forge-pr-merge (via merge)"]["count"] == 1
    assert asked == ["refs/heads/main"]
    asked.clear()
    data = audit_json(capsys, repo.path, "--rev-range", "HEAD~1")
    assert [i["subject"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]] == [
        "phone three", "phone two", "phone one"]
    assert asked == []  # every candidate on main's first-parent line: no landing walk


def landed_unreviewed(server: Any, *, pr: int | None = None) -> tuple[RepoBuilder, str]:
    """A server's main where an AI-assisted commit arrived through a plain merge nobody reviewed (with `pr`,
    through that pull request's merge instead): (the clone that pushed it, the AI commit)."""
    from tests.hook_helpers import spush

    work = server.clone()
    work.commit("root", {"a": "1"})
    work.branch("side")
    ai = work.commit("tidy the parser\n\nAssisted-by: some-agent\n", {"p": "1"})
    work.checkout("main")
    work.commit("other", {"o": "1"})
    if pr is None:
        work.merge("side", "plain merge of side")
    else:
        _pr_merge(work, "side", pr)
    work.commit("after", {"e": "1"})
    assert spush(server, work, "origin", "main").code == 0
    return work, ai


HOSTILE_REFS = {
    # A tag or a branch whose name ends in the protected ref's: `--refs=refs/heads/main` matches both, and
    # name-rev prefers the tag. A tag `main`, which `rev-parse main~1` would take over the branch.
    "tag ending in the ref": "refs/tags/refs/heads/main",
    "branch ending in the ref": "refs/heads/x/refs/heads/main",
    "tag shadowing the branch": "refs/tags/main",
    # On a server no remote is configured: a pushed remote-tracking ref is nobody's main.
    "remote-tracking look-alike": "refs/remotes/evil/main",
}


@pytest.mark.parametrize("hostile", HOSTILE_REFS.values(), ids=HOSTILE_REFS.keys())
def test_a_pushed_look_alike_ref_cannot_make_a_merge_look_reviewed(tmp_path: Path, hostile: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """An AI-assisted commit reaches main through a plain merge nobody reviewed. The pusher then pushes a
    forged "Merge pull request" commit (committer GitHub, parents: main's old line and the AI commit) under a
    ref that name-rev walks before main, so that the AI commit's name runs through the forgery. The audit of
    the server must still list the AI commit as unreviewed."""
    from tests.hook_helpers import make_server, spush

    server = make_server(tmp_path / "srv")
    work, ai = landed_unreviewed(server)
    baseline = audit_json(capsys, server.path)
    listed = [i["sha"] for i in baseline["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]
    assert ai in listed

    work.git("checkout", "-q", "--detach", "main~1^1")
    _pr_merge(work, "side", 99)
    forged = work.head()
    # A look-alike of main at the forgery names the AI commit `<look-alike>^2`, nearer than `main~1^2`; a tag `main`
    # one commit past it makes `main~1` the forgery.
    bait = work.commit("bait", {"b": "1"}) if hostile == "refs/tags/main" else forged
    work.checkout("main")
    # The gate refuses such a ref (policy/ambiguous-ref); a server can still hold one (made before the gate, by
    # a mirror, or an administrator), so it is put there with the objects pushed under an ordinary name.
    refused = spush(server, work, "origin", f"{bait}:{hostile}")
    assert refused.code != 0 and "policy/ambiguous-ref" in refused.output
    assert spush(server, work, "origin", f"{bait}:refs/heads/innocent").code == 0
    server.git("update-ref", hostile, bait)
    server.git("update-ref", "-d", "refs/heads/innocent")
    assert server.tip(hostile) == bait
    # The hijack this guards against, as git itself shows it: name-rev names the AI commit through the tag, or
    # `main~1` (the name the AI commit gets) now means the forgery.
    if hostile == "refs/tags/main":
        assert server.git("rev-parse", "main~1") == forged
    else:
        name = server.git("name-rev", "--name-only", "--refs=refs/heads/main", f"--refs={hostile}", ai)
        assert name in ("tags/refs/heads/main^2", "x/refs/heads/main^2", "remotes/evil/main^2")

    data = audit_json(capsys, server.path)
    items = data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]
    assert ai in [i["sha"] for i in items]
    assert "forge-pr-merge (via merge)" not in data["summary"]["reviews"]
    # The whole of every ref is audited too (--all walks the look-alike): the answer does not change.
    data = audit_json(capsys, server.path, "--all")
    assert ai in [i["sha"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]


def test_landings_come_from_the_tip_ids_as_read_on_every_protected_tip(repo: RepoBuilder) -> None:
    """Tips are commit ids read at the start (no ref name is looked up again, so a tag or branch named like a
    protected ref has no say, and a ref that moves later does not change the answer); each protected tip that
    holds a commit gives its own landing, and says which of the others it holds."""
    from gatekeeper.git import Git, Landing

    made = _landing_history(repo)
    git = Git(repo.path)
    work = made["feature work"]
    merged = Landing("refs/heads/main", made["merge feature"], frozenset())
    assert git.landings([work], {"refs/heads/main": made["after"]}) == {work: (merged,)}
    repo.git("update-ref", "refs/heads/main", made["stray"])  # moved after it was read: the id read answers
    assert git.landings([work], {"refs/heads/main": made["after"]}) == {work: (merged,)}
    repo.git("update-ref", "refs/heads/main", made["after"])
    # A protected tip that is an annotated tag (protected_refs may name tags): walked from the commit it peels to.
    repo.git("tag", "-a", "-m", "release", "v1", made["after"])
    tag = repo.git("rev-parse", "refs/tags/v1").strip()
    assert tag != made["after"]
    assert git.landings([work, made["direct"]], {"refs/tags/v1": tag}) == {
        work: (Landing("refs/tags/v1", made["merge feature"], frozenset()),),
        made["direct"]: (Landing("refs/tags/v1", made["direct"], frozenset()),)}
    # Two tips: release/1 is cut before the merge and later merges main (a back-merge): the work lands there
    # through the back-merge, which holds main's landing of it; main's landing holds nothing of release/1.
    repo.git("branch", "release/1", made["direct"])
    repo.checkout("release/1")
    back = repo.merge("refs/heads/main", "merge main into release/1")
    repo.checkout("main")
    found = git.landings([work, made["stray"]], {"refs/heads/main": made["after"], "refs/heads/release/1": back})
    assert found == {work: (merged, Landing("refs/heads/release/1", back, frozenset({made["merge feature"]})))}


def test_a_skewed_clock_loses_the_first_parent_line_not_the_answer(repo: RepoBuilder,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """git walks by commit time: a main-line commit dated after its child, reached first through a side
    branch, comes out before that child. The line is lost there; name-rev answers for what follows."""
    T0 = 1_700_000_000
    repo.commit("root", {"a": "1"}, when=T0 + 1_000)
    skewed = _mobile(repo, "phone from the future", when=T0 + 5_000)
    repo.branch("side")
    repo.commit("side work", {"s": "1"}, when=T0 + 4_000)
    _mobile(repo, "phone on side", when=T0 + 4_100)
    repo.checkout("main")
    repo.commit("main work", {"m": "1"}, when=T0 + 1_500)
    _mobile(repo, "phone before", when=T0 + 1_600)
    _pr_merge(repo, "side", 4)
    order = repo.git("log", "--format=%s").splitlines()
    assert order.index("phone from the future") < order.index("main work")  # the skew this test is about
    data = audit_json(capsys, repo.path)
    items = data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]
    # Both phone commits on main's first-parent line are listed; the side branch's came through the PR merge.
    assert {i["subject"] for i in items} == {"phone from the future", "phone before"}
    assert skewed in {i["sha"] for i in items}
    assert data["summary"]["reviews"]["forge-pr-merge (via merge)"]["count"] == 1


def test_a_streaming_reader_gets_a_wide_pipe() -> None:
    import fcntl
    import os

    from gatekeeper.git._runner import _PIPE_BYTES, _widen

    getter = getattr(fcntl, "F_GETPIPE_SZ", None)
    if getter is None:
        pytest.skip("pipe sizes are Linux-only")
    read, write = os.pipe()
    with os.fdopen(read, "rb") as reader:
        os.close(write)
        _widen(reader)
        assert fcntl.fcntl(reader.fileno(), getter) >= min(_PIPE_BYTES, int(Path("/proc/sys/fs/pipe-max-size")
                                                                            .read_text()))


def test_remote_tracking_refs_count_only_for_a_configured_remote(repo: RepoBuilder, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """In a clone, origin/main is the protected branch as last fetched; a `refs/remotes/<name>/main` of a
    remote the config does not name (pushed to a server, say) is nobody's main."""
    repo.commit("root", {"a": "1"})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(repo.path), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "branch", "-q", "-m", "main", "local"], check=True)
    subprocess.run(["git", "-C", str(clone), "remote", "add", "up/stream", "https://example.com/x.git"], check=True)
    for ref in ("refs/remotes/up/stream/main", "refs/remotes/evil/main", "refs/remotes/up/main"):
        subprocess.run(["git", "-C", str(clone), "update-ref", ref, "HEAD"], check=True)
    data = audit_json(capsys, clone, "--all")
    assert data["summary"]["protected_refs"] == ["refs/remotes/origin/main", "refs/remotes/up/stream/main"]


def test_no_protected_branch_names_heads_branch_as_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A history whose default branch the policy does not protect (FreshRSS's `edge`) audits as if nothing reached a
    # protected branch: the note says so and names HEAD's branch as what to add — as text, controls and all removed.
    work = RepoBuilder.init(tmp_path / "edge", branch="edge")
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    data = audit_json(capsys, work.path)
    notes = data["summary"]["notes"]
    assert data["summary"]["protected_commits"] == 0
    assert any("no branch the policy protects exists here" in n and "add 'refs/heads/edge' to protected_refs" in n
               for n in notes), notes
    # Detached HEAD: nothing to name, the note still says what happened.
    work.git("checkout", "-q", "--detach")
    notes = audit_json(capsys, work.path)["summary"]["notes"]
    assert any("no branch the policy protects exists here" in n and "to protected_refs in" not in n
               for n in notes), notes
