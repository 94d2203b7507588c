"""A private key block whose first lines hold a placeholder's marks (`...`, `<snip>`, `# example`) and whose whole
material follows them is a key: only the first body line used to be read, so a key pasted under a `...` line — or
smuggled under one — was recorded as a placeholder and passed. An elided example (material cut by a `...` line, or
lines that hold marks themselves) still is a placeholder. Key-shaped values are made at run time: the material is
random base64, the headers are assembled."""

from __future__ import annotations

import base64
import random

import pytest

from gatekeeper.config import parse_policy
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking_findings, reported, scan_commit

_KINDS = ("RSA ", "EC ", "OPENSSH ", "", "DSA ")
_MARKS = ("...", "\u2026", "<snip>", "# ...", "[...]", "<redacted>", "# example", "-- truncated --")


def _header(kind: str, end: bool = False) -> str:
    return f"-----{'END' if end else 'BEGIN'} {kind}PRIVATE" + " KEY-----"


def _material(rng: random.Random, size: int) -> list[str]:
    body = base64.b64encode(rng.randbytes(size)).decode()
    return [body[i : i + 64] for i in range(0, len(body), 64)]


def _blocks(rng: random.Random, count: int) -> list[tuple[str, list[str]]]:
    out = []
    for n in range(count):
        kind = _KINDS[n % len(_KINDS)]
        lines = _material(rng, rng.choice((121, 400, 1190, 2350)))
        mark = _MARKS[n % len(_MARKS)]
        out.append((kind, [_header(kind), *([mark] * (1 + n % 2)), *lines, _header(kind, end=True)]))
    return out


def test_material_after_leading_marks_is_a_key(secrets_detector: SecretDetector) -> None:
    """Of 80 random key blocks, each with one or two mark lines before its whole material, every one is reported
    (before: none — each was recorded as 'placeholder key body')."""
    rng = random.Random(138)
    missed = []
    for kind, lines in _blocks(rng, 80):
        found = reported(secrets_detector, "\n".join(lines) + "\n", "deploy/keys/server.pem")
        if ("secrets/private-key", "") not in found:
            missed.append((kind, lines[1], found))
    assert missed == []


def test_a_json_escaped_key_under_an_elision_is_a_key(secrets_detector: SecretDetector) -> None:
    """The same inside a JSON string (`\\n...\\n` before the material): the rule's header did not even match."""
    rng = random.Random(7)
    lines = _material(rng, 1190)
    for mark in ("...", "\u2026", "<snip>"):
        value = "\\n".join((_header("RSA "), mark, *lines, _header("RSA ", end=True))) + "\\n"
        assert ("secrets/private-key", "") in reported(secrets_detector, f'{{"key": "{value}"}}\n', "config/app.json")


@pytest.mark.parametrize("shape", [
    "first line, dots, last line",  # the material itself is cut: what a doc shows of a key
    "marked material",  # `MIIEpAIBAAKCAQEA...`
    "dots only",
    "commented template",
    "dots around a few lines",
])
def test_elided_examples_stay_placeholders(secrets_detector: SecretDetector, shape: str) -> None:
    rng = random.Random(shape)
    lines = _material(rng, 1190)
    head, foot = _header("RSA "), _header("RSA ", end=True)
    block = {
        "first line, dots, last line": [head, "...", lines[0][:16] + "...", "...", foot],
        "marked material": [head, lines[0][:16] + "...", foot],
        "dots only": [head, "...", foot],
        "commented template": ["# " + head, "# ...", "# " + foot],
        "dots around a few lines": [head, "...", *lines[3:5], "...", foot],
    }[shape]
    found = reported(secrets_detector, "\n".join(block) + "\n", "docs/tls.md")
    assert found and all(rule == "secrets/private-key" and "placeholder" in why for rule, why in found), found


