"""Red team red31: past the red30 fix (`working-tree-encoding` in pushed `.gitattributes`) and the red29 audit.

Each reproduction fails on w/red31 at 76cb4b0 for the reason its docstring names, and asserts the secure behaviour.
Real `git push`es into a bare repository with the installed hook, under the built-in policy
(`gatekeeper.config.DEFAULT_POLICY_YAML`); helpers from tests/test_red24_hostile.py. Every attack here is checked
against git itself first (`git check-attr` in the pushing work tree, and a real clone of what the hook accepted
writes the AWS key in ASCII), so a failure is the scanner's model of gitattributes differing from git's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hook_helpers import AWS_KEY, DANA, spush
from tests.repo_builder import RepoBuilder
from tests.test_red24_hostile import _phone_push, _server

KEY_LINE = f"aws_access_key_id = {AWS_KEY}\n"  # what the phone's working tree holds; `git add` stores it as IBM037
EBCDIC_KEY_LINE = KEY_LINE.encode("ascii").decode("cp037")  # the blob's text: no key in it


def _attr(work: RepoBuilder, path: str) -> str:
    """git's own answer for `path` in the pushing work tree."""
    return work.git("check-attr", "working-tree-encoding", "--", path)


def _checked_out(server_path: Path, tmp_path: Path, path: str) -> bytes:
    clone = tmp_path / "victim"
    subprocess.run(["git", "clone", "-q", server_path.as_uri(), str(clone)], check=True, capture_output=True)
    return (clone / path).read_bytes()


def _attack(tmp_path: Path, attributes: dict[str, str | bytes], path: str) -> tuple[int, str, list[dict]]:
    """A reviewed phone commit writing `attributes` and `path` (KEY_LINE, stored by git as the blob IBM037 reads);
    the premise checked with git: the attribute applies, the blob holds no key, and (when the hook let it in) a
    clone writes the key."""
    server, work = _server(tmp_path)
    for name, text in attributes.items():
        work.write(name, text)
    assert _attr(work, path).endswith(": IBM037"), _attr(work, path)
    code, output = _phone_push(server, work, {**attributes, path: KEY_LINE})
    blob = work.git("cat-file", "blob", f"HEAD:{path}")
    assert AWS_KEY not in blob and blob == EBCDIC_KEY_LINE.rstrip("\n"), blob
    if code == 0:
        assert AWS_KEY.encode() in _checked_out(server.path, tmp_path, path)
    return code, output, server.last_verdict()["findings"]


def _refused(code: int, output: str, findings: list[dict], path: str) -> None:
    assert any(f["rule_id"] == "secrets/aws-access-key" and f.get("path") == path for f in findings), [(f["rule_id"], f.get("path")) for f in findings]
    assert code != 0, output


# -- 1. `.gitattributes` lines: git splits on `\n` only, its blanks are ` \t\r\n` ------------------------------------


def test_a_carriage_return_between_pattern_and_attribute_hides_the_key(tmp_path: Path) -> None:
    """Attack: `.gitattributes` holds `*.env<CR>working-tree-encoding=IBM037<LF>`. git reads lines up to LF and
    takes CR as a blank between pattern and attribute: `secret.env` is IBM037 (git check-attr says so).
    scan.attributes._lines uses str.splitlines(), which ends a line at the CR too: `*.env` with no attribute, then a
    pattern `working-tree-encoding=IBM037` with none. Gain: the phone's IBM037-hidden AWS key lands on main; every
    clone writes it in ASCII; no finding at all."""
    code, output, findings = _attack(tmp_path, {".gitattributes": "*.env\rworking-tree-encoding=IBM037\n"},
                                     "secret.env")
    _refused(code, output, findings, "secret.env")


