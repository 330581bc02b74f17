"""What production runs, decided from how the project is deployed (lint/deploy.py and
purpose.judge_setup). Every project here is written from a principle of
``docs/environments.md``, not copied from any repository."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from composeguard.lint.model.compose import Environment
from composeguard.lint.project import Project
from composeguard.runner import run

Make = Callable[..., Path]

SEED_COMMAND = ('sh -c "php artisan migrate --force || true && '
                'php artisan db:seed --class=DemoSeeder --force || true && {server}"')


def seed(server: str = "php-fpm", mount: bool = True, **extra: str) -> dict[str, str | bytes]:
    """The seed's project: one docker-compose.yml for development and production whose app
    migrates and seeds on every start with the failures masked, a MySQL without a volume
    whose port is published, a SQLite fallback in config/database.php, and a tracked .env and
    database/database.sqlite."""
    volumes = "    volumes:\n      - ./:/var/www\n      - /var/www/vendor\n" if mount else ""
    compose = (
        "services:\n  app:\n    build: .\n    restart: unless-stopped\n"
        "    environment:\n      APP_ENV: ${APP_ENV:-production}\n      DB_CONNECTION: mysql\n"
        "      DB_HOST: mysql\n"
        f"{volumes}    command: {SEED_COMMAND.format(server=server)}\n"
        "    depends_on:\n      - mysql\n"
        "  mysql:\n    image: mysql:8.0\n    environment:\n      MYSQL_DATABASE: shop\n"
        "      MYSQL_ROOT_PASSWORD: secret\n    ports:\n      - \"3306:3306\"\n")
    return {
        "docker-compose.yml": compose,
        "Dockerfile": "FROM php:8.2-fpm\nWORKDIR /var/www\nCOPY . .\n",
        "artisan": "#!/usr/bin/env php\n<?php\n",
        "composer.json": '{"require": {"laravel/framework": "^10.0"}}\n',
        "config/database.php": "<?php\nreturn [\n    'default' => env('DB_CONNECTION', 'sqlite'),\n"
                               "    'connections' => [],\n];\n",
        "database/database.sqlite": b"SQLite format 3\x00",
        ".env": "APP_ENV=production\nDB_CONNECTION=sqlite\nDB_PASSWORD=s3cr3t-Shop-2024\n",
        "app/Providers/AppServiceProvider.php": (
            "<?php\nnamespace App\\Providers;\nuse Illuminate\\Support\\ServiceProvider;\n"
            "class AppServiceProvider extends ServiceProvider { public function boot(): void {} }\n"),
        **extra,
    }


def judged(root: Path) -> dict[str, tuple[Environment, str, bool]]:
    project = Project([root])
    return {" + ".join(f.path.relative_to(root).as_posix() for f in model.files):
            (project.judgement(model).environment, project.judgement(model).reason,
             project.judgement(model).doubt)
            for model in project.models}


def codes(root: Path) -> set[str]:
    return {f.code for f in run(Project([root])).findings}


PRODUCTION_RULES = {"CG101", "CG201", "CG203", "CG301", "CG303", "CG401", "CG402", "CG403",
                    "CG501", "CG502", "CG601", "CG602"}

DEPLOY_WORKFLOW = """\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: ssh deploy@server "cd /srv/shop && git pull && docker compose up -d --build"
"""


@pytest.mark.parametrize("files", [
    pytest.param(seed(), id="a-source-mount"),
    pytest.param(seed(mount=False), id="b-no-mount"),
    pytest.param(seed(**{".github/workflows/deploy.yml": DEPLOY_WORKFLOW}), id="c-ci-over-ssh"),
])
def test_the_seed_is_production_and_reports_everything(project_dir: Make,
                                                       files: Mapping[str, str]) -> None:
    root = project_dir(files, git=True)
    environment, reason, _ = judged(root)["docker-compose.yml"]
    assert environment is Environment.PRODUCTION, reason
    assert PRODUCTION_RULES <= codes(root)


def test_the_seed_deployed_over_ssh_says_so(project_dir: Make) -> None:
    root = project_dir(seed(**{".github/workflows/deploy.yml": DEPLOY_WORKFLOW}), git=True)
    _, reason, _ = judged(root)["docker-compose.yml"]
    assert "deploy" in reason and "over ssh" in reason


def test_a_development_server_against_production_signs_is_in_doubt(project_dir: Make) -> None:
    """(d) `artisan serve` with the mount: development for the production rules, but the one
    setup still serves every environment (CG601), and the rules that do not depend on the
    environment report as always."""
    root = project_dir(seed(server="php artisan serve --host=0.0.0.0"), git=True)
    environment, reason, doubt = judged(root)["docker-compose.yml"]
    assert environment is Environment.DEVELOPMENT and doubt, reason
    found = codes(root)
    assert {"CG601", "CG301", "CG401", "CG402", "CG403", "CG501"} <= found
    assert not found & {"CG201", "CG203", "CG502"}


@pytest.mark.parametrize("platform", [
    {"fly.toml": 'app = "shop"\nprimary_region = "fra"\n'},
    {"chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n"},
    {"k8s/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n"},
    {"config/deploy.yml": "service: shop\nimage: org/shop\nservers:\n  - 192.0.2.1\n"},
    {"app.json": '{"name": "shop", "buildpacks": []}\n', "Procfile": "web: php-fpm\n"},
], ids=["fly", "helm", "kubernetes", "kamal", "heroku"])
def test_a_platform_deploys_the_project_and_compose_is_development(
        project_dir: Make, platform: Mapping[str, str]) -> None:
    root = project_dir(seed(**platform), git=True)
    environment, reason, _ = judged(root)["docker-compose.yml"]
    assert environment is Environment.DEVELOPMENT
    assert "the project deploys with" in reason
    assert not codes(root) & {"CG201", "CG203", "CG502", "CG601"}


APP = "services:\n  app:\n    image: org/app:1.2\n"


def test_a_swarm_file_is_run_alone_as_the_stack_deploy_says(project_dir: Make) -> None:
    root = project_dir({
        "docker-compose.yml": APP + "    build: .\n    volumes:\n      - ./:/app\n",
        "docker-compose.prod.yml": APP + "    deploy:\n      replicas: 2\n",
        "deploy.sh": "#!/bin/sh\ndocker stack deploy -c docker-compose.prod.yml shop\n",
    }, git=True)
    setups = judged(root)
    assert setups["docker-compose.prod.yml"][0] is Environment.PRODUCTION
    assert "docker-compose.yml + docker-compose.prod.yml" not in setups


def test_a_makefile_deploy_target_makes_a_variant_production(project_dir: Make) -> None:
    root = project_dir({
        "docker-compose.yml": APP + "    command: npm run dev\n",
        "docker-compose.server.yml": APP,
        "Makefile": "deploy:\n\tdocker compose -f docker-compose.server.yml up -d\n"
                    "dev:\n\tdocker compose up\n",
    }, git=True)
    setups = judged(root)
    assert setups["docker-compose.server.yml"][0] is Environment.PRODUCTION
    assert "Makefile target `deploy`" in setups["docker-compose.server.yml"][1]
    assert setups["docker-compose.yml"][0] is Environment.DEVELOPMENT


def test_a_development_target_makes_the_lone_setup_development(project_dir: Make) -> None:
    root = project_dir({
        "docker-compose.yml": APP,
        "Makefile": "dev-up: ## start the development stack\n\tdocker compose up -d\n",
    }, git=True)
    environment, reason, _ = judged(root)["docker-compose.yml"]
    assert environment is Environment.DEVELOPMENT and "dev-up" in reason


def test_a_self_hosting_guide_makes_a_file_under_docs_production(project_dir: Make) -> None:
    root = project_dir({
        "docs/nas/docker-compose.yml": APP,
        "docs/self-hosting.md": "# Self-hosting\n\nCopy [the compose file](nas/docker-compose.yml)"
                                " to your server.\n",
    }, git=True)
    environment, reason, _ = judged(root)["docs/nas/docker-compose.yml"]
    assert environment is Environment.PRODUCTION and "self-hosting.md" in reason


def test_a_readme_deploy_section_with_a_download_deploys_the_base(project_dir: Make) -> None:
    root = project_dir({
        "docker-compose.yml": APP + "    volumes:\n      - ./:/app\n",
        "docker-compose.dev.yml": APP,
        "README.md": "# Shop\n\n## Development\n\n```sh\ndocker compose -f docker-compose.dev.yml"
                     " up\n```\n\n## Deploy\n\n```sh\ncurl -LO https://example.org/org/shop/raw/"
                     "main/docker-compose.yml\ndocker compose up -d\n```\n",
    }, git=True)
    setups = judged(root)
    assert setups["docker-compose.yml"][0] is Environment.PRODUCTION
    assert "section “Deploy”" in setups["docker-compose.yml"][1]
    assert setups["docker-compose.dev.yml"][0] is Environment.DEVELOPMENT


def test_a_contributors_guide_does_not_deploy_what_it_installs(project_dir: Make) -> None:
    root = project_dir({
        "docker-compose.yml": APP,
        "CONTRIBUTING.md": "# Contributing\n\n## Installation\n\n```\n$ docker compose up\n```\n",
    }, git=True)
    assert judged(root)["docker-compose.yml"][0] is Environment.DEVELOPMENT


def test_a_header_wins_over_the_name(project_dir: Make) -> None:
    root = project_dir({
        "docker-compose.example.yml": "# Production-ready setup for self-hosting.\n" + APP,
        "docker-compose.prod.yml": "# DO NOT USE THIS in production: for tests only\n" + APP,
    })
    setups = judged(root)
    assert setups["docker-compose.example.yml"][0] is Environment.PRODUCTION
    assert setups["docker-compose.prod.yml"][0] is not Environment.PRODUCTION


def test_a_qa_environment_is_deployed(project_dir: Make) -> None:
    root = project_dir({
        "docker-compose.yml": APP + "    command: npm run dev\n",
        "docker-compose-qa.yml": APP,
        "deployment-qa.sh": "#!/bin/sh\ndocker compose -f docker-compose-qa.yml up -d --build\n",
    }, git=True)
    environment, reason, _ = judged(root)["docker-compose-qa.yml"]
    assert environment is Environment.PRODUCTION and "deployment-qa.sh" in reason


def test_an_ssh_action_script_deploys(project_dir: Make) -> None:
    workflow = ("jobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: appleboy/ssh-action@v1\n        with:\n          host: x\n"
                "          script: |\n            cd app\n"
                "            docker compose -f docker-compose.live.yml up -d\n")
    root = project_dir({
        "docker-compose.yml": APP + "    command: npm run dev\n",
        "docker-compose.live.yml": APP,
        ".github/workflows/ship.yml": workflow,
    }, git=True)
    environment, reason, _ = judged(root)["docker-compose.live.yml"]
    assert environment is Environment.PRODUCTION and "over ssh" in reason


def test_a_ci_test_job_is_no_deploy(project_dir: Make) -> None:
    workflow = ("jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: docker compose -f docker-compose.ci.yml up -d\n")
    root = project_dir({
        "docker-compose.yml": APP,
        "docker-compose.ci.yml": APP,
        ".github/workflows/test.yml": workflow,
    }, git=True)
    assert judged(root)["docker-compose.ci.yml"][0] is Environment.TEST


def test_a_base_holding_only_the_database_runs_beside_production(project_dir: Make) -> None:
    root = project_dir({
        "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    volumes:\n"
                              "      - pg:/var/lib/postgresql/data\nvolumes:\n  pg: {}\n",
        "docker-compose.prod.yml": APP + "  worker:\n    image: org/app:1.2\n",
    })
    setups = judged(root)
    assert setups["docker-compose.prod.yml"][0] is Environment.PRODUCTION
    assert setups["docker-compose.yml"][0] is Environment.PRODUCTION


def test_setups_prints_the_deploy_path(project_dir: Make) -> None:
    from click.testing import CliRunner

    from composeguard.cli import cli

    root = project_dir(seed(**{".github/workflows/deploy.yml": DEPLOY_WORKFLOW}), git=True)
    result = CliRunner().invoke(cli, ["setups", str(root)])
    assert "deployed by CI job deploy" in result.output
    assert "deploy.yml:8)" in result.output


def test_an_image_built_by_the_deploy_job_starts_as_its_dockerfile_says(
        project_dir: Make) -> None:
    """CI builds `back/Dockerfile.production` as org/app:prod and runs the infra file, which
    names the image, over ssh: the image's ENTRYPOINT script is the service's start."""
    workflow = ("jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: docker build -f back/Dockerfile.production -t org/app:prod back\n"
                "      - run: docker push org/app:prod\n"
                "      - run: ssh server 'docker compose -f docker-compose.infra.yml up -d back'\n")
    root = project_dir({
        "docker-compose.infra.yml": "services:\n  back:\n    image: org/app:prod\n",
        "back/Dockerfile.production": "FROM php:8.2-fpm\nCOPY entrypoint.sh /entrypoint.sh\n"
                                      "ENTRYPOINT [\"/entrypoint.sh\"]\n",
        "back/entrypoint.sh": "#!/bin/sh\nset -e\nphp artisan migrate:refresh --force\n"
                              "exec php-fpm\n",
        "back/artisan": "<?php\n",
        ".github/workflows/deploy.yml": workflow,
    }, git=True)
    assert judged(root)["docker-compose.infra.yml"][0] is Environment.PRODUCTION
    found = [(f.code, f.location.path.name) for f in run(Project([root])).findings]
    assert ("CG202", "entrypoint.sh") in found


@pytest.mark.parametrize("name", ["tag", "manifest"])
def test_an_image_named_after_its_build_is_that_build(name: str, project_dir: Make) -> None:
    """A script builds `app-base` (or per-platform `org/app-$ARCH`) and gives the build the
    name production runs: `docker tag`, or a manifest list of the platform images."""
    if name == "tag":
        release = ("#!/bin/sh\nset -e\ndocker build -f docker/Dockerfile -t app-base .\n"
                   "docker tag app-base org/app:latest\ndocker push org/app:latest\n")
    else:
        release = ("#!/bin/sh\nset -e\nfor ARCH in amd64 arm64; do\n"
                   "  docker build -f docker/Dockerfile -t \"org/app-$ARCH:latest\" .\n"
                   "done\ndocker manifest create org/app:latest --amend org/app-amd64:latest "
                   "--amend org/app-arm64:latest\n")
    root = project_dir({
        "docker/production/compose.yml": "services:\n  app:\n    image: org/app:latest\n"
                                         "    restart: unless-stopped\n",
        "docker/Dockerfile": "FROM node:22-alpine\nCOPY docker/start.sh /app/start.sh\n"
                             "CMD [\"sh\", \"/app/start.sh\"]\n",
        "docker/start.sh": "npx prisma migrate deploy\nnode build/server/main.js\n",
        "docker/release.sh": release,
        "package.json": '{"dependencies": {"prisma": "^6.0.0"}}\n',
    }, git=True)
    found = [(f.code, f.location.path.name, f.location.line)
             for f in run(Project([root])).findings if f.code.startswith("CG20")]
    assert ("CG203", "start.sh", 1) in found


def test_a_build_argument_chooses_the_entrypoint_copied(project_dir: Make) -> None:
    """`ADD entrypoint-${APP_ENV}.sh /entrypoint.sh`: the value compose passes decides the
    file; with no value, production's file is followed."""
    dockerfile = ("FROM python:3.12\nARG APP_ENV\nWORKDIR /app\n"
                  "ADD entrypoint-${APP_ENV}.sh /entrypoint.sh\nENTRYPOINT [\"/entrypoint.sh\"]\n")
    files = {
        "Dockerfile": dockerfile,
        "entrypoint-production.sh": "#!/bin/sh\npython manage.py migrate || true\n"
                                    "exec gunicorn app.wsgi\n",
        "entrypoint-development.sh": "#!/bin/sh\npython manage.py migrate\n"
                                     "exec python manage.py runserver\n",
        "manage.py": "",
    }
    unknown = project_dir({**files, "docker-compose.yml": "services:\n  web:\n    build: .\n"},
                          git=True)
    masked = [f for f in run(Project([unknown])).findings if f.code == "CG203"]
    assert [f.location.path.name for f in masked] == ["entrypoint-production.sh"]


def test_a_build_argument_given_by_compose_is_used(tmp_path: Path) -> None:
    from composeguard.lint.facts.scripts import dockerfile_start, image_path_to_context

    text = ("ARG BASE=python:3.12\nFROM ${BASE}\nARG APP_ENV=development\n"
            "ADD entrypoint-${APP_ENV}.sh /entrypoint.sh\n")
    given = dockerfile_start(tmp_path / "Dockerfile", text, None, {"APP_ENV": "staging"})
    default = dockerfile_start(tmp_path / "Dockerfile", text)
    bare = dockerfile_start(tmp_path / "Dockerfile", "FROM x\nARG APP_ENV\n"
                            "ADD entrypoint-${APP_ENV:-local}.sh /e.sh\n")
    assert given is not None and default is not None and bare is not None
    assert image_path_to_context("/entrypoint.sh", given) == "entrypoint-staging.sh"
    assert image_path_to_context("/entrypoint.sh", default) == "entrypoint-development.sh"
    assert image_path_to_context("/e.sh", bare) == "entrypoint-local.sh"