def test_a_pushed_key_under_dots_blocks_the_commit(based: RepoBuilder) -> None:
    """End to end, one real commit under the default policy: the key under `...` blocks; an elided example beside it
    does not add a second blocking finding."""
    rng = random.Random(1)
    lines = _material(rng, 1190)
    head, foot = _header("RSA "), _header("RSA ", end=True)
    found = scan_commit(based, {
        "ops/tls/server.key": "\n".join((head, "...", *lines, foot)) + "\n",
        "docs/tls.md": "```\n" + "\n".join((head, "...", foot)) + "\n```\n",
    })
    assert blocking_findings(found) == [("ops/tls/server.key", "secrets/private-key")]


def test_a_header_and_dots_added_over_an_existing_body(based: RepoBuilder) -> None:
    """Only the header and a `...` line are added; the material under them was already in the file. The block is read
    on from the file (FileContext), so the key is reported on the commit that makes it one."""
    rng = random.Random(2)
    lines = _material(rng, 1190)
    foot = _header("RSA ", end=True)
    based.commit("material\n", {"ops/tls/server.key": "\n".join((*lines, foot)) + "\n"})
    found = scan_commit(based, {"ops/tls/server.key": "\n".join((_header("RSA "), "...", *lines, foot)) + "\n"})
    assert blocking_findings(found) == [("ops/tls/server.key", "secrets/private-key")]


def test_a_key_pasted_into_a_committed_template_blocks(based: RepoBuilder) -> None:
    """The review's real push: `config/tls/server.key` committed as a template (its header, `<paste the server key
    here>`, its footer), then the real key's body pasted between the lines that were there: accepted."""
    rng = random.Random(3)
    head, foot = _header("RSA "), _header("RSA ", end=True)
    based.commit("template\n", {"config/tls/server.key": "\n".join((head, "<paste the server key here>", foot)) + "\n"})
    found = scan_commit(based, {"config/tls/server.key": "\n".join((head, *_material(rng, 1190), foot)) + "\n"})
    assert blocking_findings(found) == [("config/tls/server.key", "secrets/private-key")]


def _template(kind: str, filler: str = "<paste the server key here>", wrap: str = "{}") -> str:
    return "\n".join(wrap.format(line) for line in (_header(kind), filler, _header(kind, end=True))) + "\n"


@pytest.mark.parametrize("kind", ["RSA ", "EC ", "OPENSSH ", ""])
@pytest.mark.parametrize("width", [64, 32, 20, 8])
def test_a_body_pasted_under_a_kept_header_blocks_however_wrapped(based: RepoBuilder, kind: str, width: int) -> None:
    """The same push for every key kind, the body wrapped at PEM's 64 characters or shorter (a PEM reader takes
    shorter lines), and the placeholder line kept above the material or not."""
    rng = random.Random(width)
    body = "".join(_material(rng, 400))
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    based.commit("template\n", {"deploy/tls/app.key": _template(kind)})
    found = scan_commit(based, {"deploy/tls/app.key": "\n".join(
        (_header(kind), "<paste the server key here>", *lines, _header(kind, end=True))) + "\n"})
    assert blocking_findings(found) == [("deploy/tls/app.key", "secrets/private-key")]


def test_a_body_pasted_into_a_code_template_blocks(based: RepoBuilder) -> None:
    """A Java constant written one literal per line, its header and footer committed around a placeholder string,
    then the material's literals pasted in."""
    rng = random.Random(11)
    head, foot = f'    "{_header("RSA ")}\\n" +', f'    "{_header("RSA ", end=True)}\\n";'
    based.commit("template\n", {"src/main/java/Keys.java": "\n".join(
        ("class Keys {", "  static final String KEY =", head, '    "<paste here>\\n" +', foot, "}")) + "\n"})
    body = [f'    "{line}\\n" +' for line in _material(rng, 1190)]
    found = scan_commit(based, {"src/main/java/Keys.java": "\n".join(
        ("class Keys {", "  static final String KEY =", head, *body, foot, "}")) + "\n"})
    assert blocking_findings(found) == [("src/main/java/Keys.java", "secrets/private-key")]


