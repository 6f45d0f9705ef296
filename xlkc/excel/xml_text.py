"""Text in XML: ``escape``, ``unescape`` and ``quoteattr`` as ``xml.sax.saxutils`` has them.

The same replacements in the same order (tests/test_xml_text.py compares them with saxutils on
arbitrary text), without importing ``xml.sax.saxutils``, which pulls in ``urllib.request``,
``http.client`` and ``ssl`` for functions the writer never calls: about 10 ms of every click
(issue 15).
"""

from __future__ import annotations

__all__ = ["escape", "quoteattr", "unescape"]


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``<``, ``>`` as entities (``&`` first), then each of ``entities``."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for char, entity in (entities or {}).items():
        data = data.replace(char, entity)
    return data


def unescape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&lt;``, ``&gt;``, then each of ``entities``, then ``&amp;`` (last) back to text."""
    data = data.replace("&lt;", "<").replace("&gt;", ">")
    for entity, char in (entities or {}).items():
        data = data.replace(entity, char)
    return data.replace("&amp;", "&")


def quoteattr(data: str, entities: dict[str, str] | None = None) -> str:
    """An attribute value with its quotes: escaped, newline, return and tab as character
    references, in double quotes unless it holds a double and no single quote."""
    data = escape(data, {**(entities or {}), "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
    if '"' in data:
        if "'" in data:
            return '"{}"'.format(data.replace('"', "&quot;"))
        return f"'{data}'"
    return f'"{data}"'
