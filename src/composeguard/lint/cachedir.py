"""Where composeguard keeps what it may forget: ``$COMPOSEGUARD_CACHE_DIR``, else
``$XDG_CACHE_HOME/composeguard``, else ``~/.cache/composeguard``."""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder() -> Path:
    """``$COMPOSEGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/composeguard``, else
    ``~/.cache/composeguard``."""
    chosen = os.environ.get("COMPOSEGUARD_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "composeguard"
