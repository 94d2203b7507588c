"""red144: hostile pushes against 0f407e8 (an HTTP Basic header is placed like any value read by its context: no
provider format, suppressed in vendored code, and in test code when its request names no host on a network) and
40bdc50 (policy `origins.ai_markers`, read alike by the gate and the audit's fast path).

Found and fixed here:
1. MEDIUM — a Basic header in test code whose request goes to a host with a label to fill in on a real domain
   (`f"https://{tenant}.acme-corp.com/v1"`, `` `https://${tenant}.acme-corp.com` ``, `api-{env}.acme-corp.com`,
   `<region>.api.acme-corp.com`) was a test's value: _request_destination read any host holding a placeholder as no
   host on a network, which is right for a documentation page's template but not for code, where the label is a
   variable's value and the domain is real. Now such a host names a host on a network (the second answer only: a
   documentation page's example host is unchanged). Bearer and API-key headers in test code share the answer.
2. MEDIUM — a Basic header in "vendored" code whose request names a host on a network was suppressed as vendored: the
   directory name is the pusher's (`src/vendor/acme.js`, a `node_modules/` committed with the app's own config), and
   the measured false finding (syncthing's vendored angular.js) is a docs comment that calls no host. Now a Basic
   header sent to a host on a network is no vendored value (it blocked there before 0f407e8 too).

Closed by taking the test-code reading back for Basic headers (they block in test code wherever the request goes, as
before 0f407e8; the three measured false findings of meas141's OAuth client tests stay):
3. HIGH — a Basic header in test code whose request names its real host on another line without a continuation (a
   Python call over several lines, a JS `fetch` with an options object, a Go `const` URL, a proxy set on another line)
   is a test's value, as red142 left it for bearer tokens. Measured against golang/oauth2 at HEAD: a window of 6 lines
   either way would turn google/externalaccount/basecredentials_test.go's test header into a blocking finding (an OAuth
   scope URL, `https://www.googleapis.com/auth/devstorage.full_control`, stands 6 lines above it); the whole file
   names a remote host for every Basic header in the three OAuth repositories read (hydra, fosite, oauth2).
4. LOW (closed the same way) — a host named without a URL on the header's line (`Client(host="api.acme-corp.com", headers=…)`, Go's
   `req.Host = "…"`) is not read by _request_destination.

5. LOW — a Basic header with no host in a configuration file under a vendored directory (`vendor/.npmrc`, which npm
   never publishes in a package, so it is the app's own) is suppressed as any keyword rule's value there is: the
   existing secrets.vendored treatment, not changed. Outside this change: `AUTH_HEADER=Basic …` in a `.env` is matched
   by no rule (basic-auth-header wants `auth`/`authorization` right before its `=`).

Checked and holding (tests below keep them): a Basic header in a documentation page blocks at high even to localhost
(its structure keeps it off the documentation warning); `provider=` is read only by `_placed`'s vendored branch, so
`provider=False` changed nothing else; an IP, a bare host name with a port, `--resolve` and a proxy on the same line
block. With a policy's own `secrets.docs` globs a Basic header in those files is now recorded as suppressed (it has no
checksum) — LOW, by design, not changed.

Policy `origins.ai_markers` (no hole found): the fast path sends a record down the full path when a marker's UTF-8
bytes are in its body; a record with an `encoding` header never takes the fast path, git's `%B` and the raw record
both end at a NUL, a marker holds no line break, tab, CR, U+FFFD or lone surrogate, and UTF-8 decoding with
replacement never swallows a valid sequence — so bytes in the body and text in the message agree. The tests below run
both paths over CRLF messages, undecodable bytes beside a marker, Latin-1 with an `encoding` header, NFD against an NFC
marker, a marker split by a line break and one after a NUL. LOW (not changed): a short ASCII word marker (`AI`)
matches inside words (`FAIL`, `EMAIL`) as documented (exact text, anywhere); a marker made only of combining marks is
accepted. The policy is the trusted one in every mode: the marker list is part of the same Policy object every front
door loads from its trusted revision, and policy_digest covers it.

Every token and password is made at run time."""

