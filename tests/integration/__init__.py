"""Integration tests: real SQLite files and real PostgreSQL beside memory://."""
