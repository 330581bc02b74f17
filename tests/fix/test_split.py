"""The dev/prod split (CG601) and the production start-command fixes (CG201-CG204)."""

from __future__ import annotations

import difflib
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composeguard.cli import main
from composeguard.fix import split
from composeguard.fix.apply.plan import FixPlan, plan_fixes
from composeguard.fix.split import (
    Layout,
    reduce_start_command,
    split_fix,
    split_paths,
)
from composeguard.fix.write import write_changes
from composeguard.lint.engine.finding import FixOptions
from composeguard.lint.engine.selection import Selection
from composeguard.lint.facts.commands import Operation
from composeguard.lint.model.compose import ComposeModel, Environment
from composeguard.lint.project import Project
from composeguard.runner import run

from ..conftest import FIXTURES, built, write_tree
from .compose_binary import compose_config

ProjectDir = Callable[..., Path]
START_RULES = ("CG601", "CG201", "CG202", "CG203", "CG204")
SPLIT_RULES = Selection(select=START_RULES)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "laravel-shop"
STARTUP = sorted(p for p in FIXTURES.iterdir() if p.name.startswith("startup_"))
DUMMY_ENV = "".join(f"{name}=dummy\n" for name in (
    "MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD", "RABBITMQ_DEFAULT_PASS", "POSTGRES_PASSWORD",
    "DB_PASSWORD", "REDIS_PASSWORD"))
AUTOMATIC = {Operation.MIGRATE, Operation.SEED, Operation.DESTROY}


def copy_project(source: Path, tmp_path: Path) -> Path:
    root = tmp_path / source.name
    shutil.copytree(source, root, symlinks=True)
    return root


def fix(root: Path, layout: Layout = "standalone",
        make_project: Callable[[Sequence[Path]], Project] | None = None) -> FixPlan:
    """Plan every split/start fix (unsafe included) and write it."""
    plan = plan_fixes([root], selection=SPLIT_RULES, unsafe=True, make_project=make_project,
                      options=FixOptions(layout=layout))
    assert not plan.errors
    assert all(result.written for result in write_changes(plan.changes, [root]))
    return plan


def refix(root: Path, layout: Layout = "standalone") -> FixPlan:
    return plan_fixes([root], selection=SPLIT_RULES, unsafe=True,
                      options=FixOptions(layout=layout))


def valid(files: list[Path], root: Path) -> tuple[bool, str]:
    """Compose's own verdict, with a dummy ``.env`` for the passwords a file requires."""
    env = root / ".env"
    had = env.read_text() if env.exists() else None
    env.write_text((had or "") + DUMMY_ENV)
    try:
        return compose_config(files, root)
    finally:
        if had is None:
            env.unlink()
        else:
            env.write_text(had)


def start_findings_in_compose_files(root: Path) -> list[str]:
    return [f"{f.code} {f.location.path.name}:{f.location.line}"
            for f in run(Project([root]), SPLIT_RULES).findings
            if f.location.path.suffix in (".yml", ".yaml")]


def model_of(root: Path, *names: str) -> ComposeModel:
    project = Project([root])
    return next(m for m in project.models if tuple(f.path.name for f in m.files) == names)


def automatic_operations(root: Path, *names: str) -> set[Operation]:
    project = Project([root])
    model = next(m for m in project.models if tuple(f.path.name for f in m.files) == names)
    return {action.operation for service in model.services.values()
            for step in project.start_steps(model, service) if not step.gated
            for action in step.actions if action.operation in AUTOMATIC}