def test_a_unicode_separator_inside_a_pattern_hides_the_key(tmp_path: Path) -> None:
    """Attack: the pattern `*[.\\x1c]env` (a bracket holding `.` and the ASCII file separator). To git the byte is
    no blank: the pattern matches `secret.env`. Python's str.split()/splitlines() take \\x1c as whitespace and as a
    line break: scan.attributes sees the pattern `*[.`, which names nothing. Gain: as above (no finding)."""
    code, output, findings = _attack(tmp_path, {".gitattributes": "*[.\x1c]env working-tree-encoding=IBM037\n"},
                                     "secret.env")
    _refused(code, output, findings, "secret.env")


# -- 2. Patterns are wildmatch, not fnmatch -------------------------------------------------------------------------


def test_a_backslash_escaped_pattern_hides_the_key(tmp_path: Path) -> None:
    """Attack: `secret\\.env working-tree-encoding=IBM037`. git's wildmatch takes `\\.` as a literal `.`: the line
    names `secret.env`. scan.attributes._matches hands the pattern to fnmatch, where a backslash is a literal
    backslash: no match (likewise `_glob` for patterns with a slash). Gain: the key lands, no finding."""
    code, output, findings = _attack(tmp_path, {".gitattributes": "secret\\.env working-tree-encoding=IBM037\n"},
                                     "secret.env")
    _refused(code, output, findings, "secret.env")


def test_a_posix_character_class_pattern_hides_the_key(tmp_path: Path) -> None:
    """Attack: `deploy/*.[[:alpha:]]nv working-tree-encoding=IBM037`. wildmatch knows `[[:alpha:]]`; Python's
    regex (in `_glob`, and fnmatch) reads `[[:alpha:]` as a set followed by a literal `]`: no match. Gain: the key
    lands, no finding."""
    code, output, findings = _attack(
        tmp_path, {".gitattributes": "deploy/*.[[:alpha:]]nv working-tree-encoding=IBM037\n"}, "deploy/prod.env")
    _refused(code, output, findings, "deploy/prod.env")


def test_a_quoted_non_ascii_pattern_hides_the_key(tmp_path: Path) -> None:
    """Attack: the pattern quoted as git writes non-ASCII names, `"d\\303\\251ploy.env"` (`déploy.env` in UTF-8
    octal). git unquotes to the UTF-8 bytes; scan.attributes._unquote decodes each octal escape as one Latin-1
    character (`dÃ©ploy.env`), which never equals the path. Gain: the key lands, no finding."""
    code, output, findings = _attack(
        tmp_path, {".gitattributes": '"d\\303\\251ploy.env" working-tree-encoding=IBM037\n'}, "d\u00e9ploy.env")
    _refused(code, output, findings, "d\u00e9ploy.env")


# -- 3. Macros: git recognises `[attr]` after unquoting the first field ----------------------------------------------


def test_a_quoted_macro_definition_hides_the_key(tmp_path: Path) -> None:
    """Attack: the root `.gitattributes` defines the macro quoted, `"[attr]legacy" working-tree-encoding=IBM037`,
    then `*.env legacy`. git (attr.c parse_attr_line) unquotes the first field before looking for `[attr]`: a
    macro, and `secret.env` is IBM037. scan.attributes._macros only takes lines starting with a bare `[attr]`;
    `_lines` reads the quoted one as a pattern `[attr]legacy`. Gain: the key lands, no finding."""
    code, output, findings = _attack(
        tmp_path, {".gitattributes": '"[attr]legacy" working-tree-encoding=IBM037\n*.env legacy\n'}, "secret.env")
    _refused(code, output, findings, "secret.env")


# -- 4. A merge joins a `.gitattributes` from one side with a file from the other ----------------------------------


