"""Review evidence sources: GitHub's REST API (Action), forge metadata and trailers (pre-receive),
and the local source, which can only say what review will be required."""
