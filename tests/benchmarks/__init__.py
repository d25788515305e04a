"""Tests of the benchmarks' own instruments (``bench/``)."""
