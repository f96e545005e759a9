"""Aggregates (koosteet): the family case that decides every command."""

from perhetyo.aggregates.case import FamilyCase

__all__ = ["FamilyCase"]
