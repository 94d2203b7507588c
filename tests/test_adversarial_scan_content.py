"""Hostile pushes against what the secrets scan reads (issue #9 items 11 and 12), moved from the adversarial
review's open list once closed: a key in a commit or tag object's header or in a file's name, and UTF-16
text git shows as text because its first 8000 bytes hold no NUL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gatekeeper.audit.decisionlog import open_log
from gatekeeper.git import Git
from gatekeeper.scan.secrets_scanner import SecretsScanner, header_text
from gatekeeper.scan.text import decode
from gatekeeper.scan.workspace import Entry, Workspace
from tests.hook_helpers import (
    AWS_KEY,
    DANA,
    KEY_LINE,
    SECRETS_POLICY,
    rejected,
    seeded,
    spush,
)
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import job


@pytest.mark.parametrize("where", ["tagger", "author-name", "committer-email", "extra-header", "file-name"])
def test_a_key_in_commit_or_tag_metadata_is_found(tmp_path: Path, where: str) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    specs = ["HEAD:refs/heads/topic"]
    if where == "tagger":
        body = f"object {base}\ntype commit\ntag t2\ntagger {AWS_KEY} <t@example.com> 1767225700 +0000\n\nrel\n"
        specs = [f"{work.git('hash-object', '-t', 'tag', '-w', '--stdin', input=body)}:refs/tags/t2"]
    elif where == "author-name":
        work.commit("change\n", {"a.txt": "a\n"}, author=(f"x {AWS_KEY}", "x@example.com"))
    elif where == "committer-email":
        work.commit("change\n", {"a.txt": "a\n"}, committer=("x", f"{AWS_KEY}@example.com"))
    elif where == "extra-header":
        tree = work.git("rev-parse", "HEAD^{tree}")
        body = (f"tree {tree}\nparent {base}\nauthor D <d@example.com> 1767225700 +0000\n"
                f"committer D <d@example.com> 1767225700 +0000\nx-secret {AWS_KEY}\n\nchange\n")
        specs = [f"{work.git('hash-object', '-t', 'commit', '-w', '--stdin', input=body)}:refs/heads/topic"]
    else:
        work.commit("add\n", {f"keys/{AWS_KEY}.txt": "x\n"}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", *specs), "secrets/aws-access-key")


@pytest.mark.parametrize("prefix", ["cjk-utf16", "utf8-then-utf16"])
def test_utf16_key_after_a_nul_free_prefix_is_found_or_reported(tmp_path: Path, prefix: str) -> None:
    """git calls a file text when its first 8000 bytes hold no NUL; the patch line then carries the key as
    `A\\0K\\0I\\0A...`, the secrets regex misses it, and nothing is listed as unscanned: accepted silently."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    if prefix == "cjk-utf16":
        data = ("\u4e2d\u6587" * 3000 + "\n" + KEY_LINE).encode("utf-16-le")  # CJK in UTF-16LE has no NUL bytes
    else:
        data = ("# " + "settings line\n" * 700).encode() + KEY_LINE.encode("utf-16-le")
    work.commit("config\n", {"c.env": data}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 or "unscanned" in result.output, result.output
    assert server.tip() == base or "unscanned" in result.output


CJK = "\u4e2d\u6587" * 3000 + "\n"


@pytest.mark.parametrize(("shape", "data"), [
    # An ASCII key line ahead of UTF-16 text (no byte-order mark): decoded as UTF-16 whole, the key's bytes
    # read as CJK-looking code units, and the file counted as fully read.
    ("ascii-head-then-utf16le", KEY_LINE.encode() + b"!" + CJK.encode("utf-16-le")),
    ("ascii-head-then-utf16be", KEY_LINE.encode() + b"!" + CJK.encode("utf-16-be")),
    # UTF-16 text after a head of odd length: the code units straddle the byte pairs.
    ("odd-head-then-utf16", b"x" * 9001 + b"\n" + (CJK + KEY_LINE + CJK).encode("utf-16-le")),
    # A UTF-16 string inside a real binary (how Windows and .NET binaries store strings).
    ("utf16-in-a-binary", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40 + KEY_LINE.encode("utf-16-le")),
    # An ASCII key in a binary right before a big-endian UTF-16 string: closing the UTF-16 run up takes the key's
    # last character with it (`P\0n\0a…`), so the closed-up reading alone no longer shows the key the plain
    # printable runs always did.
    ("ascii-key-before-utf16be-in-a-binary",
     b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40 + f"aws={AWS_KEY}".encode() + "name".encode("utf-16-be")
     + bytes(range(256)) * 4),
])
def test_a_key_around_guessed_utf16_is_found(tmp_path: Path, shape: str, data: bytes) -> None:
    """Content git shows as binary is decoded by guess; a key outside what the guess reads right is still
    found (real push: refused, the key redacted)."""
    if shape.startswith("ascii-head"):
        assert "AKIA" not in decode(data).text  # the UTF-16 guess alone does not read it: the other reading must
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    work.commit("config\n", {"c.env": data}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "main"), "secrets/aws-access-key")
    assert server.tip() == base


