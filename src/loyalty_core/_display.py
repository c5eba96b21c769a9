"""Bounded renderings for people: short text for reprs, small HTML tables for notebooks.

Jupyter shows an object through its ``_repr_html_``; the library's values (decisions, the
platform values, profiles, explanations, timelines) answer with a table built here. The house
rule "no repr of unbounded values" holds for displays too:

- :func:`compact` renders any value on one line in at most ``limit`` characters (strings, big
  integers and other objects shortened by :func:`~loyalty_core.limits.show`), walking
  containers with an explicit stack, never by recursion, and stopping as soon as the line is
  full: a 50,000-character string or a 10,000-deep JSON value costs a few hundred steps.
- :func:`html_table` escapes every text with :func:`html.escape`, clips each cell to
  :data:`MAX_CELL` characters, shows at most :data:`MAX_ROWS` rows and never returns more than
  :data:`MAX_HTML` characters. The HTML is one ``<table>``: no script, no stylesheet, only
  inline left alignment (notebooks right-align table cells by default).

>>> compact({"and": [{"var": "vip"}, True]})
"{'and': [{'var': 'vip'}, True]}"
>>> compact({"and": [{"var": "vip"}, True]}, style="json")
'{"and": [{"var": "vip"}, true]}'
>>> compact(list(range(1000)), limit=20)
'[0, 1, 2, 3, 4, ...]'
>>> print(html_table("Refused", ("code",), [("<b>",)]))
<table><caption style="text-align:left">Refused</caption><thead><tr><th \
style="text-align:left">code</th></tr></thead><tbody><tr><td style="text-align:left;\
vertical-align:top">&lt;b&gt;</td></tr></tbody></table>
"""

from __future__ import annotations

import enum
import html
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final, Literal

from loyalty_core import clock
from loyalty_core.limits import DECIMAL_DIGITS_SHOWN, TEXT_SHOWN, TEXT_WHOLE, show

__all__ = [
    "MAX_CELL",
    "MAX_DEPTH",
    "MAX_HTML",
    "MAX_ROWS",
    "MAX_TEXT",
    "Style",
    "clip",
    "compact",
    "html_table",
    "indent",
    "mark",
]

MAX_TEXT: Final = 120
"""The default length of a :func:`compact` rendering: one value in one table cell."""
MAX_CELL: Final = 240
"""The longest text of one cell (a caption or a note, too), before escaping."""
MAX_ROWS: Final = 100
"""The most body rows a table shows; a note says when more were left out."""
MAX_DEPTH: Final = 64
"""The deepest level a tree table shows (the rule depth COND-7 accepts)."""
MAX_HTML: Final = 100_000
"""The longest HTML a table returns, whatever it shows."""

Style = Literal["python", "json"]
"""How :func:`compact` writes scalars: as Python's ``repr`` does, or as JSON text."""

_MORE: Final = "..."
_CUT: Final = "..."


# --- one value on one line -------------------------------------------------------------------


