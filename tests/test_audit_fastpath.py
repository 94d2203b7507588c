"""The audit's fast path (commits proved to carry no evidence, written from a template without a Commit or a
detector run) against the full path, commit by commit: both must write the same JSON record for every
commit and the same summary.

The normal suite runs generated histories (trailers, body lines, AI and forge identities, Unicode look-alikes
of the keywords, notes, signatures, merges, a protected and an unprotected branch) under several policies;
the real-history variant runs the mirrors under $GATEKEEPER_REAL_REPOS (pinned commits) and skips, saying
so, when they are not on the machine.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gatekeeper.audit.history import AuditRequest, PlainRecord, resolve_range, run_audit
from gatekeeper.audit.render import JsonWriter, commit_dict
from gatekeeper.config import Policy, default_policy, parse_policy
from gatekeeper.git import Git
from gatekeeper.provenance.source import filesystem_reader
from tests.provenance_helpers import Key, make_keys, signed_commit
from tests.repo_builder import RepoBuilder

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

PEOPLE = [
    ("Dev One", "dev1@example.com"), ("Zoë O'Neil", "zoe@example.com"), ("Dev Two", "DEV2@Example.com"),
    ("Claude", "noreply@anthropic.com"), ("Paul Gauthier (aider)", "paul@example.com"),
    ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), ("Agent Smith", "bot@corp.example"),
    ("GitHub", "noreply@github.com"), ("GitLab", "noreply@gitlab.com"), ("", ""),
]
# Message pieces: plain ones, ones that carry evidence, and near misses either way.
BODIES = [
    "", "", "", "\nSigned-off-by: {name} <{email}>\n", "\nSigned-off-by: Other <other@example.com>\n",
    "\nSIGNED-OFF-BY: {name} <{email}>\n", "\nsee the Signed-off-by: line in the middle\n\nmore prose here\n",
    "\nOrigin-Device: mobile\nOrigin-Device-Id: phone-1\n", "\norigin-client: working-copy/6.1\n",
    "\nOrigin-Device: toaster\n", "\nX-Device: phone\n", "\nAssisted-by: codex-mobile:gpt-5-codex\n",
    "\nGenerated-by: some-agent\n", "\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    "\nCo-authored-by: A Human <human@example.com>\n",
    "\nCo-authored-by: Claude <noreply@anthropic.com>\n\nsession notes after the co-author line\n",
    "\n\U0001f916 Generated with [Claude Code](https://claude.ai/code)\n",
    "\nClaude-Session: abc123\n", "\nEntire-Checkpoint: 77aa\n", "\nMade-with: Cursor\n",
    "\nReplit-Commit-Author: Agent\n", "\nAmp-Thread-ID: T-1\n", "\nAgent-Logs-Url: https://example.com/x\n",
    "\nReviewed-by: Rita Reviewer <rita@example.com>\n", "\nAcked-by: Rita Reviewer <rita@example.com>\n",
    "\nChange-Id: I0123\nReviewed-on: https://go-review.googlesource.com/c/x/+/1\nReviewed-by: R <r@example.com>\n",
    "\nReviewed-on: https://go-review.googlesource.com/c/x/+/2\n",
    "\na\u017f\u017fi\u017fted-by: claude (long s, outside the trailer block)\n\nLast: paragraph\n",
    "\nAc\u212aed-by: Kelvin sign\n", "\nFixes: #12\nRefs: ABC-1\n", "\nSee merge request group/proj!12\n",
    "\nTrailer-Key: value\n continued on the next line\nSigned-off-by: {name} <{email}>\n",
    "\n# a comment line\n", "\n\x1b[31mred\x1b[0m \u202eevil\n",
]
SUBJECTS = ["fix: a colon in the subject", "change {n}", "Merge pull request #{n} from dev/side", "x" * 250,
            "Update README.md", "feat(core): thing (#{n})", "   padded subject   "]


def generated_history(path: Path, n: int, seed: int, object_format: str = "sha1") -> RepoBuilder:
    """n commits on main (every 9th a merge of a side commit) with a topic branch off the middle, built with
    fast-import from seeded random pieces."""
    rng = random.Random(seed)
    repo = RepoBuilder.init(path, object_format=object_format)
    out: list[bytes] = []
    main = 0
    t0 = 1_700_000_000
    for i in range(1, n + 1):
        name, email = rng.choice(PEOPLE)
        cname, cemail = (name, email) if rng.random() < 0.7 else rng.choice(PEOPLE)
        subject = rng.choice(SUBJECTS).format(n=i)
        body = rng.choice(BODIES).format(name=name, email=email)
        data = f"{subject}\n{body}".encode()
        when = t0 + i * 3_600 * 7
        mark = i
        branch = b"refs/heads/topic" if i == n // 2 + 1 else b"refs/heads/main"
        out.append(b"commit " + branch + b"\n" + f"mark :{mark}\n".encode())
        out.append(f"author {name} <{email}> {when} +0000\ncommitter {cname} <{cemail}> {when} +0000\n".encode())
        out.append(f"data {len(data)}\n".encode() + data + b"\n")
        if main:
            out.append(f"from :{main}\n".encode())
        if i % 9 == 0 and main > 1:
            out.append(f"merge :{main - 1}\n".encode())
        out.append(f"M 100644 inline f{i % 13}.txt\ndata 6\n{i % 99999:05d}\n".encode())
        if branch == b"refs/heads/main":
            main = mark
    repo.git("fast-import", "--quiet", input=b"".join(out))
    repo.git("checkout", "-q", "-f", "main")
    return repo


def both_paths(path: Path, policy: Policy, *, every_ref: bool = False,
               rev_range: str | None = None) -> tuple[list[Any], list[Any], dict[str, Any], dict[str, Any], int]:
    """(full-path commits, fast-path commits, full summary, fast summary, commits the fast path took)."""
    from gatekeeper.audit.render import summary_dict

    git = Git(path)
    rng = resolve_range(git, rev_range, None, every_ref)
    results = []
    plain = 0
    for fast in (False, True):
        out = io.StringIO()
        writer = JsonWriter(out, {"schema_version": 1})
        request = AuditRequest(git, policy, filesystem_reader, rng, NOW)
        if fast:
            def take(records: list[PlainRecord]) -> None:
                nonlocal plain
                assert records, "a run of plain commits is never empty"
                plain += len(records)
                for record in records:
                    # The record's own full form is what the full path would have made of it.
                    assert commit_dict(record.audit())["origin"]["evidence"] == []
                # Written one by one or as a run, the bytes are the same.
                writer.plain(records[:1])
                writer.plain(records[1:])

            summary = run_audit(request, writer.commit, take)
        else:
            summary = run_audit(request, writer.commit)
        summary.duration_ms = 0
        writer.close(summary_dict(summary))
        results.append(json.loads(out.getvalue()))
    full, quick = results
    return full["commits"], quick["commits"], full["summary"], quick["summary"], plain


def assert_same(path: Path, policy: Policy, *, every_ref: bool = False, rev_range: str | None = None) -> int:
    full, quick, full_summary, quick_summary, plain = both_paths(path, policy, every_ref=every_ref,
                                                                 rev_range=rev_range)
    assert len(full) == len(quick)
    for a, b in zip(full, quick, strict=True):
        assert a == b, f"commit {a['sha']} differs between the full and the fast path"
    assert full_summary == quick_summary
    assert_parts_agree(path, policy, every_ref=every_ref, rev_range=rev_range)
    return plain


def assert_parts_agree(path: Path, policy: Policy, *, every_ref: bool = False, rev_range: str | None = None) -> None:
    """A record the fast path read but handed on (it carries evidence, or a forge or agent identity, or a note)
    comes with its parts, which the full path then uses instead of raw_parts: they must be raw_parts' own
    answer, record by record."""
    from gatekeeper.audit.history import Summary, _Runner, protected_tips
    from gatekeeper.git import raw_parts

    git = Git(path)
    rng = resolve_range(git, rev_range, None, every_ref)
    request = AuditRequest(git, policy, filesystem_reader, rng, NOW)
    runner = _Runner(request, Summary(list_cap=10), protected_tips(git, policy), lambda _: None, lambda _: None,
                     check_zones=False)
    handed_on = 0
    for batch in git.iter_raw_records(rng.include, rng.exclude, every_ref=rng.every_ref):
        for raw in batch:
            found = runner._plain(raw, True, {})
            if found is None or isinstance(found, PlainRecord):
                continue
            handed_on += 1
            assert found == raw_parts(raw, {}), raw[:120]
    assert handed_on or not runner.fast


ALIASES = parse_policy("""\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop, trailer_aliases: [X-Device],
          ai_identities: [bot@corp.example]}