def test_a_clean_merge_of_the_attribute_and_the_file_hides_the_key(tmp_path: Path) -> None:
    """Attack: one phone branch adds only `.gitattributes` (`*.env working-tree-encoding=IBM037`), another adds only
    `deploy/prod.env` whose blob is the key line read as EBCDIC (in that branch nothing re-encodes it: harmless
    text); a merge joins them and is pushed to main in one push. Each side commit is scanned in its own tree (the
    attribute's side has no .env to re-encode, the file's side no attribute); the merge's dense combined diff
    (`--cc`) shows neither path — each equals one parent — so `_checkout_encodings` never sees the file and the
    attribute in one tree. Gain: main's checkout writes the AWS key in ASCII; no finding."""
    from tests.hook_helpers import MO, MOBILE
    from tests.test_red24_hostile import REVIEWED, RITA_PUSHES

    server, work = _server(tmp_path)
    base = work.head()
    work.branch("attrs")
    work.commit("encoding for the mainframe" + MOBILE + REVIEWED,
                {".gitattributes": "*.env working-tree-encoding=IBM037\n"}, author=MO, committer=MO)
    work.branch("settings", base)
    work.commit("settings" + MOBILE + REVIEWED, {"deploy/prod.env": EBCDIC_KEY_LINE}, author=MO, committer=MO)
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    work.checkout("attrs")
    work.merge("settings", "merge settings")  # two parents: the attribute's side, the file's side
    assert _attr(work, "deploy/prod.env").endswith(": IBM037")
    result = spush(server, work, "origin", "attrs:main", env=RITA_PUSHES)
    if result.code == 0:
        assert AWS_KEY.encode() in _checked_out(server.path, tmp_path, "deploy/prod.env")
    _refused(result.code, result.output, server.last_verdict()["findings"], "deploy/prod.env")


# -- 5. The `.gitattributes` of a directory whose name `cat-file --batch-check` cannot take --------------------------


def test_an_attributes_file_in_a_directory_named_with_a_newline_hides_the_key(tmp_path: Path) -> None:
    """Attack: `.gitattributes` and the file both in a directory whose name holds a line feed (`deploy\\n/`; git
    and Linux take it). git reads `deploy\\n/.gitattributes` for `deploy\\n/prod.env` like any other. Objects.blobs_at
    leaves out every `commit:path` holding a newline (cat-file --batch-check reads names a line at a time), so
    `_checkout_encodings` finds no attributes file for the path and reads the blob only. Gain: the key lands, no
    finding. (The same with a carriage return in the name.)"""
    code, output, findings = _attack(
        tmp_path, {"deploy\n/.gitattributes": "*.env working-tree-encoding=IBM037\n"}, "deploy\n/prod.env")
    _refused(code, output, findings, "deploy\n/prod.env")


# -- 6. An encoding Python's codec writes differently from iconv's -------------------------------------------------

# Eight UTF-16 code units whose UTF-7 in glibc's iconv (what git calls) is `+` UTF7_KEY `/A-`: glibc writes
# the "optional direct" characters (`!`, `_`, `=` …) in base64, so `¢!…` is one run spelling an AWS key. Python's
# utf-7 writes `!` as itself: `+AKI!+UlkMTwZcPo0IXXT8-`, no key.
UTF7_HIDDEN = "\u00a2!\u5259\u0c4f\u065c\u3e8d\u085d\u74fc"
UTF7_KEY = "AKIA" + "IVJZDE8GXD6NCF10"


