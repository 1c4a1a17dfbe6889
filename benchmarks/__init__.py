"""Benchmarks: scripts that print figures (medians, ratios) and never pass or fail on time.

Run each from the repository root as ``python -m benchmarks.NAME`` (``make bench`` runs them all).
"""
