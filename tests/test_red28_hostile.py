"""Red team red28: past the red24-red27 fixes (LFS pointers, the coding declarations of `python file.py` and
`python -x`).

Each reproduction fails on main at d36013c. Real `git push`es into a bare repository with the installed hook, under
the built-in policy (`gatekeeper.config.DEFAULT_POLICY_YAML`). Helpers from tests/test_red24_hostile.py and
tests/test_red27_hostile.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gatekeeper.scan.text import _declarations, lfs_pointer, python_source_encoding
from tests.hook_helpers import AWS_KEY
from tests.test_red24_hostile import LFS_POINTER, _utf7
from tests.test_red25_hostile import assert_lfs_file_refused
from tests.test_red27_hostile import _runs_as_the_key, assert_key_refused

# -- 1. An LFS pointer whose blob holds a NUL byte: never looked at -------------------------------------------------
#
# git-lfs (lfs/pointer.go DecodeFrom, v3 main) reads the first BlobSizeCutoff = 1024 bytes of the blob, TrimSpaces
# them and parses the pointer; what follows byte 1024 is never read, and commands/command_smudge.go then replaces
# the file with the LFS object. So: the pointer, newlines up to byte 1024, then anything — a NUL byte here.
# SecretsScanner.scan sends every patch git shows as binary (a NUL in the first 8000 bytes) or whose added lines
# hold a NUL to _binary_content, never to `looked_up`; _read_as also skips a head holding a NUL; _binary_content
# decodes it (text with NUL bytes: complete, so no scan/binary-skipped) and never asks lfs_pointer. Nothing names
# the file and the mobile commit reaches main (exit 0) — `unscanned: {mobile: block}` never sees it.

NUL_TAILED_POINTER = LFS_POINTER.encode() + b"\n" * (1024 - len(LFS_POINTER)) + b"\x00 tail git-lfs never reads\n"


def test_control_lfs_pointer_itself_calls_the_nul_tailed_blob_a_pointer() -> None:
    """Control (passes): gatekeeper's own reader (git-lfs's first 1024 bytes) takes it for a pointer."""
    assert lfs_pointer(NUL_TAILED_POINTER)


def test_an_lfs_pointer_with_a_nul_after_1024_bytes_is_not_reported(tmp_path: Path) -> None:
    assert_lfs_file_refused(tmp_path, NUL_TAILED_POINTER)


# -- 2. Two readings, two decodings: only the first is done ----------------------------------------------------------
#
# text._declarations finds both declarations (`python file.py`'s and `python -x`'s), but python_source_encoding
# returns the first that changes the reading, and decode_python_source decodes only from found[0] (the first
# declaration naming that encoding). The scan/source-encoding warning says "secrets were looked for in both
# readings"; for Dana (default rule set: `unscanned: warn`) the key reaches main, exit 0.

_BODY = f"AWS = '{_utf7('A')}{AWS_KEY[1:]}'\nprint(AWS)\n".encode("ascii")

# 2a. line 1 (python file.py) declares unicode_escape, line 2 (python -x) utf-7: only unicode_escape is decoded.
TWO_ENCODINGS = (b"# -*- coding: unicode_escape -*- & @python -x \"%~f0\" %* & exit /b\n"
                 b"# -*- coding: utf-7 -*-\n" + _BODY)

# 2b. both lines declare unicode_escape; line 2 leaves a `\N{` open. Decoded from after line 1 (python file.py) and
# from 0 (import), the escape swallows everything up to the `}` on the last line; python -x decodes from after line 2
# and reads `r'\x41KIA…'` as the key. decode_python_source decodes from found[0] = after line 1 only.
SAME_ENCODING_TWO_CUTS = (b"# -*- coding: unicode_escape -*- & @python -x \"%~f0\" %* & exit /b\n"
                          b"# -*- coding: unicode_escape -*- \\N{\n"
                          b"AWS = r'\\x41" + AWS_KEY[1:].encode("ascii") + b"'\nprint(AWS)\n# }\n")


def test_control_python_dash_x_runs_both_files_as_the_key(tmp_path: Path) -> None:
    """Control (passes): `python -x` prints the AWS key for both files; the two readings are both found."""
    for data in (TWO_ENCODINGS, SAME_ENCODING_TWO_CUTS):
        assert _runs_as_the_key(tmp_path, data) == AWS_KEY
    assert [name for name, _ in _declarations(TWO_ENCODINGS)] == ["unicode_escape", "utf-7"]
    assert len(_declarations(SAME_ENCODING_TWO_CUTS)) == 2
    plain = subprocess.run([sys.executable, str(tmp_path / "deploy.cmd")], capture_output=True, text=True)
    assert AWS_KEY not in plain.stdout


def test_python_dash_x_s_utf7_is_not_read_when_line_1_declares_another_encoding(tmp_path: Path) -> None:
    assert python_source_encoding(TWO_ENCODINGS) == "unicode_escape"  # utf-7, python -x's, is never decoded
    assert_key_refused(tmp_path, TWO_ENCODINGS)


def test_python_dash_x_s_cut_is_not_decoded_when_both_lines_declare_the_same_encoding(tmp_path: Path) -> None:
    assert_key_refused(tmp_path, SAME_ENCODING_TWO_CUTS)
