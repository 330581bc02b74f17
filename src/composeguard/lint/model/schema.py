"""Checking a compose file against the official Compose specification JSON schema.

The schema is a pinned copy of compose-spec's, shipped in the package (``data/compose-spec.json``,
its source, date and hash in ``data/compose-spec.SOURCE``): what a file is checked against
changes only when composeguard does. It is loaded and compiled once per process.

One validator, ``jsonschema-rs``, both decides and reports: its errors carry the failing
keyword's schema path and the document path, from which the messages are written (ranked as
jsonschema's ``best_match`` ranks them).

Compose validates each file after interpolating it, with ``!reset`` values removed and
``!override`` tags dropped. We validate the file as written, with the same tag handling, and do
not judge a value that holds a ``${VAR}``: what it becomes depends on the deploy environment.
Every other value is the same before and after interpolation, so the verdict is Compose's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node, scalar_text, without_reset

SCHEMA_RESOURCE = ("data", "compose-spec.json")

MAX_VIOLATIONS_PER_FILE = 20

_JSON_TYPES = {
    "string": "a string",
    "object": "a mapping",
    "array": "a list",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "null": "empty (null)",
}

_MISPLACED_SERVICE_KEYS = {
    "resources": "deploy.resources",
    "replicas": "deploy.replicas",
    "restart_policy": "deploy.restart_policy",
    "placement": "deploy.placement",
}
"""Keys people write directly under a service that belong one level down."""

_NAMED_SECTIONS = {
    "services": "service",
    "volumes": "volume",
    "networks": "network",
    "secrets": "secret",
    "configs": "config",
    "models": "model",
    "jobs": "job",
}


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    location: Location
    message: str


@cache
def compose_schema() -> dict[str, Any]:
    """The compose-spec JSON schema composeguard ships (see ``data/compose-spec.SOURCE``)."""
    from importlib.resources import files

    text = files("composeguard.lint.model").joinpath(*SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def static_schema() -> dict[str, Any]:
    """:func:`compose_schema` with ``unevaluatedProperties`` made static, for both validators.

    ``unevaluatedProperties: false`` (on services and jobs) is replaced by
    ``additionalProperties: false`` over every property the ``allOf`` branches declare. It
    rejects the same unknown keys, without listing all the keys of a branch that failed for
    another reason, and validates in half the time.
    """
    import copy

    schema = copy.deepcopy(compose_schema())
    _flatten_unevaluated(schema)
    return schema


@cache
def compose_validator() -> Any:
    """:func:`static_schema` compiled by ``jsonschema-rs``, once per process."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(static_schema())


@dataclass(slots=True)
class _Error:
    """One ``jsonschema-rs`` error as the messages are written from it: the keyword that
    failed (``validator``) and its value in the schema, the schema that holds it, the failing
    part of the document (``instance``) at ``absolute_path``, its ``path`` below the error
    whose alternatives it explains, and, for ``oneOf``/``anyOf``, each branch's errors."""

    validator: str
    validator_value: Any
    schema: Any
    instance: Any
    absolute_path: list[str | int]
    path: list[str | int]
    context: list[_Error]

    def matches_type(self) -> bool:
        """Whether the instance has a type the failing schema allows (jsonschema's
        ``_matches_type``, used to rank errors)."""
        expected = self.schema.get("type") if isinstance(self.schema, dict) else None
        if expected is None:
            return False
        types = expected if isinstance(expected, list) else [expected]
        return any(_is_type(self.instance, t) for t in types)


def _error(raw: Any, document: Any, parent: Sequence[str | int] = ()) -> _Error:
    schema_path = list(raw.schema_path)
    absolute = list(raw.instance_path)
    schema = _walk(static_schema(), schema_path[:-1])
    keyword = str(schema_path[-1]) if schema_path else ""
    value = schema.get(keyword) if isinstance(schema, dict) else None
    branches = getattr(raw.kind, "context", None) or ()
    context = [sorted((_error(inner, document, absolute) for inner in branch), key=_keyword_order)
               for branch in branches]
    return _Error(keyword, value, schema, _walk(document, absolute), absolute,
                  absolute[len(parent):], [error for branch in context for error in branch])


def _keyword_order(error: _Error) -> int:
    """Where the failing keyword stands in its schema: errors of one branch in the order the
    schema lists its keywords, as jsonschema reports them (``best_match`` keeps the first of
    equally relevant errors)."""
    keys = list(error.schema) if isinstance(error.schema, dict) else []
    return keys.index(error.validator) if error.validator in keys else len(keys)


