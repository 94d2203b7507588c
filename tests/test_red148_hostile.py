"""Red team red148: hostile pushes against the twenty-third session's loosenings (ffd8602: python-sql-string-formatting
lets Django's compiled WHERE clause fill a statement; 053e59b: a request header is read with the lines of the call it
stands in; 4383ac1: a private-key header followed by a lone CR starts a key). Each test commits real content to a real
repository and runs the real scanner, `gatekeeper check`, or a push through the installed pre-receive hook.

Found and fixed (each test failed before its fix on branch red148):

1. HIGH — the call's lines (_open_call) also decided that a header's request goes to an example's host, which makes
   a real token in a documentation page a warning. They are found by counting brackets with strings stripped by a
   one-line regex, so a `(` left open in prose (`The API (it's at http://localhost:8000) won't…`: the apostrophes
   read as a string that swallows the `)`), in a `#` comment, a triple-quoted string or a JS template literal spanning
   lines — or a localhost URL in a comment inside a real call whose target is a variable or `url=` — turned a real
   token sent to `$API_URL` into a documentation example. At 4383ac1 each of these blocked. Fixed: the call's lines can
   only say the request names a host on a network (red142's purpose), never that it goes to an example's.
2. HIGH — python-sql-string-formatting's `with` form of the compiled-WHERE exemption ended in `...`: every statement
   after the exempt call in the block was inside the exemption, so an f-string, a concatenation or %-formatting of
   the request's value executed on the same cursor passed. Fixed: the block holds the call and at most a fetch of its
   rows.

Held (no change needed): a private key with CR-only or mixed line ends is caught by `gatekeeper check` and by the
hook whether the file is new or a template filled in; code and prose about keys with CR-only line ends do not block
(beyond what the same text with LF line ends does).

Left: a localhost URL as a data argument on the header's own line while the target is a variable (older than
053e59b, MEDIUM: a documentation page's warning; strict xfail below); the cost of reading a call's lines (LOW, not a
test: bench/ measures time): non-brackets are now taken out in C before the walk, but 12 lines of 2,000 brackets
above each header are still walked in Python (a 2 MB file of such lines, 1.4 s more than at 4383ac1; bounded per
header, and a push that runs out of budget is refused).

Every token and key is made at run time."""

from __future__ import annotations

import random
import string
from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import DANA, SECRETS_POLICY, SEMGREP_HOOK_POLICY, seeded, spush
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit
from tests.secrets_helpers import blocking_findings, check_json, scan_commit
from tests.test_red141_pasted_keys import _header, _material, _real_key

_RNG = random.Random(148)
_B62 = string.ascii_letters + string.digits


def _token(n: int = 48) -> str:
    return "".join(_RNG.choice(_B62) for _ in range(n))


def _bearer() -> str:
    return "Authorization: Bearer " + _token()


# -- 1. a documentation page's header read with lines that are not its call's ----------------------------------------

_READ_AS_AN_EXAMPLE = {
    "prose whose apostrophes hide the closing bracket": (
        "docs/api.md", "The API (it's at http://localhost:8000) won't need a login locally.\n\n```bash\n"
        'curl -H "{h}" "$API_URL/v1/me"\n```\n'),
    "a localhost URL in a comment inside the call": (
        "README.md", '```python\nresp = requests.get(\n    f"{{API_URL}}/v1/items",  # http://localhost:8000 in dev\n'
        '    headers={{"Authorization": "{h}"}},\n)\n```\n'),
    "the target as url= and a localhost URL in a comment": (
        "README.md", '```python\nresp = requests.get(\n    url="https://api.acme-corp.com/v1/items",  # or '
        'http://localhost:8000\n    headers={{"Authorization": "{h}"}},\n)\n```\n'),
    "a JS template literal spanning lines": (
        "docs/client.md", "```js\nconst r = await fetch(`http://localhost:3000/v1/me\n`.replace("
        "'http://localhost:3000', API), {{\n  headers: {{ Authorization: \"{h}\" }},\n}});\n```\n"),
    "a triple-quoted string left open on its line": (
        "docs/usage.md", '```python\ndoc = """usage (see http://localhost:8000\n"""\n'
        'HEADERS = {{"Authorization": "{h}"}}\nrequests.get(PROD_URL, headers=HEADERS)\n```\n'),
    "a comment whose apostrophe hides nothing, its bracket open": (
        "docs/usage.md", "```python\n# Don't forget: the local server (http://localhost:8000\n"
        'HEADERS = {{"Authorization": "{h}"}}\n```\n'),
}


