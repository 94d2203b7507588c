"""Front doors: each mode turns its inputs (CLI range, hook stdin, Action event) into a Request."""
