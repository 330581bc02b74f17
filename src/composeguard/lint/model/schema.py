"""Checking a compose file against the official Compose specification JSON schema.

The schema is a pinned copy of compose-spec's, shipped in the package (``data/compose-spec.json``,
its source, date and hash in ``data/compose-spec.SOURCE``): what a file is checked against
changes only when composeguard does. It is loaded and compiled once per process.

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
    """The Python validator of :func:`static_schema`, whose errors the messages are
    written from."""
    from jsonschema.validators import validator_for

    schema = static_schema()
    return validator_for(schema)(schema)


@cache
def fast_validator() -> Any:
    """The same schema compiled by ``jsonschema-rs`` (Rust), or None where it cannot be
    loaded. It only says whether a file is valid: most files are, and for them the Python
    ``jsonschema`` (70 ms to import) is never imported. A file it calls invalid is described
    by :func:`compose_validator`, whose errors the messages are written from; a test holds
    the two to the same verdict on every compose file the tests hold."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.validator_for(static_schema())
    except Exception:  # noqa: BLE001 - any refusal of the schema: the Python validator
        return None


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
    gate = fast_validator()
    if gate is not None and gate.is_valid(plain):
        return []
    found: dict[tuple[Location, str], None] = {}
    for error in compose_validator().iter_errors(plain):
        for violation in _describe(error, document):
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


def _describe(error: Any, root: Node) -> Iterator[SchemaViolation]:
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


def _alternatives(error: Any, root: Node, path: list[str | int]) -> Iterator[SchemaViolation]:
    """A ``oneOf``/``anyOf``: explain the branch that fits the value's type, else the types."""
    from jsonschema.exceptions import best_match

    context = list(error.context or ())
    where = format_path(path)
    location = node_at(root, path).anchor_loc
    if not context:
        yield SchemaViolation(location, f"{where}: matches none of the forms Compose accepts")
        return
    wrong_type = [c for c in context if c.validator == "type" and not c.relative_path]
    fitting = [c for c in context if all(c is not w for w in wrong_type)]
    if fitting:
        yield from _describe(best_match(fitting), root)
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


def _unknown_keys(error: Any, root: Node, path: list[str | int]) -> Iterator[SchemaViolation]:
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
