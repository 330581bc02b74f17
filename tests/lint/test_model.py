"""The effective model: interpolation, env files, merging, extends, include, locations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composeguard.lint.model.compose import ComposeModel, MountKind
from composeguard.lint.model.services import absolute_source
from composeguard.lint.parse.envfile import parse_env_text
from composeguard.lint.parse.interpolate import InvalidTemplate, substitute, substitute_text
from composeguard.lint.project import Project

from ..conftest import FIXTURES

VARS = {"A": "a", "EMPTY": "", "B": "bee"}


def sub(text: str) -> str:
    return substitute(text, VARS.get).value


# -- interpolation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A}", "a"),
        ("$A-x", "a-x"),
        ("${NOPE}", ""),
        ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""),
        ("${NOPE-d}", "d"),
        ("${A:-d}", "a"),
        ("${NOPE:-${ALSO:-${B}}}", "bee"),
        ("${NOPE:-${ALSO:-x}}y", "xy"),
        ("${A:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${NOPE:?must be set}", ""),
        ("${NOPE?must be set}", ""),
        ("${A:?must}", "a"),
        ("$$A", "$A"),
        ("$${A}", "${A}"),
        ("cost $ 5", "cost $ 5"),
        ("$1", "$1"),
        ("${A:-{b}}", "a}"),  # compose-go closes at the first "}"
        ("${NOPE:-{b}}", "{b}"),
        ("trailing $", "trailing $"),
    ],
)
def test_substitute_like_compose(text: str, expected: str) -> None:
    assert sub(text) == expected


@pytest.mark.parametrize("text", ["${}", "${A", "${A:=x}", "${1A}", "x ${A:-${B}"])
def test_invalid_templates_are_refused_and_left_as_written(text: str) -> None:
    with pytest.raises(InvalidTemplate):
        substitute(text, VARS.get)
    assert substitute_text(text, VARS.get) == text


def test_required_unset_is_reported_but_not_an_error() -> None:
    result = substitute("${DB_PASSWORD:?set it}", {}.get)
    assert result.value == ""
    assert result.missing_required == [("DB_PASSWORD", "set it")]


@given(st.text().filter(lambda t: "$" not in t))
def test_text_without_dollar_is_identity(text: str) -> None:
    assert substitute_text(text, VARS.get) == text


@given(st.text(alphabet=st.sampled_from(list("${}:-?+AB_x1 ")), max_size=40))
def test_substitute_text_never_raises(text: str) -> None:
    assert isinstance(substitute_text(text, VARS.get), str)


# -- env files --------------------------------------------------------------------------------


def test_env_file_keeps_lines_and_quoting(tmp_path: Path) -> None:
    text = "# c\nA=1\nB='lit ${A}'\nC=\"x ${A}\"\nexport D=${C}-d\n\nE\n"
    env = parse_env_text(text, tmp_path / ".env")
    values = env.resolve()
    assert {k: v for k, (v, _) in values.items()} == {
        "A": "1", "B": "lit ${A}", "C": "x 1", "D": "x 1-d"
    }
    assert values["D"][1].line == 5
    assert values["A"][1].path == tmp_path / ".env"


def test_env_file_lookup_wins_over_earlier_lines(tmp_path: Path) -> None:
    env = parse_env_text("A=file\nB=${A}\nC\n", tmp_path / "x.env")
    assert env.variables({"A": "outer", "C": "from-outer"}.get) == {
        "A": "file", "B": "outer", "C": "from-outer"
    }


# -- building models --------------------------------------------------------------------------


def models_of(root: Path) -> list[ComposeModel]:
    return list(Project([root]).models)


def only_model(root: Path, *names: str) -> ComposeModel:
    for model in Project([root]).models:
        if [f.path.name for f in model.files] == list(names):
            return model
    raise AssertionError(f"no chain {names} in {root}")


def test_interpolated_value_keeps_its_location(project_dir: Callable[..., Path]) -> None:
    root = project_dir({
        ".env": "TAG=8.0\n",
        "compose.yaml": "services:\n  db:\n    image: mysql:${TAG}\n",
    })
    service = only_model(root, "compose.yaml").services["db"]
    assert service.image == "mysql:8.0"
    node = service.get("image")
    assert node is not None and (node.loc.path.name, node.loc.line, node.loc.column) == (
        "compose.yaml", 3, 12
    )


def test_os_environ_is_never_read(
    project_dir: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAG", "from-shell")
    root = project_dir({"compose.yaml": "services:\n  db:\n    image: mysql:${TAG:-8}\n"})
    assert only_model(root, "compose.yaml").services["db"].image == "mysql:8"


def test_winning_value_points_at_the_override_file(project_dir: Callable[..., Path]) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  app:\n    image: a\n    command: [x]\n"
                        "    environment: [A=1, B=2]\n",
        "compose.prod.yaml": "services:\n  app:\n    environment:\n      B: '3'\n",
    })
    model = only_model(root, "compose.yaml", "compose.prod.yaml")
    env = model.services["app"].environment
    assert env["A"].loc.path.name == "compose.yaml" and env["A"].value == "1"
    assert env["B"].loc.path.name == "compose.prod.yaml" and env["B"].loc.line == 4
    assert model.services["app"].get("command").loc.path.name == "compose.yaml"  # type: ignore[union-attr]


def test_volumes_merge_by_target_and_command_is_replaced(project_dir: Callable[..., Path]) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  db:\n    image: postgres:16\n    command: [a, b]\n"
                        "    volumes:\n      - ./data:/var/lib/postgresql/data\n      - /x\n",
        "compose.prod.yaml": "services:\n  db:\n    command: c\n    volumes:\n"
                             "      - pg:/var/lib/postgresql/data/\nvolumes:\n  pg:\n",
    })
    service = only_model(root, "compose.yaml", "compose.prod.yaml").services["db"]
    assert service.argv("command") == ["c"]
    mounts = service.mounts
    assert [(m.kind, m.target) for m in mounts] == [
        (MountKind.NAMED, "/var/lib/postgresql/data"), (MountKind.ANONYMOUS, "/x")
    ]
    assert mounts[0].location.path.name == "compose.prod.yaml"


def test_reset_and_override_tags(project_dir: Callable[..., Path]) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  app:\n    image: a\n    ports: ['80:80']\n"
                        "    environment: {A: '1', B: '2'}\n",
        "compose.override.yaml": "services:\n  app:\n    ports: !reset []\n"
                                 "    environment: !override {C: '3'}\n",
    })
    service = only_model(root, "compose.yaml", "compose.override.yaml").services["app"]
    assert service.get("ports") is None
    assert {k: v.value for k, v in service.environment.items()} == {"C": "3"}


def test_env_file_values_point_at_the_env_line(project_dir: Callable[..., Path]) -> None:
    root = project_dir({
        "app.env": "# settings\nDB_CONNECTION=sqlite\nAPP_DEBUG=true\n",
        "compose.yaml": "services:\n  app:\n    image: a\n    env_file: app.env\n"
                        "    environment:\n      APP_DEBUG: 'false'\n",
    })
    model = only_model(root, "compose.yaml")
    env = model.services["app"].environment
    assert env["DB_CONNECTION"].value == "sqlite"
    assert (env["DB_CONNECTION"].loc.path.name, env["DB_CONNECTION"].loc.line) == ("app.env", 2)
    assert env["APP_DEBUG"].value == "false"
    assert env["APP_DEBUG"].loc.path.name == "compose.yaml"
    assert not model.problems


def test_missing_env_files_are_not_problems(project_dir: Callable[..., Path]) -> None:
    """Compose refuses a missing required env_file, but in a checkout it is normal: `.env`
    files are created at deploy time and kept out of git (CG403 asks for exactly that)."""
    root = project_dir({
        "compose.yaml": "services:\n  app:\n    image: a\n    env_file:\n"
                        "      - path: opt.env\n        required: false\n      - req.env\n",
    })
    model = only_model(root, "compose.yaml")
    assert model.problems == ()
    assert model.services["app"].environment == {}


def test_extends_other_file_resolves_paths_from_that_file(project_dir: Callable[..., Path]) -> None:
    root = project_dir({
        "base/common.yml": "services:\n  b:\n    image: php\n    volumes: ['./ini:/ini']\n",
        "compose.yaml": "services:\n  app:\n    extends: {file: base/common.yml, service: b}\n"
                        "    volumes: ['./src:/src']\n",
    })
    model = only_model(root, "compose.yaml")
    sources = {m.target: absolute_source(m, model) for m in model.services["app"].mounts}
    assert sources == {"/ini": str(root / "base" / "ini"), "/src": str(root / "src")}
    ini = next(m for m in model.services["app"].mounts if m.target == "/ini")
    assert ini.source == "./ini"


def test_include_uses_its_own_env_and_parent_wins(project_dir: Callable[..., Path]) -> None:
    root = project_dir({
        ".env": "TAG=root\n",
        "inc/.env": "TAG=inc\nONLY=inc-only\n",
        "inc/compose.yaml": "services:\n  c:\n    image: redis:${TAG}-${ONLY}\n",
        "compose.yaml": "include: [inc/compose.yaml]\nservices:\n  a:\n    image: x\n",
    })
    model = only_model(root, "compose.yaml")
    assert model.services["c"].image == "redis:root-inc-only"
    assert model.services["c"].get("image").loc.path == root / "inc" / "compose.yaml"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fixture", "needle"),
    [
        ("model_rejected_extends_cycle", "extends cycle"),
        ("model_rejected_missing_extends", "not defined"),
        ("model_rejected_include_missing", "not found"),
        ("model_rejected_include_conflict", "conflicts"),
    ],
)
def test_rejected_fixtures_record_problems(fixture: str, needle: str) -> None:
    model = only_model(FIXTURES / fixture, "compose.yaml")
    assert any(needle in message for _, message in model.problems), model.problems
    for location, _ in model.problems:
        assert location.path.is_file() and location.line >= 1


def test_include_cycle_is_a_problem(project_dir: Callable[..., Path]) -> None:
    root = project_dir({
        "compose.yaml": "include: [other/compose.yaml]\nservices:\n  a:\n    image: x\n",
        "other/compose.yaml": "include: [../compose.yaml]\nservices:\n  b:\n    image: y\n",
    })
    model = only_model(root, "compose.yaml")
    assert any("include cycle" in m for _, m in model.problems)


@pytest.mark.parametrize(
    "text",
    [
        "services: [a, b]\n",
        "services:\n  a: 3\n  b: [x]\n  c:\n",
        ("services:\n  a:\n    image: 5\n    environment: 7\n    volumes: {x: y}\n"
        "    env_file: 4\n    extends: 9\n    command: {a: b}\n"),
        "services:\n  a:\n    extends: {service: [1]}\n    env_file: [{required: false}, 3]\n",
        "include: 5\nservices:\n  a:\n    image: '${'\n",
        "include: [{path: []}, {env_file: x}]\nservices: {}\n",
        "x: [1, 2]\n",
    ],
)
def test_bad_input_never_raises(project_dir: Callable[..., Path], text: str) -> None:
    root = project_dir({
        "compose.yaml": text,
        "compose.override.yaml": "services:\n  a:\n    image: !reset null\n    volumes: [/x]\n",
    })
    for model in models_of(root):
        for service in model.services.values():
            assert service.mounts is not None
            service.environment  # noqa: B018
            service.argv("command")


def test_invalid_interpolation_is_a_problem(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"compose.yaml": "services:\n  a:\n    image: 'x${'\n"})
    problems = only_model(root, "compose.yaml").problems
    assert problems and problems[0][0].line == 3