def test_a_key_only_glibc_utf7_writes_lands_from_a_desktop_push(tmp_path: Path) -> None:
    """Attack: `*.env working-tree-encoding=UTF-7` and a blob `aws_access_key_id = ¢!剙…` (valid UTF-8, no key).
    git checks it out through glibc iconv: `aws+AF8-access+AF8-key+AF8-id +AD0 +` UTF7_KEY `/A` — an AWS
    key a secret rule (and AWS) reads. scan.attributes.checkout_bytes models the checkout with Python's utf-7,
    which encodes `!` directly and so breaks the base64 run before the key: no secret found. What remains is
    scan/working-tree-encoding, whose message says secrets were looked for in both — a warning under `unscanned:
    {default: warn}`. Gain: a desktop (or undeclared-device AI agent) push lands a live AWS key in every checkout
    of main, though the built-in policy says a live credential blocks whatever device it came from."""
    server, work = _server(tmp_path)
    # The file first (stored as typed: no attribute yet), then the attribute: git add never converts it.
    work.commit("settings\n", {"deploy/prod.env": f"aws_access_key_id = {UTF7_HIDDEN}\n",
                               ".gitattributes": "*.env working-tree-encoding=UTF-7\n"}, author=DANA, committer=DANA)
    assert _attr(work, "deploy/prod.env").endswith(": UTF-7")
    assert UTF7_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    result = spush(server, work, "origin", "main")
    findings = server.last_verdict()["findings"]
    if result.code == 0:
        assert UTF7_KEY.encode() in _checked_out(server.path, tmp_path, "deploy/prod.env")
    # Secure (as fixed): what glibc writes under UTF-7 is not computed in Python, so the checkout is reported at a
    # secret's severity and refused from any device.
    assert any(f["path"] == "deploy/prod.env" and f["blocking"] and f["severity"] == "high" for f in findings), findings
    assert result.code != 0, result.output


# -- 7. The audit: a bot's signed merge reviews what it brings in ----------------------------------------------------


def test_a_bots_signed_merge_is_no_review_in_the_audit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack: an agent commit reaches main through a merge that a release bot signed with its registered key
    (allowed_signers: `release-bot@example.com`), naming itself `Reviewed-by: release-bot <release-bot@…>`. The
    gate never counts a bot as a reviewer (review/reviewed_by.py: `claim.reviewer.is_bot` → unverifiable;
    identity.py: "A bot never counts as a reviewer"). audit/history.py `_read_landings`/`_landing_review` check
    only that the good signature's signer is the named reviewer and none of the commit's people — no bot test — so
    the audit lists the agent commit as `reviewed-by-verified (via merge)`, trust verified. Gain: an AI commit on
    main that no human reviewed disappears from the audit's unreviewed and unverified lists."""
    import json

    from gatekeeper.cli import run
    from tests.provenance_helpers import make_keys

    class _Factory:  # make_keys takes a TempPathFactory; one directory is enough here
        def mktemp(self, name: str) -> Path:
            path = tmp_path / name
            path.mkdir()
            return path

    bot = make_keys(_Factory())["mallory"]  # type: ignore[arg-type]
    policy = "version: 1\nprotected_refs: [refs/heads/main]\nallowed_signers: .gatekeeper/allowed_signers\n"
    repo = RepoBuilder.init(tmp_path / "work")
    repo.commit("policy", {".gatekeeper.yml": policy, ".gatekeeper/allowed_signers":
                           f'release-bot@example.com namespaces="git" {bot.type_and_b64}\n'})
    repo.branch("feature")
    repo.commit("agent change\n\nAssisted-by: claude-code\n", {"a.txt": "1\n"}, author=("Pat", "pat@example.com"),
                committer=("Pat", "pat@example.com"))
    repo.checkout("main")
    repo.git("config", "gpg.format", "ssh")
    who = {"GIT_AUTHOR_NAME": "release-bot", "GIT_AUTHOR_EMAIL": "release-bot@example.com",
           "GIT_COMMITTER_NAME": "release-bot", "GIT_COMMITTER_EMAIL": "release-bot@example.com"}
    repo.git("merge", "-q", "--no-ff", f"--gpg-sign={bot.private}",
             "-m", "Merge branch 'feature'\n\nReviewed-by: release-bot <release-bot@example.com>", "feature", env=who)
    code = run(["audit", "--repo", str(repo.path), "--format", "json", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    s = json.loads(captured.out)["summary"]
    assert "reviewed-by-verified (via merge)" not in s["reviews"], s["reviews"]
    assert [i["subject"] for i in s["unreviewed_mobile_ai_on_protected"]["items"]] == ["agent change"]