def changed_lines(before: str, after: str) -> list[int]:
    """1-based lines of ``before`` that differ in ``after``."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines())
    return [i + 1 for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"
            for i in range(i1, max(i2, i1 + 1))]


# -- reading and reducing one start command ------------------------------------------------

APP = "services:\n  app:\n    image: shop/app:1.4\n{command}    restart: always\n"

REDUCED = [
    pytest.param(
        '    command: sh -c "php artisan migrate --force || true && php artisan db:seed --force'
        ' || true && php-fpm"\n',
        "    command: php-fpm\n",
        'sh -c "php artisan migrate --force && php artisan db:seed --force && php-fpm"',
        id="laravel-masked"),
    pytest.param(
        '    command: ["sh", "-c", "python manage.py migrate; python manage.py loaddata initial;'
        ' exec gunicorn app.wsgi"]\n',
        '    command: ["gunicorn", "app.wsgi"]\n',
        ("sh", "-c", ("python manage.py migrate && python manage.py loaddata initial && "
                      "exec gunicorn app.wsgi")),
        id="django-list-semicolons"),
    pytest.param(
        '    command: bash -c "rm -f tmp/pids/server.pid && bundle exec rails db:migrate && '
        'bundle exec rails server -b 0.0.0.0"\n',
        '    command: bash -c "rm -f tmp/pids/server.pid && bundle exec rails server -b 0.0.0.0"\n',
        'bash -c "rm -f tmp/pids/server.pid && bundle exec rails db:migrate && bundle exec '
        'rails server -b 0.0.0.0"',
        id="rails-keeps-the-other-commands"),
    pytest.param(
        '    command: >\n      sh -c "\n      php artisan migrate --force &&\n'
        '      php artisan db:seed --force &&\n      exec php-fpm"\n',
        "    command: php-fpm\n",
        'sh -c "php artisan migrate --force && php artisan db:seed --force && exec php-fpm"',
        id="folded-block"),
    pytest.param(
        "    command:\n      - bash\n      - -lc\n      - |\n"
        "        bundle exec rails db:migrate || echo 'migration failed'\n"
        "        exec bundle exec puma\n",
        "    command: [bundle, exec, puma]\n",
        ("bash", "-lc", "bundle exec rails db:migrate && exec bundle exec puma"),
        id="block-list-literal"),
    pytest.param(
        '    command: sh -c "php artisan migrate --force && exec php-fpm -d '
        'memory_limit=$${LIMIT}"\n',
        '    command: sh -c "exec php-fpm -d memory_limit=$${LIMIT}"\n',
        'sh -c "php artisan migrate --force && exec php-fpm -d memory_limit=$${LIMIT}"',
        id="compose-dollar-escape-kept"),
    pytest.param(
        '    command: sh -c "php artisan migrate:fresh --force && php artisan db:seed --force && '
        'php-fpm"\n',
        "    command: php-fpm\n",
        'sh -c "php artisan db:seed --force && php-fpm"',
        id="wipe-left-out-of-development"),
]


@pytest.mark.parametrize(("command", "fixed", "development"), REDUCED)
def test_a_start_command_is_reduced_to_its_server(
        command: str, fixed: str, development: object, project_dir: ProjectDir) -> None:
    from composeguard.fix.edits import apply_edits

    root = project_dir({"compose.yaml": APP.format(command=command)})
    path = root / "compose.yaml"
    reduction = reduce_start_command(Project([root]), path, "app", "command")
    assert reduction is not None
    assert reduction.development == development
    text = path.read_text()
    assert apply_edits(text, reduction.edits) == APP.format(command=fixed)
    assert reduction.removed and all("php-fpm" not in step for step in reduction.removed)


UNREADABLE = [
    pytest.param('sh -c "if [ \\"$$SEED\\" = 1 ]; then php artisan db:seed; fi; php-fpm"',
                 id="condition"),
    pytest.param('sh -c "php artisan migrate --force | tee /tmp/m.log && php-fpm"', id="pipe"),
    pytest.param('sh -c "php artisan migrate --force > /dev/null && php-fpm"', id="redirect"),
    pytest.param('sh -c "php artisan migrate --force"', id="one-shot-migration"),
    pytest.param('sh -c "php-fpm -t && php artisan migrate --force"', id="ends-with-a-step"),
    pytest.param('sh -c "case $$X in a) php artisan migrate;; esac; php-fpm"',
                 id="fallback-parser"),
    pytest.param('sh -c "php artisan migrate --force && php-fpm -d x=$$(id -u)"',
                 id="command-substitution"),
    pytest.param('sh -c "php artisan migrate || php artisan migrate:fresh --force && php-fpm"',
                 id="an-operation-as-fallback"),
    pytest.param("php artisan migrate --force", id="no-shell"),
    pytest.param('sh -c "composer install && php-fpm"', id="nothing-automatic"),
]


@pytest.mark.parametrize("command", UNREADABLE)
def test_what_is_not_read_exactly_is_left_alone(command: str, project_dir: ProjectDir) -> None:
    root = project_dir({"compose.yaml": APP.format(command=f"    command: {command}\n")})
    assert reduce_start_command(Project([root]), root / "compose.yaml", "app", "command") is None


def test_an_unreadable_command_in_the_base_means_no_split(project_dir: ProjectDir) -> None:
    command = '    command: sh -c "php artisan db:seed --force | tee m.log && php-fpm"\n'
    root = project_dir({"docker-compose.yml": APP.format(command=command)})
    project = Project([root])
    model = next(project.models_for(Environment.PRODUCTION))
    assert split_fix(project, model) is None
    found = run(project, SPLIT_RULES).findings
    assert {f.code for f in found} >= {"CG601", "CG201"}
    assert not any(built(f) for f in found)


# -- the split on whole projects -------------------------------------------------------------


def test_a_split_check_built_is_not_the_one_fix_uses(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``check`` builds the split without proving its files parse; a Project that ``check``
    used and ``fix`` uses next builds it again, proved."""
    from composeguard.fix.yaml_edits import VERIFY

    root = copy_project(EXAMPLE, tmp_path)
    project = Project([root])
    model = next(m for m in project.models if split._unsplit_base(project, m) is not None)
    base = split._unsplit_base(project, model)
    assert base is not None
    proved: list[bool] = []
    real = split._readable
    monkeypatch.setattr(split, "_readable",
                        lambda text, path: proved.append(VERIFY.get()) or real(text, path))
    token = VERIFY.set(False)
    try:
        assert split._split_plan(project, model, base, "standalone") is not None
    finally:
        VERIFY.reset(token)
    assert proved == [False, False]
    assert split._split_plan(project, model, base, "standalone") is not None
    assert proved == [False, False, True, True]


