"""Benchmarks of jconv against its peers: ``python -m benchmarks.run``."""