from __future__ import annotations

import base64
import random
import string
import subprocess
from pathlib import Path

import pytest

from gatekeeper.config import parse_policy
from gatekeeper.models import Severity
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking_findings, scan_commit
from tests.test_audit_fastpath import assert_same, both_paths

_RNG = random.Random(144)
_B62 = string.ascii_letters + string.digits
_BASIC = "secrets/basic-auth-header"


def _password(n: int = 20) -> str:
    return "".join(_RNG.choice(_B62) for _ in range(n - 2)) + _RNG.choice(string.digits) + _RNG.choice("QRSTUV")


def _basic(user: str = "svc") -> str:
    return base64.b64encode(f"{user}:{_password()}".encode()).decode()


def _blocking_rules(repo: RepoBuilder, path: str, text: str) -> list[str]:
    return [rule for _, rule in blocking_findings(scan_commit(repo, {path: text}))]


# -- 1. a host to fill in on a real domain, in test code --------------------------------------------------------------

@pytest.mark.parametrize("path, line", [
    ("tests/test_api.py", 'requests.get(f"https://{{tenant}}.acme-corp.com/v1", headers={{"Authorization": "Basic {b}"}})'),
    ("src/api.test.js", 'fetch(`https://${{tenant}}.acme-corp.com/v1`, {{headers: {{Authorization: "Basic {b}"}}}})'),
    ("tests/test_api.py", 'requests.get("https://api-{{env}}.acme-corp.com/v1", headers={{"Authorization": "Basic {b}"}})'),
    ("tests/test_api.py", 'requests.get("https://<region>.api.acme-corp.com/v1", headers={{"Authorization": "Basic {b}"}})'),
])
def test_a_basic_header_to_a_real_domains_templated_host_in_test_code_blocks(based: RepoBuilder, path: str,
                                                                             line: str) -> None:
    assert _blocking_rules(based, path, line.format(b=_basic()) + "\n") == [_BASIC]


@pytest.mark.parametrize("line", [
    'fetch(`https://${{API_HOST}}/v1`, {{headers: {{Authorization: "Bearer {b}"}}}})',  # the host is a variable's
    'fetch(`http://${{host}}:${{port}}/v1`, {{headers: {{Authorization: "Bearer {b}"}}}})',  # a test server's
    'fetch("https://{{tenant}}.example.com/v1", {{headers: {{Authorization: "Bearer {b}"}}}})',  # an example's domain
])
def test_a_bearer_header_to_a_variable_host_in_test_code_stays_a_tests(based: RepoBuilder, line: str) -> None:
    """(A Basic header in test code blocks wherever its request goes; a bearer token keeps red142's reading, which the
    templated-domain fix narrows and these hold.)"""
    token = "".join(random.SystemRandom().choice(string.ascii_letters + string.digits) for _ in range(40))
    assert _blocking_rules(based, "src/api.test.js", line.format(b=token) + "\n") == []


def test_a_documentation_pages_template_host_is_still_an_examples(based: RepoBuilder) -> None:
    """The first answer of _request_destination (to an example's host) is unchanged: a bearer header in a docs page's
    request to a template host on a real domain warns (ory's `<your-project-slug>.projects.oryapis.com`)."""
    text = ("```bash\ncurl -H \"Authorization: Bearer " + "".join(_RNG.choice(_B62) for _ in range(40))
            + "\" https://<your-project-slug>.projects.oryapis.com/sessions/whoami\n```\n")
    found = scan_commit(based, {"docs/api.md": text})
    assert [(rule, severity) for _, rule, severity, suppressed in found if not suppressed] == [
        ("secrets/bearer-token", Severity.MEDIUM)]


