"""Red team red146: an adversarial review of 84e6bc8 and 68dcde3 (`secrets_scanner._written_block`, `_longest_runs`,
`_between_wrappers`, wired into `SecretsScanner._pasted_keys`: a private key written one line of code per line of its
body). Each test is a push a hostile or careless pusher makes, on a real repository, under the default policy; it
asserts the secure outcome. Keys are real ones made now with `cryptography`; headers are assembled at run time.

Found and fixed (each test failed at 68dcde3):

1. HIGH (cost) — every run of added material under one END mark read that block again (`_headless_block`, then
   `_written_block`: pieces, wrappers, two whole-key decodings). Material lines with a blank line between each, 59 to a
   block, 300 blocks: 1.2 MB took the scan 2.8 s against 0.3 s without the key header (9 times; four such files 11 s,
   past the hook's 5 s, and `_pasted_keys` checks no deadline). Fix: each END mark's block is read once per file.
2. HIGH (miss) — a header that ends its line as a string does is a block's header to the detector (`_OPEN_TAIL`),
   so `_written_block` was never tried: `{ echo "-----BEGIN …-----"; echo "…"; … } > key` (the shell's usual way to
   write a file from several lines), Ruby's `f.puts '…'`, PowerShell's `Add-Content -Value "…"`, `KEY="$KEY\\n…"`.
   The detector reads no key under them (each line is code), and a header the commit added was skipped outright.
   Fix: such a header's lines are read as written in code when the detector found no key there, and not every body
   line is one the detector reads itself.
3. HIGH (miss) — a body of one line was refused (`len(body) < 2`): an Ed25519 PKCS#8 key's whole body is one line of
   64 characters (`openssl genpkey -algorithm ed25519`), and any key echoed as one long line is too. Fix: one piece is
   a key when it decodes to one whole key (never as a column: `echo "$DEPLOY_KEY_…"` is one long value).
4. MEDIUM (miss) — the reading started only from an added END line, an added material line or a deletion: the body's
   lines inserted between a header and an END line the commit kept (a deploy script committed with the two lines,
   the body filled in later), in a commit or an evil merge, added none of them. Fix: an added line with a piece of
   base64 of 16 characters or more (a digit, `+` or `/` in it) is looked at too (`_piece_runs`); a block reached
   that way is a key only when it decodes to one whole key (the weaker column evidence needs the commit to have
   written the BEGIN or END line).
5. MEDIUM (miss) — one line of other code between the pieces made every reading fail: `chmod 600 k` or a comment
   between the `echo "…" >> k` lines, and an encrypted PEM key (`Proc-Type:`, `DEK-Info:`, `echo "" >> k`). Fix:
   a third reading keeps the lines wrapped as most are (`_most_wrapped`); the PEM field lines are left out.
6. MEDIUM (false block, older than these commits' columns) — a list of SRI digests (`"sha512-…=="`, 88 equal
   characters) between a comment that mentions a key's BEGIN and END lines and one that mentions its END line blocked
   as a key written line by line. Fix: a column's lines but its last carry no padding (a key's material is padded at
   its end only), and a line holding a BEGIN and then an END line heads no block below it.

Left (strict xfail): a column of unpadded 64-character values (`sha384-…` digests) between two separate lines that
mention a BEGIN and an END line, where the commit adds that END mention: read as a column of key lines (LOW: a
file must mention both lines around such a list; the detector's example filters see random material).

Tried and held (passing tests below): Python `f.write("…\\n")` and `print(…, file=f)`, a JS array joined, one
workflow step per line, a Dockerfile `RUN` chain with `&& \\`, CRLF, printf header with echo body, trailing
comments, two keys in one file, a rotation of the body only, SQL `||`, heredocs per line, the pre-receive hook; no
block for code about keys, docs with elided material, variables, hex digests, an alphabet fixture."""

from __future__ import annotations

import base64
import hashlib
import random
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gatekeeper.config import parse_policy
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.hook_helpers import DANA, SECRETS_POLICY, seeded, spush
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import Found, blocking_findings, scan_commit
from tests.test_keys_written_in_code import _rewrapped
from tests.test_red141_pasted_keys import _header, _real_key


def _rsa(encrypted: bool = False, pkcs8: bool = False) -> list[str]:
    """A real RSA key's PEM lines (header, body, footer), encrypted the legacy way when asked."""
    key = rsa.generate_private_key(65537, 2048)
    form = serialization.PrivateFormat.PKCS8 if pkcs8 else serialization.PrivateFormat.TraditionalOpenSSL
    crypt = (serialization.BestAvailableEncryption(b"correct horse") if encrypted
             else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, form, crypt).decode().strip().split("\n")


