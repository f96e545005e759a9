"""Benchmarks (suorituskykymittaukset): measured beside their floors, never timed tests."""
