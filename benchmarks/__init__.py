"""Benchmarks (suorituskykymittaukset): measured with their floors beside them, never timed tests."""
