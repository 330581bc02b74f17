"""Compose values as the repository spells them, before ``.env`` and interpolation fill them in.

A setting is only the repository's fault when its text is written in a compose file: a
literal (``APP_DEBUG: "true"``) or the fallback of an interpolation
(``${DB_CONNECTION:-sqlite}``). What ``.env`` puts into a bare ``KEY``, what an ``env_file``
line says, or what ``${VAR}`` becomes on this machine is the server's business, and the
effective model has already merged all of them; so the written text is looked up again in
the parsed compose file, at the key or list item the effective value came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.parse.interpolate import InvalidTemplate, substitute
from composeguard.lint.parse.nodes import Node, scalar_text

if TYPE_CHECKING:
    from composeguard.lint.model.compose import ComposeModel, Service

_SET_MARK = "\x00"


@dataclass(frozen=True, slots=True)
class Written:
    """How a value is written in the compose file: a literal, only a fallback default of
    ``${VAR:-...}`` (``variables`` names what must be unset for it to apply), or neither."""

    literal: bool
    fallback: bool
    variables: tuple[str, ...] = ()
    value_when_unset: str = ""


@dataclass(frozen=True, slots=True)
class WrittenSetting:
    """A setting a production-facing service writes in a compose file, with a watched value
    (see :meth:`composeguard.lint.project.Project.written_settings`)."""

    model: ComposeModel
    service: Service
    node: Node
    name: str
    written: Written
    value: str
    """The value in use when every variable it references is unset, stripped."""


def judge_text(text: str) -> Written:
    """Whether ``text`` (as written, ``${}`` included) puts literal characters in the value."""
    if "$" not in text:
        return Written(literal=bool(text), fallback=False, value_when_unset=text)
    try:
        unset = substitute(text, lambda _: None)
        when_set = substitute(text, lambda _: _SET_MARK).value
    except InvalidTemplate:
        return Written(literal=True, fallback=False, value_when_unset=text)
    names = tuple(dict.fromkeys(unset.used))
    if when_set.replace(_SET_MARK, ""):
        return Written(True, False, names, unset.value)
    return Written(False, bool(unset.value), names, unset.value)


def setting_matches(name: str, value: str, values: frozenset[str]) -> bool:
    """Whether ``value`` of setting ``name`` is one of ``values`` (a URL by its scheme)."""
    if name == "DATABASE_URL":
        return url_scheme(value) in values
    return value.lower() in values


def url_scheme(url: str) -> str:
    scheme, sep, _ = url.partition(":")
    return scheme.strip().lower() if sep else ""


class WrittenIndex:
    """The parsed compose files' keys and list items by position, built once per file, so an
    effective value's node finds the text written where it came from."""

    def __init__(self, root_of: Callable[[Path], Node | None]) -> None:
        self._root_of = root_of
        self._index: dict[Path, dict[tuple[str, int, int], Node]] = {}

    def text(self, model: ComposeModel, node: Node) -> str | None:
        """The value's written text; None when it is not written in a compose file of
        ``model`` (an ``env_file`` line) or is a bare name Compose takes from the environment."""
        path = node.loc.path
        if path not in model.base_dirs and all(f.path != path for f in model.files):
            return None
        index = self._index.get(path)
        if index is None:
            index = self._index[path] = _index(self._root_of(path))
        if node.key_loc is not None:
            raw = index.get(("key", node.key_loc.line, node.key_loc.column))
            if raw is not None:
                return scalar_text(raw.value) if raw.is_scalar and raw.value is not None else None
        else:
            raw = index.get(("item", node.loc.line, node.loc.column))
            if raw is not None:
                if not raw.is_scalar or raw.value is None:
                    return None
                _, sep, value = scalar_text(raw.value).partition("=")
                return value if sep else None
        return node.template if node.template is not None else scalar_text(node.value)


def _index(root: Node | None) -> dict[tuple[str, int, int], Node]:
    index: dict[tuple[str, int, int], Node] = {}
    for node in root.walk() if root is not None else ():
        for child in node.value.values() if node.is_map else ():
            if child.key_loc is not None:
                index[("key", child.key_loc.line, child.key_loc.column)] = child
        if node.is_list:
            for item in node.value:
                index[("item", item.loc.line, item.loc.column)] = item
    return index


