"""Small HTML blocks every report page is made of: a heading, a paragraph, label/value pairs.

Shared by :mod:`helpers.report.present` (the notebook's blocks) and
:mod:`helpers.report.method` (the method section and its technical annex).
"""

from __future__ import annotations

import html

from helpers.report.i18n import translate

__all__ = ["definition_list", "heading", "paragraph"]


def heading(key: str, lang: str, level: int = 2, anchor: str | None = None, **values) -> str:
    """``<h2 id="...">`` with translated text; the id feeds the table of contents."""
    text = translate(key, lang, **values)
    anchor = anchor or key.split(".")[-1].replace("_", "-")
    return f'<h{level} id="{html.escape(anchor)}">{html.escape(text)}</h{level}>'


def paragraph(key: str, lang: str, **values) -> str:
    """A translated paragraph; ``values`` (already formatted) fill its placeholders."""
    return f"<p>{html.escape(translate(key, lang, **values))}</p>"


def definition_list(rows: list[tuple[str, str]], css_class: str = "params") -> str:
    """Label/value pairs as an HTML table (the parameter-and-method box)."""
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in rows)
    return f'<table class="{css_class}"><tbody>{body}</tbody></table>'