def test_a_key_in_a_file_name_of_a_tree_a_ref_names_is_found(tmp_path: Path) -> None:
    """No commit at all: `refs/backup/x` names a tree whose only secret is a file's name."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    clean = work.git("hash-object", "-w", "--stdin", input="nothing here\n")
    inner = work.git("mktree", input=f"100644 blob {clean}\t{AWS_KEY}.txt\n")
    tree = work.git("mktree", input=f"040000 tree {inner}\tkeys\n")
    rejected(spush(server, work, "origin", f"{tree}:refs/backup/snapshot"), "secrets/aws-access-key",
             "in the name of a file outside any commit")


def test_a_key_in_the_name_of_a_tag_inside_a_tag_is_found(tmp_path: Path) -> None:
    """A tag of a tag: the inner tag object's own `tag` line holds the key; only the outer one is named."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    inner = work.git("hash-object", "-t", "tag", "-w", "--stdin", input=(
        f"object {work.head()}\ntype commit\ntag rel-{AWS_KEY}\ntagger T <t@example.com> 1767225700 +0000\n\nin\n"))
    outer = work.git("hash-object", "-t", "tag", "-w", "--stdin", input=(
        f"object {inner}\ntype tag\ntag outer\ntagger T <t@example.com> 1767225700 +0000\n\nout\n"))
    rejected(spush(server, work, "origin", f"{outer}:refs/tags/outer"), "secrets/aws-access-key", "<tag header>")


# -- the pieces, on small repos the tests build -----------------------------------------------------------

