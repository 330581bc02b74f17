"""``${VAR}`` interpolation as compose-go does it, with locations kept.

Compose substitutes variables in every string value of a file (keys are never touched, ``x-*``
extensions included) before merging files, so a value that comes from a default in a production
file is judged as it will run. The grammar follows compose-go's ``template`` package:
``$$`` is a literal ``$``; ``$VAR`` and ``${VAR}``; ``:-``/``-`` defaults, ``:?``/``?`` required,
``:+``/``+`` alternatives, with defaults interpolated recursively (``${A:-${B:-x}}``). A ``$`` not
followed by a name or a brace stays a literal ``$``, as in Compose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node

Lookup = Callable[[str], "str | None"]

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class InvalidTemplate(ValueError):
    """A ``${...}`` Compose refuses ("invalid interpolation format")."""


@dataclass(slots=True)
class Substitution:
    """What one string's interpolation did: names it used, required ones it found unset."""

    value: str
    used: list[str] = field(default_factory=list)
    missing_required: list[tuple[str, str]] = field(default_factory=list)


def substitute(text: str, lookup: Lookup) -> Substitution:
    """Interpolate ``text``; raise :class:`InvalidTemplate` where Compose would refuse it.

    Unset variables become "" (Compose warns and goes on); an unset ``${VAR:?err}`` also becomes
    "" and is listed in ``missing_required`` (deploy-time variables are good practice).
    """
    result = Substitution("")
    result.value = _substitute(text, lookup, result)
    return result


def substitute_text(text: str, lookup: Lookup) -> str:
    """Like :func:`substitute` but never raises: an invalid template is left as written."""
    try:
        return substitute(text, lookup).value
    except InvalidTemplate:
        return text


def _substitute(text: str, lookup: Lookup, result: Substitution) -> str:
    if "$" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char != "$":
            j = text.find("$", i)
            j = n if j == -1 else j
            out.append(text[i:j])
            i = j
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            close = _closing_brace(text, i)
            if close == -1:
                raise InvalidTemplate(f"invalid interpolation format: {text[i:]!r}")
            out.append(_braced(text[i + 2 : close], lookup, result))
            i = close + 1
        elif nxt in _NAME_START:
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            name = text[i + 1 : j]
            result.used.append(name)
            out.append(lookup(name) or "")
            i = j
        else:
            out.append("$")
            i += 1
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` at ``start``; only ``${`` opens (compose-go)."""
    depth = 0
    i = start
    while i < len(text):
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        if text.startswith("${", i):
            depth += 1
            i += 1
        i += 1
    return -1


def _braced(inner: str, lookup: Lookup, result: Substitution) -> str:
    j = 0
    while j < len(inner) and inner[j] in _NAME_CHARS:
        j += 1
    name, rest = inner[:j], inner[j:]
    if not name or name[0] not in _NAME_START:
        raise InvalidTemplate(f"invalid interpolation format: ${{{inner}}}")
    result.used.append(name)
    value = lookup(name)
    if not rest:
        return value or ""
    operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
    if operator is None:
        raise InvalidTemplate(f"invalid interpolation format: ${{{inner}}}")
    argument = rest[len(operator) :]
    unset_or_empty = not value if operator.startswith(":") else value is None
    if operator in (":-", "-"):
        return _substitute(argument, lookup, result) if unset_or_empty else (value or "")
    if operator in (":+", "+"):
        return "" if unset_or_empty else _substitute(argument, lookup, result)
    if unset_or_empty:
        result.missing_required.append((name, _substitute(argument, lookup, result)))
        return ""
    return value or ""


def interpolate_node(
    node: Node, lookup: Lookup, problems: list[tuple[Location, str]] | None = None
) -> Node:
    """Interpolate every string value under ``node``; each Node keeps its own location.

    Keys are left alone as Compose leaves them; an invalid template is kept as written and
    recorded in ``problems`` (Compose refuses the file).
    """
    if isinstance(node.value, dict):
        return node.with_value(
            {key: interpolate_node(child, lookup, problems) for key, child in node.value.items()}
        )
    if isinstance(node.value, list):
        return node.with_value([interpolate_node(child, lookup, problems) for child in node.value])
    if not isinstance(node.value, str) or "$" not in node.value:
        return node
    try:
        value = substitute(node.value, lookup).value
    except InvalidTemplate as error:
        if problems is not None:
            problems.append(
                (node.loc, f"{error}; Compose refuses it (write a literal $ as $$)")
            )
        return node
    return replace(node, value=value, template=node.value) if value != node.value else node