def test_split_of_the_example_project(tmp_path: Path) -> None:
    root = copy_project(EXAMPLE, tmp_path)
    base = root / "docker-compose.yml"
    before = base.read_text()
    dev, prod = split_paths(base)
    assert (dev.name, prod.name) == ("docker-compose.dev.yml", "docker-compose.prod.yml")

    plan = fix(root)
    assert {c.path.name for c in plan.changes} == {base.name, dev.name, prod.name}
    assert [c.before for c in plan.changes if c.path in (dev, prod)] == [None, None]
    assert len(plan.applied) == 1 and not plan.applied[0].safe
    assert "not fixed" not in plan.applied[0].description
    assert changed_lines(before, base.read_text()) == [4]
    assert "    command: php-fpm\n" in base.read_text()

    for written in (base, dev, prod):
        assert valid([written], root) == (True, ""), written.name
    assert start_findings_in_compose_files(root) == []
    assert automatic_operations(root, dev.name) == {Operation.MIGRATE, Operation.SEED}
    assert automatic_operations(root, prod.name) == set()
    assert refix(root).changes == ()


def test_the_generated_production_file(tmp_path: Path) -> None:
    root = copy_project(EXAMPLE, tmp_path)
    plan = fix(root)
    model = model_of(root, "docker-compose.prod.yml")
    services = model.services
    assert all(s.text("restart") == "unless-stopped" for s in services.values())
    assert services["mysql"].get("ports") is None
    # production keeps the volume the base has (rabbitmq-data: the same Compose volume on a
    # server that ran the base) and names the ones the base left unnamed
    assert {m.source for s in services.values() for m in s.mounts if m.kind.value == "volume"} == {
        "mysql_data", "redis_data", "rabbitmq-data"}
    assert set(model.volumes) == {"mysql_data", "redis_data", "rabbitmq-data"}
    [split] = [f.description for f in plan.applied if f.description.startswith("split ")]
    project = root.name.lower()
    for service, volume, directory in (("mysql", "mysql_data", "/var/lib/mysql"),
                                       ("redis", "redis_data", "/data")):
        assert (f"docker compose -f docker-compose.yml stop {service} && docker volume create "
                f"{project}_{volume} && docker run --rm --volumes-from \"$(docker compose -f "
                f"docker-compose.yml ps -aq {service})\" -v {project}_{volume}:/to "
                f"--entrypoint cp ") in split
        assert f" -a {directory}/. /to/`" in split
    assert "rabbitmq-data" not in split
    assert services["rabbitmq"].text("hostname") == "rabbitmq"
    text = (root / "docker-compose.prod.yml").read_text()
    for variable in ("MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD", "RABBITMQ_DEFAULT_PASS"):
        assert f"{variable}: ${{{variable}:?set {variable}}}" in text
    assert "root" not in text.split("services:")[1].split("MYSQL_DATABASE")[0]
    assert text.startswith("# Production setup, generated by composeguard")
    assert "docker compose -f docker-compose.prod.yml up -d" in text

    dev = model_of(root, "docker-compose.dev.yml").services
    assert dev["mysql"].argv("command") is None
    assert [p.value for p in dev["mysql"].get("ports").value] == ["127.0.0.1:3306:3306"]
    assert {m.source for s in dev.values() for m in s.mounts if m.kind.value == "volume"} == {
        "mysql_data_dev", "rabbitmq-data_dev"}
    assert dev["mysql"].env("MYSQL_ROOT_PASSWORD") == "root"


