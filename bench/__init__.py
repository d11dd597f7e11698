"""Benchmarks against the peers a user would pick instead; run by hand, never as tests.

``python -m bench.kde`` and ``python -m bench.indicators`` (add ``--quick`` for a small run) write
a Markdown table and its JSON twin to ``bench/results/``.
"""
