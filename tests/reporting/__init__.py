"""Reporting (raportointi): the export as a library function."""
