"""Sphinx roles in docstrings, rendered for the API reference pages of the site.

perhetyo's docstrings cross-reference with Sphinx roles (``:class:`~perhetyo.errors.X```),
which Markdown would show as typed. This griffe extension rewrites each role, before
mkdocstrings renders the docstring, into an optional cross-reference: a link where the
target is on the site, plain code where it is not (an optional reference never warns).
A trailing ``::`` (reStructuredText's "a literal block follows") becomes ``:``; the
indented block after it is already a Markdown code block.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|mod|attr|data|exc|obj):`(?P<target>[^`]+)`")
_LITERAL_BLOCK = re.compile(r"(?<=\S)::$", re.MULTILINE)


def _reference(match: re.Match[str]) -> str:
    target = match.group("target").strip()
    shown = target
    if target.startswith("~"):
        target = target[1:]
        shown = target.rsplit(".", 1)[-1]
    identifier = target.removesuffix("()")
    return (
        f'<autoref identifier="{html.escape(identifier)}" optional>'
        f"<code>{html.escape(shown)}</code></autoref>"
    )


def rewrite(text: str) -> str:
    """``text`` with its Sphinx roles as optional cross-references."""
    return _LITERAL_BLOCK.sub(":", _ROLE.sub(_reference, text))


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles of every docstring griffe loads."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
