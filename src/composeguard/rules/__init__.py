"""The rule catalog, in code order. Adding a rule means adding it to a module listed here."""

from __future__ import annotations

from functools import cache

from composeguard.rules.base import Example, Rule

__all__ = ["Example", "Rule", "all_rules", "catalog", "find_rule"]

_MODULES = ("files", "persistence", "startup", "appconfig", "guards", "repository", "environments")


@cache
def all_rules() -> tuple[Rule, ...]:
    import importlib

    found: list[Rule] = []
    for module_name in _MODULES:
        module = importlib.import_module(f"composeguard.rules.{module_name}")
        found.extend(v for v in vars(module).values() if isinstance(v, Rule))
    codes = [r.code for r in found]
    if len(codes) != len(set(codes)):
        raise RuntimeError(f"duplicate rule codes: {sorted(codes)}")
    return tuple(sorted(found, key=lambda r: r.code))


def find_rule(code_or_name: str) -> Rule | None:
    key = code_or_name.strip().lower()
    for r in all_rules():
        if r.code.lower() == key or r.name == key:
            return r
    return None


def catalog() -> tuple[tuple[str, str], ...]:
    """Every rule as ``(code, name)``: what the engine's selection and config are handed."""
    return tuple((r.code, r.name) for r in all_rules())