def test_a_nul_bearing_text_file_that_cannot_be_decoded_is_listed_as_unscanned(tmp_path: Path) -> None:
    """Text git calls text (no NUL in the first 8000 bytes) followed by a real binary: no rule can read the
    tail, so the file is listed to the pusher as not fully scanned, never passed over in silence."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    data = b"# notes\n" * 1200 + bytes(range(256)) * 64
    work.commit("notes\n", {"notes.txt": data}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "HEAD:refs/heads/topic")
    assert "scan/binary-skipped" in result.output and "notes.txt" in result.output, result.output


def test_header_text_keeps_free_text_and_signatures_and_blanks_object_ids() -> None:
    raw = (b"tree " + b"1" * 40 + b"\nparent " + b"2" * 40 + b"\nauthor A <a@x> 1 +0000\n"
           b"committer C <c@x> 1 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n wsBcBAABCAAQ\n"
           b" -----END PGP SIGNATURE-----\nx-note hello\n continued\n\nmessage " + AWS_KEY.encode() + b"\n")
    lines = header_text(raw).split("\n")
    assert lines == ["", "", "author A <a@x> 1 +0000", "committer C <c@x> 1 +0000",
                     "gpgsig -----BEGIN PGP SIGNATURE-----", " ", " wsBcBAABCAAQ", " -----END PGP SIGNATURE-----",
                     "x-note hello", " continued"]  # one line per header line: findings name the header line


def test_a_key_hidden_in_a_signature_block_is_found(repo: RepoBuilder) -> None:
    """Nothing checks that `gpgsig` holds a signature: a key inside the armour lands in history too."""
    base = repo.commit("base\n", {"a.txt": "a\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    body = (f"tree {tree}\nparent {base}\nauthor D <d@example.com> 1767225700 +0000\n"
            f"committer D <d@example.com> 1767225700 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n"
            f" aws_access_key_id={AWS_KEY}\n -----END PGP SIGNATURE-----\n\nchange\n")
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
    found = SecretsScanner().scan(job(repo.path, base, sha)).findings
    assert [(f.rule_id, f.path, f.line) for f in found if f.rule_id.startswith("secrets/")] == [
        ("secrets/aws-access-key", "<commit header>", 7)]


def test_a_key_in_a_commit_header_is_found_with_its_header_line(repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {"a.txt": "a\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    body = (f"tree {tree}\nparent {base}\nauthor D <d@example.com> 1767225700 +0000\n"
            f"committer D <d@example.com> 1767225700 +0000\nencoding UTF-8\nx-secret {AWS_KEY}\n\nchange\n")
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
    repo.git("update-ref", "refs/heads/main", sha)
    found = SecretsScanner().scan(job(repo.path, base, sha)).findings
    hits = [f for f in found if f.rule_id == "secrets/aws-access-key"]
    assert [(f.path, f.line, f.commit) for f in hits] == [("<commit header>", 6, sha)]
    assert AWS_KEY not in hits[0].message


def test_a_key_in_a_new_path_is_found_once_and_redacted_in_every_finding(repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {"a.txt": "a\n"})
    name = f"keys/{AWS_KEY}.txt"
    repo.commit("add\n", {name: f"aws_secret = {AWS_KEY}\n"})
    repo.commit("edit\n", {name: f"aws_secret = {AWS_KEY}\nmore\n"})  # the path is not new here
    found = SecretsScanner().scan(job(repo.path, base)).findings
    named = [f for f in found if f.line is None and f.rule_id == "secrets/aws-access-key"]
    assert len(named) == 1 and "in the name of a file added" in named[0].message
    assert found and all(AWS_KEY not in (f.path or "") and AWS_KEY not in f.message for f in found)
    assert any(f.line == 1 for f in found)  # the content finding is still there


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_decode_reads_utf16_whose_first_8000_bytes_hold_no_nul(encoding: str) -> None:
    decoded = decode(("\u4e2d\u6587" * 3000 + "\n" + KEY_LINE).encode(encoding))
    assert decoded.complete and decoded.encoding.startswith(encoding) and AWS_KEY in decoded.text
    assert decoded.text.split("\n")[1] == KEY_LINE.rstrip("\n")  # line numbers kept


def test_decode_still_calls_a_real_binary_a_binary() -> None:
    assert not decode(bytes(range(256)) * 64).complete
    assert not decode(b"\x00\x01" * 10 + bytes(range(1, 256)) * 40).complete
    noise = bytearray(os.urandom(40_000))
    noise[0::2] = bytes(b or 1 for b in noise[0::2])  # every NUL at one parity, like UTF-16 LE
    assert not decode(bytes(noise)).complete


def test_workspace_decodes_utf16_after_a_nul_free_start_for_the_tools(repo: RepoBuilder) -> None:
    """semgrep and bandit read workspace files: a file with a NUL past git's probe is transcoded too."""
    data = ("# " + "settings line\n" * 700).encode() + "password = 'hunter2'\n".encode("utf-16-le")
    blob = repo.git("hash-object", "-w", "--stdin", input=data)
    with Workspace() as ws:
        [target] = ws.materialise(Git(repo.path), [Entry("conf.py", blob, "100644")])
        assert target.transcoded
        assert "password = 'hunter2'" in target.local.read_text()