protected_refs: ["refs/heads/main"]
zones:
  - {name: all, paths: ["**"], mobile: block}
""", "test")
UNDECLARED_MOBILE = parse_policy("""\
version: 1
origins: {mobile_classes: [mobile, tablet, desktop], undeclared: mobile}
protected_refs: ["refs/heads/main"]
""", "test")


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_path_writes_what_the_full_path_writes(tmp_path: Path, seed: int) -> None:
    repo = generated_history(tmp_path / "h", 700, seed)  # more than one window of 512
    notes = repo.git("rev-list", "-n", "40", "main").split()
    for sha in notes[::7]:
        repo.note(sha, "Origin-Device: tablet")
    for sha in notes[3::11]:
        repo.note(sha, "just a remark")
    total = int(repo.git("rev-list", "--count", "--all"))
    plain = assert_same(repo.path, default_policy(), every_ref=True)
    assert 0 < plain < total  # both paths were taken
    assert assert_same(repo.path, ALIASES, every_ref=True) > 0
    assert assert_same(repo.path, default_policy(), rev_range="topic") > 0
    # With `undeclared: mobile` every commit without evidence is a mobile one: the full path runs for all.
    assert assert_same(repo.path, UNDECLARED_MOBILE) == 0


def test_sha256_repositories_keep_whole_object_ids(tmp_path: Path) -> None:
    """In a SHA-256 repository ids are 64 hex digits: both paths read them whole (the full path once cut them
    to 40), count merges by their parent lines, and follow the first-parent line with them."""
    repo = generated_history(tmp_path / "h", 600, 3, object_format="sha256")
    assert len(repo.head()) == 64
    full, quick, summary, _, plain = both_paths(repo.path, default_policy(), every_ref=True)
    assert 0 < plain < len(full)
    assert full == quick
    assert {c["sha"] for c in full} == set(repo.git("rev-list", "--all").split())
    assert summary["merges"] == int(repo.git("rev-list", "--merges", "--count", "--all"))
    assert [c["sha"] for c in full if c["merge"]] == repo.git("rev-list", "--merges", "--all").split()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)


def test_signed_and_noted_commits_take_the_full_path(repo: RepoBuilder, keys: dict[str, Key]) -> None:
    repo.commit("plain", {"a.txt": "1\n"})
    signed_commit(repo, "signed, otherwise plain", keys["alice"], {"b.txt": "1\n"})
    noted = repo.commit("noted, otherwise plain", {"c.txt": "1\n"})
    repo.note(noted, "nothing of interest")
    repo.commit("plain again", {"d.txt": "1\n"})
    assert assert_same(repo.path, default_policy()) == 2


ROOT = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
REAL = {
    "opencontainers+runc": "76d9cf5da5683ff449ae967db58fa8c5927ca54b",
    "Aider-AI+aider": "5dc9490bb35f9729ef2c95d00a19ccd30c26339c",
    "golang+net": "0ca694d2a5adcce7f36d4d65e5f8d72390d94051",
    "github+github-mcp-server": "64a49f34d076b6f5917dae1424521d43c7bcae84",
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_fast_path_on_real_histories(name: str) -> None:
    path = ROOT / name / "repo"
    if not (path / "HEAD").exists():
        pytest.skip(f"no mirror of {name} at {path} (set GATEKEEPER_REAL_REPOS)")
    pinned = REAL[name]
    if subprocess.run(["git", "-C", str(path), "cat-file", "-e", pinned], capture_output=True).returncode != 0:
        pytest.skip(f"the mirror at {path} does not hold the pinned commit {pinned}")
    assert assert_same(path, default_policy(), rev_range=pinned) > 0


SIGN_OFF_SHAPES = [
    "t\n\nSigned-off-by: A <a@example.com>", "t\n\nSigned-off-by: A <a@example.com>\n",
    "t\n\nSigned-off-by: B <b@example.com>\nSigned-off-by: A <A@Example.com>\n",
    "Signed-off-by: A <a@example.com>\n", "\n\nSigned-off-by: A <a@example.com>\n",
    "   \n\nSigned-off-by: A <a@example.com>\n", "t\n  \nSigned-off-by: A <a@example.com>\n",
    "t\n\nsigned-off-by: A <a@example.com>\n", "t\n\nSigned-off-by:A <a@example.com>\n",
    "t\n\nSigned-off-by: A <a@example.com>\r\n", "t\n\nSigned-off-by:  A  < a@example.com > (github: a)\n",
    "t\n\nSigned-off-by: A <a@example.com>\n# a comment\n", "t\n\nSigned-off-by: A <a@example.com>\n\n",
    "t\n\n# ------------------------ >8 ------------------------\nx\n\nSigned-off-by: A <a@example.com>\n",
    "t\n\nprose\nSigned-off-by: A <a@example.com>\n", "t\n\nSigned-off-by: A <a@example.com>\n continued\n",
    "#c\n\nSigned-off-by: A <a@example.com>\n", "t\n\nSigned-off-by: A <a@example.com\n",
    "t\n\nSigned-off-by: A <>\n", "t\n\nSigned-off-by: A <a@exa mple.com>\n", "t\n\nSigned-off-by: \n",
    "t\n\nConflicts:\n\tf.txt\n\nSigned-off-by: A <a@example.com>\n",
]


def test_simple_sign_off_reads_what_the_trailer_parser_reads(tmp_path: Path) -> None:
    """The fast path's DCO shortcut answers only for a message that ends in a paragraph of git-spelled
    Signed-off-by lines, and then exactly as parse_trailers + _signed_off do; raw bodies come from real git."""
    from gatekeeper.audit.history import _message, _signed_off, _simple_sign_off
    from gatekeeper.trailers import parse_trailers

    repo = RepoBuilder.init(tmp_path / "r")
    out = []
    for i, message in enumerate(SIGN_OFF_SHAPES, 1):
        data = message.encode()
        out.append(f"commit refs/heads/main\nmark :{i}\nauthor A <a@example.com> {1_700_000_000 + i} +0000\n"
                   f"committer A <a@example.com> {1_700_000_000 + i} +0000\ndata {len(data)}\n".encode() + data
                   + b"\n" + (f"from :{i - 1}\n".encode() if i > 1 else b""))
    repo.git("fast-import", "--quiet", input=b"".join(out))
    answered = 0
    for batch in Git(repo.path).iter_raw_records(["main"]):
        for raw in batch:
            body = raw[raw.index(b"\n\n") + 2:]
            expected = _signed_off(parse_trailers(_message(body)), "a@example.com")
            fast = _simple_sign_off(body, "a@example.com")
            if fast is not None:
                answered += 1
                assert fast == expected, _message(body)
    assert 4 <= answered < len(SIGN_OFF_SHAPES)  # it answers the common shapes and leaves the rest


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
HOSTILE_IDENTS = [b"A <a@x>", b"Claude <noreply@anthropic.com>", b"GitHub <noreply@github.com>", b" github  <NOREPLY@github.com >",
          b"x <NOREPLY@GITLAB.COM >", b"Paul (aider)\t<p@x>", b"b <Bot@Corp.example>", b"A <noreply@anthropic.com> x>",
          b"\xff\xfe <a@x>", b"GitHub <noreply@github.com\r>", b"A <a@x>>", b"A <a@x> 5 +0000 <noreply@anthropic.com>",
          b"\xe2\x84\xaaelvin <a@x>"]
HOSTILE_MESSAGES = [b"", b"t", b"t\n\nSigned-off-by: A <a@x>\n", b"t\r\n\r\nSigned-off-by: A <a@x>\r\n",
            b"t\n\nSigned-off-by: A <a@x>\x0cSigned-off-by: B <b@y>\n", b"t\n\nSIGNED-OFF-BY: A <a@x>\n",
            b"t\n\nCo-\n    authored-by: Claude <noreply@anthropic.com>\n", b"t\n\nGenerated\n with [Claude Code]\n",
            b"t\n\na\xc5\xbf\xc5\xbfi\xc5\xbfted-by: claude\n", b"t\n\nAc\xe2\x84\xaaed-by: k\n\nReviewed-by: R <r@x>\n",
            b"t\n\nX-\xe2\x84\xaaey: phone\n", b"t\n\nX-Device: phone\n", b"t\n\nOr\xc4\xb0gin-Device: mobile\n",
            b"caf\xe9 \xff\n\nOrigin-Device: mobile\n", b"t\n\x00\nOrigin-Device: mobile\n", b"Signed-off-by: A <a@x>\n",
            b"t\n\n# ------------------------ >8 ------------------------\nOrigin-Device: mobile\n",
            b"t\n\n---\n\nSigned-off-by: A <a@x>\n", b"t\n\nSigned-off-by: A <a@x>\n continued\n",
            b"Merge pull request #4 from a/b\n\nSee merge request g/p!3\n", b"t (#12)\n"]


def test_hostile_raw_commits(tmp_path: Path) -> None:
    """Commits written byte by byte (hash-object --literally): identities with `>`, CR, a forge or agent address
    in odd spacing and case, non-UTF-8 names; messages with evidence words split across lines, Unicode
    look-alikes (long s, Kelvin sign, dotted I), a NUL, a scissors line, `---`, sign-offs with CR, form feed,
    continuation lines; encoding and unknown headers; merges. Both paths must write the same for each."""
    repo = RepoBuilder.init(tmp_path / "r")

    def put(data: bytes) -> str:
        return subprocess.run(["git", "-C", str(repo.path), "hash-object", "-t", "commit", "--literally", "-w",
                               "--stdin"], input=data, capture_output=True, check=True).stdout.decode().strip()

    tip: str | None = None
    side: str | None = None
    extra = [b"", b"encoding ISO-8859-1\n", b"encoding UTF-8\n", b"x-custom value\n"]
    for n, (who, msg) in enumerate(itertools.product(HOSTILE_IDENTS, HOSTILE_MESSAGES)):
        parents = b"".join(b"parent %s\n" % p.encode() for p in (tip, side if n % 11 == 0 else None) if p)
        committer = who if n % 3 else HOSTILE_IDENTS[(n // 3) % len(HOSTILE_IDENTS)]
        head = (b"tree " + EMPTY_TREE.encode() + b"\n" + parents + b"author " + who + b" %d +0000\n" % (1_700_000_000 + n)
                + b"committer " + committer + b" %d +0000\n" % (1_700_000_000 + n)
                + (b"" if n % 11 == 0 else extra[n % len(extra)]))
        sha = put(head + b"\n" + msg)
        if n % 11 == 5:
            side = sha
        else:
            tip = sha
    assert tip is not None
    repo.git("update-ref", "refs/heads/main", tip)
    assert assert_same(repo.path, default_policy(), rev_range="main") > 0
    assert assert_same(repo.path, ALIASES, rev_range="main") > 0


def test_a_parent_header_after_the_committer_is_no_parent(repo: RepoBuilder) -> None:
    """git reads parents only right after `tree`; a `parent` line smuggled after `committer` (fsck --strict
    lets it pass) must not make the audit call the commit a merge (and its DCO 'n/a')."""
    repo.commit("init", {"a": "1"})
    first = repo.commit("two", {"b": "1"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    body = (f"tree {tree}\nparent {first}\nauthor Dev <dev@example.com> 1700009000 +0000\n"
            f"committer Dev <dev@example.com> 1700009000 +0000\nparent {repo.git('rev-parse', 'HEAD~1')}\n\n"
            "no sign-off here\n")
    sha = repo.git("hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=body)
    repo.git("update-ref", "refs/heads/main", sha)
    full, quick, summary, _, _ = both_paths(repo.path, default_policy())
    assert full == quick
    record = next(c for c in full if c["sha"] == sha)
    assert record["merge"] is False and record["dco"] is False
    assert summary["merges"] == 0


# -- the pieces the per-commit loops are built from ------------------------------------------------------------

_JSON_TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["\x00\x1f\x7f", "a\"b\\c", "\u2028\u2029", "\u202e evil", "caf\u00e9 \U0001f600", "\r\n\t\b\f", ""])
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_records_are_written_as_json_dumps_writes_them(value: Any) -> None:
    """The full path's records go through orjson: byte for byte what json.dumps(ensure_ascii=False, compact)
    writes, control characters, quotes, backslashes and non-ASCII text included."""
    from gatekeeper.audit.render import dumps

    assert dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_what_orjson_refuses_falls_back_to_json() -> None:
    """An integer beyond 64 bits (a PR number is whatever a merge message says) or a lone surrogate is written
    by json's own encoder instead of failing the audit."""
    from gatekeeper.audit.render import dumps

    for value in ({"pr": 10**30}, {"pr": -(2**64)}, {"s": "a\ud800b"}, [2**64]):
        assert dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_CALENDAR = (int(dt.datetime(1, 1, 1, tzinfo=dt.UTC).timestamp()),
             int(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp()))


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=_CALENDAR[0] - 10**12, max_value=_CALENDAR[1] + 10**12)
       | st.sampled_from([0, -1, 86399, 86400, *_CALENDAR, _CALENDAR[0] - 1, _CALENDAR[1] + 1]))
