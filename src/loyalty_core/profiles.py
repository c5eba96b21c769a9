"""Members: a profile's id plus its whole JSON mapping, read-only, as condition context.

>>> p = Profile.from_api({"id": "p-1", "tier_handle": "gold"})
>>> p.id, p.context["tier_handle"]
('p-1', 'gold')
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from loyalty_core import _display
from loyalty_core.errors import InvalidRequest, PayloadError, Problem
from loyalty_core.limits import ShapeError, copy_json, key_segment, show

__all__ = ["Profile"]


def _copy_context(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidRequest(Problem("context", f"expected a mapping, got {show(value)}"))
    try:
        copied: dict[str, Any] = copy_json(value)
    except ShapeError as exc:
        # A JSON mapping, nested at most MAX_NESTING levels, checked without recursion (limits).
        raise InvalidRequest(Problem(exc.where("context"), str(exc))) from None
    return copied


@attrs.frozen(kw_only=True)
class Profile:
    """A member: ``id`` (a string, or ``None``) and ``context``, its JSON attributes.

    ``context`` is what conditions read (COND-4, COND-6): ``tier_handle``,
    ``flattened_tags``, ``aggregations.spend_12m``, ``custom_fields…``. It is a read-only
    mapping holding a private copy of the input. ``id`` is ``context["id"]``: give either.
    """

    context: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_copy_context, hash=False, repr=False
    )
    id: str | None = attrs.field(default=None)
    _data: dict[str, Any] = attrs.field(init=False, eq=False, hash=False, repr=False)
    """The private dict behind ``context``: conditions read it directly, which is faster than
    reading through the read-only proxy; nothing ever writes to it."""

    def __attrs_post_init__(self) -> None:
        """Keep ``id`` and ``context["id"]`` one value; it must be a string or ``None``."""
        data: dict[str, Any] = self.context  # type: ignore[assignment] # _copy_context's dict
        in_context = data.get("id")
        if self.id is None:
            object.__setattr__(self, "id", in_context)
        elif in_context is None:
            data["id"] = self.id
        elif in_context != self.id:
            msg = f"expected context['id'] {show(in_context)} to equal id, got {show(self.id)}"
            raise InvalidRequest(Problem("id", msg))
        if self.id is not None and type(self.id) is not str:
            # PAY-7: a profile's id is a string; a number is rejected.
            raise InvalidRequest(Problem("id", f"expected a string, got {show(self.id)}"))
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "context", MappingProxyType(data))

    def __repr__(self) -> str:
        """Show ``id`` and the rest of the context, shortened: a repr stays short.

        >>> Profile(id="p-1", context={"tier_handle": "gold", "flattened_tags": ["vip"]})
        Profile(id='p-1', context={'tier_handle': 'gold', 'flattened_tags': ['vip']})
        >>> Profile(id="p-2", context={"tags": ["vip"] * 100_000})
        Profile(id='p-2', context={'tags': ['vip', 'vip', 'vip', 'vip', 'vip', 'vip', 'vip', \
'vip', 'vip', ...]})
        """
        parts = [] if self.id is None else [f"id={show(self.id)}"]
        # At most _REPR_CONTEXT keys are copied: more could never fit in the shortened text.
        rest = dict(
            itertools.islice(
                ((key, value) for key, value in self._data.items() if key != "id"), _REPR_CONTEXT
            )
        )
        if rest:
            parts.append(f"context={_display.compact(rest, _REPR_CONTEXT)}")
        return f"Profile({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """Return an HTML table of the context for notebooks: one row per attribute.

        Nested objects are flattened into the dotted paths conditions read
        (``aggregations.spend_12m``, COND-6) down to a few levels; deeper values and arrays
        are shown shortened in one cell. Rows and length are bounded.
        """
        caption = "Profile" if self.id is None else f"Profile {show(self.id)}"
        return _display.html_table(
            caption,
            ("attribute", "value"),
            _context_rows(self._data),
            empty="no attribute",
        )

    def condition_data(self) -> Mapping[str, Any]:
        """The data a condition sees (COND-4): the context, as a plain mapping for speed.

        Callers must not modify it; :attr:`context` is the read-only view of the same data.
        """
        return self._data

    @classmethod
    def from_api(cls, payload: object, *, strict: bool = False) -> Profile:
        """Build from the platform's profile JSON; raise ``PayloadError`` when it is bad.

        Every key is kept: the whole mapping is the context conditions read (PAY-10,
        COND-4), so ``strict`` has nothing to reject; it is accepted for symmetry with the
        other values.
        """
        del strict
        if not isinstance(payload, Mapping):
            raise PayloadError(Problem("$", f"expected an object, got {show(payload)}"))
        try:
            return cls(context=payload)
        except InvalidRequest as exc:
            raise PayloadError(
                Problem(_context_path(p.where), p.message) for p in exc.problems
            ) from None

    def to_api(self) -> dict[str, Any]:
        """Return the profile's JSON mapping (a fresh copy)."""
        data: dict[str, Any] = copy_json(self.context)
        return data


_REPR_CONTEXT: Final = 80
"""Characters of the context a repr shows."""
_FLATTENED: Final = 4
"""The levels of nested objects a profile's table flattens into dotted paths."""


def _context_rows(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Yield ``(path, value)`` rows, depth first, with an explicit stack (no recursion)."""
    stack: list[tuple[str, Iterator[tuple[str, Any]]]] = [("", iter(data.items()))]
    while stack:
        prefix, items = stack[-1]
        entry = next(items, None)
        if entry is None:
            stack.pop()
            continue
        key, value = entry
        path = prefix + key_segment(key)
        if isinstance(value, Mapping) and value and len(stack) < _FLATTENED:
            stack.append((path, iter(value.items())))
        else:
            yield path.removeprefix("."), _display.compact(value)


def _context_path(where: str) -> str:
    """The payload is the profile's context: ``context.a`` is ``$.a``, ``id`` is ``$.id``."""
    rest = where.removeprefix("context")
    return f"${rest}" if rest != where else f"$.{where}"
