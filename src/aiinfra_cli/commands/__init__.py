"""One module per command; each exposes plain typed functions that return an exit code."""