def _blocks(found: Found, path: str) -> bool:
    return (path, "secrets/private-key") in blocking_findings(found)


def _echoed(head: str, body: list[str], foot: str, line: str = 'echo "{}" >> k') -> str:
    return "\n".join([line.format(head).replace(">>", ">"), *(line.format(p) for p in body), line.format(foot), ""])


def _scan_range(repo: RepoBuilder, base: str) -> Found:
    git = Git(repo.path)
    head = repo.head()
    result = SecretsScanner(settings=parse_policy("version: 1\n").secrets).scan(
        ScanJob(git=git, commits=git.commits([head], [base]), changes=git.changed_files([head]), head=head))
    return sorted((f.path or "", f.rule_id, f.severity, f.suppressed_by) for f in result.findings
                  if f.rule_id.startswith("secrets/"))


# -- 1. cost -----------------------------------------------------------------------------------------------------------

def _blocks_of_runs(kind: str) -> str:
    """300 blocks: a header written in code, 59 material lines of uneven width each under a blank line (59 runs, no
    column, no whole key), an END line; `kind` "control" names no private key (the file is then split on one mention)."""
    private = "PRIVATE" if kind == "trigger" else "PRIVATX"
    out: list[str] = []
    for block in range(300):
        out.append(f'echo "-----BEGIN RSA {private}' + ' KEY-----" > k')
        for i in range(59):
            piece = base64.b64encode(random.Random(block * 1000 + i).randbytes(64)).decode()[: 64 + i % 3]
            out += [piece, ""]
        out.append(f'echo "-----END RSA {private}' + ' KEY-----" >> k')
    return "\n".join(out) + ("\n" if kind == "trigger" else "\n# a PRIVATE KEY mention\n")


def test_runs_under_one_end_line_read_its_block_once(based: RepoBuilder) -> None:
    """1.2 MB of blocks of material runs: at 68dcde3 9 times the scan of the same file without the key header."""
    def timed(kind: str) -> float:
        base = based.head()
        based.commit(f"{kind}\n", {f"{kind}.txt": _blocks_of_runs(kind)})
        start = time.monotonic()
        _scan_range(based, base)
        return time.monotonic() - start

    control = min(timed("control") for _ in range(1))
    trigger = timed("trigger")
    assert trigger < 3 * control + 0.5, (trigger, control)


# -- 2. a header that ends its line of code as a string ---------------------------------------------------------------

