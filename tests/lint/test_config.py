from __future__ import annotations

from pathlib import Path

import pytest

from composeguard.lint.compose import Environment
from composeguard.lint.config import ConfigError, find_config, load_config
from composeguard.lint.finding import Severity
from composeguard.rules import all_rules

KNOWN = [r.code for r in all_rules()] + [r.name for r in all_rules()]


def test_pyproject_table_is_found_walking_up_and_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.composeguard]\nselect = ["CG1"]\nignore = ["anonymous-volume"]\n'
        'fail-on = "error"\nexclude = ["legacy/*"]\n'
        '[tool.composeguard.severity]\nCG101 = "warning"\n'
        '[tool.composeguard.environments]\n"docker-compose.qa.yml" = "test"\n'
        '[tool.composeguard.data-stores]\n"acme/ledger" = "/srv/ledger"\n'
    )
    (tmp_path / "deploy").mkdir()
    path = find_config(tmp_path / "deploy")
    assert path == tmp_path / "pyproject.toml"
    config = load_config(path, KNOWN)
    assert config.select == ("CG1",) and config.ignore == ("anonymous-volume",)
    assert config.fail_on is Severity.ERROR and config.exclude == ("legacy/*",)
    assert config.severity == {"CG101": Severity.WARNING}
    assert config.environments == {"docker-compose.qa.yml": Environment.TEST}
    assert config.data_stores == {"acme/ledger": "/srv/ledger"}


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    assert find_config(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('selct = ["CG1"]\n', "unknown key 'selct'"),
        ('select = ["CG999"]\n', "unknown rule code or name 'CG999'"),
        ('[severity]\nCG101 = "fatal"\n', "severity.CG101"),
        ('[environments]\n"x.yml" = "qa"\n', "not one of production"),
        ('[data-stores]\n"acme/db" = "data"\n', "absolute container path"),
        ("select = [\n", "invalid TOML"),
    ],
)
def test_bad_config_names_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ".composeguard.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path, KNOWN)
    assert str(path) in str(info.value)


def test_a_partial_rule_name_is_not_a_selector(tmp_path: Path) -> None:
    path = tmp_path / ".composeguard.toml"
    path.write_text('ignore = ["stateful"]\n')
    with pytest.raises(ConfigError, match="unknown rule code or name 'stateful'"):
        load_config(path, KNOWN)
