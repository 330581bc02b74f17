"""Inline suppressions: ``# composeguard: ignore[CG101] reason`` (placeholder, see helper)."""

from __future__ import annotations

from composeguard.lint.finding import Finding


def is_suppressed(finding: Finding) -> bool:
    return False