# -- 2. vendored code that sends the header to a host on a network ----------------------------------------------------

@pytest.mark.parametrize("path", ["src/vendor/acme.js", "node_modules/.acme/client.js", "third_party/sync/client.js"])
def test_a_basic_header_sent_to_a_real_host_from_vendored_code_blocks(based: RepoBuilder, path: str) -> None:
    line = 'fetch("https://api.acme-corp.com/v1", {headers: {Authorization: "Basic ' + _basic() + '"}})\n'
    assert _blocking_rules(based, path, line) == [_BASIC]


def test_a_vendored_docs_comments_basic_header_stays_the_dependencys(based: RepoBuilder) -> None:
    line = "   *   $http.defaults.headers.common.Authorization = 'Basic " + _basic("beep") + "'\n"
    assert _blocking_rules(based, "gui/default/vendor/angular/angular.js", line) == []


# -- 3, 4. what is left ----------------------------------------------------------------------------------------------

_SPLIT = {
    "a Python call over several lines": ("tests/test_client.py",
                                         'r = requests.get(\n    "https://api.acme-corp.com/v1/me",\n'
                                         '    headers={{"Authorization": "Basic {b}"}},\n)\n'),
    "a fetch with an options object": ("src/__tests__/api.test.js",
                                       'const res = await fetch("https://api.acme-corp.com/v1/me", {{\n'
                                       '  headers: {{ Authorization: "Basic {b}" }},\n}});\n'),
    "a Go const URL": ("pkg/billing/client_test.go",
                       'const prodURL = "https://billing.acme-corp.com/api"\n\n'
                       'func TestLive(t *testing.T) {{\n\treq, _ := http.NewRequest("GET", prodURL, nil)\n'
                       '\treq.Header.Set("Authorization", "Basic {b}")\n}}\n'),
}


@pytest.mark.parametrize("case", list(_SPLIT))
def test_a_basic_header_under_a_real_url_on_another_line_of_test_code_blocks(based: RepoBuilder, case: str) -> None:
    path, text = _SPLIT[case]
    assert _blocking_rules(based, path, text.format(b=_basic())) == [_BASIC]


def test_a_basic_header_with_a_host_keyword_in_test_code_blocks(based: RepoBuilder) -> None:
    line = 'client = Client(host="api.acme-corp.com", headers={"Authorization": "Basic ' + _basic() + '"})\n'
    assert _blocking_rules(based, "tests/test_api.py", line) == [_BASIC]


# -- what holds ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://localhost:8080/v1", "https://api.acme-corp.com/v1"])
def test_a_basic_header_in_a_documentation_page_blocks(based: RepoBuilder, url: str) -> None:
    text = "```bash\ncurl -H \"Authorization: Basic " + _basic() + "\" " + url + "\n```\n"
    found = scan_commit(based, {"docs/api.md": text})
    assert [(rule, severity) for _, rule, severity, suppressed in found if not suppressed] == [(_BASIC, Severity.HIGH)]


@pytest.mark.parametrize("line", [
    'requests.get("http://10.20.30.40/api", headers={{"Authorization": "Basic {b}"}})',
    'requests.get("http://billing-prod:8080/api", headers={{"Authorization": "Basic {b}"}})',
    'CMD = "curl --resolve api.acme-corp.com:443:10.0.0.5 -H \'Authorization: Basic {b}\' http://localhost/"',
    'requests.get("http://localhost/", proxies={{"https": "http://proxy.acme-corp.com:3128"}}, '
    'headers={{"Authorization": "Basic {b}"}})',
])
def test_a_basic_header_routed_to_a_real_host_in_test_code_blocks(based: RepoBuilder, line: str) -> None:
    assert _blocking_rules(based, "tests/test_api.py", line.format(b=_basic()) + "\n") == [_BASIC]


# -- origins.ai_markers: the fast path and the full path over hostile messages ---------------------------------------

