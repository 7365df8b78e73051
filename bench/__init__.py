"""Benchmarks (not tests): `make bench` or `make bench BENCH=posting`. See bench/README.md."""
