"""Which language a program runs a script in, read from a `#!` line the way the kernel and env(1) read it.

One reading for every place the gate meets an interpreter line: an extensionless or executable file's `#!` line
(workspace.py), and a notebook's `%%script` cell magic, which IPython documents as "like the #! line of script"
(embedded.py).
"""

from __future__ import annotations

# env(1) options that take the next word as their value (GNU: -u/--unset, -C/--chdir, -a/--argv0; BSD: -P, -u).
# The signal options take a value only as `=SIG`, never the next word.
_ENV_VALUED_LONG = frozenset({"--unset", "--chdir", "--argv0"})
_ENV_VALUED_SHORT = frozenset("uCaP")
# Runners that run the script itself as Python (PEP 723): `uv run --script`, `pipx run`.
_RUN_PYTHON = frozenset({"uv", "pipx"})


def interpreter_language(head: bytes) -> str | None:
    """The language ("python", "javascript", "typescript") of the program a `#!` line runs, else None. Read as the
    kernel and env(1) read it: the interpreter's file name, through `env` with its options (`-S` and
    `--split-string` with the string attached or not, valued options, NAME=value settings); `uv run` and `pipx run`
    run the script as Python; nix-shell runs what its `-i` names, on this or a later `#! nix-shell` line; any other
    launcher runs the last interpreter its words name, after `--` or `--command` when there is one, options aside
    (`conda run -n env python`, `npx tsx`, `mise exec -- node`). Every word counts, however many options come
    first (a cap on words let 40 `-i` options hide `python3`). Interpreters: any name holding `python`
    (`python3.13t`, `micropython`), `pypy*`, `graalpy` (Python); `node*`, `zx`, `babel-node`, `gjs` (JavaScript);
    `deno`, `bun`, `tsx`, `ts-node`, `vite-node`, `jiti` (TypeScript). (red98: a
    `.sh` that is Python, `uv run --script`, `bun` and `deno` scripts reached no code scanner; red100, red101:
    `-Spython3`, runners and their options.)"""
    if not head.startswith(b"#!"):
        return None
    line, _, rest = head.partition(b"\n")
    words = line[2:].decode("utf-8", "replace").replace("\r", " ").split()  # (bounded by the head's length)
    if not words:
        return None
    program, args = _name(words[0]), words[1:]
    if program == "env":
        args = _after_env_options(args)
        if not args:
            return None
        program, args = _name(args[0]), args[1:]
    direct = _word_language(program)
    if direct is not None:
        return direct
    names = [_name(a) for a in args]
    if program in _RUN_PYTHON and "run" in names:
        return "python"  # `uv --project DIR run --script`: the script itself, under Python
    # Any other launcher (`conda run -n env python`, `pyenv exec python3`, `mise exec -- node`, `npm exec -- tsx`):
    # the program it runs is the last word that names an interpreter — after `--` or `--command` when there is one —
    # not an option's value or a tool list before it (red101: runner options hid the interpreter; red102: `sudo -u
    # node python3`, `mise exec python@3.12 node@22 -- node`).
    if program == "nix-shell":
        # `-i` names the interpreter (`-p` lists packages), on this line or on the `#! nix-shell` lines after it,
        # which nix-shell reads too (red104: its documented form puts `-i python3` on the second line).
        for more in [words, *(other[2:].decode("utf-8", "replace").split()
                               for other in rest.split(b"\n")[:8] if other.startswith(b"#!"))]:
            if "-i" in more[:-1]:
                return _word_language(_name(more[more.index("-i") + 1]))
        return None
    for marker in ("--", "--command", "-c"):
        if marker in args:
            names = names[len(args) - args[::-1].index(marker):]
            args = args[len(args) - len(names):]
            break
    # (Options are not programs: `sudo -E node --env-file=/etc/python.env` runs node — red103.)
    for word, name in zip(reversed(args), reversed(names), strict=True):
        found = None if word.startswith("-") else _word_language(name)
        if found is not None:
            return found
    return None


def _name(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def _after_env_options(args: list[str]) -> list[str]:
    """What env(1) runs: its words after its own options and NAME=value settings, a split string's words in place."""
    args = list(args)
    while args:
        word = args[0]
        if word == "--":
            return args[1:]
        if "=" in word and not word.startswith("-"):
            args.pop(0)  # NAME=value
            continue
        if not word.startswith("-"):
            return args
        args.pop(0)
        if word.startswith("--"):
            name, eq, value = word.partition("=")
            if name == "--split-string" and eq:
                args[:0] = value.split()
            elif name in _ENV_VALUED_LONG and not eq and args:
                args.pop(0)
            continue
        # A cluster of short options: `-iS`, `-Spython3` (the string attached), `-u NAME`, `-uNAME`.
        for at, flag in enumerate(word[1:], start=1):
            rest = word[at + 1:]
            if flag == "S":
                args[:0] = rest.split()
                break
            if flag in _ENV_VALUED_SHORT:
                if not rest and args:
                    args.pop(0)
                break
    return args


def _word_language(program: str) -> str | None:
    """The language of an interpreter named by one word of a `#!` line, else None."""
    # (Any build or wrapper naming python — python3.13t, pythonw, micropython — and PyPy, GraalPy.)
    if "python" in program or program.startswith(("pypy", "graalpy")):
        return "python"
    if program in ("node", "nodejs", "zx", "babel-node", "gjs") or program.startswith("node"):
        return "javascript"
    if program in ("tsx", "ts-node", "ts-node-esm", "ts-node-script", "deno", "bun", "vite-node", "jiti"):
        return "typescript"
    return None


def launched_program(words: list[str]) -> str:
    """The file name of the program a command line starts, through env(1) and its options ("" for none)."""
    if not words:
        return ""
    program = _name(words[0])
    if program == "env":
        rest = _after_env_options(words[1:])
        return _name(rest[0]) if rest else ""
    return program