def clip(text: str, limit: int = MAX_CELL) -> str:
    """Return ``text`` whole up to ``limit`` characters, else its head and its length.

    >>> clip("abc"), clip("a" * 50, 10)
    ('abc', 'aaaaaaaaaa... (50 characters)')
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{_CUT} ({len(text)} characters)"


def _instant(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.isoformat(sep="T")
    try:
        return clock.format_instant(value)
    except OverflowError:  # an aware instant at the edge of Python's range, shown as given
        return value.isoformat(sep="T")


def _json_scalar(value: object) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, str):
        if len(value) <= TEXT_WHOLE:
            return json.dumps(value, ensure_ascii=False)
        head = json.dumps(value[:TEXT_SHOWN], ensure_ascii=False)
        return f"{head}{_CUT} ({len(value)} characters)"
    if (
        isinstance(value, Decimal)
        and value.is_finite()
        and len(value.as_tuple().digits) <= DECIMAL_DIGITS_SHOWN
    ):
        return str(value)
    return show(value)


def _scalar(value: object, style: Style) -> str:
    """Render a value that is not walked as a container, in a bounded number of characters."""
    if isinstance(value, datetime):
        return _instant(value)
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if style == "json":
        return _json_scalar(value)
    return show(value)


def _is_sequence(value: object) -> bool:
    return isinstance(value, list | tuple)


def _brackets(value: object, style: Style) -> tuple[str, str]:
    if isinstance(value, Mapping):
        return "{", "}"
    if type(value) is tuple and style == "python":
        return "(", ")"
    return "[", "]"


def compact(value: object, limit: int = MAX_TEXT, *, style: Style = "python") -> str:
    """Render ``value`` on one line in at most ``limit`` characters.

    Mappings, lists and tuples are walked with an explicit stack, and the walk stops once the
    line is full, so neither a huge nor a deeply nested value makes it slow. A cut line says
    ``...`` where it stops and still closes every bracket it opened. Scalars are shown as
    :func:`~loyalty_core.limits.show` shows them (long strings keep their head and say their
    length), or as JSON text with ``style="json"``; instants as ``YYYY-MM-DDTHH:MM:SSZ``;
    enum members as ``Type.NAME``.

    >>> deep = []
    >>> for _ in range(10_000):
    ...     deep = [deep]
    >>> compact(deep, 12)
    '[[[[...]]]]'
    >>> compact({"name": "x" * 50_000})
    "{'name': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (50000 characters)}"
    >>> compact({"and": [{"var": "tier_handle"}, {"var": "spend"}]}, 30, style="json")
    '{"and": [{"var": ...}]}'
    """
    if not (isinstance(value, Mapping) or _is_sequence(value)):
        text = _scalar(value, style)
        if len(text) <= limit:
            return text
        return _fit_text(value, limit, style) if isinstance(value, str) else _CUT
    # First try the whole line; only a line that does not fit is walked again and cut.
    whole = _walk(value, limit, style, cut=False)
    return whole if whole is not None else str(_walk(value, limit, style, cut=True))


def _fit_text(value: str, limit: int, style: Style) -> str:
    """Quote the longest head of ``value`` (halving it) that fits in ``limit`` with its length."""
    suffix = f"{_CUT} ({len(value)} characters)"
    size = min(len(value), limit, TEXT_WHOLE)
    while size > 0:
        head = value[:size]
        quoted = json.dumps(head, ensure_ascii=False) if style == "json" else show(head)
        if len(quoted) + len(suffix) <= limit:
            return quoted + suffix
        size //= 2
    return _CUT


_VALUE: Final = 0
_TEXT: Final = 1
_CLOSE: Final = 2


def _walk(value: object, limit: int, style: Style, *, cut: bool) -> str | None:
    """Render ``value``; without ``cut``, ``None`` once it passes ``limit``.

    With ``cut``, each piece is written only while the line, a ``...`` and the closing
    brackets of every open container still fit in ``limit``.
    """
    pieces: list[str] = []
    size = 0
    closers: list[str] = []  # the closing bracket of each open container, innermost last
    closing = 0
    todo: list[tuple[int, object]] = [(_VALUE, value)]
    while todo:
        kind, item = todo.pop()
        if kind == _CLOSE:
            text = closers.pop()
            closing -= len(text)
            pieces.append(text)
            size += len(text)
            continue
        entries: list[tuple[int, object]] = []
        closer = ""
        if kind == _TEXT:
            text = str(item)
        elif isinstance(item, Mapping) or _is_sequence(item):
            text, closer, entries = _open(item, limit - size, style)
        else:
            text = _scalar(item, style)
        if cut and size + len(text) + len(closer) + closing + len(_CUT) > limit:
            return "".join(pieces) + _CUT + "".join(reversed(closers))
        pieces.append(text)
        size += len(text)
        if not cut and size > limit:
            return None
        if entries:
            closers.append(closer)
            closing += len(closer)
            todo.append((_CLOSE, None))
            todo.extend(reversed(entries))
        elif closer:
            pieces.append(closer)
            size += len(closer)
    return "".join(pieces)


def _open(container: object, room: int, style: Style) -> tuple[str, str, list[tuple[int, object]]]:
    """Return a container's opening, its closing and its entries (as many as fit in ``room``)."""
    opening, closing = _brackets(container, style)
    shown = max(room, 1)  # every item takes at least one character
    entries: list[tuple[int, object]] = []
    if isinstance(container, Mapping):
        pairs = list(itertools.islice(container.items(), shown))
        for index, (key, item) in enumerate(pairs):
            if index:
                entries.append((_TEXT, ", "))
            entries.extend(((_VALUE, key), (_TEXT, ": "), (_VALUE, item)))
        more = len(container) > len(pairs)
    else:
        items: Sequence[object] = container  # type: ignore[assignment] # a list or a tuple
        head = items[:shown]
        for index, item in enumerate(head):
            if index:
                entries.append((_TEXT, ", "))
            entries.append((_VALUE, item))
        more = len(items) > len(head)
        if opening == "(" and len(items) == 1:
            closing = "," + closing
    if more:
        entries.append((_TEXT, (", " if entries else "") + _MORE))
    return opening, closing, entries


