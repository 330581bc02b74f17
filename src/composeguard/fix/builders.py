"""What the fix builders of every rule family share: the guard that turns a builder's
failure into "no fix", and small constructors of edits over text and editable YAML.

A family's fixes live beside its rules (``rules/<family>/fixes.py``); this module, the edit
machinery (:mod:`~composeguard.fix.edits`, :mod:`~composeguard.fix.yaml_edits`) and the
planner and writer are the parts no family owns.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from composeguard.fix.edits import EditError
from composeguard.fix.yaml_edits import YamlText, YNode
from composeguard.lint.engine.finding import Edit, Fix
from composeguard.lint.parse.location import Location

if TYPE_CHECKING:
    from composeguard.lint.model.compose import ComposeModel
    from composeguard.lint.project import Project


T = TypeVar("T")


def best_effort(builder: Callable[..., Fix | None]) -> Callable[..., Fix | None]:
    """A fix that cannot be built is no fix; the finding is still reported (and ``fix``
    says it was not fixed). See :func:`attempt`."""

    @wraps(builder)
    def build(*args: object, **kwargs: object) -> Fix | None:
        return attempt(builder, *args, **kwargs)

    return build


def attempt(builder: Callable[..., T], *args: object, **kwargs: object) -> T | None:
    """``builder(*args)``, or None when the input is one it cannot build from: a missing key
    or item, an odd value or type, a path that cannot be read, an edit that does not apply,
    YAML ruamel cannot read or write, input nested too deep. The one catch of every fix."""
    from ruamel.yaml.error import YAMLError

    try:
        return builder(*args, **kwargs)
    except (LookupError, ValueError, TypeError, AttributeError, RecursionError, OSError,
            EditError, YAMLError):
        return None


def replace_edit(location: Location, text: str) -> Edit:
    """Replace exactly the text at ``location``."""
    return Edit(location.path, (location.line, location.column), location.end, text)


def insert_edit(path: Path, line: int, column: int, text: str) -> Edit:
    return Edit(path, (line, column), (line, column), text)


def line_indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def yaml_document(project: Project, path: Path) -> YamlText | None:
    """The project file ``path`` as editable YAML (None: unreadable or not YAML)."""
    text = project.read_text(path)
    return YamlText.parse(path, text) if text is not None else None


def model_document(project: Project, model: ComposeModel, path: Path) -> YamlText | None:
    """The compose file ``path`` as editable YAML, when it is one of ``model``'s own files
    (never a file pulled in with ``extends``/``include``)."""
    if not any(f.path == path for f in model.files):
        return None
    text = project.compose_file(path).text
    return YamlText.parse(path, text) if text is not None else None


def value_of_key(doc: YamlText, location: Location) -> YNode | None:
    """The value of the mapping entry whose key is written at ``location``."""
    return doc.value_of_key_at(location.line, location.column)


def where_in(doc: YamlText, location: Location) -> str:
    """What a fix's description names (two fixes of one file must not read the same)."""
    line = f"line {location.line}"
    node = value_of_key(doc, location) or doc.item_at(location.line, location.column)
    path = node.path if node is not None else ()
    if len(path) >= 2 and path[0] == "services":
        return f"service '{path[1]}' ({line})"
    return line


def single_user(doc: YamlText, node: YNode) -> bool:
    """No anchor shares ``node`` with another service (one alias, and the anchor itself is
    not a service of its own)."""
    anchors = doc.anchors_above(node)
    if not anchors:
        return True
    users = sum(doc.alias_count(anchor) for anchor in anchors)
    defined_in_services = bool(node.path) and node.path[0] == "services"
    return users + (1 if defined_in_services else 0) == 1
