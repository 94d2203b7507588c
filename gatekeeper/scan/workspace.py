"""The scan workspace: blobs from the object store written into a private temp dir for the file-based tools.

semgrep and bandit read files, so the blobs they scan are materialised here — read through one
`git cat-file --batch` process (never a checkout, so it works on a bare repository and, with the git
environment inherited, inside pre-receive quarantine). Every byte and every path name is hostile:

- the directory is `mkdtemp` (0700), files are created 0600 with O_EXCL|O_NOFOLLOW, and every output
  path is resolved and checked to stay inside the directory before anything is written;
- symlinks (mode 120000) are never followed nor read: reported as `scan/symlink-skipped`; gitlinks
  (160000) are skipped; objects that are not blobs are skipped;
- a path that is absolute, has `..`/`.`/empty components, control or invisible format characters
  (newline included), backslashes, a component starting with `-`, is over-long, not valid UTF-8, or is a
  file that configures a tool (`.semgrepignore`) is still scanned, under a generated name in a reserved
  directory (keeping a sanitised extension so the tools still pick the language); findings are reported
  under the original path through `Workspace.lookup`;
- files over the size cap are not read into memory (the size comes from cat-file's header) and are
  reported as `scan/file-too-large`; content with a NUL byte anywhere (git only probes the first 8 KB)
  is decoded (scan.text): UTF-16/32 and text with NUL bytes are written as UTF-8 text (`transcoded`),
  a real binary is recorded as `scan/binary-skipped`. Nothing is dropped silently.

The directory holds the scanned content, secrets included: it is removed when the workspace closes,
on any exception (Ctrl-C and SIGTERM arrive as one, see console.py), and is registered with
gatekeeper.process for the exits that skip `finally` (the hook's watchdog).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType

from gatekeeper import catalogue, fingerprint
from gatekeeper.git import Git
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Finding, Severity, path_key
from gatekeeper.process import forget_dir, held_signals, track_dir
from gatekeeper.sanitize import safe
from gatekeeper.scan.embedding import EMBEDDING, KNOWN_EXTENSION_MODULES, LANGUAGES, NOTEBOOK, Unread, Unreadable
from gatekeeper.scan.interpreters import interpreter_language
from gatekeeper.scan.text import decode, python_source

DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
BINARY_PROBE = 8000  # git's buffer_is_binary() looks at the first 8000 bytes
RESERVED_DIR = "_gatekeeper_renamed"  # generated names live here; no original path is written under it
MAX_PATH_BYTES = 1024
MAX_COMPONENT_BYTES = 200
# Files that change what a scanner looks at; the repository must not configure its own gate.
TOOL_CONTROL_FILES = frozenset({".semgrepignore", ".gitignore", ".semgrep.yml", ".semgrep.yaml", ".semgrep",
                                ".bandit", ".semgrepconfig"})
_EXT_RE = lazy(r"\.[A-Za-z0-9]{1,12}$")
SYMLINK_MODE = "120000"
CODE_SCANNERS = frozenset({"semgrep", "bandit"})  # the scanners that read files as code
GITLINK_MODE = "160000"


# The files Python reads as source by their name (a coding cookie decides how: _source).
PYTHON_EXTENSIONS = frozenset({".py", ".pyw", ".pyi"})
# What `import name` finds in a directory on sys.path besides a package directory: `name.py`, `name.pyc`, an
# extension module (`name.so`, `name.cpython-311-x86_64-linux-gnu.so`, `name.pyd`).
_MODULE_SUFFIXES = frozenset({"py", "pyw", "pyc", "so", "pyd"})
_PACKAGE_INITS = frozenset(("__init__", suffix) for suffix in ("py", "pyw", "pyc", "so", "pyd"))


@dataclass(frozen=True, slots=True)
class Entry:
    """One file to materialise: its original path, blob id and mode at the scanned commit."""

    path: str  # display text (models.display_path): for names in findings, never a key
    blob: str
    mode: str
    commit: str | None = None  # the commit findings in it are attributed to
    raw: bytes = b""  # the path's bytes as git recorded them

    @property
    def key(self) -> bytes:
        return self.raw or path_key(self.path)


@dataclass(frozen=True, slots=True)
class Target:
    """A file written into the workspace."""

    path: str  # the original repository path (hostile text: never used on the file system)
    blob: str
    rel: str  # path relative to the workspace root, as handed to the tools
    local: Path  # absolute path inside the workspace
    size: int
    renamed: bool  # the original path was unsafe: written under a generated name
    commit: str | None
    raw: bytes = b""  # the original path's bytes: the key for its added lines
    transcoded: bool = False  # git sees binary (UTF-16, NUL bytes): written as the UTF-8 text it decodes to
    placed: bool = True  # False: code embedded in it could not be put at its own lines (every line counts as added)
    unread: tuple[Unread, ...] = ()  # lines of a notebook's code left blank: the tool could not read them (`whole`)
    part: str = ""  # which of a file's texts this is, when it has several: "attributes" (a page's handlers)
    # A digest of the bytes written (what the tool reads): what the blob became here depends on more than the blob —
    # the file's own extension, its mode, a notebook's neighbouring modules (red125) — and the cache keys on this.
    digest: str = ""

    @property
    def key(self) -> bytes:
        return self.raw or path_key(self.path)


@dataclass(frozen=True, slots=True)
class Skip:
    """A file that was not scanned, and why (becomes a finding: skipped work is always reported)."""

    path: str
    blob: str
    commit: str | None
    # "symlink" | "gitlink" | "too-large" | "binary" | "missing" | "not-a-blob" | "unparsed" | "malformed"
    reason: str
    size: int = 0
    note: str = ""  # what was done instead, e.g. "only its printable text was checked for secrets"

    def finding(self, scanner: str, max_bytes: int) -> Finding | None:
        severity: Severity | None = None
        if self.reason == "gitlink":
            return None  # a submodule pointer has no content here; its own repository is gated separately
        if self.reason == "symlink":
            rule = "scan/symlink-skipped"
            message = f"{scanner}: symlink not followed and not scanned"
            fix = "symlinks are not followed by the gate; commit the file itself if it should be scanned"
            if scanner in CODE_SCANNERS and safe_extension(self.path):
                # A link named as code runs the file it points at (`python tools/run.py`), which no scanner read
                # as code (red49: the payload committed as data/payload.txt): blocking, not a note.
                severity = Severity.HIGH
                message = (f"{scanner}: symlink named as code, not followed: the file it points at was not scanned "
                           "as code")
                fix = "commit the file itself under this name, not a symbolic link to it"
        elif self.reason == "too-large":
            rule = "scan/file-too-large"
            message = f"{scanner}: {self.size} bytes is over the {max_bytes}-byte scan limit; " + (
                f"the rest was not scanned ({self.note})" if self.note else "not scanned")
            fix = "keep generated or vendored files out of the change, or review this file by hand"
        elif self.reason == "binary":
            rule = "scan/binary-skipped"
            message = f"{scanner}: binary file not scanned" + (f" ({self.note})" if self.note else "")
            fix = "binary files are not scanned; review them by hand"
        elif self.reason in ("unparsed", "malformed"):
            # A notebook the gate could not read (embedded.Unreadable): its code reached no code scanner. Blocking
            # when a tool that runs notebooks may still read it (red114: JSON nested past Python's parser depth,
            # which JavaScript's JSON.parse reads); a note when it is not JSON at all and nothing can run it.
            rule = "scan/unreadable"
            severity = Severity.HIGH if self.reason == "unparsed" else None
            message = f"{scanner}: {self.note}"
            fix = "write the notebook as Jupyter does (nbformat), or review its code by hand"
        elif self.reason == "not-a-blob":
            # red67: git lists it as a file, yet its object is a tree, commit or tag — a tree git's fsck refuses,
            # made by hand. No tool reads it as the file it claims to be (a key in a tree entry's name went onto
            # main as a low note): blocking, as an object missing from a push is.
            rule = "scan/unreadable"
            severity = Severity.HIGH
            message = (f"{scanner}: object {self.blob[:12]} at this file path is not a file's content (a tree, commit "
                       "or tag filed as a file: a malformed tree); not scanned")
            fix = "push trees `git fsck` accepts; on the server, set receive.fsckObjects=true"
        else:
            rule = "scan/unreadable"
            message = f"{scanner}: object {self.blob[:12]} could not be read ({self.reason}); not scanned"
            fix = "check the repository with `git fsck`"
        return catalogue.rule(rule).finding(message, severity=severity, commit=self.commit, path=self.path,
                                            fix=fix).with_fingerprint(self.path, self.blob, self.reason)


def unsafe_reason(path: str) -> str | None:
    """Why `path` must not be used as a file name in the workspace, or None when it is safe."""
    if not path:
        return "empty path"
    if path.startswith("/"):
        return "absolute path"
    if "\\" in path:
        return "backslash in path"
    if "\ufffd" in path or any("\udc80" <= ch <= "\udcff" for ch in path):
        return "not valid UTF-8"
    if len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        return "path too long"
    for ch in path:
        if ord(ch) < 32 or ord(ch) == 127 or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return "control or format character in path"
    parts = path.split("/")
    if parts[0] == RESERVED_DIR:
        return "reserved directory name"
    for part in parts:
        if part in ("", ".", ".."):
            return f"path component {part!r}"
        if part.startswith("-"):
            return "path component starting with '-'"
        if len(part.encode("utf-8")) > MAX_COMPONENT_BYTES:
            return "path component too long"
    if parts[-1] in TOOL_CONTROL_FILES:
        return "scanner control file"
    return None


def safe_extension(path: str) -> str:
    """The extension of the last path component when it is plain ASCII alphanumerics, else ''."""
    name = path.rsplit("/", 1)[-1]
    match = _EXT_RE.search(name)
    return match.group(0).lower() if match and match.start() > 0 else ""


EXECUTABLE_MODE = "100755"


def reads_embedded(path: str, wants: Callable[[str], bool] | None, languages: Mapping[str, str]) -> bool:
    """Whether a tool that `wants` these names and reads these languages (a `#!` alias map) reads the code a
    notebook or markup file at `path` holds (embedded.py), and not the file itself."""
    extension = safe_extension(path)
    return (extension in EMBEDDING and not (wants is not None and wants(path))
            and any(language in languages for language in LANGUAGES[extension]))


class Workspace:
    """A private temp directory of materialised blobs; use as a context manager (removed on exit)."""

    def __init__(self, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, prefix: str = "gatekeeper-scan-",
                 extension_alias: Mapping[str, str] | None = None,
                 shebang_alias: Mapping[str, str] | None = None, wants: Callable[[str], bool] | None = None,
                 whole: bool = False) -> None:
        self.max_file_bytes = max_file_bytes
        # The tool reads nothing of a file unless all of it parses (bandit): a notebook's cells it cannot read are
        # left blank, each recorded on the target (Target.unread), and the rest of the notebook is read.
        self.whole = whole
        # Scripts: the language their `#!` line runs (interpreter_language) -> the extension the tool needs
        # ({"python": ".py"}), for extensionless files and executable ones whatever their name (`deploy.sh` that is
        # Python, `helper.py` that runs node). Without such a line an extensionless file is not for this tool, and
        # an executable one is read by its name when the tool `wants` it.
        self.shebang_alias = dict(shebang_alias or {})
        self.wants = wants
        # Extensions a tool does not recognise for a language it scans (semgrep: .pyw, .mts): such files
        # are written under a generated name with the alias extension instead.
        self.extension_alias = dict(extension_alias or {})
        with held_signals():  # registered before a signal can leave it behind
            self.root = Path(tempfile.mkdtemp(prefix=prefix)).resolve()
            track_dir(self.root)
        os.chmod(self.root, 0o700)
        self.targets: dict[str, Target] = {}  # by rel
        self.skips: list[Skip] = []
        self.notes: list[str] = []  # work left out on purpose, said in the scanner's stats (a notebook's bash cells)
        self._counter = 0

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        forget_dir(self.root)

    def lookup(self, tool_path: str) -> Target | None:
        """The target a tool reported a path for (relative to the root, `./`-prefixed or absolute)."""
        candidate = tool_path
        if candidate.startswith("./"):
            candidate = candidate[2:]
        target = self.targets.get(candidate)
        if target is not None:
            return target
        try:
            rel = Path(tool_path).resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError):
            return None
        return self.targets.get(rel)

    def materialise(self, git: Git, entries: Iterable[Entry]) -> list[Target]:
        """Write the entries' blobs (one cat-file process); returns the targets written, records skips."""
        written: list[Target] = []
        pending: list[Entry] = []
        for entry in entries:
            if entry.mode == SYMLINK_MODE:
                self.skips.append(Skip(entry.path, entry.blob, entry.commit, "symlink"))
            elif entry.mode == GITLINK_MODE:
                self.skips.append(Skip(entry.path, entry.blob, entry.commit, "gitlink"))
            else:
                pending.append(entry)
        if not pending:
            return written
        with git.batch() as reader:
            for entry in pending:
                kind, size, data = reader.read_sized(entry.blob, max_size=self.max_file_bytes)
                if self.sniffed(entry):
                    language = self._language(data) if kind == "blob" and data is not None else None
                    if language is not None:
                        # The language the `#!` line runs, whatever the name says (red98; after review: an
                        # executable `helper.py` whose line runs node is JavaScript); one this tool does not read
                        # is another tool's.
                        alias = self.shebang_alias.get(language)
                        if alias is not None:
                            same = alias == safe_extension(entry.path)
                            written.extend(self._source(entry, data or b"", language == "python",
                                                        alias=None if same else alias))
                        continue
                    if not self.embeds(entry.path) and (
                            self.wants is None or not safe_extension(entry.path) or not self.wants(entry.path)):
                        continue  # no language on a `#!` line, and a name the tool does not read
                    # (an executable whose `#!` line names no language: read by its name, below)
                itself = self.wants is not None and self.wants(entry.path)
                if safe_extension(entry.path) in EMBEDDING and (
                        self.embeds(entry.path) or (itself and reads_embedded(entry.path, None, self.shebang_alias))):
                    # A notebook's cells, a page's or component's scripts: the code at its own lines (embedded), for
                    # a tool that reads its language. The file itself is no tool's — unless the tool reads the file
                    # as written too (a template rule over `.svelte`/`.vue`: sast161), and then it gets both. (One
                    # too large or missing is recorded below, as any file is.)
                    if kind == "blob" and data is not None:
                        written.extend(self._embedded(git, entry, data, size))
                        if not itself:
                            continue
                elif safe_extension(entry.path) in EMBEDDING and not itself:
                    continue
                if kind == "missing":
                    self.skips.append(Skip(entry.path, entry.blob, entry.commit, "missing"))
                elif kind != "blob":
                    self.skips.append(Skip(entry.path, entry.blob, entry.commit, "not-a-blob"))
                elif data is None:
                    self.skips.append(Skip(entry.path, entry.blob, entry.commit, "too-large", size))
                elif b"\x00" in data:
                    # UTF-16/32 or text with NUL bytes is written as the UTF-8 text it is; a real binary is
                    # a recorded skip. The whole file, not git's 8000-byte probe: UTF-16 after a NUL-free
                    # start (CJK text, or a UTF-8 head) is text git shows line by line but no tool can parse.
                    decoded = decode(data)
                    if decoded.complete and decoded.text.strip():
                        written.append(self._write(entry, decoded.text.encode("utf-8", "replace"), transcoded=True))
                    else:
                        self.skips.append(Skip(entry.path, entry.blob, entry.commit, "binary", size))
                else:
                    written.extend(self._source(entry, data, safe_extension(entry.path) in PYTHON_EXTENSIONS))
        return written

    def _embedded(self, git: Git, entry: Entry, data: bytes, size: int) -> list[Target]:
        """The code a notebook or markup file holds, each text a target of its own at the file's lines (embedded.py):
        the scripts (or cells), and a page's handlers and each handler value as written."""
        written: list[Target] = []
        try:
            from gatekeeper.scan.embedded import embedded_code  # (only here: the hook's start-up)

            found = embedded_code(safe_extension(entry.path), data, whole=self.whole,
                                  modules=self._modules_beside(git, entry, data))
        except Unreadable as exc:
            # (red114: a notebook nested past the JSON parser's depth was skipped without a word.)
            self.skips.append(Skip(entry.path, entry.blob, entry.commit,
                                   "unparsed" if exc.blocking else "malformed", size, note=str(exc)))
            return []
        alias = None if found is None else self.shebang_alias.get(found.language)
        if found is not None and alias is not None:
            if found.left_out:
                # (Magic and kernel names in it are the notebook's text.)
                self.notes.append(f"{safe(entry.path, limit=200)}: {safe(found.left_out, limit=400)}")
            if found.text.strip():
                # (UTF-16 or text with NUL bytes is binary to git: no added lines, all count.)
                written.append(self._write(entry, found.readable().encode("utf-8", "replace"),
                                           alias=alias, placed=found.placed,
                                           transcoded=b"\x00" in data, unread=found.unread))
        handlers = None if found is None else self.shebang_alias.get("javascript")
        if found is not None and handlers is not None and (found.attributes.strip() or found.values):
            # A page's handlers and javascript: URLs: a file of their own, at the page's lines,
            # so that none of them runs on into its scripts (red120); and each value as written, a
            # file of its own (red123, red124: where the lexer that closes them read them otherwise).
            for part, attribute_text in (("attributes", found.attributes),
                                         *((f"value{n}", v) for n, v in enumerate(found.values))):
                if attribute_text.strip():
                    written.append(self._write(entry, attribute_text.encode("utf-8", "replace"),
                                               alias=handlers, placed=found.placed,
                                               transcoded=b"\x00" in data, part=part))
        return written

    def _source(self, entry: Entry, data: bytes, python: bool, alias: str | None = None) -> list[Target]:
        """A source file, written as the text its language reads: a Python file whose coding cookie makes Python
        read it otherwise than as UTF-8 as the text Python runs (red120: semgrep read a UTF-7 module's bytes as
        UTF-8, where Python ran a call its `+AAo-` put on a line of its own); every line counts as added when the
        codec moved them."""
        readings = python_source(data) if python else None
        if not readings:
            return [self._write(entry, data, alias)]
        # (Each reading Python makes of the file — `import`'s, and `python file.py`'s where it differs: red122 — a file
        # of its own for the tools, at the same lines.)
        return [self._write(entry, text.encode("utf-8", "replace"), alias, placed=aligned,
                            part=f"reading{n}" if n else "") for n, (text, aligned) in enumerate(readings)]

    @staticmethod
    def _modules_beside(git: Git, entry: Entry, data: bytes) -> frozenset[str]:
        """For a notebook that loads an extension: the top-level module names its commit's tree holds in the
        notebook's directory and each directory above it, where a kernel starts and sys.path begins (red120: a
        pushed `sql.py` beside `%load_ext sql` is what it loads). Not known: a module elsewhere on the kernel's
        path, one the notebook writes or installs itself."""
        if entry.commit is None or safe_extension(entry.path) != NOTEBOOK or b"load_ext" not in data:
            return frozenset()
        # (By the names git recorded, not the shown ones: a byte outside UTF-8 is shown escaped, and the escaped
        # name names no directory — the shadowing module went unseen.)
        parts = os.fsdecode(entry.key).split("/")[:-1]
        names: set[str] = set()
        for depth in range(len(parts) + 1):
            directory = "/".join(parts[:depth])
            for found in git.tree_entries(entry.commit, f":(top,literal){directory}/" if directory else "."):
                name = os.fsdecode(found.raw or found.path).rsplit("/", 1)[-1]
                module, dot, suffix = name.partition(".")
                if dot and suffix.rsplit(".", 1)[-1] in _MODULE_SUFFIXES:
                    names.add(module)
                elif found.type == "tree" and name in KNOWN_EXTENSION_MODULES and any(
                        os.fsdecode(inner.raw or inner.path).rsplit("/", 1)[-1].partition(".")[::2] in _PACKAGE_INITS
                        for inner in git.tree_entries(entry.commit,
                                                      f":(top,literal){os.fsdecode(found.raw or found.path)}/")):
                    # (A directory without `__init__` is a namespace package, which an installed package of the
                    # name later on sys.path wins over: a `sql/` of migrations shadows nothing.)
                    names.add(module)
        return frozenset(names)

    def embeds(self, path: str) -> bool:
        """Whether this tool reads the code a file of this kind holds (embedded.py) rather than the file: a notebook
        or markup file, when the tool reads a language it can hold and not the file's own."""
        return reads_embedded(path, self.wants, self.shebang_alias)

    def sniffed(self, entry: Entry) -> bool:
        """Whether this entry's `#!` line decides whether, and as what, the tool reads it: a file without an
        extension, and an executable one whatever its name (the kernel runs what the line names)."""
        return bool(self.shebang_alias) and (not safe_extension(entry.path) or entry.mode == EXECUTABLE_MODE)

    @staticmethod
    def _language(data: bytes) -> str | None:
        if not data.startswith(b"#!") or b"\x00" in data[:BINARY_PROBE]:
            return None
        return interpreter_language(data[:1024])

    def _write(self, entry: Entry, data: bytes, alias: str | None = None, *, transcoded: bool = False,
               placed: bool = True, unread: tuple[Unread, ...] = (), part: str = "") -> Target:
        alias = alias or self.extension_alias.get(safe_extension(entry.path))
        renamed = alias is not None or unsafe_reason(entry.path) is not None
        rel = self._generated_name(entry.path, alias) if renamed else entry.path
        try:
            local = self._create(rel, data)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            # A case-insensitive file system, or a file/directory clash: never overwrite, rename instead.
            renamed = True
            rel = self._generated_name(entry.path, alias)
            local = self._create(rel, data)
        target = Target(entry.path, entry.blob, rel, local, len(data), renamed, entry.commit, entry.key, transcoded,
                        placed, unread, part, fingerprint.digest(data))
        self.targets[rel] = target
        return target

    def _generated_name(self, path: str, extension: str | None = None) -> str:
        self._counter += 1
        return f"{RESERVED_DIR}/{self._counter:06d}{extension or safe_extension(path)}"

    def _create(self, rel: str, data: bytes) -> Path:
        local = (self.root / PurePosixPath(rel)).resolve()
        if not local.is_relative_to(self.root) or local == self.root:
            raise ValueError(f"workspace path escapes the workspace: {rel!r}")  # unsafe_reason should prevent it
        parent = local.parent
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if parent.resolve() != parent or not parent.is_relative_to(self.root):
            raise ValueError(f"workspace directory is not what was created: {rel!r}")
        fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                     0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return local
