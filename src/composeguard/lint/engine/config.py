"""``[tool.composeguard]`` in ``pyproject.toml`` or a ``.composeguard.toml``.

Unknown keys, unknown rule codes and bad values are errors naming the file and the key: a
typo in a linter's config must not silently turn a rule off. Command-line options win over the
file, with ruff's precedence (:func:`resolve_selection`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composeguard.lint.engine.finding import Severity
from composeguard.lint.engine.selection import Catalog, Selection, unknown_selectors
from composeguard.lint.model.compose import Environment

CONFIG_FILES = (".composeguard.toml", "pyproject.toml")
KEYS = frozenset({"select", "ignore", "fail-on", "exclude", "severity", "environments",
                  "data-stores", "baseline"})


class ConfigError(Exception):
    """A configuration problem, with the file and key it is about."""


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Severity | None = None
    exclude: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    environments: Mapping[str, Environment] = field(default_factory=dict)
    data_stores: Mapping[str, str] = field(default_factory=dict)
    baseline: Path | None = None
    """Resolved against the config file's directory, so it works from any cwd."""


def find_config(start: Path) -> Path | None:
    """The nearest ``.composeguard.toml``, or ``pyproject.toml`` with a
    ``[tool.composeguard]`` table, walking up from ``start``."""
    import os

    # abspath, not resolve(): the checked path may be a symlink loop (reported as CG001).
    directory = Path(os.path.abspath(start))
    if not os.path.isdir(directory):
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        for name in CONFIG_FILES:
            candidate = candidate_dir / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml" and "composeguard" not in _read(candidate).get("tool", {}):
                continue
            return candidate
    return None


def load_config(path: Path | None, catalog: Catalog = ()) -> Config:
    """Read and validate a config file; its selectors must name rules of ``catalog`` (not
    checked when it is empty)."""
    if path is None:
        return Config()
    data = _read(path)
    table = data.get("tool", {}).get("composeguard", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.composeguard] must be a table")
    where = "[tool.composeguard]" if path.name == "pyproject.toml" else "top level"
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in {where} "
                          f"(known: {', '.join(sorted(KEYS))})")
    return Config(
        path=path,
        select=_selectors(path, "select", table.get("select", []), catalog),
        ignore=_selectors(path, "ignore", table.get("ignore", []), catalog),
        fail_on=_severity(path, "fail-on", table["fail-on"]) if "fail-on" in table else None,
        exclude=tuple(_strings(path, "exclude", table.get("exclude", []))),
        severity={code: _severity(path, f"severity.{code}", value)
                  for code, value in _table(path, "severity", table).items()
                  if _check_selector(path, f"severity.{code}", code, catalog)},
        environments={pattern: _environment(path, pattern, value)
                      for pattern, value in _table(path, "environments", table).items()},
        data_stores={image: _data_dir(path, image, value)
                     for image, value in _table(path, "data-stores", table).items()},
        baseline=_baseline(path, table["baseline"]) if "baseline" in table else None,
    )


def resolve_selection(
    config: Config,
    select: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    catalog: Catalog = (),
) -> Selection:
    """The rules to run when the config file and the command line both have a say.

    As in ruff, each source is a layer applied in order (file, then command line): a layer's
    ``select`` replaces everything decided before it (so ``--select`` drops the file's
    ``select`` *and* ``ignore``), ``extend-select`` adds, ``ignore`` removes and wins within its
    layer. Without ``--select`` the command line refines the file's choice: ``--ignore`` adds to
    the file's ``ignore``. The result names the disabled rules of ``catalog`` by code.
    """
    def matching(tokens: Sequence[str]) -> set[str]:
        chosen = Selection(select=tuple(tokens))
        return {code for code, name in catalog if tokens and chosen.allows(code, name)}

    enabled = {code for code, _ in catalog}
    for layer_select, layer_extend, layer_ignore in (
        (config.select, (), config.ignore),
        (tuple(select), tuple(extend_select), tuple(ignore)),
    ):
        if layer_select:
            enabled = matching(layer_select)
        enabled = (enabled | matching(layer_extend)) - matching(layer_ignore)
    return Selection(ignore=tuple(code for code, _ in catalog if code not in enabled))


def _read(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start}); TOML files are UTF-8") from None


def _strings(path: Path, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return value


def _table(path: Path, key: str, table: Mapping[str, Any]) -> Mapping[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {key} must be a table")
    return value


def _check_selector(path: Path, key: str, selector: str, catalog: Catalog) -> bool:
    """The same test as ``--select``: a code, a ``CG`` prefix or a rule name."""
    if catalog and unknown_selectors([selector], catalog):
        raise ConfigError(f"{path}: {key}: unknown rule code or name {selector!r}")
    return True


def _selectors(path: Path, key: str, value: Any, catalog: Catalog) -> tuple[str, ...]:
    selectors = _strings(path, key, value)
    for selector in selectors:
        _check_selector(path, key, selector, catalog)
    return tuple(selectors)


def _severity(path: Path, key: str, value: Any) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError as exc:
        raise ConfigError(f"{path}: {key}: {exc}") from None


def _environment(path: Path, pattern: str, value: Any) -> Environment:
    try:
        return Environment(str(value).lower())
    except ValueError:
        raise ConfigError(f"{path}: environments.{pattern!r}: {value!r} is not one of "
                          "production, development, test, example") from None


def _data_dir(path: Path, image: str, value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise ConfigError(f"{path}: data-stores.{image!r}: the data directory must be an "
                          "absolute container path")
    return value


def _baseline(path: Path, value: Any) -> Path:
    import os

    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: baseline must be a file path (a string)")
    return Path(os.path.abspath(path.parent / value))