@pytest.mark.parametrize("where", ["message-after-nul", "utf16-header"])
def test_a_key_behind_a_nul_in_a_commit_object_is_found(repo: RepoBuilder, where: str) -> None:
    """`git log` stops printing a message at a NUL, and a UTF-16 key reads `A\\0K\\0...`: the object is read."""
    base = repo.commit("base\n", {"a.txt": "a\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    head = (f"tree {tree}\nparent {base}\nauthor D <d@example.com> 1767225700 +0000\n"
            f"committer D <d@example.com> 1767225700 +0000\n").encode()
    if where == "message-after-nul":
        body = head + b"\nhello\x00\n" + KEY_LINE.encode()
        expected = ("<commit message>", 2)
    else:
        body = head + b"x-note " + KEY_LINE.encode("utf-16-le") + b"\nchange\n"
        expected = ("<commit header>", 5)
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=body)
    found = SecretsScanner().scan(job(repo.path, base, sha)).findings
    assert [(f.path, f.line) for f in found if f.rule_id == "secrets/aws-access-key"] == [expected]


def _kept(log: Path) -> list[tuple[str, str]]:
    """What the decision log keeps of each record: its data (as JSON) and its stored verdict ("" when none)."""
    store = open_log(str(log), create=False)
    try:
        return [(json.dumps(r.data()), r.verdict or "") for r in store.records()]
    finally:
        store.close()


@pytest.mark.parametrize("ref", ["refs/heads/{key}", "refs/tags/v1-{key}", "refs/heads/feature/{key}/x"])
def test_a_key_in_a_ref_name_is_found_and_redacted(tmp_path: Path, ref: str) -> None:
    """A ref name is stored in the repository and shown to everyone who fetches: a token in it leaks like
    content, even when the push brings no new commit (a new branch at an existing commit)."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    target = ref.format(key=AWS_KEY)
    log = tmp_path / "decisions.db"
    result = spush(server, work, "origin", f"HEAD:{target}", env={"GATEKEEPER_DECISION_LOG": str(log)})
    assert result.code != 0 and "<ref name>" in result.remote_text, result.output
    # Nothing the gate prints names the key: the finding, the per-ref lines, the summary (the pusher's own git
    # client still prints the ref it tried to push, in its `! [remote rejected]` line: that line is not ours).
    assert AWS_KEY not in result.remote_text, result.remote_text
    assert server.git("for-each-ref", target) == ""
    # Nor what the gate keeps: the decision log (refs, the stored verdict) and the hook's audit records.
    kept = _kept(log)
    assert kept and not [k for k in kept if AWS_KEY in k[0] or AWS_KEY in k[1]]
    assert AWS_KEY not in server.audit_log.read_text()
    # A harmless name still passes.
    assert spush(server, work, "origin", "HEAD:refs/heads/feature-x").code == 0


def test_a_key_in_the_ref_name_of_new_commits_is_redacted_in_their_refs_too(tmp_path: Path) -> None:
    """With new commits on the keyed ref, the JSON verdict lists the ref under each commit (`commits[].refs`):
    the decision log's stored verdict and the hook's audit file must not keep the key there either."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("change\n", {"a.txt": "a\n"}, author=DANA, committer=DANA)
    log = tmp_path / "decisions.db"
    result = spush(server, work, "origin", f"HEAD:refs/heads/feature/{AWS_KEY}/x",
                   env={"GATEKEEPER_DECISION_LOG": str(log)})
    assert result.code != 0 and "secrets/aws-access-key" in result.remote_text, result.output
    assert AWS_KEY not in result.remote_text, result.remote_text  # git's own `! [remote rejected]` line is not ours
    verdicts = [json.loads(verdict) for _, verdict in _kept(log) if verdict]
    assert verdicts and all(v["commits"] for v in verdicts)
    assert not [v for v in verdicts if AWS_KEY in json.dumps(v)]
    assert all("AKIA…" in ref for v in verdicts for c in v["commits"] for ref in c["refs"])
    assert AWS_KEY not in server.audit_log.read_text()


