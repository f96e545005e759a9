"""Hypothesis settings for the example's tests when they run on their own.

Run with the project's tests, they take the project's profile (tests/conftest.py); run
alone (``pytest examples``), a profile like it: 25 examples, no deadline (each example
opens a store).
"""

from hypothesis import settings

if settings.get_current_profile_name() == "default":
    settings.register_profile("intake-example", max_examples=25, deadline=None)
    settings.load_profile("intake-example")