def _walk(value: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        present = part in value if isinstance(value, dict) else (
            isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value))
        if not present:
            return None
        value = value[part]
    return value


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    kinds: dict[str, type | tuple[type, ...]] = {
        "string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}
    return isinstance(value, kinds.get(name, object))


def _relevance(error: _Error) -> tuple[Any, ...]:
    """jsonschema's ``by_relevance``: deeper first, then earlier, then not a ``oneOf``/
    ``anyOf``, then an error whose schema at least fits the value's type."""
    return (-len(error.path), [str(p) for p in error.path],
            error.validator not in ("anyOf", "oneOf"), False, not error.matches_type())


def _best_match(errors: Sequence[_Error]) -> _Error | None:
    """jsonschema's ``best_match``: the most relevant error, descending into the
    alternatives of a ``oneOf``/``anyOf`` while one of them stands out."""
    best = max(errors, key=_relevance, default=None)
    while best is not None and best.context:
        smallest = sorted(best.context, key=_relevance)[:2]
        if len(smallest) == 2 and _relevance(smallest[0]) == _relevance(smallest[1]):
            return best
        best = smallest[0]
    return best


def _flatten_unevaluated(schema: Any) -> None:
    if isinstance(schema, list):
        for item in schema:
            _flatten_unevaluated(item)
        return
    if not isinstance(schema, dict):
        return
    for value in schema.values():
        _flatten_unevaluated(value)
    if schema.get("unevaluatedProperties") is False:
        names, patterns = _declared(schema)
        schema["properties"] = {**{n: {} for n in names}, **schema.get("properties", {})}
        schema["patternProperties"] = {
            **{p: {} for p in patterns}, **schema.get("patternProperties", {})
        }
        schema["additionalProperties"] = False
        del schema["unevaluatedProperties"]


def validate_compose(
    root: Node, limit: int = MAX_VIOLATIONS_PER_FILE
) -> list[SchemaViolation]:
    """Every distinct way ``root`` breaks the Compose specification, in file order.

    At most ``limit`` violations are returned; when there are more, a last one says how many
    were left out.
    """
    document = without_reset(root)
    if document is None:
        return []
    plain = document.plain()
    validator = compose_validator()
    if validator.is_valid(plain):
        return []
    found: dict[tuple[Location, str], None] = {}
    for raw in validator.iter_errors(plain):
        for violation in _describe(_error(raw, plain), document):
            found.setdefault((violation.location, violation.message), None)
    violations = sorted(
        (SchemaViolation(loc, msg) for loc, msg in found),
        key=lambda v: (v.location.line, v.location.column, v.message),
    )
    if len(violations) > limit:
        rest = len(violations) - limit
        more = SchemaViolation(
            violations[limit].location,
            f"…and {rest} more Compose specification violation{'s' if rest > 1 else ''} "
            "in this file",
        )
        violations = [*violations[:limit], more]
    return violations


def node_at(root: Node, path: Sequence[str | int]) -> Node:
    """The node at a JSON path, or the deepest ancestor that exists."""
    node = root
    for part in path:
        if node.is_map and isinstance(part, str) and part in node.value or node.is_list and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            break
    return node


def format_path(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text or "the top level"


def has_interpolation(value: Any) -> bool:
    """A string that still holds a ``$VAR``/``${VAR}`` reference (``$$`` is a literal ``$``)."""
    return isinstance(value, str) and "$" in value.replace("$$", "")


def _describe(error: _Error, root: Node) -> Iterator[SchemaViolation]:
    path = list(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties":
        yield from _unknown_keys(error, root, path)
        return
    if has_interpolation(error.instance):
        return
    if validator in ("oneOf", "anyOf"):
        yield from _alternatives(error, root, path)
        return
    where = format_path(path)
    location = node_at(root, path).anchor_loc
    if validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        yield SchemaViolation(location, f"{where}: must be {_types(expected)}, "
                                        f"not {_kind(error.instance)}")
    elif validator == "required":
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        names = ", ".join(f"'{k}'" for k in missing)
        yield SchemaViolation(location, f"{where}: missing required key{'s' * (len(missing) > 1)} "
                                        f"{names}")
    elif validator == "enum":
        allowed = ", ".join(scalar_text(v) for v in error.validator_value)
        yield SchemaViolation(location, f"{where}: must be one of: {allowed}")
    elif validator == "pattern":
        yield SchemaViolation(location, f"{where}: does not match the pattern "
                                        f"{error.validator_value!r}")
    else:
        yield SchemaViolation(location, f"{where}: {_rule_text(validator, error.validator_value)}")


def _alternatives(error: _Error, root: Node, path: list[str | int]) -> Iterator[SchemaViolation]:
    """A ``oneOf``/``anyOf``: explain the branch that fits the value's type, else the types."""
    context = list(error.context or ())
    where = format_path(path)
    location = node_at(root, path).anchor_loc
    if not context:
        yield SchemaViolation(location, f"{where}: matches none of the forms Compose accepts")
        return
    wrong_type = [c for c in context if c.validator == "type" and not c.path]
    fitting = [c for c in context if all(c is not w for w in wrong_type)]
    best = _best_match(fitting)
    if best is not None:
        yield from _describe(best, root)
        return
    expected: list[str] = []
    for c in wrong_type:
        value = c.validator_value
        expected.extend(value if isinstance(value, list) else [value])
    if expected:
        message = f"{where}: must be {_types(expected)}, not {_kind(error.instance)}"
    else:
        message = f"{where}: matches none of the forms Compose accepts"
    yield SchemaViolation(location, message)


def _unknown_keys(error: _Error, root: Node, path: list[str | int]) -> Iterator[SchemaViolation]:
    """Keys the schema does not declare at this place, each at its own key."""
    if not isinstance(error.instance, dict):
        return
    names, patterns = _declared(error.schema)
    parent = node_at(root, path)
    for key in error.instance:
        if key in names or any(re.search(p, key) for p in patterns):
            continue
        child = parent.get(key) if parent.is_map else None
        location = child.anchor_loc if child is not None else parent.anchor_loc
        yield SchemaViolation(location, _unknown_key_message(key, path, names, patterns))


def _unknown_key_message(
    key: str, path: list[str | int], names: set[str], patterns: list[str]
) -> str:
    section = path[0] if len(path) == 1 else None
    if not names and isinstance(section, str) and section in _NAMED_SECTIONS:
        return (f"invalid {_NAMED_SECTIONS[section]} name {key!r}: use only letters, digits, "
                "'.', '_' and '-'")
    if not path:
        place = "at the top level"
    elif len(path) == 2 and path[0] in _NAMED_SECTIONS:
        place = f"in {_NAMED_SECTIONS[str(path[0])]} {str(path[1])!r}"
    else:
        place = f"in {format_path(path)}"
    message = f"unknown key {key!r} {place} (not in the Compose specification)"
    import difflib

    lowered = {n.lower(): n for n in names}
    close = [lowered[key.lower()]] if key.lower() in lowered else difflib.get_close_matches(
        key, sorted(names), n=1, cutoff=0.75)
    if len(path) == 2 and path[0] == "services" and key in _MISPLACED_SERVICE_KEYS:
        message += f"; did you mean {_MISPLACED_SERVICE_KEYS[key]!r}?"
    elif close:
        message += f"; did you mean {close[0]!r}?"
    elif key.startswith("x_") or (not names and "^x-" in patterns):
        message += "; extension keys start with 'x-'"
    return message


def _declared(schema: Any) -> tuple[set[str], list[str]]:
    """Property names and patterns a (sub)schema declares, through ``$ref`` and ``allOf``."""
    names: set[str] = set()
    patterns: list[str] = []
    seen: set[int] = set()

    def collect(sub: Any) -> None:
        if not isinstance(sub, dict) or id(sub) in seen:
            return
        seen.add(id(sub))
        names.update(sub.get("properties", {}))
        patterns.extend(sub.get("patternProperties", {}))
        ref = sub.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            collect(_resolve(ref))
        for keyword in ("allOf", "anyOf", "oneOf"):
            for branch in sub.get(keyword, ()):
                collect(branch)

    collect(schema)
    return names, patterns


def _resolve(ref: str) -> Any:
    target: Any = compose_schema()
    for part in ref[2:].split("/"):
        if not isinstance(target, dict):
            return None
        target = target.get(part.replace("~1", "/").replace("~0", "~"))
    return target


def _types(types: Sequence[str]) -> str:
    words = list(dict.fromkeys(_JSON_TYPES.get(t, t) for t in types))
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _kind(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"a boolean ({scalar_text(value)})"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


_RULE_TEXTS = {
    "minimum": "must be at least {}", "maximum": "must be at most {}",
    "exclusiveMinimum": "must be more than {}", "exclusiveMaximum": "must be less than {}",
    "minItems": "must have at least {} item(s)", "maxItems": "must have at most {} item(s)",
    "minLength": "must be at least {} character(s) long",
    "maxLength": "must be at most {} character(s) long",
    "minProperties": "must have at least {} key(s)", "maxProperties": "must have at most {} key(s)",
    "uniqueItems": "must not list the same item twice", "format": "is not a valid {}",
    "not": "is a form Compose does not accept", "const": "has a value Compose does not accept",
}
"""The schema's rules in our words: the validator's own texts quote the value, which may be
a password."""


def _rule_text(validator: str, rule: Any) -> str:
    text = _RULE_TEXTS.get(validator)
    if text is None:
        return f"does not follow the Compose specification (its `{validator}` rule)"
    return text.format(rule if isinstance(rule, (int, float, str)) else "")
