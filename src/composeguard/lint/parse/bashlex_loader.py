"""Importing bashlex without rebuilding its parser tables every time.

bashlex 0.18 builds its LALR tables with its own copy of PLY each time it is imported, and
never reads the ``parsetab.py`` it ships: 0.13 s of every run that reads a shell command,
more than Python's start-up. :func:`load_bashlex` imports it with ``LRTable`` replaced by one
that keeps the two tables (action and goto) in a JSON file in the user's cache folder. The
file is keyed by a hash of the grammar's productions and of bashlex's ``yacc.py``, so another
bashlex version builds and keeps its own tables.

Everything else is bashlex's own: the grammar is still read from its parser module, and the
productions are bound to its functions as usual. If any step fails (no cache folder, a file
that cannot be read, a bashlex laid out differently), bashlex is imported the plain way.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import types
from functools import cache
from pathlib import Path
from typing import Any

from composeguard.lint.engine.cachedir import read_own, usable_folder


@cache
def load_bashlex() -> Any:
    """The ``bashlex`` module, its tables read from the cache when they are there."""
    if "bashlex" not in sys.modules:
        try:
            _import_with_cached_tables()
        except Exception:  # noqa: BLE001 - any failure: the plain import below
            for name in [n for n in sys.modules if n == "bashlex" or n.startswith("bashlex.")]:
                del sys.modules[name]
    import bashlex

    return bashlex


def _import_with_cached_tables() -> None:
    spec = importlib.util.find_spec("bashlex")
    if spec is None or spec.origin is None:
        raise ImportError("bashlex")
    folder = Path(spec.origin).parent
    yacc_path = folder / "yacc.py"
    source = yacc_path.read_bytes()
    placeholder = types.ModuleType("bashlex")
    placeholder.__path__ = [str(folder)]
    sys.modules["bashlex"] = placeholder
    try:
        yacc_spec = importlib.util.spec_from_file_location("bashlex.yacc", yacc_path)
        if yacc_spec is None or yacc_spec.loader is None:
            raise ImportError("bashlex.yacc")
        yacc: Any = importlib.util.module_from_spec(yacc_spec)
        sys.modules["bashlex.yacc"] = yacc
        yacc_spec.loader.exec_module(yacc)
    finally:
        del sys.modules["bashlex"]
    yacc.LRTable = _cached_table_class(yacc.LRTable, hashlib.sha256(source).hexdigest()[:16])
    import bashlex  # runs bashlex's own __init__, which finds the prepared bashlex.yacc

    del bashlex


def _cached_table_class(table_class: Any, yacc_hash: str) -> Any:
    class CachedLRTable(table_class):  # type: ignore[misc]
        def __init__(self, grammar: Any, log: Any = None) -> None:
            productions = "\n".join(str(p) for p in grammar.Productions)
            key = hashlib.sha256(f"{yacc_hash}\n{productions}".encode()).hexdigest()[:24]
            folder = usable_folder(create=False)
            tables = _read_tables(folder / f"bashlex-tables-{key}.json") \
                if folder is not None else None
            if tables is None:
                super().__init__(grammar, log)
                built: Any = self
                folder = usable_folder(create=True)
                if folder is not None:
                    _write_tables(folder / f"bashlex-tables-{key}.json", built.lr_action,
                                  built.lr_goto)
                return
            self.grammar = grammar
            self.log = log
            self.lr_action, self.lr_goto = tables
            self.lr_productions = grammar.Productions
            self.lr_goto_cache: dict[Any, Any] = {}
            self.lr0_cidhash: dict[Any, Any] = {}
            self._add_count = 0
            self.sr_conflict = self.rr_conflict = 0
            self.conflicts: list[Any] = []
            self.sr_conflicts: list[Any] = []
            self.rr_conflicts: list[Any] = []

    return CachedLRTable


def _read_tables(path: Path) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]] | None:
    try:
        data = json.loads(read_own(path))
        action = {int(state): dict(row) for state, row in data["action"].items()}
        goto = {int(state): dict(row) for state, row in data["goto"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return action, goto


def _write_tables(path: Path, action: Any, goto: Any) -> None:
    """Write the tables atomically (a temporary file renamed over); a folder that cannot be
    written only means the next run builds them again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.is_symlink() or path.is_symlink():
            return  # composeguard never writes through a symlink
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".bashlex-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"action": action, "goto": goto}, out)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