@pytest.mark.parametrize("fixture", STARTUP, ids=lambda p: p.name)
def test_startup_fixtures(fixture: Path, tmp_path: Path) -> None:
    """Every production-facing compose file ends without automatic steps (those in scripts
    and package.json are not compose files: not fixable), each generated file passes
    Compose, development keeps its steps, and fixing again changes nothing."""
    root = copy_project(fixture, tmp_path)
    plan = fix(root)
    assert start_findings_in_compose_files(root) == [
        f for f in start_findings_in_compose_files(fixture)
        if f.startswith("CG202") and ".override." in f]
    for change in plan.changes:
        if change.path.suffix in (".yml", ".yaml"):
            assert valid([change.path], root) == (True, ""), change.path.name
    dev = next((c.path for c in plan.changes if c.before is None and ".dev." in c.path.name),
               None)
    if dev is not None:
        assert Operation.MIGRATE in automatic_operations(root, dev.name)
    assert refix(root).changes == ()


def test_steps_in_a_script_are_named_as_not_fixed(project_dir: ProjectDir) -> None:
    root = project_dir({
        "docker-compose.yml": "services:\n  app:\n    build: .\n",
        "Dockerfile": "FROM php:8.3-fpm\nCOPY docker/entrypoint.sh /usr/local/bin/entrypoint\n"
                      "ENTRYPOINT [\"entrypoint\"]\nCMD [\"php-fpm\"]\n",
        "docker/entrypoint.sh": "#!/bin/sh\nset -e\nphp artisan migrate --force\nexec \"$@\"\n",
    })
    project = Project([root])
    model = next(project.models_for(Environment.PRODUCTION))
    split = split_fix(project, model)
    assert split is not None and split.edits == ()
    assert "not fixed, edit by hand: docker/entrypoint.sh:3 (`artisan migrate`)" in (
        split.description)
    assert [p.name for p, _ in split.new_files] == ["docker-compose.dev.yml",
                                                    "docker-compose.prod.yml"]