def test_a_body_pasted_into_a_yaml_block_template_blocks(based: RepoBuilder) -> None:
    """A Helm values file's block scalar: header and footer indented, the body pasted between them."""
    rng = random.Random(12)
    head, foot = f"    {_header('EC ')}", f"    {_header('EC ', end=True)}"
    based.commit("template\n", {"deploy/values.yaml": "\n".join(("tls:", "  key: |", head, "    # TODO", foot)) + "\n"})
    body = [f"    {line}" for line in _material(rng, 121)]
    found = scan_commit(based, {"deploy/values.yaml": "\n".join(("tls:", "  key: |", head, *body, foot)) + "\n"})
    assert blocking_findings(found) == [("deploy/values.yaml", "secrets/private-key")]


def test_a_body_pasted_with_crlf_line_ends_blocks(based: RepoBuilder) -> None:
    rng = random.Random(13)
    based.commit("template\n", {"keys/server.pem": _template("RSA ").replace("\n", "\r\n")})
    found = scan_commit(based, {"keys/server.pem": "\r\n".join(
        (_header("RSA "), *_material(rng, 1190), _header("RSA ", end=True))) + "\r\n"})
    assert blocking_findings(found) == [("keys/server.pem", "secrets/private-key")]


def test_the_finding_names_the_added_line(based: RepoBuilder) -> None:
    """Reported on the first line of material the commit added (the header was there), and the message says so."""
    rng = random.Random(14)
    based.commit("template\n", {"server.key": _template("RSA ")})
    sha_before = based.head()
    based.commit("fill\n", {"server.key": "\n".join((_header("RSA "), *_material(rng, 1190),
                                                     _header("RSA ", end=True))) + "\n"})
    git = Git(based.path)
    sha = based.head()
    result = SecretsScanner(settings=parse_policy("version: 1\n").secrets).scan(
        ScanJob(git=git, commits=git.commits([sha], [sha_before]), changes=git.changed_files([sha]), head=sha))
    keys = [f for f in result.findings if f.rule_id == "secrets/private-key"]
    assert [(f.path, f.line) for f in keys] == [("server.key", 2)]
    assert "header that was there, line 1" in keys[0].message


@pytest.mark.parametrize("header", ["-----BEGIN CERTIFICATE-----", "-----BEGIN PUBLIC KEY-----", ""])
def test_material_under_no_private_key_header_is_not_a_key(based: RepoBuilder, header: str) -> None:
    """A certificate or a public key filled into its template, and base64 with no header at all, are not keys."""
    rng = random.Random(15)
    foot = header.replace("BEGIN", "END")
    based.commit("template\n", {"certs/ca.pem": "\n".join((header, "<paste>", foot)) + "\n"})
    found = scan_commit(based, {"certs/ca.pem": "\n".join((header, *_material(rng, 1190), foot)) + "\n"})
    assert blocking_findings(found) == []


def test_material_below_a_closed_block_is_not_read_as_its_body(based: RepoBuilder) -> None:
    """A kept placeholder block (header, `...`, footer), then base64 added under its footer: the footer ends the
    block, so the placeholder stays one and the base64 below is not its body."""
    rng = random.Random(16)
    template = _template("RSA ", "...")
    based.commit("docs\n", {"docs/keys.md": template})
    found = scan_commit(based, {"docs/keys.md": template + "\n".join(_material(rng, 400)) + "\n"})
    assert blocking_findings(found) == []


def test_a_body_pasted_into_a_test_fixture_template_stays_test_data(based: RepoBuilder) -> None:
    """Under a test-data directory a pasted body is a fixture's key, as an added one is: not blocking."""
    rng = random.Random(17)
    based.commit("template\n", {"tests/fixtures/server.key": _template("RSA ")})
    found = scan_commit(based, {"tests/fixtures/server.key": "\n".join(
        (_header("RSA "), *_material(rng, 1190), _header("RSA ", end=True))) + "\n"})
    assert blocking_findings(found) == []
    assert any(rule == "secrets/private-key" for _, rule, _, _ in found)


