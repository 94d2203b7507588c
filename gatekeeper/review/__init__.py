"""Review evidence sources: GitHub's REST API (Action), forge metadata and trailers (pre-receive),
and the local source, which can only say what review will be required."""

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub's search order (here: the hook
# needs the names on every push and the CODEOWNERS reader, review/semantics.py, only where a file is found)
