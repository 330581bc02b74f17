"""composeguard: lint Docker Compose projects for mistakes that lose production data."""

from __future__ import annotations

__version__ = "0.1.0"
