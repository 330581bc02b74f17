"""What an env file is for, judged by its name, and what production reads from env files.

Two questions are asked of an env file's name, and they have different answers on purpose:

- *which environment reads it* (CG301, CG302): ``.env.production.example`` holds production
  settings, ``.env.production.local`` one developer's overrides, ``app.prod.env`` production's;
- *may git track it* (CG403, :func:`repository_role`):
  ``.env.production.example`` is a template, ``.env.production.encrypted`` is meant to be
  committed, ``app.prod.env`` is outside the ``.env`` family.

:class:`EnvFileRole` carries both answers, so every rule asks the Project the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from composeguard.lint.model.compose import (
    DEVELOPMENT_MARKERS,
    PRODUCTION_MARKERS,
    TEST_MARKERS,
    name_words,
)

_TEMPLATE_WORDS = frozenset({"example", "examples", "sample", "samples", "dist", "template",
                             "templates", "tpl", "tmpl", "default", "defaults"})
_NOT_PRODUCTION_WORDS = DEVELOPMENT_MARKERS | TEST_MARKERS | {"dusk", "cypress", "playwright",
                                                              "phpunit"}


@dataclass(frozen=True, slots=True)
class EnvFileRole:
    """What an env file's name says it is for."""

    deployment: str
    """``production`` (``.env.production``, ``.env.prod``, ``.env.staging``...),
    ``development`` (``.env.local``, ``.env.testing``, ``.env.production.local``: one
    machine's overrides), ``template`` (``.env.example``) or ``plain`` (``.env``)."""
    repository: str | None
    """What git may track: :func:`repository_role`."""


def is_env_file_name(name: str) -> bool:
    """``.env`` and its variants (``.env.production``, ``.env_example``, ``.env-prod``), and a
    name that ends in ``.env`` (``app.env``): the files Compose's ``env_file:`` and dotenv
    loaders read."""
    return name == ".env" or name.startswith((".env.", ".env_", ".env-")) or (
        name.endswith(".env") and len(name) > 4)


def env_file_role(path: Path) -> EnvFileRole:
    """What an env file's name says: which environment reads it, and whether git may track
    it (two questions with different answers)."""
    return EnvFileRole(_deployment_role(Path(path).name), repository_role(Path(path).name))


def _deployment_role(name: str) -> str:
    words = name_words(name)
    if words & PRODUCTION_MARKERS and "local" not in words:
        return "production"
    if words & _NOT_PRODUCTION_WORDS:
        return "development"
    return "template" if words & _TEMPLATE_WORDS else "plain"


_TEMPLATE = frozenset({"example", "examples", "sample", "samples", "dist", "template",
                       "templates", "tpl", "tmpl", "default", "defaults", "schema", "skel",
                       "skeleton", "stub", "in", "editme", "placeholder"})


_ENCRYPTED = frozenset({"encrypted", "enc", "vault", "sops", "age", "gpg", "asc", "crypt"})


_TEST = frozenset({"test", "testing", "tests", "ci", "e2e", "dusk", "cypress", "playwright",
                   "phpunit"})


_PRIVATE = frozenset({"local", "backup", "bak", "old", "orig", "save", "keys", "me"})



def repository_role(name: str) -> str | None:
    """What an env file's name says it holds.

    ``template``, ``encrypted`` or ``test`` (never findings), ``private`` (one machine's
    settings or a copy of them: ``.env.local``, ``.env.production.local``, ``.env.backup``,
    ``.env.keys``), ``environment`` (``.env.production``, ``.env.docker``...), ``plain``
    (``.env``), ``other`` for names outside the ``.env``/``.env.*`` family (``db.env``).
    """
    lower = name.lower()
    if lower == ".env":
        return "plain"
    if not lower.startswith(".env."):
        stem = lower.split(".")
        if _TEMPLATE.intersection(stem):
            return "template"
        return "other"
    tokens = lower[len(".env."):].replace("-", ".").replace("_", ".").split(".")
    for role, words in (("template", _TEMPLATE), ("encrypted", _ENCRYPTED), ("test", _TEST),
                        ("private", _PRIVATE)):
        if words.intersection(tokens):
            return role
    return "environment"