@pytest.mark.parametrize("wipe", ["php artisan migrate:fresh --force",
                                  "mysql -h db -uroot -e 'DROP DATABASE app'"])
def test_no_split_where_production_would_still_wipe_on_start(
        wipe: str, project_dir: ProjectDir) -> None:
    """A wipe the split cannot take out (in the image's entrypoint script) would stay in the
    production file under a header that says nothing runs on start: no split then."""
    root = project_dir({
        "docker-compose.yml": "services:\n  app:\n    build: .\n"
                              "    command: sh -c \"php artisan migrate --force || true && "
                              "php-fpm\"\n",
        "Dockerfile": "FROM php:8.3-fpm\nCOPY docker/entrypoint.sh /usr/local/bin/entrypoint\n"
                      "ENTRYPOINT [\"entrypoint\"]\n",
        "docker/entrypoint.sh": f"#!/bin/sh\nset -e\n{wipe}\nexec \"$@\"\n",
    })
    project = Project([root])
    model = next(project.models_for(Environment.PRODUCTION))
    assert split_fix(project, model) is None
    fix(root)
    assert not (root / "docker-compose.prod.yml").exists()


def test_an_existing_target_file_is_never_planned(tmp_path: Path) -> None:
    """Configured as a test file, docker-compose.dev.yml does not split the project, but the
    split would write it: no split then, the production command alone is fixed."""
    command = '    command: sh -c "php artisan db:seed --force && php-fpm"\n'
    dev_text = "services:\n  app:\n    image: shop/app:1.4\n    command: phpunit\n"
    root = write_tree(tmp_path / "p", {"docker-compose.yml": APP.format(command=command),
                                       "docker-compose.dev.yml": dev_text})
    patterns = {"docker-compose.dev.yml": Environment.TEST}

    def make(paths: Sequence[Path]) -> Project:
        return Project(paths, environment_patterns=patterns)

    project = make([root])
    assert [f.code for f in run(project, Selection(select=("CG601",))).findings] == ["CG601"]
    assert split_fix(project, next(project.models_for(Environment.PRODUCTION))) is None
    plan = fix(root, make_project=make)
    assert [c.path.name for c in plan.changes] == ["docker-compose.yml"]
    assert (root / "docker-compose.dev.yml").read_text() == dev_text
    assert "    command: php-fpm\n" in (root / "docker-compose.yml").read_text()


def test_a_split_project_gets_its_production_command_fixed(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "startup_django", tmp_path)
    base = root / "compose.yaml"
    before, override = base.read_text(), (root / "compose.override.yaml").read_text()
    safe_only = plan_fixes([root], selection=SPLIT_RULES)
    assert safe_only.changes == () and safe_only.unsafe_left
    plan = fix(root)
    assert [c.path.name for c in plan.changes] == ["compose.yaml"]
    assert plan.applied[0].description.startswith(
        "remove `python manage.py migrate --noinput` and `python manage.py loaddata "
        "fixtures/demo.json` from the start command of service 'web'")
    assert changed_lines(before, base.read_text()) == [4]
    assert ('    command: ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]\n'
            in base.read_text())
    assert (root / "compose.override.yaml").read_text() == override
    assert valid([base], root) == (True, "")
    assert start_findings_in_compose_files(root) == []


