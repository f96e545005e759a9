"""Referral intake (vastaanotto): an example host service built on perhetyo.

See README.md beside this file; :mod:`intake.service` is the service, and
``test_intake.py`` its property tests, written with :mod:`perhetyo.testing` only.
"""