@pytest.mark.parametrize("shape", list(_READ_AS_AN_EXAMPLE))
def test_a_docs_header_is_not_made_an_example_by_lines_around_it(based: RepoBuilder, shape: str) -> None:
    path, text = _READ_AS_AN_EXAMPLE[shape]
    found = scan_commit(based, {path: text.format(h=_bearer())})
    assert blocking_findings(found) == [(path, "secrets/bearer-token")], found


def test_held_a_docs_request_to_localhost_on_the_headers_line_still_warns(based: RepoBuilder) -> None:
    text = f'Call the API:\n\n```bash\ncurl -H "{_bearer()}" http://localhost:8000/v1/me\n```\n'
    found = scan_commit(based, {"docs/api.md": text})
    assert blocking_findings(found) == [] and [rule for _, rule, *_ in found] == ["secrets/bearer-token"], found


def test_held_a_tests_split_call_to_a_real_host_still_blocks(based: RepoBuilder) -> None:
    """red142's purpose of the call's lines is kept: they still say where a test's request goes."""
    text = (f'r = requests.get(\n    "https://api.acme-corp.com/v1/me",\n    headers={{"Authorization": '
            f'"{_bearer().split(": ", 1)[1]}"}},\n)\n')
    assert blocking_findings(scan_commit(based, {"tests/test_live.py": text})) == [
        ("tests/test_live.py", "secrets/bearer-token")]


@pytest.mark.xfail(strict=True, reason=(
    "MEDIUM, left (older than 053e59b): a localhost URL given as a data argument on the header's own line "
    "(`json=[\"http://localhost:9000/cb\"]`) counts as a target beside a target named by a variable; telling a call's "
    "target argument from its data needs each client library's signature"))
def test_a_localhost_data_argument_beside_a_variable_target_blocks(based: RepoBuilder) -> None:
    text = (f'```python\nrequests.post(f"{{API}}/hooks", json=["http://localhost:9000/cb"], '
            f'headers={{"Authorization": "{_bearer().split(": ", 1)[1]}"}})\n```\n')
    assert blocking_findings(scan_commit(based, {"docs/hooks.md": text})) == [("docs/hooks.md", "secrets/bearer-token")]


