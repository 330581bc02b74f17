"""Which rules run: ``--select``/``--ignore`` tokens against a catalog of (code, name) pairs.

The engine knows no rule: whoever asks is handed the catalog (the CLI hands it
:func:`composeguard.rules.catalog`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Catalog = Sequence[tuple[str, str]]
"""Every rule as ``(code, name)``, in code order."""

_CODE_PREFIX = re.compile(r"^CG\d{0,3}$", re.IGNORECASE)


def matches(token: str, code: str, name: str) -> bool:
    """A token names a rule by its name, its code, or a code prefix (``CG1``, ``CG10``)."""
    token = token.strip()
    if _CODE_PREFIX.match(token):
        return code.upper().startswith(token.upper())
    return token.lower() == name.lower()


@dataclass(frozen=True, slots=True)
class Selection:
    """``--select``/``--ignore``: codes, code prefixes (``CG1``) or rule names."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def allows(self, code: str, name: str) -> bool:
        if self.select and not any(matches(t, code, name) for t in self.select):
            return False
        return not any(matches(t, code, name) for t in self.ignore)

    def unknown(self, catalog: Catalog) -> list[str]:
        """Tokens that match no rule of ``catalog``."""
        return unknown_selectors((*self.select, *self.ignore), catalog)


def unknown_selectors(tokens: Iterable[str], catalog: Catalog) -> list[str]:
    return [t for t in tokens if not any(matches(t, code, name) for code, name in catalog)]


EVERY_RULE = Selection()
"""The selection that allows every rule."""