MARK = "[agent-\u00e9crit]"  # (a marker with a letter outside ASCII: its Latin-1 and UTF-8 bytes differ)
POLICY = parse_policy('version: 1\norigins: {ai_markers: ["' + MARK + '", "\U0001f916\U0001f916"]}\n'
                      'protected_refs: ["refs/heads/main"]\n', "test")


def _raw_commit(repo: RepoBuilder, message: bytes, *, encoding: str | None = None) -> None:
    """A commit whose object holds `message` as given (bytes git would not write itself), on top of HEAD."""
    tree = repo.git("rev-parse", "HEAD^{tree}")
    head = repo.git("rev-parse", "HEAD")
    repo.clock += 60
    ident = f"Dev <dev@corp.example> {repo.clock} +0000".encode()
    header = b"tree " + tree.encode() + b"\nparent " + head.encode() + b"\nauthor " + ident + b"\ncommitter " + ident
    if encoding is not None:
        header += b"\nencoding " + encoding.encode()
    data = header + b"\n\n" + message
    sha = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo.path, input=data,
                         capture_output=True, check=True).stdout.decode().strip()
    repo.git("update-ref", "refs/heads/main", sha)


def test_hostile_messages_read_alike_by_both_paths(repo: RepoBuilder) -> None:
    repo.commit("Initial commit\n", {"README.md": "hi\n"})
    marked = {
        b"crlf: a change " + MARK.encode() + b"\r\n\r\nbody\r\n": "assisted",
        b"bytes beside it: \xff" + MARK.encode() + b"\xc3\n": "assisted",
        b"bytes in a robot: \xf0\x9f\xa4\xf0\x9f\xa4\x96\xf0\x9f\xa4\x96\n": "assisted",
        b"split: [agent-\n\xc3\xa9crit]\n": "none",
        b"nfd: [agent-e\xcc\x81crit]\n": "none",
        b"after a nul: \x00" + MARK.encode() + b"\n": "none",
        b"folded trailer\n\nAssisted-note: x\n " + MARK.encode() + b"\n": "assisted",
    }
    for message in marked:
        _raw_commit(repo, message)
    _raw_commit(repo, b"latin-1: " + MARK.encode("latin-1") + b"\n", encoding="ISO-8859-1")
    _raw_commit(repo, b"latin-1 without its marker: [agent-\xe9crit\n", encoding="ISO-8859-1")
    assert assert_same(repo.path, POLICY) >= 1
    full = both_paths(repo.path, POLICY)[0]
    found = {c["subject"]: c["ai"]["involvement"] for c in full}
    expected = {m.split(b"\n")[0].split(b"\r")[0].split(b"\x00")[0].decode("utf-8", "replace").strip(): level
                for m, level in marked.items()}
    for subject, level in expected.items():
        assert found[subject] == level, (subject, found)
    assert found["latin-1: " + MARK] == "assisted", found
    assert found["latin-1 without its marker: [agent-\u00e9crit"] == "none", found


def test_the_gate_reads_an_encoded_marker_as_the_audit_does(repo: RepoBuilder, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from gatekeeper.cli import run

    repo.commit("Initial commit\n", {"README.md": "hi\n"})
    base = repo.git("rev-parse", "HEAD")
    _raw_commit(repo, b"latin-1: " + MARK.encode("latin-1") + b"\n", encoding="ISO-8859-1")
    _raw_commit(repo, b"bytes beside it: \xff" + MARK.encode() + b"\xc3\n")
    policy = tmp_path / "policy.yml"
    policy.write_text('version: 1\norigins: {ai_markers: ["' + MARK + '"]}\n', encoding="utf-8")
    code = run(["check", "--repo", str(repo.path), "--policy", str(policy), "--base", base, "--format", "json"])
    verdict = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert [c["origin"]["ai"] for c in verdict["commits"]] == ["assisted", "assisted"], verdict["commits"]