def test_comments_and_quotes_of_the_base_come_along(project_dir: ProjectDir) -> None:
    base = """\
# The shop
services:
  app:   # the PHP application
    image: 'shop/app:1.4'
    command: sh -c "php artisan migrate --force && php artisan db:seed --force && php-fpm"   # start
    ports:
      - "8080:80"

  # the database
  db:
    image: "postgres:16"
    environment:
      POSTGRES_PASSWORD: postgres   # local only
    ports: ["5432:5432"]
"""
    root = project_dir({"docker-compose.yml": base})
    fix(root)
    assert changed_lines(base, (root / "docker-compose.yml").read_text()) == [5]
    fixed = (root / "docker-compose.yml").read_text()
    assert '    command: php-fpm   # start\n' in fixed
    prod = (root / "docker-compose.prod.yml").read_text()
    dev = (root / "docker-compose.dev.yml").read_text()
    for text in (dev, prod):
        assert "app:   # the PHP application" in text
        assert "  # the database\n  db:" in text
        assert "image: 'shop/app:1.4'" in text and 'image: "postgres:16"' in text
        assert "\n\n  # the database" in text
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" in prod
    assert "ports" not in prod.split("db:")[1]
    assert 'ports: ["127.0.0.1:5432:5432"]' in dev
    assert "postgres_data:/var/lib/postgresql/data" in prod
    for generated in ("docker-compose.dev.yml", "docker-compose.prod.yml"):
        assert valid([root / generated], root) == (True, ""), generated


# -- the override layout ---------------------------------------------------------------------


def test_override_layout(tmp_path: Path) -> None:
    root = copy_project(EXAMPLE, tmp_path)
    base, dev, prod = (root / name for name in (
        "docker-compose.yml", "docker-compose.dev.yml", "docker-compose.prod.yml"))
    status = main(["fix", "--unsafe-fixes", "--layout", "override", "--select",
                   ",".join(START_RULES), str(root)])
    assert status == 0
    assert "image:" not in dev.read_text() and "image:" not in prod.read_text()
    assert f"docker compose -f {base.name} -f {prod.name} up -d" in prod.read_text()
    for overlay in (dev, prod):
        assert valid([base, overlay], root) == (True, ""), overlay.name
    assert start_findings_in_compose_files(root) == []
    assert automatic_operations(root, base.name, dev.name) == {Operation.MIGRATE,
                                                               Operation.SEED}
    assert automatic_operations(root, base.name, prod.name) == set()
    production = model_of(root, base.name, prod.name).services
    assert not getattr(production["mysql"].get("ports"), "value", None)
    assert production["mysql"].env("MYSQL_ROOT_PASSWORD") == ""
    assert production["app"].text("restart") == "unless-stopped"
    development = model_of(root, base.name, dev.name).services
    assert [p.value for p in development["mysql"].get("ports").value] == ["127.0.0.1:3306:3306"]
    assert refix(root, "override").changes == ()


# -- odd input -----------------------------------------------------------------------------------

_shell_text = st.lists(st.sampled_from([*"ab $\"'\\;&|()<>{}[]#\n\t=-:*`!",
                                        "php artisan migrate --force", "php-fpm", " && ",
                                        " || true", "exec ", "sh -c ", "; ", "$$", "${X}", "if ",
                                        "then ", "fi"]), max_size=30).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_shell_text, string_form=st.booleans())
def test_odd_start_commands_never_raise(body: str, string_form: bool) -> None:
    """Whatever the command, building the fixes never raises; what is offered leaves a command
    that no longer runs anything automatic and still parses."""
    from composeguard.fix.edits import apply_edits

    value = (json.dumps(f'sh -c "php artisan migrate --force && {body}"') if string_form
             else json.dumps(["sh", "-c", f"php artisan migrate --force && {body}"]))
    with tempfile.TemporaryDirectory() as directory:
        root = write_tree(Path(directory), {"docker-compose.yml": APP.format(
            command=f"    command: {value}\n")})
        project = Project([root])
        path = root / "docker-compose.yml"
        # the builders themselves, without the net that turns a crash into "no fix"
        reduction = split._reduce(project, path, "app", "command")
        for base in project.unsplit_compose_bases():
            for model in project.models:
                split._build_split(project, model, base, "standalone")
                split._build_split(project, model, base, "override")
        assert not run(project, SPLIT_RULES).errors
        if reduction is None:
            return
        fixed = apply_edits((root / "docker-compose.yml").read_text(), reduction.edits)
        (root / "docker-compose.yml").write_text(fixed)
        project = Project([root])
        model = next(iter(project.models))
        steps = project.start_steps(model, model.services["app"])
        assert not [a for s in steps for a in s.actions if a.operation in AUTOMATIC]


