"""Compose values as written in the repository, before ``.env`` and interpolation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from composeguard.lint.model.written import setting_matches, url_scheme
from composeguard.lint.project import Project

Make = Callable[..., Path]


def written(root: Path, service: str = "app") -> dict[str, str | None]:
    project = Project([root])
    model = project.models[0]
    environment = model.services[service].environment
    return {name: project.written_text(model, node) for name, node in environment.items()}


def test_the_text_before_dotenv_fills_it_in(project_dir: Make) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  app:\n    build: .\n    env_file: app.env\n"
                        "    environment:\n      APP_DEBUG: ${APP_DEBUG:-true}\n      NAME: shop\n",
        ".env": "APP_DEBUG=false\n", "app.env": "FROM_FILE=1\n"})
    assert written(root) == {"FROM_FILE": None, "APP_DEBUG": "${APP_DEBUG:-true}", "NAME": "shop"}


def test_list_items_and_bare_names(project_dir: Make) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  app:\n    build: .\n    environment:\n"
                        "      - DEBUG=1\n      - SECRET\n      - EMPTY=\n",
        ".env": "SECRET=from-dotenv\n"})
    assert written(root) == {"DEBUG": "1", "SECRET": None, "EMPTY": ""}


def test_a_value_through_a_merge_key_is_read_at_the_anchor(project_dir: Make) -> None:
    root = project_dir({
        "compose.yaml": "x-env: &env\n  DB_CONNECTION: ${DB_CONNECTION:-sqlite}\nservices:\n"
                        "  app:\n    build: .\n    environment:\n      <<: *env\n"})
    assert written(root) == {"DB_CONNECTION": "${DB_CONNECTION:-sqlite}"}


def test_written_settings_are_production_only_and_reported_once(project_dir: Make) -> None:
    root = project_dir({
        "compose.yaml": "x-env: &env\n  APP_DEBUG: \"true\"\nservices:\n"
                        "  app:\n    build: .\n    environment:\n      <<: *env\n"
                        "  worker:\n    build: .\n    environment:\n      <<: *env\n"
                        "      DB_CONNECTION: ${DB_CONNECTION:-sqlite}\n",
        "compose.override.yaml": "services:\n  app:\n    environment:\n      DEBUG: \"1\"\n"})
    names = {"APP_DEBUG": frozenset({"true"}), "DEBUG": frozenset({"1"}),
             "DB_CONNECTION": frozenset({"sqlite"})}
    found = [(s.service.name, s.name, s.value, s.written.literal, s.written.fallback,
              s.node.anchor_loc.line) for s in Project([root]).written_settings(names)]
    assert found == [("app", "APP_DEBUG", "true", True, False, 2),
                     ("worker", "DB_CONNECTION", "sqlite", False, True, 12)]


@pytest.mark.parametrize(("name", "value", "matches"), [
    ("DB_CONNECTION", "SQLite", True),
    ("DB_CONNECTION", "mysql", False),
    ("DATABASE_URL", "sqlite:///db.sqlite3", True),
    ("DATABASE_URL", " SQLite3:////data/db", True),
    ("DATABASE_URL", "postgres://db/shop", False),
    ("DATABASE_URL", "sqlite", False),
])
def test_setting_matches(name: str, value: str, matches: bool) -> None:
    assert setting_matches(name, value, frozenset({"sqlite", "sqlite3"})) is matches


def test_url_scheme() -> None:
    assert (url_scheme("Postgres://x"), url_scheme("no-scheme"), url_scheme(":x")) == (
        "postgres", "", "")