@pytest.mark.parametrize("ref", ["refs/heads/feature/{key}/x", "refs/heads/release/{key}"])
def test_deleting_a_ref_whose_name_holds_a_key_does_not_print_or_keep_the_key(tmp_path: Path, ref: str) -> None:
    """The fix the gate names for a keyed ref is to delete it: that push must not write the key into the pusher's
    terminal, the decision log or the hook's audit file (a deleted ref's name is not scanned as content, so it
    was never learnt as a name to redact). On a protected branch the deletion is refused, the key still hidden."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    target = ref.format(key=AWS_KEY)
    server.git("update-ref", target, work.head())  # there before the gate (or put there by an administrator)
    log = tmp_path / "decisions.db"
    result = spush(server, work, "origin", f":{target}", env={"GATEKEEPER_DECISION_LOG": str(log)})
    assert (result.code != 0) == ("release/" in ref), result.output
    assert AWS_KEY not in result.remote_text, result.remote_text  # git's own status line is not ours
    kept = _kept(log)
    assert kept and not [k for k in kept if AWS_KEY in k[0] or AWS_KEY in k[1]]
    assert AWS_KEY not in server.audit_log.read_text()


def test_a_key_in_the_name_of_a_file_an_agent_wrote_is_redacted_in_its_ai_paths(tmp_path: Path) -> None:
    """An Agent Trace record names the file an agent wrote: the JSON verdict lists that path under the commit's
    origin (`ai_paths`, each evidence's `ai_lines`), and the decision log and the hook's audit file keep the
    verdict. A key in the file's name must be redacted there as in the findings."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    name = f"keys/{AWS_KEY}.txt"
    record = {"version": "1.0", "id": "550e8400-e29b-41d4-a716-446655440000", "timestamp": "2026-01-23T14:30:00Z",
              "vcs": {"type": "git", "revision": base}, "tool": {"name": "cursor", "version": "2.4.0"},
              "files": [{"path": name, "conversations": [{"contributor": {"type": "ai", "model_id": "m"},
                                                          "ranges": [{"start_line": 1, "end_line": 1}]}]}]}
    work.commit("agent edit\n", {name: "x\n", ".agent-trace/traces.jsonl": json.dumps(record) + "\n"},
                author=DANA, committer=DANA)
    log = tmp_path / "decisions.db"
    result = spush(server, work, "origin", "HEAD:refs/heads/topic", env={"GATEKEEPER_DECISION_LOG": str(log)})
    assert result.code != 0 and "secrets/aws-access-key" in result.remote_text, result.output
    verdicts = [json.loads(verdict) for _, verdict in _kept(log) if verdict]
    origins = [c["origin"] for v in verdicts for c in v["commits"] if c["origin"]["ai_paths"]]
    assert origins, verdicts  # the agent's path is listed (redacted), not dropped
    assert all(p.startswith("keys/AKIA…") for o in origins for p in o["ai_paths"])
    assert not [v for v in verdicts if AWS_KEY in json.dumps(v)]
    assert AWS_KEY not in server.audit_log.read_text()


def test_a_key_in_a_path_is_redacted_in_semgrep_and_bandit_findings_too(repo: RepoBuilder, tmp_path: Path) -> None:
    """The secrets scanner redacts a key in a file's name in its own findings; semgrep and bandit name the same
    path in theirs, and every output format must show it redacted (real semgrep and bandit runs)."""
    from gatekeeper.cli import run

    policy = ("version: 1\nprotected_refs: [refs/heads/main]\n"
              "rules:\n  default: {scanners: [secrets, semgrep, bandit], block_at: critical}\n")
    base = repo.commit("base\n", {".gatekeeper.yml": policy, "a.txt": "a\n"})
    repo.commit("add\n", {f"svc/{AWS_KEY}/app.py": "import os\nimport subprocess\n\n"
                          "def run(cmd):\n    subprocess.call(cmd, shell=True)\n    eval(input())\n"})
    outputs = []
    for fmt in ("json", "text", "sarif"):
        out = tmp_path / f"verdict.{fmt}"
        run(["check", "--repo", str(repo.path), "--base", base, "--format", fmt, "--output", str(out)])
        outputs.append(out.read_text())
    verdict = json.loads(outputs[0])
    tools = {f["rule_id"].split("/")[0] for f in verdict["findings"] if f.get("path", "").startswith("svc/")}
    assert {"secrets", "bandit"} <= tools or {"secrets", "semgrep"} <= tools, verdict["findings"]
    assert not [o for o in outputs if AWS_KEY in o]


def test_a_key_in_a_path_a_scanner_error_quotes_is_redacted_in_the_stats(repo: RepoBuilder, tmp_path: Path) -> None:
    """A scanner that fails names what it was reading: the failure is kept in `stats.scanners.<name>.error`
    (and detail), which the JSON verdict, the decision log and the hook's audit file carry. A key in a file's
    name must be redacted there as in the findings."""
    from gatekeeper.scan.semgrep import SemgrepScanner
    from tests.scan_helpers import evaluate_range, policy, script, write_rules

    base = repo.commit("base\n", {"a.txt": "a\n"})
    name = f"svc/{AWS_KEY}/app.py"
    repo.commit("add\n", {name: "x = 1\n"})
    # semgrep answers with an error that is not about a scanned file (so the run is not trusted), quoting the
    # path as semgrep quotes what it was reading.
    answer = json.dumps({"results": [], "errors": [{"level": "error", "type": "Fatal error",
                                                    "message": f"could not read {name}: I/O error"}]})
    fake = script(tmp_path / "fake-semgrep", f"cat <<'EOF'\n{answer}\nEOF\n")
    scanners = {"secrets": SecretsScanner(),
                "semgrep": SemgrepScanner(rules_dir=write_rules(tmp_path / "rules"), executable=fake, version="1.0",
                                          use_cache=False, experimental=False)}
    verdict = evaluate_range(repo.path, base, scanners, policy(scanners="secrets, semgrep"))
    stats = dict(verdict.stats.scanners)
    assert stats["semgrep"].error and "could not read svc/" in stats["semgrep"].error, stats
    assert [f for f in verdict.findings if f.rule_id.startswith("secrets/")]  # the name was found
    for stat in stats.values():
        assert AWS_KEY not in (stat.error or "") and AWS_KEY not in (stat.detail or ""), stat


def test_the_engine_redacts_a_named_key_in_any_scanners_stats(repo: RepoBuilder) -> None:
    """Whatever a scanner does with its own output, the engine reads every scanner's stats for keys and shows
    them redacted (a fake scanner that quotes the keyed path raw, in its error and its detail)."""
    from gatekeeper.interfaces import ScanJob, ScanResult
    from gatekeeper.models import ScannerStat
    from tests.scan_helpers import evaluate_range, policy

    class Quoting:
        name = "semgrep"

        def scan(self, job: ScanJob) -> ScanResult:
            paths = sorted(change.path for changes in job.changes.values() for change in changes)
            return ScanResult(stat=ScannerStat(ran=False, error=f"cannot open {paths[0]}",
                                               detail=f"read {', '.join(paths)}"))

    base = repo.commit("base\n", {"a.txt": "a\n"})
    repo.commit("add\n", {f"svc/{AWS_KEY}/app.py": "x = 1\n"})
    verdict = evaluate_range(repo.path, base, {"secrets": SecretsScanner(), "semgrep": Quoting()},
                             policy(scanners="secrets, semgrep"))
    stat = dict(verdict.stats.scanners)["semgrep"]
    assert stat.error is not None and stat.error.startswith("cannot open svc/AKIA…") and AWS_KEY not in stat.error
    assert stat.detail is not None and AWS_KEY not in stat.detail and "svc/AKIA…" in stat.detail
