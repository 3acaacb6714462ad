"""Reproducible performance runs: `bin/bench [names] [--quick]` (see benchmarks/README.md)."""
