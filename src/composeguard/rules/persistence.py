"""CG1xx: data that does not survive a rebuild."""

from __future__ import annotations
