"""The shipped JSON Schema of the configuration is current, is a valid draft-07 schema, and
agrees with the loader: what one accepts the other accepts."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from composeguard.config_schema import SCHEMA_FILE, rendered
from composeguard.lint.engine.config import ConfigError, load_config
from composeguard.rules import catalog

VALID = [
    'select = ["CG1", "CG501"]\nignore = ["no-database-backup"]\nfail-on = "error"\n',
    'select = "CG1"\nexclude = "vendored/"\n',
    'exclude = ["legacy/", "**/examples/**"]\nbaseline = "composeguard-baseline.json"\n',
    '[severity]\nCG602 = "warning"\nno-environment-split = "error"\n',
    '[environments]\n"deploy/*.yml" = "production"\n"sandbox/**" = "example"\n',
    '[data-stores]\n"registry.example.com/pg" = "/var/lib/postgresql/data"\n',
]
INVALID = [
    'selct = ["CG1"]\n',                       # an unknown key
    'select = ["CG999"]\n',                    # an unknown rule
    'fail-on = "fatal"\n',                     # an unknown severity
    '[severity]\nCG101 = "loud"\n',
    '[environments]\n"x.yml" = "staging"\n',   # not one of the four
    '[data-stores]\n"pg" = "var/lib/pg"\n',    # not an absolute container path
    'baseline = ""\n',
    'exclude = [1, 2]\n',
]


def test_the_shipped_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == rendered(), \
        "rerun `python -m composeguard.config_schema`"


def test_the_schema_is_valid_draft_07() -> None:
    import jsonschema

    jsonschema.Draft7Validator.check_schema(json.loads(SCHEMA_FILE.read_text()))


def _loads(text: str, tmp_path: Path) -> bool:
    path = tmp_path / ".composeguard.toml"
    path.write_text(text, encoding="utf-8")
    known = catalog()
    try:
        load_config(path, known)
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize("text", VALID + INVALID)
def test_the_schema_and_the_loader_agree(text: str, tmp_path: Path) -> None:
    import jsonschema

    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text()))
    valid = not list(validator.iter_errors(tomllib.loads(text)))
    assert valid == _loads(text, tmp_path) == (text in VALID)


def test_the_schema_ships_in_the_package() -> None:
    from importlib import resources

    assert resources.files("composeguard").joinpath("composeguard.schema.json").is_file()