def test_iso_time_is_datetimes_answer(when: int) -> None:
    """The cached date and clock parts give datetime's own UTC time, asked twice (cold and cached); a time
    outside years 1-9999 shows the nearest end of them."""
    from gatekeeper.audit.history import iso_time

    shown = dt.datetime.fromtimestamp(min(max(when, _CALENDAR[0]), _CALENDAR[1]), dt.UTC)
    expected = (f"{shown.year:04d}-{shown.month:02d}-{shown.day:02d}T{shown.hour:02d}:{shown.minute:02d}:"
                f"{shown.second:02d}Z")
    assert iso_time(when) == expected
    assert iso_time(when) == expected


def test_the_fast_path_takes_only_a_hex_commit_id(repo: RepoBuilder) -> None:
    """The commit's own id, which the JSON template writes unescaped, must be 40 or 64 lowercase hex digits (the
    one rule, models.is_sha), or the commit takes the full path (whose parser refuses it)."""
    from gatekeeper.audit.history import _PLAIN_HEAD, Summary, _Runner

    repo.commit("init", {"a": "1"})
    git = Git(repo.path)
    request = AuditRequest(git, default_policy(), filesystem_reader, resolve_range(git, None, None, False), NOW)
    runner = _Runner(request, Summary(list_cap=10), {}, lambda _: None, lambda _: None, check_zones=False)
    tail = b"\ntree " + b"1" * 40 + b"\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\n    t\n"
    for good in (b"a" * 40, b"0123456789abcdef" * 4):
        assert isinstance(runner._plain(b"commit " + good + tail, True, {}), PlainRecord), good
    for bad in (b"a" * 39, b"a" * 41, b"A" * 40, b"g" * 40, b'a"' * 20, b"a" * 63, b"\xff" * 40, b'"' * 40):
        raw = b"commit " + bad + tail
        assert _PLAIN_HEAD.match(raw) is None, bad
        assert runner._plain(raw, True, {}) is None, bad  # the full path's parser refuses it


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("abc-", min_size=1, max_size=5).map(str.encode), min_size=1, max_size=8),
       st.text("abc- ", max_size=40).map(str.encode) | st.binary(max_size=40))
def test_the_grouped_word_pattern_finds_what_a_flat_alternation_finds(words: list[bytes], text: bytes) -> None:
    """The fast path's evidence-word search groups the words by first byte; any text holding one of the words
    must still match, and no other (words drawn from a small alphabet so that they overlap and share prefixes)."""
    import re

    from gatekeeper.audit.history import _literal_alternation

    flat = re.compile(b"|".join(re.escape(w) for w in words))
    assert (_literal_alternation(words).search(text) is None) == (flat.search(text) is None)
    for word in words:
        assert _literal_alternation(words).search(text + word) is not None
