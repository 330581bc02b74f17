from __future__ import annotations

import json
from pathlib import Path

import pytest

from composeguard.cli import main
from composeguard.lint.engine.config import (
    Config,
    ConfigError,
    find_config,
    load_config,
    resolve_selection,
)
from composeguard.lint.engine.finding import Severity
from composeguard.lint.engine.selection import Selection
from composeguard.lint.model.compose import Environment
from composeguard.rules import all_rules, catalog

KNOWN = catalog()


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


# -- command-line options win (ruff's precedence) ------------------------------------------

CODES = [r.code for r in all_rules()]


def enabled(selection: Selection) -> list[str]:
    return [r.code for r in all_rules() if selection.allows(r.code, r.name)]


def test_cli_select_replaces_the_config_select_and_its_ignore() -> None:
    config = Config(select=("CG1",), ignore=("CG101",))
    assert enabled(resolve_selection(config, catalog=KNOWN)) == [c for c in CODES
                                                   if c.startswith("CG1") and c != "CG101"]
    assert enabled(resolve_selection(config, select=("CG101", "CG4"), catalog=KNOWN)) == [
        c for c in CODES if c == "CG101" or c.startswith("CG4")]


def test_cli_ignore_and_extend_select_refine_the_config() -> None:
    config = Config(select=("CG1",), ignore=("CG101",))
    assert enabled(resolve_selection(config, ignore=("CG102",), catalog=KNOWN)) == [
        c for c in CODES if c.startswith("CG1") and c not in {"CG101", "CG102"}]
    extended = enabled(resolve_selection(config, extend_select=("CG401", "CG101"), catalog=KNOWN))
    assert "CG401" in extended and "CG101" in extended and "CG201" not in extended
    assert enabled(resolve_selection(config, extend_select=("CG4",), ignore=("CG4",), catalog=KNOWN)) == [
        c for c in CODES if c.startswith("CG1") and c != "CG101"]
    assert enabled(resolve_selection(Config(), ignore=("stateful-service-without-volume",), catalog=KNOWN)) == [
        c for c in CODES if c != "CG101"]
    assert enabled(resolve_selection(Config(), select=("CG1",), ignore=("CG1",), catalog=KNOWN)) == []


def test_config_baseline_key_resolves_against_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / ".composeguard.toml"
    path.write_text('baseline = "ci/known.json"\n')
    assert load_config(path, KNOWN).baseline == tmp_path / "ci" / "known.json"
    path.write_text("baseline = 3\n")
    with pytest.raises(ConfigError, match="baseline must be a file path"):
        load_config(path, KNOWN)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", "--format", "json", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out)["findings"] if out.strip() else []


def test_command_line_options_win_over_the_config_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  db:\n    image: mysql:8.4\n  mq:\n    image: rabbitmq:3\n"
        "    volumes: [mq:/var/lib/rabbitmq]\nvolumes:\n  mq:\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.composeguard]\nselect = ["CG1"]\nignore = ["CG101"]\nfail-on = "error"\n')
    monkeypatch.chdir(tmp_path)
    code, findings = _cli(capsys)
    assert {f["code"] for f in findings} == {"CG105"} and code == 0
    code, findings = _cli(capsys, "--fail-on", "warning")
    assert code == 1
    code, findings = _cli(capsys, "--select", "CG101")
    assert {f["code"] for f in findings} == {"CG101"} and code == 1
    code, findings = _cli(capsys, "--ignore", "CG105")
    assert findings == [] and code == 0
    code, findings = _cli(capsys, "--extend-select", "CG602", "--fail-on", "info")
    assert {f["code"] for f in findings} == {"CG105", "CG602"} and code == 1
