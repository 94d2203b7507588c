"""Red team red76: false alarms of b0504f5's `identity_doubt` (provenance/ambiguous-identity, HIGH) on commits
that `git commit` itself writes.

For a commit that declares a non-UTF-8 `encoding`, identity_doubt decodes the stored headers and message with
PYTHON's codec of that name and demands they equal what git read (`%an %ae %at %cn %ce %ct %B`). But git
decodes with glibc's iconv, and for the very encodings a team sets `i18n.commitEncoding` to, the two are not
the same table: Python does not know some names iconv knows, Python refuses bytes iconv decodes, and the two
map some bytes to different characters. Every such commit — written by plain `git commit`, fsck-clean, with
one author and one committer header — is "no one's" and blocks the push. A Japanese, Taiwanese, Hong Kong or
mainland-Chinese team with a legacy commit encoding would have to switch the gate off.

Each test FAILS on the code at the time of writing and asserts the behaviour it should have (passes once
fixed). Commits are made with the real `git commit` (i18n.commitEncoding set, message and name given in that
encoding, as an editor in that locale writes them); git's own reading is checked with `git log`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.provenance_helpers import check_json, feature_repo, findings
from tests.repo_builder import RepoBuilder

POLICY = """\
version: 1
rules:
  default: {scanners: [], block_at: high, review: null}
"""
AMBIGUOUS = "provenance/ambiguous-identity"



@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return feature_repo(tmp_path / "repo", POLICY)


def _git_commit(repo: RepoBuilder, encoding: str, name: bytes, email: bytes, message: bytes) -> str:
    """`git -c i18n.commitEncoding=ENCODING commit` with the name and message as bytes in that encoding."""
    env = {k.encode(): v.encode() for k, v in os.environ.items()}
    env.update({b"GIT_AUTHOR_NAME": name, b"GIT_AUTHOR_EMAIL": email, b"GIT_COMMITTER_NAME": name,
                b"GIT_COMMITTER_EMAIL": email, b"GIT_AUTHOR_DATE": b"1767226000 +0900",
                b"GIT_COMMITTER_DATE": b"1767226000 +0900"})
    (repo.path / "notes.txt").write_bytes(message)
    subprocess.run(["git", "add", "notes.txt"], cwd=repo.path, check=True)
    subprocess.run(["git", "-c", f"i18n.commitEncoding={encoding}", "commit", "-q", "--no-verify", "-F", "-"],
                   cwd=repo.path, env=env, input=message, check=True, capture_output=True)
    sha = repo.head()
    assert repo.git("fsck", "--strict", "--no-dangling") == ""
    raw = subprocess.run(["git", "cat-file", "commit", sha], cwd=repo.path, capture_output=True, check=True).stdout
    assert raw.count(b"\nauthor ") == 1 and raw.count(b"\ncommitter ") == 1 and b"\0" not in raw
    assert f"\nencoding {encoding}\n".encode() in raw
    return sha


def _iconv(text: str, encoding: str) -> bytes:
    """`text` in `encoding` as a terminal or editor in that locale writes it (glibc's iconv, as git reads it)."""
    return subprocess.run(["iconv", "-f", "UTF-8", "-t", encoding], input=text.encode(), capture_output=True,
                          check=True).stdout


def _git_reads(repo: RepoBuilder, sha: str, fmt: str) -> str:
    return subprocess.run(["git", "-C", str(repo.path), "-c", "i18n.logOutputEncoding=UTF-8", "log", "-1",
                           f"--format={fmt}", sha], capture_output=True, check=True).stdout.decode("utf-8", "replace")


def _doubts(data: dict, sha: str) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in findings(data, AMBIGUOUS) if f.get("commit") == sha]


# -- 1. a name iconv knows and Python does not: every commit, even pure ASCII, is "no one's" --------------------------

def test_windows_31j_commit_encoding_blocks_every_commit_even_ascii(repo: RepoBuilder) -> None:
    """Done: `git -c i18n.commitEncoding=Windows-31J commit` (the IANA name of Microsoft's Shift_JIS, what Java,
    Ruby and many Japanese Windows tools call cp932; glibc's iconv knows it, `git log` re-encodes it) of an
    ordinary ASCII commit `Fix the build` by `Taro Yamada <taro@example.jp>`.

    Gate: `codecs.lookup('Windows-31J')` raises LookupError (Python only knows `cp932`/`ms932`), so
    identity_doubt returns "declares the encoding 'Windows-31J', which gatekeeper cannot read as git does" —
    provenance/ambiguous-identity, HIGH, blocking. git reads the commit exactly as stored.
    The same happens for every name iconv has and Python lacks: EUC-JP-MS / eucJP-ms, CP943C, EUC-TW,
    ISO-8859-8-I, VISCII, TCVN, ARMSCII-8, GEORGIAN-PS, BIG5-2003...

    Should: pass — one author, one committer, no NUL, and git's reading equals the stored bytes.
    Severity: medium-high (false alarm on EVERY commit of a team with this setting; the gate gets switched off).
    Fix: do not make Python's codec registry the judge. Decode with the decoder git uses (iconv, e.g. via
    ctypes or `iconv(1)`), or — for a name Python lacks — fall back to checking only the structure (the
    stored header lines, decoded by git's own `git log --encoding=...`/`--pretty=raw` reading, match
    line-for-line and git's %an/%ae/%B equal the stored bytes where they are ASCII)."""
    sha = _git_commit(repo, "Windows-31J", b"Taro Yamada", b"taro@example.jp", b"Fix the build\n")
    assert _git_reads(repo, sha, "%an <%ae>%n%B") == "Taro Yamada <taro@example.jp>\nFix the build\n\n"

    code, data = check_json(repo)

    assert not _doubts(data, sha), _doubts(data, sha)
    assert code == 0, data["findings"]


