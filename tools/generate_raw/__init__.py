"""Deterministic generator of the shipped synthetic `raw/` (project issue 3).

Run `python -m tools.generate_raw --out raw --replace` from the project root; see README.md.
"""