# --- HTML ------------------------------------------------------------------------------------

_LEFT: Final = ' style="text-align:left"'
_CELL: Final = '<td style="text-align:left;vertical-align:top">'
_INDENT: Final = "\u00a0\u00a0"
"""Two no-break spaces per level: HTML keeps them, where it would collapse plain spaces."""
_RESERVE: Final = 8 * (6 * (MAX_CELL + 40) + 80)
"""Room kept for the caption, the header and the notes when rows are added (escaping may
multiply a text by six: ``"`` becomes ``&quot;``)."""


def indent(depth: int) -> str:
    """Return the indentation of a tree row at ``depth`` (no-break spaces, kept by HTML)."""
    return _INDENT * min(max(depth, 0), MAX_DEPTH)


def mark(holds: bool) -> str:  # noqa: FBT001 - a truth value in, its mark out
    """Return the mark of a clause that holds (``✓ true``) or fails (``✗ false``)."""
    return "\u2713 true" if holds else "\u2717 false"


def _escaped(text: str) -> str:
    return html.escape(clip(text), quote=True)


def _row(cells: Sequence[str], columns: int) -> str:
    shown = list(itertools.islice(cells, columns))
    shown += [""] * (columns - len(shown))
    return "<tr>" + "".join(f"{_CELL}{_escaped(cell)}</td>" for cell in shown) + "</tr>"


def _note(text: str, columns: int) -> str:
    span = f' colspan="{columns}"' if columns > 1 else ""
    return f'<tr><td{span} style="text-align:left"><em>{_escaped(text)}</em></td></tr>'


def html_table(
    caption: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    notes: Sequence[str] = (),
    empty: str | None = None,
) -> str:
    """Return a self-contained HTML table: a caption, a header row, body rows, then notes.

    Every text is plain text, clipped to :data:`MAX_CELL` characters and escaped. ``rows`` is
    read lazily: at most :data:`MAX_ROWS` rows are taken, and fewer when the HTML would pass
    :data:`MAX_HTML` characters; a note then says that more were left out. ``empty`` is the
    note shown when there is no row.
    """
    columns = max(len(header), 1)
    head = (
        f"<table><caption{_LEFT}>{_escaped(caption)}</caption>"
        + (
            "<thead><tr>"
            + "".join(f"<th{_LEFT}>{_escaped(name)}</th>" for name in header)
            + "</tr></thead>"
            if header
            else ""
        )
        + "<tbody>"
    )
    body: list[str] = []
    size = len(head)
    left_out = False
    for cells in rows:
        if len(body) >= MAX_ROWS:
            left_out = True
            break
        row = _row(cells, columns)
        if size + len(row) > MAX_HTML - _RESERVE:
            left_out = True
            break
        body.append(row)
        size += len(row)
    footer = list(notes[:4])
    if not body and empty is not None:
        footer.insert(0, empty)
    if left_out:
        footer.append(f"only the first {len(body)} rows are shown")
    tail = "</tbody>"
    if footer:
        tail += "<tfoot>" + "".join(_note(text, columns) for text in footer) + "</tfoot>"
    return head + "".join(body) + tail + "</table>"