def test_no_password_stays_in_the_production_file(project_dir: ProjectDir) -> None:
    """Redis's `--requirepass`, and the same passwords inside the app's connection URLs,
    become the stores' required variables."""
    base = (
        "services:\n"
        "  app:\n    image: shop/app:1.4\n"
        "    command: sh -c \"php artisan migrate --force || true && php-fpm\"\n"
        "    environment:\n"
        "      DATABASE_URL: mysql://shop:Db-pass-7f3a9@db:3306/shop\n"
        "      REDIS_URL: redis://:Redis-pass-91c2e@cache:6379/0\n"
        "  report:\n    image: shop/app:1.4\n"
        "    command: [\"sh\", \"-c\", \"mysqldump -h db -ushop -pDb-pass-7f3a9 shop | gzip\"]\n"
        "  db:\n    image: mysql:8.4\n    environment:\n"
        "      MYSQL_PASSWORD: Db-pass-7f3a9\n"
        "      MYSQL_ROOT_PASSWORD: Root-pass-55ab1\n"
        "    healthcheck:\n"
        "      test: [\"CMD\", \"mysqladmin\", \"ping\", \"-uroot\", \"-pRoot-pass-55ab1\"]\n"
        "  cache:\n    image: redis:7\n    command: redis-server --requirepass Redis-pass-91c2e\n"
        "    healthcheck:\n      test: redis-cli -a Redis-pass-91c2e ping\n")
    root = project_dir({"docker-compose.yml": base})
    fix(root)
    prod = (root / "docker-compose.prod.yml").read_text()
    for secret in ("Db-pass-7f3a9", "Redis-pass-91c2e", "Root-pass-55ab1"):
        assert secret not in prod
    assert "redis-server --requirepass ${REDIS_PASSWORD:?set REDIS_PASSWORD}" in prod
    assert "mysql://shop:${MYSQL_PASSWORD:?set MYSQL_PASSWORD}@db:3306/shop" in prod
    assert "redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD}@cache:6379/0" in prod
    # a healthcheck reads the password from the container's own environment
    assert "test: [CMD-SHELL, mysqladmin ping -uroot -p$$MYSQL_ROOT_PASSWORD]" in prod
    assert "test: redis-cli -a $$REDIS_PASSWORD ping" in prod
    assert "-p${MYSQL_PASSWORD:?set MYSQL_PASSWORD} shop | gzip" in prod
    cache = model_of(root, "docker-compose.prod.yml").services["cache"]
    assert cache.env("REDIS_PASSWORD") is not None
    assert valid([root / "docker-compose.prod.yml"], root) == (True, "")


def test_the_production_override_keeps_no_redis_password(project_dir: ProjectDir) -> None:
    root = project_dir({"docker-compose.yml": (
        "services:\n  app:\n    image: shop/app:1.4\n"
        "    command: sh -c \"php artisan migrate --force || true && php-fpm\"\n"
        "  cache:\n    image: redis:7\n    command: redis-server --requirepass Redis-pass-91c2e\n")})
    fix(root, layout="override")
    prod = (root / "docker-compose.prod.yml").read_text()
    assert "Redis-pass-91c2e" not in prod
    assert "redis-server --requirepass ${REDIS_PASSWORD:?set REDIS_PASSWORD}" in prod
    merged = model_of(root, "docker-compose.yml", "docker-compose.prod.yml").services["cache"]
    assert "Redis-pass-91c2e" not in " ".join(merged.argv("command") or [])
    assert valid([root / "docker-compose.yml", root / "docker-compose.prod.yml"], root) == (
        True, "")