def test_a_brace_group_of_echo_lines_is_refused_by_the_hook(tmp_path: Path) -> None:
    """`{ echo "…"; … } > ~/.ssh/id_ed25519`: the real hook refuses the push and shows no material."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    head, body, foot = _real_key("ed25519-openssh")
    text = "\n".join(["#!/bin/sh", "{", f'  echo "{head}"', *(f'  echo "{p}"' for p in body), f'  echo "{foot}"',
                      "} > ~/.ssh/id_ed25519", "chmod 600 ~/.ssh/id_ed25519", ""])
    work.commit("ci: install the deploy key\n", {"ci/key.sh": text}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "secrets/private-key" in result.output, result.output
    assert not any(piece in result.output for piece in body if len(piece) > 12)


@pytest.mark.parametrize(("path", "line"), [
    ("deploy/key.rb", "  f.puts '{}'"),
    ("deploy/key.ps1", 'Add-Content -Path $KeyPath -Value "{}"'),
    ("deploy/key.sh", 'KEY="$KEY\\n{}"'),
])
def test_lines_of_code_under_a_header_that_ends_as_a_string_block(based: RepoBuilder, path: str, line: str) -> None:
    head, body, foot = _real_key("ec-sec1")
    text = "\n".join([line.format(head), *(line.format(p) for p in body), line.format(foot), ""])
    assert _blocks(scan_commit(based, {path: text}), path)


# -- 3. a body of one line --------------------------------------------------------------------------------------------

def test_an_ed25519_pkcs8_key_echoed_blocks(based: RepoBuilder) -> None:
    """Its whole body is one line of 64 characters."""
    head, body, foot = _real_key("ed25519-pkcs8")
    assert len(body) == 1
    assert _blocks(scan_commit(based, {"ops/k.sh": _echoed(head, body, foot)}), "ops/k.sh")


def test_a_key_echoed_as_one_long_line_blocks(based: RepoBuilder) -> None:
    head, *body, foot = _rsa(pkcs8=True)
    assert _blocks(scan_commit(based, {"ops/k.sh": _echoed(head, ["".join(body)], foot)}), "ops/k.sh")


# -- 4. a body inserted between kept BEGIN and END lines ---------------------------------------------------------------

def test_a_body_inserted_between_kept_begin_and_end_lines_blocks(based: RepoBuilder) -> None:
    head, body, foot = _real_key("ed25519-openssh")
    based.commit("skeleton\n", {"ops/k.sh": _echoed(head, [], foot)})
    base = based.head()
    based.commit("fill in the key\n", {"ops/k.sh": _echoed(head, body, foot)})
    assert _blocks(_scan_range(based, base), "ops/k.sh")


def test_an_evil_merge_inserting_the_body_blocks(based: RepoBuilder) -> None:
    head, body, foot = _real_key("ec-sec1")
    based.commit("skeleton\n", {"ops/k.sh": _echoed(head, [], foot)})
    based.branch("side")
    based.commit("side\n", {"side.txt": "s\n"})
    based.checkout("main")
    based.commit("main\n", {"main.txt": "m\n"})
    base = based.head()
    based.git("merge", "-q", "--no-ff", "--no-commit", "side")
    based.write("ops/k.sh", _echoed(head, body, foot))
    based.git("add", "ops/k.sh")
    based.git("commit", "-q", "-m", "merge side")
    assert _blocks(_scan_range(based, base), "ops/k.sh")


# -- 5. other code between the pieces ---------------------------------------------------------------------------------

def test_a_chmod_and_a_comment_between_the_pieces_do_not_hide_the_key(based: RepoBuilder) -> None:
    head, body, foot = _real_key("ed25519-openssh")
    half = len(body) // 2
    text = "\n".join([f'echo "{head}" > k', "chmod 600 k", *(f'echo "{p}" >> k' for p in body[:half]),
                      "# the rest of the key", *(f'echo "{p}" >> k' for p in body[half:]), f'echo "{foot}" >> k', ""])
    assert _blocks(scan_commit(based, {"ops/k.sh": text}), "ops/k.sh")


def test_an_encrypted_pem_key_echoed_blocks(based: RepoBuilder) -> None:
    """`Proc-Type:`, `DEK-Info:` and `echo "" >> k` among the pieces; the ciphertext is no DER structure, but a
    column."""
    head, *body, foot = _rsa(encrypted=True)
    assert body[0].startswith("Proc-Type:")
    assert _blocks(scan_commit(based, {"ops/k.sh": _echoed(head, body, foot)}), "ops/k.sh")


# -- 6. false blocks ----------------------------------------------------------------------------------------------------

def _mentions(between: list[str]) -> str:
    h, f = _header(""), _header("", end=True)
    return "\n".join([f"// a key file starts with {h} and ends with {f}; the bundle's digests:",
                      *(f'  "{v}",' for v in between), f"// a bundle with no {f} line is refused", ""])


def test_sri_digests_between_mentions_of_key_lines_are_no_key(based: RepoBuilder) -> None:
    digests = ["sha512-" + base64.b64encode(hashlib.sha512(str(i).encode()).digest()).decode() for i in range(6)]
    assert blocking_findings(scan_commit(based, {"web/integrity.js": _mentions(digests)})) == []


@pytest.mark.xfail(strict=True, reason="left (red146, LOW): 64-character unpadded values between two separate lines "
                   "that mention a key's BEGIN and END lines, the END mention added, read as a column of key lines; "
                   "telling a digest list from a key's lines needs more than their width")
def test_unpadded_digests_between_separate_mentions_are_no_key(based: RepoBuilder) -> None:
    h, f = _header(""), _header("", end=True)
    digests = ["sha384-" + base64.b64encode(hashlib.sha384(str(i).encode()).digest()).decode() for i in range(6)]
    text = "\n".join([f"// a key file starts with {h}; the bundle's digests:", *(f'  "{v}",' for v in digests),
                      f"// and ends with {f}", ""])
    assert blocking_findings(scan_commit(based, {"web/integrity.js": text})) == []


@pytest.mark.parametrize("name", ["hex", "ruby-docs", "brace-vars", "powershell-vars", "parser"])
def test_code_and_docs_about_keys_are_no_key(based: RepoBuilder, name: str) -> None:
    h, f = _header(), _header(end=True)
    hexes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(5)]
    path, text = {
        "hex": ("ops/sums.sh", _echoed(h, hexes, f)),
        "ruby-docs": ("docs/keys.md", "\n".join(["```ruby", "File.open('k', 'w') do |f|", f"  f.puts '{h}'",
                                                 "  f.puts 'MIIEpAIBAAKCAQEA...'", "  f.puts '...'", f"  f.puts '{f}'",
                                                 "end", "```", ""])),
        "brace-vars": ("ops/k.sh", "\n".join(["{", f'  echo "{h}"', '  echo "$DEPLOY_KEY_BODY_FROM_VAULT_PATH_V2"',
                                              f'  echo "{f}"', "} > k", ""])),
        "powershell-vars": ("ops/k.ps1", "\n".join([f'Set-Content $k -Value "{h}"',
                                                    "Add-Content $k -Value $env:DEPLOY_KEY_BODY_FROM_VAULT_V2",
                                                    f'Add-Content $k -Value "{f}"', ""])),
        "parser": ("app/keys.py", "\n".join(["def parse(text):", f'    begin = "{h}"', "    lines = text.splitlines()",
                                             "    body = base64.b64decode(''.join(lines[1:-1]))",
                                             "    digest = hashlib.sha256(body).hexdigest()", f'    end = "{f}"',
                                             "    return body", ""])),
    }[name]
    assert blocking_findings(scan_commit(based, {path: text})) == []


# -- held ----------------------------------------------------------------------------------------------------------------

def _shapes(head: str, body: list[str], foot: str) -> dict[str, tuple[str, str]]:
    uneven = _rewrapped(body, (53, 31))
    return {
        "python-write": ("a.py", "\n".join(["with open(p, 'w') as f:", *(f'    f.write("{p}\\n")'
                                                                        for p in [head, *body, foot]), ""])),
        "python-print": ("b.py", "\n".join(["with open(p, 'w') as f:", *(f'    print("{p}", file=f)'
                                                                        for p in [head, *uneven, foot]), ""])),
        "js-join": ("c.js", "\n".join(["const key = [", *(f"  '{p}'," for p in [head, *body, foot]),
                                       "].join('\\n');", ""])),
        "workflow-steps": (".github/workflows/d.yml", "\n".join(
            ["steps:", *(f'  - run: echo "{p}" >> ~/.ssh/id' for p in [head, *uneven, foot]), ""])),
        "dockerfile": ("Dockerfile", "\n".join(["FROM alpine", f'RUN echo "{head}" > /root/.ssh/id && \\',
                                                *(f'    echo "{p}" >> /root/.ssh/id && \\' for p in body),
                                                f'    echo "{foot}" >> /root/.ssh/id && \\',
                                                "    chmod 600 /root/.ssh/id", ""])),
        "crlf": ("e.sh", _echoed(head, body, foot).replace("\n", "\r\n")),
        "printf-and-echo": ("f.sh", "\n".join([f"printf '%s\\n' '{head}' > k", *(f'echo "{p}" >> k' for p in uneven),
                                               f"printf '%s\\n' '{foot}' >> k", ""])),
        "trailing-comments": ("g.sh", "\n".join([f'echo "{head}" > k  # header',
                                                 *(f'echo "{p}" >> k  # line {i}' for i, p in enumerate(uneven)),
                                                 f'echo "{foot}" >> k  # end', ""])),
        "sql": ("h.sql", "\n".join(["INSERT INTO keys VALUES (", f"  '{head}' || chr(10) ||",
                                    *(f"  '{p}' || chr(10) ||" for p in uneven), f"  '{foot}'", ");", ""])),
        "heredoc-per-line": ("i.sh", "\n".join([f"cat >> k <<'EOF'\n{p}\nEOF" for p in [head, *body, foot]]) + "\n"),
    }


@pytest.mark.parametrize("shape", ["python-write", "python-print", "js-join", "workflow-steps", "dockerfile", "crlf",
                                   "printf-and-echo", "trailing-comments", "sql", "heredoc-per-line"])
def test_held_shapes_block(based: RepoBuilder, shape: str) -> None:
    path, text = _shapes(*_real_key("ec-sec1"))[shape]
    assert _blocks(scan_commit(based, {path: text}), path)


def test_two_keys_in_one_script_each_block(based: RepoBuilder) -> None:
    first, second = _real_key("ec-sec1"), _real_key("ed25519-openssh")
    found = scan_commit(based, {"ops/keys.sh": _echoed(*first) + _echoed(*second)})
    assert blocking_findings(found) == [("ops/keys.sh", "secrets/private-key")] * 2


def test_a_rotation_of_the_body_only_blocks(based: RepoBuilder) -> None:
    head, old, foot = _real_key("ec-sec1")
    _, new, _ = _real_key("ec-sec1")
    based.commit("key\n", {"ops/k.sh": _echoed(head, old, foot)})
    base = based.head()
    based.commit("rotate\n", {"ops/k.sh": _echoed(head, new, foot)})
    assert _blocks(_scan_range(based, base), "ops/k.sh")
