"""A JSON Schema (draft-07, SchemaStore's dialect) for composeguard's configuration: the
``[tool.composeguard]`` table of ``pyproject.toml`` and the top level of
``.composeguard.toml``. Generated from the rule catalog and the config loader's own tables,
so that an editor's completion and validation cannot drift from what ``check`` accepts::

    python -m composeguard.config_schema            # writes src/composeguard/composeguard.schema.json
    python -m composeguard.config_schema --check    # exit 1 if it is stale

Editors read it through taplo (Even Better TOML): ``#:schema <path or URL>`` on a
``.composeguard.toml``'s first line, or a ``[[rule]]`` association for ``pyproject.toml``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("composeguard.schema.json")


def schema() -> dict[str, Any]:
    """The schema, from the rule catalog, the severities and the environments."""
    from composeguard.lint.engine.config import KEYS
    from composeguard.lint.engine.finding import Severity
    from composeguard.lint.model.compose import Environment
    from composeguard.rules import all_rules

    rules = all_rules()
    codes = sorted({r.code for r in rules})
    prefixes = sorted({c[:n] for c in codes for n in range(2, len(c))} - set(codes))
    selector = {
        "type": "string",
        "description": "A rule code (CG101), a code prefix (CG1, CG) or a rule name.",
        "anyOf": [{"enum": codes}, {"enum": prefixes},
                  {"enum": sorted(r.name for r in rules)}],
    }
    severity = {"type": "string", "enum": sorted(str(s) for s in Severity),
                "description": "error, warning or info."}
    properties: dict[str, Any] = {
        "select": {"anyOf": [selector, {"type": "array", "items": selector}],
                   "description": "Only these rules (codes, prefixes or names)."},
        "ignore": {"anyOf": [selector, {"type": "array", "items": selector}],
                   "description": "Skip these rules (codes, prefixes or names)."},
        "fail-on": {**severity, "description": "The lowest severity that makes the exit code 1 "
                                               "(default: warning)."},
        "exclude": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                    "description": "Paths to skip, as gitignore patterns."},
        "severity": {"type": "object", "description": "The severity of a rule, by code or name.",
                     "propertyNames": selector, "additionalProperties": severity},
        "environments": {
            "type": "object",
            "description": "What a compose file is for, by glob of its name or path; "
                           "the first evidence composeguard uses.",
            "additionalProperties": {"type": "string",
                                     "enum": sorted(e.value for e in Environment)}},
        "data-stores": {
            "type": "object",
            "description": "Images composeguard should treat as data stores, with the "
                           "container path of their data directory.",
            "additionalProperties": {"type": "string", "pattern": "^/"}},
        "baseline": {"type": "string", "minLength": 1,
                     "description": "A baseline file, relative to the configuration file: "
                                    "the findings it records are not reported."},
    }
    assert set(properties) == set(KEYS), "the schema and the loader know different keys"
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "composeguard",
        "description": "composeguard's configuration: [tool.composeguard] in pyproject.toml, "
                       "or the top level of .composeguard.toml.",
        "type": "object",
        "properties": dict(sorted(properties.items())),
        "additionalProperties": False,
    }


def rendered() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m composeguard.config_schema",
                                     description="Regenerate composeguard.schema.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 when it is stale")
    args = parser.parse_args(argv)
    fresh = rendered()
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.is_file() else None
    if args.check:
        if current != fresh:
            print(f"stale: {SCHEMA_FILE}")
            return 1
        return 0
    if current != fresh:
        SCHEMA_FILE.write_text(fresh, encoding="utf-8", newline="\n")
        print(f"updated {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