# -- 2. Python's codec maps a byte to another character than iconv -----------------------------------------------

@pytest.mark.parametrize(("encoding", "name", "message"), [
    # Shift_JIS: iconv reads 0x5C/0x7E as JIS X 0201 '¥'/'‾', Python as '\\'/'~'. A Windows path or `~/` in
    # an otherwise ordinary Japanese commit message.
    ("Shift_JIS", "山田太郎", "設定ファイルを ~/.config に移動\n\nC:\\work\\app のパスを修正\n"),
    # Big5: 0xA145 (the middle dot of every transliterated name in Taiwan) is U+2027 for iconv, U+2022 for Python.
    ("Big5", "約翰‧史密斯", "修正登入錯誤\n"),
    # GB18030: 0xA8BC is U+1E3F 'ḿ' for iconv (GB18030-2005), a private-use code point for Python.
    ("GB18030", "王小明", "修正拼音 ḿ 的显示\n"),
], ids=["shift_jis-tilde-backslash", "big5-name-middle-dot", "gb18030-2005"])
def test_codec_mapping_differs_from_iconv(repo: RepoBuilder, encoding: str, name: str, message: str) -> None:
    """Done: a plain `git -c i18n.commitEncoding=ENC commit`, name and message written in ENC (what an editor
    and terminal in that locale produce). git's pretty output re-encodes with iconv: Shift_JIS `~` → '‾' and
    `\\` → '¥'; Big5 0xA145 → '‧' (U+2027); GB18030 0xA8BC → 'ḿ'.

    Gate: identity_doubt decodes the same bytes with Python's codec, which maps them to '~', '\\', '•' (U+2022)
    and U+E7C7; the name or the message "is not the one the commit object stores" — provenance/
    ambiguous-identity, HIGH, blocking. Nothing about the commit is ambiguous: one author, one committer, the
    header block git parses is the stored one; two decoders merely disagree on a glyph.

    Should: pass (no ambiguous-identity on an ordinary commit git wrote).
    Severity: medium-high (false alarm on routine commits: any Shift_JIS message with a path or `~`, any Big5
    transliterated name).
    Fix: compare with the decoder git uses (iconv), or compare structure rather than glyphs: the number and
    kind of header lines after decoding, the e-mail, and a message whose length in lines/trailers matches —
    what red74/red75's attacks actually change."""
    sha = _git_commit(repo, encoding, _iconv(name, encoding), b"dev@example.tw", _iconv(message, encoding))
    git_text = _git_reads(repo, sha, "%an%n%B")
    assert git_text.startswith(name + "\n") or encoding == "Shift_JIS", git_text  # git reads what was typed
    if encoding == "Shift_JIS":
        assert "‾/.config" in git_text and "C:¥work¥app" in git_text  # iconv's JIS X 0201 reading

    code, data = check_json(repo)

    assert not _doubts(data, sha), _doubts(data, sha)
    assert code == 0, data["findings"]


# -- 3. Python's codec refuses bytes iconv decodes: "cannot read as git does" ------------------------------------

@pytest.mark.parametrize(("encoding", "name", "message"), [
    ("GBK", "王小明", "报销上限改为 100€\n"),            # 0x80: the euro sign of cp936/GBK
    ("Big5", "林碁恒", "更新說明\n"),                    # 0xF9D6/0xF9DA: the ETEN characters every Big5 font has
    ("BIG5-HKSCS", "陳㡵", "更新\n"),                    # HKSCS-2008: 0x877A
    ("EUC-KR", "김철수", "빈 이름 ㅤ 처리\n"),            # 0xA4D4: HANGUL FILLER
], ids=["gbk-euro", "big5-eten", "big5hkscs-2008", "euc-kr-filler"])
def test_python_codec_refuses_bytes_iconv_reads(repo: RepoBuilder, encoding: str, name: str, message: str) -> None:
    """Done: a plain `git -c i18n.commitEncoding=ENC commit` with a name/message containing a character that
    glibc's iconv decodes in ENC (and `git log` shows correctly) but Python's codec of that name does not
    have: GBK '€' (0x80), Big5 ETEN '碁' '恒', Big5-HKSCS-2008 '㡵', EUC-KR 'ㅤ'.

    Gate: `body.decode(codec)` (or the header decode) raises UnicodeDecodeError, so identity_doubt reports
    "cannot read as git does" / "is not the one the commit object stores" — provenance/ambiguous-identity,
    HIGH, blocking — although git read every byte.

    Should: pass.
    Severity: medium (routine for those teams: a price in euros, a Taiwanese or Hong Kong name).
    Fix: decode with iconv as git does; where the reference decoder fails but git decoded, trust the structure
    check (header count after decoding, no NUL, e-mail equality) instead of failing closed."""
    text = name + "\n" + message
    sha = _git_commit(repo, encoding, _iconv(name, encoding), b"dev@example.cn", _iconv(message, encoding))
    assert _git_reads(repo, sha, "%an%n%B").rstrip("\n") == text.rstrip("\n")  # git reads exactly what was typed
    with pytest.raises(UnicodeDecodeError):
        _iconv(name + message, encoding).decode(encoding)  # ... and Python's codec cannot

    code, data = check_json(repo)

    assert not _doubts(data, sha), _doubts(data, sha)
    assert code == 0, data["findings"]