def test_a_pasted_body_in_a_file_read_whole_is_reported_once(based: RepoBuilder) -> None:
    """A patch over the line cap is read whole from the object store (a key whose body is new counts as added):
    the pasted body is reported by that reading alone, not twice."""
    rng = random.Random(18)
    based.commit("template\n", {"k.key": _template("RSA ")})
    before = based.head()
    sha = based.commit("fill\n", {"k.key": "\n".join(
        (_header("RSA "), *_material(rng, 1190), _header("RSA ", end=True))) + "\n"})
    git = Git(based.path)
    scanner = SecretsScanner(settings=parse_policy("version: 1\n").secrets, max_file_lines=5)
    result = scanner.scan(ScanJob(git=git, commits=git.commits([sha], [before]), changes=git.changed_files([sha]),
                                  head=sha))
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("secrets/")] == ["secrets/private-key"]


def test_a_putty_key_filled_into_its_template_blocks(based: RepoBuilder) -> None:
    """A PuTTY key file committed with its header lines and placeholders, then its public and private lines pasted."""
    rng = random.Random(19)
    head = ["PuTTY-User-Key-File-" + "2: ssh-rsa", "Encryption: none", "Comment: deploy"]
    based.commit("template\n", {"ops/deploy.ppk": "\n".join((*head, "Public-Lines: 6", "<public>", "Private-Lines: 14",
                                                               "<private>", "Private-MAC: <mac>")) + "\n"})
    public, private = _material(rng, 270), _material(rng, 650)
    found = scan_commit(based, {"ops/deploy.ppk": "\n".join((*head, f"Public-Lines: {len(public)}", *public,
                                                              f"Private-Lines: {len(private)}", *private,
                                                              "Private-MAC: " + "ab" * 20)) + "\n"})
    assert ("ops/deploy.ppk", "secrets/putty-private-key") in blocking_findings(found)


def _der_body(rng: random.Random, size: int = 1190) -> list[str]:
    """A whole DER SEQUENCE of `size` content bytes, base64 in PEM lines: what a key's body decodes to."""
    data = b"\x30\x82" + size.to_bytes(2, "big") + rng.randbytes(size)
    body = base64.b64encode(data).decode()
    return [body[i : i + 64] for i in range(0, len(body), 64)]


def test_a_whole_body_pushed_under_a_fake_end_line_blocks(based: RepoBuilder) -> None:
    """The review's push after red141 (a real pre-receive push accepted it): the template's header, placeholder and a
    fake END line kept, the whole body and its own END line added below — the key is in history from this commit on,
    though no BEGIN line is above it (a later commit deleting the fake END line was already caught)."""
    rng = random.Random(21)
    head, foot = _header("RSA "), _header("RSA ", end=True)
    based.commit("template\n", {"config/tls/server.key": "\n".join((head, "<paste the server key here>", foot)) + "\n"})
    found = scan_commit(based, {"config/tls/server.key": "\n".join(
        (head, "<paste the server key here>", foot, *_der_body(rng), foot)) + "\n"})
    assert blocking_findings(found) == [("config/tls/server.key", "secrets/private-key")]


def test_a_headless_body_in_a_new_file_blocks_and_an_excerpt_does_not(based: RepoBuilder) -> None:
    """A whole body and its END line, no BEGIN line anywhere (a reader adds one); the tail of a key as a document
    quotes it (a few lines above the END line) decodes to no whole key and stays unreported."""
    rng = random.Random(22)
    foot = _header("EC ", end=True)
    body = _der_body(rng, 121)
    assert blocking_findings(scan_commit(based, {"ops/k.pem": "\n".join((*body, foot)) + "\n"})) == [
        ("ops/k.pem", "secrets/private-key")]
    tail = _der_body(rng)[-3:]
    assert blocking_findings(scan_commit(based, {"ops/tail.pem": "\n".join((*tail, foot)) + "\n"})) == []
