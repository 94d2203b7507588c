"""A token in an example request of a project's documentation: the request goes to the machine itself or to a host
named for examples (`http GET http://localhost:8000/api/entries.json \\` above the header line, wallabag's API docs:
62 blocking findings of one captured local token in 29,518 commits, meas140). Such a header is a warning in a
documentation page, as a URL's password for an example's host is; to any other host, in a runbook outside the docs,
in a deployed place, or in a provider's format, it still blocks. Tokens are made at run time."""

from __future__ import annotations

import random
import string

import pytest

from gatekeeper.models import Severity
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking_findings, scan_commit

_RNG = random.Random(141)
_B62 = string.ascii_letters + string.digits


def _token(n: int = 64) -> str:
    return "".join(_RNG.choice(_B62) for _ in range(n))


def _header(name: str = "Authorization:Bearer ") -> str:
    return name + _token()


# (request lines, whether the request goes to an example's host)
_REQUESTS = {
    "httpie, the URL on the line above": (["http GET http://localhost:8000/api/entries.json \\", '"{h}"'], True),
    "httpie, a parameter URL after": (["http POST http://localhost:8000/api/entries.json \\", '"{h}" \\',
                                       'url="http://www.numerama.com/tech/160115-le-pocket.html"'], True),
    "curl on one line": (['curl -H "{h}" http://127.0.0.1:3000/api/v1/me'], True),
    "curl, the URL below": (['curl -X GET \\', '  -H "{h}" \\', "  https://api.example.com/v1/items"], True),
    "PowerShell backticks": (["Invoke-RestMethod -Uri http://localhost:5000/api `", '  -Headers @{{"{h}"}}'], True),
    "a reserved test name": (['curl -H "{h}" https://wiki.test/api'], True),
    "a host to fill in": (["curl 'https://<your-project-slug>.projects.oryapis.com/sessions/whoami' \\",
                           "  -H 'Accept: application/json' \\", "  -H '{h}'"], True),
    "a host from a variable": (['curl -H "{h}" "https://${{API_HOST}}/v1/me"'], True),
    "a real host above": (["http GET https://wallabag.acme-corp.com/api/entries.json \\", '"{h}"'], False),
    "a real host first, localhost after": (['curl https://api.acme-corp.com/v1 -H "{h}" \\', "  -e http://localhost/"],
                                           False),
    "no URL at all": (['"{h}"'], False),
    "the URL not joined to the header": (["http GET http://localhost:8000/api/entries.json", '"{h}"'], False),
}


def _page(lines: list[str], header: str) -> str:
    return "Get your entries:\n\n```bash\n" + "\n".join(line.format(h=header) for line in lines) + "\n```\n"


@pytest.mark.parametrize("shape", list(_REQUESTS))
def test_a_request_to_an_example_host_in_the_docs_warns(based: RepoBuilder, shape: str) -> None:
    lines, example = _REQUESTS[shape]
    found = scan_commit(based, {"docs/en/developer/api.md": _page(lines, _header())})
    tokens = [(rule, severity) for _, rule, severity, suppressed in found if rule == "secrets/bearer-token"]
    assert tokens == [("secrets/bearer-token", Severity.MEDIUM if example else Severity.HIGH)], found


@pytest.mark.parametrize("path", ["ops/runbook.md", "deploy/docs/api.md", "scripts/check.sh", "src/api/client.py"])
def test_a_request_to_localhost_outside_the_docs_still_blocks(based: RepoBuilder, path: str) -> None:
    """A runbook's on-box command (`curl -H … http://localhost:9200`) carries the server's own token; so does a
    deployed page or a script; code is not documentation."""
    text = _page(_REQUESTS["curl on one line"][0], _header())
    if path.endswith((".sh", ".py")):
        text = 'curl -H "' + _header() + '" http://localhost:9200/_cluster/health\n'
    assert [rule for _, rule in blocking_findings(scan_commit(based, {path: text}))] == ["secrets/bearer-token"]


def test_an_api_key_header_to_localhost_in_the_docs_warns(based: RepoBuilder) -> None:
    found = scan_commit(based, {"docs/api.md": _page(['curl -H "{h}" http://localhost:3000/v1/status'],
                                                     _header("X-API-Key: "))})
    assert [(rule, severity) for _, rule, severity, _ in found] == [("secrets/api-key-header", Severity.MEDIUM)]


def test_a_provider_token_to_localhost_in_the_docs_still_blocks(based: RepoBuilder) -> None:
    """A GitHub token's format says what it is wherever it is sent: its own rule blocks."""
    token = "ghp_" + _token(36)
    found = scan_commit(based, {"docs/api.md": _page(['curl -H "Authorization: Bearer {h}" http://localhost:3000'],
                                                     token)})
    assert ("docs/api.md", "secrets/github-pat") in blocking_findings(found)
