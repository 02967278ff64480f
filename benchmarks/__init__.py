"""tanya's benchmarks: `python -m benchmarks.run` runs them all and writes
BENCHMARKS.md.

Each benchmark measures its own baseline in the same run, so a ratio to the
baseline survives a noisy machine even when the absolute numbers do not.
Expensive artefacts (the FacQA index, passage embeddings, the large latency
stores) are cached under `benchmarks/.cache/`, keyed by what built them;
`--fresh` clears that cache first.

These are not tests: nothing here runs under pytest (a smoke test of the
harness on a tiny corpus lives in tests/test_benchmarks.py).
"""
