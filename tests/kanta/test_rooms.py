"""The Kanta room (Kanta-huone) sits below the application: it never imports it."""

from __future__ import annotations

import ast
from pathlib import Path

KANTA = Path(__file__).resolve().parents[2] / "src" / "perhetyo" / "kanta"


def test_kanta_imports_nothing_of_the_application_the_cli_reporting_or_testing() -> None:
    for path in KANTA.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(
                    (
                        "perhetyo.application",
                        "perhetyo.cli",
                        "perhetyo.reporting",
                        "perhetyo.testing",
                        "perhetyo.persistence",
                    )
                ), f"{path.name}: {node.module}"
