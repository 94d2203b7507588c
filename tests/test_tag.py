"""`gatekeeper tag`: trailers on the last commit or in a message file, idempotent, exact keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.errors import UsageError
from gatekeeper.modes.tag import resolve_trailers, set_trailers, tag_head, tag_message_file
from gatekeeper.trailers import parse_trailers
from tests.repo_builder import RepoBuilder

MOBILE = (("Origin-Device", "mobile"),)
FULL = (("Origin-Device", "tablet"), ("Origin-Device-Id", "ipad-jdoe"), ("Origin-Client", "a-shell/1.9"),
        ("Assisted-by", "codex-mobile/0.3"))


def _message(repo: RepoBuilder) -> str:
    raw = repo.git("cat-file", "commit", "HEAD")
    return raw.split("\n\n", 1)[1]


def test_tag_head_amends_once(repo: RepoBuilder) -> None:
    repo.commit("Fix the parser\n\nLonger body.\n", {"a.py": "a = 1\n"})
    before = repo.head()
    result = tag_head(repo.path, FULL)
    assert result.changed and result.old == before and result.new == repo.head() != before
    assert _message(repo) == ("Fix the parser\n\nLonger body.\n\nOrigin-Device: tablet\nOrigin-Device-Id: ipad-jdoe\n"
                              "Origin-Client: a-shell/1.9\nAssisted-by: codex-mobile/0.3")
    again = tag_head(repo.path, FULL)
    assert not again.changed and repo.head() == result.new


def test_tag_replaces_existing_values_with_exact_keys(repo: RepoBuilder) -> None:
    before = repo.commit("Subject\n\nOrigin-Device: desktop\nOrigin-Device-Id: old-laptop\n"
                         "Signed-off-by: Dev <dev@example.com>\n")
    result = tag_head(repo.path, MOBILE)
    assert result.changed and repo.head() != before
    trailers = [(t.key, t.value) for t in parse_trailers(_message(repo))]
    # Replaced in place, the order kept; Origin-Device-Id survives: git interpret-trailers would have treated
    # it as the same key (prefix match).
    assert trailers == [("Origin-Device", "mobile"), ("Origin-Device-Id", "old-laptop"),
                        ("Signed-off-by", "Dev <dev@example.com>")]
    assert _message(repo) == ("Subject\n\nOrigin-Device: mobile\nOrigin-Device-Id: old-laptop\n"
                              "Signed-off-by: Dev <dev@example.com>")


def test_tag_twice_leaves_head_unchanged(repo: RepoBuilder) -> None:
    """The acceptance case: the trailer is there, not last, other trailers after it: no amend."""
    repo.commit("one\n", {"a.txt": "a\n"})
    first = tag_head(repo.path, MOBILE)
    assert first.changed
    repo.commit("Subject\n\nBody.\n\nOrigin-Device: mobile\nOrigin-Client: termux/0.118\n"
                "Signed-off-by: Dev <dev@example.com>\n", {"b.txt": "b\n"})
    head, message = repo.head(), _message(repo)
    for _ in range(2):
        result = tag_head(repo.path, MOBILE)
        assert not result.changed and result.old == result.new == head
        assert repo.head() == head and _message(repo) == message
    # keys compare case-insensitively; asking for several trailers that are all there is a no-op too
    repo.commit("Subject\n\norigin-device: tablet\nSigned-off-by: Dev <dev@example.com>\nORIGIN-CLIENT: a-shell\n")
    head = repo.head()
    assert not tag_head(repo.path, (("Origin-Device", "tablet"), ("Origin-Client", "a-shell"))).changed
    assert repo.head() == head


def test_tag_cli_on_a_tagged_commit_says_so_and_keeps_head(repo: RepoBuilder) -> None:
    repo.commit("Subject\n\nOrigin-Device: mobile\nSigned-off-by: Dev <dev@example.com>\n")
    head = repo.head()
    proc = subprocess.run([sys.executable, "-m", "gatekeeper.cli_hook", "tag", "--device", "mobile"], cwd=repo.path,
                          capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"HEAD {head[:12]} is already tagged with Origin-Device: mobile; nothing to do\n"
    assert proc.stderr == ""
    assert repo.head() == head


def test_tag_changing_a_value_replaces_it_in_place(repo: RepoBuilder) -> None:
    repo.commit("Subject\n\nOrigin-Device: mobile\nOrigin-Device-Id: pixel8\nAssisted-by: codex-mobile/0.3\n"
                "Signed-off-by: Dev <dev@example.com>\n")
    head = repo.head()
    result = tag_head(repo.path, (("Origin-Device", "tablet"), ("Origin-Device-Id", "pixel8")))
    assert result.changed and repo.head() != head
    assert _message(repo) == ("Subject\n\nOrigin-Device: tablet\nOrigin-Device-Id: pixel8\n"
                              "Assisted-by: codex-mobile/0.3\nSigned-off-by: Dev <dev@example.com>")
    assert not result.warnings
    assert not tag_head(repo.path, (("Origin-Device", "tablet"),)).changed


@pytest.mark.parametrize(("message", "expected"), [
    # already there with the same value: unchanged, whatever the position and key case
    ("S\n\nOrigin-Device: mobile\nSigned-off-by: A <a@b.c>\n", "S\n\nOrigin-Device: mobile\nSigned-off-by: A <a@b.c>\n"),
    ("S\n\nORIGIN-DEVICE:mobile\nFoo: bar\n", "S\n\nORIGIN-DEVICE:mobile\nFoo: bar\n"),
    # another value: replaced where it stands, its continuation lines with it
    ("S\n\nOrigin-Device: web\n  more\nFoo: bar\n", "S\n\nOrigin-Device: mobile\nFoo: bar\n"),
    # a second, conflicting declaration is dropped; the matching one stays where it is
    ("S\n\nOrigin-Device: desktop\nFoo: bar\nOrigin-Device: mobile\n", "S\n\nFoo: bar\nOrigin-Device: mobile\n"),
    ("S\n\nOrigin-Device: desktop\nFoo: bar\nOrigin-Device: web\n", "S\n\nOrigin-Device: mobile\nFoo: bar\n"),
    # a prefix of the key is another key
    ("S\n\nOrigin-Device-Id: x\n", "S\n\nOrigin-Device-Id: x\nOrigin-Device: mobile\n"),
])
def test_set_trailers_in_place(message: str, expected: str) -> None:
    assert set_trailers(message, MOBILE) == expected
    assert set_trailers(expected, MOBILE) == expected


@pytest.fixture
def signing_key(tmp_path: Path) -> Path:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "keys" / "phone"
    key.parent.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dev@example.com", "-f", str(key)],
                   check=True)
    return key.with_name("phone.pub")


def test_tag_keeps_the_signature_of_a_tagged_signed_commit(repo: RepoBuilder, signing_key: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)  # sign with the key file, not whatever an agent holds
    repo.commit("base\n", {"a.txt": "a\n"})
    repo.write("b.txt", "b\n")
    repo.git("add", "b.txt")
    repo.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={signing_key}", "commit", "-q", "-S", "-F", "-",
             input="Signed on the phone\n\nOrigin-Device: mobile\nOrigin-Client: termux/0.118\n"
                   "Signed-off-by: Dev Eloper <dev@example.com>\n")
    head = repo.head()
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in repo.git("cat-file", "commit", head)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"dev@example.com {signing_key.read_text().strip()}\n")
    verify = ("-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", "HEAD")
    repo.git(*verify)  # signed and verifiable before

    result = tag_head(repo.path, (("Origin-Device", "mobile"), ("Origin-Client", "termux/0.118")))
    proc = subprocess.run([sys.executable, "-m", "gatekeeper.cli_hook", "tag", "--device", "mobile"], cwd=repo.path,
                          capture_output=True, text=True, check=False, timeout=60)

    assert not result.changed
    assert proc.returncode == 0 and "already tagged" in proc.stdout
    assert repo.head() == head
    repo.git(*verify)  # and after: the signature was not dropped by an amend


def test_hook_mode_is_idempotent(repo: RepoBuilder, tmp_path: Path) -> None:
    """prepare-commit-msg: a message (e.g. of `git commit --amend`) that already carries the trailers is not
    rewritten, comment block and all."""
    path = tmp_path / "COMMIT_EDITMSG"
    text = ("Subject\n\nOrigin-Device: mobile\nOrigin-Client: termux/0.118\nSigned-off-by: Dev <dev@example.com>\n"
            "\n# Please enter the commit message for your changes.\n#\n# On branch main\n")
    path.write_text(text)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    result = tag_message_file(repo.path, path, (("Origin-Device", "mobile"), ("Origin-Client", "termux/0.118")))
    assert not result.changed
    assert path.read_text() == text and path.stat().st_mtime_ns == 1_000_000_000  # not even rewritten
    proc = subprocess.run([sys.executable, "-m", "gatekeeper.cli_hook", "tag", "--hook", str(path)],
                          cwd=repo.path, capture_output=True, text=True, check=False, timeout=60,
                          env=dict(os.environ, GATEKEEPER_CLIENT="termux/0.118"))
    assert proc.returncode == 0, proc.stderr
    assert path.read_text() == text and path.stat().st_mtime_ns == 1_000_000_000
    # another value: replaced in place, comments kept after the trailers
    assert tag_message_file(repo.path, path, (("Origin-Device", "tablet"),)).changed
    assert path.read_text() == text.replace("Origin-Device: mobile", "Origin-Device: tablet")


def test_installed_hook_keeps_the_trailer_order_on_amend(repo: RepoBuilder) -> None:
    from gatekeeper.modes.install import install

    repo.commit("before the hook\n", {"a.txt": "a\n"})
    install(repo.path, "prepare-commit-msg")
    message = "Subject\n\nOrigin-Device: mobile\nSigned-off-by: Dev <dev@example.com>"
    repo.git("commit", "-q", "--allow-empty", "-m", message)
    assert repo.git("log", "-1", "--format=%B") == message
    repo.git("commit", "-q", "--amend", "--no-edit", "--allow-empty")
    assert repo.git("log", "-1", "--format=%B") == message


def test_tag_never_folds_staged_changes_into_the_amend(repo: RepoBuilder) -> None:
    repo.commit("one\n", {"a.txt": "a\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    repo.write("staged.txt", "not for this commit\n")
    repo.git("add", "staged.txt")
    tag_head(repo.path, MOBILE)
    assert repo.git("rev-parse", "HEAD^{tree}") == tree
    assert "staged.txt" in repo.git("diff", "--cached", "--name-only")


def test_tag_without_commits_is_a_usage_error(repo: RepoBuilder) -> None:
    with pytest.raises(UsageError, match="no commit to tag"):
        tag_head(repo.path, MOBILE)


def test_resolve_trailers_env_defaults_and_validation() -> None:
    env = {"GATEKEEPER_DEVICE": "Tablet", "GATEKEEPER_DEVICE_ID": "ipad-jdoe", "GATEKEEPER_CLIENT": "a-shell/1.9",
           "GATEKEEPER_ASSISTED_BY": "codex-mobile/0.3"}
    assert resolve_trailers(env) == FULL
    assert resolve_trailers(env, device="mobile", client="termux")[:3:2] == (("Origin-Device", "mobile"),
                                                                             ("Origin-Client", "termux"))
    assert resolve_trailers({}) == MOBILE
    with pytest.raises(UsageError, match="unknown device class"):
        resolve_trailers({}, device="phone-ish")
    with pytest.raises(UsageError, match="control characters"):
        resolve_trailers({}, client="evil\nReviewed-by: me")


@pytest.mark.parametrize(("message", "expected"), [
    ("Subject\n", "Subject\n\nOrigin-Device: mobile\n"),
    ("Subject\n\nBody text\n", "Subject\n\nBody text\n\nOrigin-Device: mobile\n"),
    ("Subject\n\nOrigin-Device: desktop\n", "Subject\n\nOrigin-Device: mobile\n"),
    ("Subject\n\nOrigin-Device: mobile\n", "Subject\n\nOrigin-Device: mobile\n"),
    ("Subject\n\nFoo: bar\n  continued\nOrigin-Device: web\n  more\n", "Subject\n\nFoo: bar\n  continued\n"
     "Origin-Device: mobile\n"),
    ("Subject: with colon\n", "Subject: with colon\n\nOrigin-Device: mobile\n"),
])
def test_set_trailers(message: str, expected: str) -> None:
    assert set_trailers(message, MOBILE) == expected
    assert set_trailers(expected, MOBILE) == expected


def test_set_trailers_in_an_editor_template() -> None:
    template = "\n# Please enter the commit message.\n#\n# On branch main\n"
    out = set_trailers(template, MOBILE, "#")
    assert out == "\n\nOrigin-Device: mobile\n\n# Please enter the commit message.\n#\n# On branch main\n"
    assert set_trailers(out, MOBILE, "#") == out
    verbose = "Subject\n# comment\n# ------------------------ >8 ------------------------\ndiff --git a b\n+x\n"
    assert set_trailers(verbose, MOBILE, "#") == ("Subject\n\nOrigin-Device: mobile\n# comment\n"
                                                  "# ------------------------ >8 ------------------------\n"
                                                  "diff --git a b\n+x\n")


def test_tag_message_file(repo: RepoBuilder, tmp_path: Path) -> None:
    path = tmp_path / "COMMIT_EDITMSG"
    path.write_text("Subject\n")
    assert tag_message_file(repo.path, path, MOBILE).changed
    assert path.read_text() == "Subject\n\nOrigin-Device: mobile\n"
    assert not tag_message_file(repo.path, path, MOBILE).changed


def test_tag_cli(repo: RepoBuilder) -> None:
    repo.commit("one\n", {"a.txt": "a\n"})
    env = dict(os.environ, GATEKEEPER_CLIENT="termux/0.118")
    cmd = [sys.executable, "-m", "gatekeeper.cli_hook", "tag", "--assisted-by", "codex-mobile/0.3"]
    first = subprocess.run(cmd, cwd=repo.path, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("amended HEAD ")
    assert first.stdout.rstrip().endswith("with Origin-Device: mobile, Origin-Client: termux/0.118, Assisted-by: "
                                          "codex-mobile/0.3")
    second = subprocess.run(cmd, cwd=repo.path, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert second.returncode == 0 and "nothing to do" in second.stdout
    bad = subprocess.run([*cmd, "--device", "toaster"], cwd=repo.path, env=env, capture_output=True, text=True,
                         check=False, timeout=60)
    assert bad.returncode == 2 and "unknown device class" in bad.stderr


# -- the installed hook, real `git commit`: git and gatekeeper read the same trailers (issue #9 item 3) ------

HOOK_CASES = {
    "-m": (["-m", "Fix"], None, {}),
    "-m with a #42 paragraph": (["-m", "Fix", "-m", "#42"], None, {}),
    "-m #42 verbatim": (["-m", "Fix", "-m", "#42", "--cleanup=verbatim"], None, {}),
    "-m #42 strip": (["-m", "Fix", "-m", "#42", "--cleanup=strip"], None, {}),
    "-m prose then #42": (["-m", "Fix", "-m", "prose\n#42"], None, {}),
    "-s with #42": (["-s", "-m", "Fix", "-m", "#42"], None, {}),
    "-F trailing # line verbatim": (["--cleanup=verbatim"], "Fix\n\nBody\n#42\n", {}),
    "-F CRLF verbatim": (["--cleanup=verbatim"], "Fix\r\n\r\nBody\r\n\r\nSigned-off-by: A <a@x>\r\n", {}),
    "-F CRLF whitespace": (["--cleanup=whitespace"], "Fix\r\n\r\nBody\r\n", {}),
    "-F blank line holding a space": (["--cleanup=verbatim"], "Fix\n\nBody\n \nCo-authored-by: B <b@x>\n", {}),
    "-F Conflicts block": (["--cleanup=verbatim"], "Merge\n\nSigned-off-by: A <a@x>\n\nConflicts:\n\ta.c\n", {}),
    "-F --- line": (["--cleanup=verbatim"], "Fix\n\n---\nCo-authored-by: B <b@x>\n", {}),
    "-F declared desktop": (["--cleanup=verbatim"], "Fix\n\nOrigin-Device: desktop\nFoo: bar\n", {}),
    "-F scissors kept": (["--cleanup=scissors"],
                         "Fix\n\nBody\n# ------------------------ >8 ------------------------\nX: y\n", {}),
    "-F 25 % block": (["--cleanup=verbatim"], "Fix\n\nprose\nprose\nSigned-off-by: A <a@x>\n", {}),
    "commentChar ; with ;42": (["-m", "Fix", "-m", ";42"], None, {"core.commentChar": ";"}),
    "commentChar ; with #42": (["-m", "Fix", "-m", "#42"], None, {"core.commentChar": ";"}),
    "commentChar auto with #42": (["-m", "Fix", "-m", "#42"], None, {"core.commentChar": "auto"}),
    "editor template -e": (["-e", "-m", "Fix"], None, {}),
    "editor -v -e": (["-v", "-e", "-m", "Fix"], None, {}),
    "editor -e verbatim": (["-e", "--cleanup=verbatim", "-m", "Fix"], None, {}),
    "editor -e whitespace": (["-e", "--cleanup=whitespace", "-m", "Fix"], None, {}),
}


@pytest.mark.parametrize("name", sorted(HOOK_CASES))
def test_installed_hook_writes_trailers_git_and_gatekeeper_read_alike(repo: RepoBuilder, tmp_path: Path,
                                                                      name: str) -> None:
    from gatekeeper.modes.install import install

    args, file_text, config = HOOK_CASES[name]
    repo.commit("base\n", {"a.txt": "a\n"})
    for key, value in config.items():
        repo.git("config", key, value)
    install(repo.path, "prepare-commit-msg")
    if file_text is not None:
        message_file = tmp_path / "msg"
        message_file.write_bytes(file_text.encode())
        args = [*args, "-F", str(message_file)]
    repo.git("commit", "-q", "--allow-empty", *args, env={"GIT_EDITOR": "true"})

    stored = _message(repo)
    git_reads = repo.git("log", "-1", "--format=%(trailers:only,unfold)")
    ours = "\n".join(f"{t.key}: {t.value}" for t in parse_trailers(stored))
    assert ours == git_reads, stored
    assert [t.value for t in parse_trailers(stored) if t.name == "origin-device"] == ["mobile"], stored
    if "Signed-off-by" in (file_text or "") or "-s" in args:
        assert any(t.name == "signed-off-by" for t in parse_trailers(stored)), stored


@pytest.mark.parametrize("args", [["-m", "Fix", "-m", "#42"], ["-m", "Fix", "-m", "#42", "--cleanup=verbatim"],
                                  ["-m", "Fix\r\n\r\nBody\r\n"]])
def test_hook_tagged_commit_is_judged_mobile_by_the_server(tmp_path: Path, args: list[str]) -> None:
    """Issue #9 item 3, end to end: the commit the installed hook tagged reaches a protected ref only with
    review — a real `git push` into a bare repository with the pre-receive hook."""
    from gatekeeper.modes.install import install
    from tests.hook_helpers import MO, make_server, seed, spush

    server = make_server(tmp_path / "srv")
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    install(work.path, "prepare-commit-msg")
    work.write("app.py", "x = 1\n")
    work.git("add", "app.py")
    work.git("commit", "-q", *args, env={"GIT_AUTHOR_NAME": MO[0], "GIT_AUTHOR_EMAIL": MO[1]})
    sha = work.git("rev-parse", "HEAD")
    assert "Origin-Device: mobile" in work.git("log", "-1", "--format=%(trailers:only)")
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert any(line.startswith(f"  review/missing {sha[:12]}: 1 mobile-origin commit(s)") for line in result.remote)