def test_the_hook_refuses_a_docs_token_behind_prose_brackets(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    path, text = _READ_AS_AN_EXAMPLE["prose whose apostrophes hide the closing bracket"]
    bearer = _bearer()
    work.commit("docs: the API guide\n", {path: text.format(h=bearer)}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "secrets/bearer-token" in result.output, result.output
    assert bearer.split()[-1] not in result.output


# -- 2. the compiled-WHERE exemption's `with` block -------------------------------------------------------------------

COUNTERS = '''from contextlib import closing

from django.db import connection


def counters(request, queryset):
    compiler = connection.ops.compiler(queryset.query.compiler)(queryset.query, connection, None)
    queryset_where_tuple = queryset.query.where.as_sql(compiler, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    extra_sql = "SELECT count(*) FROM issues_issue WHERE {where}".format(where=where)
    with closing(connection.cursor()) as cursor:
        cursor.execute(extra_sql, where_params)
        rows = cursor.fetchall()
        ref = request.GET["ref"]
        cursor.execute(f"UPDATE issues_issue SET seen = 1 WHERE ref = '{ref}'")
    return rows


def counters_only(queryset, project):
    queryset_where_tuple = queryset.query.where.as_sql(None, connection)
    where = queryset_where_tuple[0]
    where_params = queryset_where_tuple[1]
    extra_sql = "SELECT count(*) FROM issues_issue WHERE {where} AND project_id = %s".format(where=where)
    with closing(connection.cursor()) as cursor:
        cursor.execute(extra_sql, where_params + [project.id])
        rows = cursor.fetchall()
    return rows
'''


@pytest.fixture(scope="module")
def counters_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return check_commit(tmp_path_factory.mktemp("red148"), {"app/counters.py": COUNTERS}, ALL_SCANNERS_POLICY)[1]


def _sql_lines(verdict: dict[str, Any]) -> set[int]:
    return {f["line"] for f in verdict["findings"]
            if f["rule_id"] == "semgrep/python-sql-string-formatting" and f["blocking"]}


def test_a_request_value_executed_after_the_exempt_call_in_its_block_blocks(counters_verdict: dict[str, Any]) -> None:
    assert counters_verdict["decision"] == "block" and 16 in _sql_lines(counters_verdict), counters_verdict


def test_held_the_measured_counters_block_passes(counters_verdict: dict[str, Any]) -> None:
    assert 26 not in _sql_lines(counters_verdict), counters_verdict


def test_the_hook_refuses_the_request_value_after_the_exempt_call(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SEMGREP_HOOK_POLICY)
    work.commit("counters\n", {"app/counters.py": COUNTERS}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "python-sql-string-formatting" in result.output, result.output
    assert server.tip() != work.head()


# -- 2b. Django's raw SQL fragments (left by red148 as a gap, closed in the same session) ----------------------------

DJANGO_EXTRA = '''from django.db.models.expressions import RawSQL

from .models import Issue


def search(request):
    ref = request.GET["ref"]
    hits = Issue.objects.extra(where=[f"ref = '{ref}'"])
    counted = Issue.objects.annotate(n=RawSQL(f"SELECT count(*) FROM notes WHERE notes.ref = '{ref}'", []))
    return hits, counted


def search_bound(request):
    ref = request.GET["ref"]
    return Issue.objects.extra(where=["ref = %s"], params=[ref])
'''


def test_a_request_value_formatted_into_django_extra_or_rawsql_blocks(tmp_path: Path) -> None:
    """Bandit's B610/B611 report every `.extra()` and `RawSQL` at medium, below the mobile rule set's block_at: the
    request's value formatted into the fragment only warned where the same text given to `cursor.execute` blocks."""
    verdict = check_commit(tmp_path, {"app/views.py": DJANGO_EXTRA}, ALL_SCANNERS_POLICY)[1]
    assert verdict["decision"] == "block" and _sql_lines(verdict) == {8, 9}, verdict


# -- 3. private keys with CR-only and mixed line ends ---------------------------------------------------------------

def _cr_key() -> tuple[str, list[str]]:
    head, body, foot = _real_key("ed25519-openssh")
    return "\r".join((head, *body, foot)) + "\r", body


@pytest.mark.parametrize("shape", ["cr-only", "cr header, lf body", "lf header, cr body", "crlf header, cr body"])
def test_a_key_with_cr_or_mixed_line_ends_is_refused_by_gatekeeper_check(tmp_path: Path, based: RepoBuilder,
                                                                           shape: str) -> None:
    h, m, e = _header(), _material(148), _header(end=True)
    text = {"cr-only": "\r".join((h, *m, e)) + "\r",
            "cr header, lf body": h + "\r" + "\n".join((*m, e)) + "\n",
            "lf header, cr body": h + "\n" + "\r".join((*m, e)) + "\r",
            "crlf header, cr body": h + "\r\n" + "\r".join((*m, e)) + "\r\n"}[shape]
    base = based.head()
    based.commit("key\n", {"ops/server.pem": text})
    verdict = check_json(tmp_path, based, base)
    assert verdict["decision"] == "block"
    # (A header and material on one line of git's, then LF lines, is read twice: two reports of one key.)
    assert {(f["rule_id"], f["path"]) for f in verdict["findings"] if f["blocking"]} == {
        ("secrets/private-key", "ops/server.pem")}


def test_the_hook_refuses_a_real_key_with_cr_only_line_ends(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    text, body = _cr_key()
    work.commit("Add the deploy key\n", {"deploy/id_ed25519": text}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "secrets/private-key" in result.output, result.output
    assert not any(piece in result.output for piece in body if len(piece) > 12)


@pytest.mark.parametrize("text", [
    'X = 1\rif line.strip() == "' + _header() + '":\r    start = True\r',
    'def is_key(t):\r    return t.startswith(\r        "' + _header() + '")\r',
    "Paste your key:\r\r" + _header() + "\r<your key>\r" + _header(end=True) + "\r",
    "The file starts with\r" + _header() + "\rand ends with\r" + _header(end=True) + "\r",
])
def test_held_cr_only_code_and_prose_about_keys_do_not_block(based: RepoBuilder, text: str) -> None:
    path = "docs/keys.md" if text[0].isupper() and not text.startswith("X") else "app/keys.py"
    assert blocking_findings(scan_commit(based, {path: text})) == []
