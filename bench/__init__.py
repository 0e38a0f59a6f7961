"""Benchmark scripts (not part of the bot). Run from the repository root, e.g.
``python -m bench.throughput --quick``; see bench/README.md."""
