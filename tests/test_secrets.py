"""No output composeguard writes about a project carries a secret the project holds.

A property over random projects: a password planted in the places users write one (a data
store's environment, twice in one mapping, an app's settings, a URL, a ``-p`` argument of a
start command, an env file, a value of the wrong type, a JDBC URL's query, a tracked dump)
must appear in no finding message, fix
description, error text, report format, baseline or ``setups`` listing.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composeguard.cli import main
from composeguard.lint.facts.secrets import Redactor, is_secret_key

from .conftest import make_git_repo, write_tree

SECRETS = st.text(alphabet="abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789",
                  min_size=8, max_size=16).map(lambda s: "Zq" + s)
"""Passwords no message could contain by chance."""

PLACES = ("store-env", "store-env-list", "duplicate-key", "app-env", "database-url",
          "command-argument", "env-file", "wrong-type", "healthcheck", "jdbc-url", "dump")


def project(secret: str, places: frozenset[str], image: str) -> dict[str, str]:
    store_env = []
    if "store-env" in places or "duplicate-key" in places:
        store_env.append(f"      MYSQL_ROOT_PASSWORD: {secret}\n")
        store_env.append(f"      POSTGRES_PASSWORD: {secret}\n")
    if "duplicate-key" in places:
        store_env.append(f"      MYSQL_ROOT_PASSWORD: {secret}\n")
    store = f"  db:\n    image: {image}\n    ports:\n      - \"5432:5432\"\n"
    if store_env:
        store += "    environment:\n" + "".join(store_env)
    elif "store-env-list" in places:
        store += f"    environment:\n      - MYSQL_PASSWORD={secret}\n      - POSTGRES_PASSWORD={secret}\n"
    if "wrong-type" in places:
        store += f"    volumes: {secret}\n"
    if "healthcheck" in places:
        store += (f"    healthcheck:\n      test: [\"CMD\", \"mysqladmin\", \"ping\", "
                  f"\"-uroot\", \"-p{secret}\"]\n")
    app = "  app:\n    build: .\n"
    command = "php artisan migrate --force || true && php artisan db:seed --force && php-fpm"
    if "command-argument" in places:
        command = f"mysql -h db -uroot -p{secret} -e 'select 1' ; {command}"
    app += f"    command: sh -c \"{command}\"\n"
    app_env = []
    if "app-env" in places:
        app_env.append(f"      DB_PASSWORD: {secret}\n")
    if "database-url" in places:
        app_env.append(f"      DATABASE_URL: postgres://app:{secret}@db:5432/app\n")
    if "jdbc-url" in places:
        app_env.append(f"      SPRING_DATASOURCE_URL: jdbc:mysql://db/app?user=app&password={secret}\n")
    if app_env:
        app += "    environment:\n" + "".join(app_env)
    files = {"docker-compose.yml": "services:\n" + app + store,
             "artisan": "#!/usr/bin/env php\n<?php\n",
             "composer.json": '{"require": {"laravel/framework": "^11.9"}}\n'}
    if "dump" in places:
        files["backups/shop.sql"] = f"-- MySQL dump 10.13\nINSERT INTO users VALUES ('{secret}');\n"
    if "env-file" in places:
        files[".env"] = f"APP_ENV=production\nDB_PASSWORD={secret}\nDB_CONNECTION=sqlite\n"
    return files


def outputs(root: Path) -> dict[str, str]:
    """What every command prints or writes about the project, by a name for the assertion."""
    got: dict[str, str] = {}

    def call(name: str, *argv: str) -> None:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(argv))
        got[name] = out.getvalue() + err.getvalue()

    for fmt in ("text", "concise", "json", "sarif", "github", "junit"):
        call(fmt, "check", "--no-color", "-v", "--format", fmt, str(root))
    call("report-file", "check", "--no-color", "-o", str(root.parent / "report.sarif"), str(root))
    got["report.sarif"] = (root.parent / "report.sarif").read_text(encoding="utf-8")
    baseline = root.parent / "baseline.json"
    call("write-baseline", "check", "--write-baseline", str(baseline), str(root))
    got["baseline"] = baseline.read_text(encoding="utf-8")
    call("setups", "setups", str(root))
    call("setups-json", "setups", "--format", "json", str(root))
    call("fix", "fix", "--no-color", "--unsafe-fixes", "--scripts", str(root))
    return got


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=SECRETS, places=st.frozensets(st.sampled_from(PLACES), min_size=1),
       image=st.sampled_from(["mysql:8.4", "postgres:16", "mariadb:11"]))
def test_no_output_carries_a_planted_secret(secret: str, places: frozenset[str],
                                            image: str) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = make_git_repo(write_tree(Path(temp) / "shop", project(secret, places, image)))
        for name, text in outputs(root).items():
            assert secret not in text, f"{name} prints the secret ({sorted(places)}):\n{text}"


def test_the_redactor_masks_secret_shapes_and_leaves_the_rest() -> None:
    redactor = Redactor(["Zqknown-value"])
    assert redactor.redact("runs `mysql -uroot -pZqhunter2 app`") == "runs `mysql -uroot -p*** app`"
    assert redactor.redact("postgres://app:Zqpw1234@db/app") == "postgres://app:***@db/app"
    assert redactor.redact("sets DB_PASSWORD=Zqpw1234") == "sets DB_PASSWORD=***"
    assert redactor.redact("value Zqknown-value here") == "value *** here"
    # what is not a secret stays readable
    for text in ("publish `3306:3306` with -p 3306:3306 or -p8080:80",
                 "sets DB_CONNECTION=sqlite", "DATABASE_URL=sqlite:///db.sqlite3",
                 "MYSQL_PASSWORD=${MYSQL_PASSWORD:?set it}", "-p$MYSQL_ROOT_PASSWORD"):
        assert redactor.redact(text) == text


def test_password_like_keys() -> None:
    assert all(is_secret_key(k) for k in ("MYSQL_ROOT_PASSWORD", "DB_PASS", "APP_KEY",
                                          "DATABASE_URL", "REDIS_PASSWORD", "API_TOKEN"))
    assert not any(is_secret_key(k) for k in ("MYSQL_PASSWORD_FILE", "DB_HOST", "DB_USERNAME",
                                              "APP_ENV", "DB_CONNECTION"))


def test_default_passwords_that_are_words_do_not_garble_messages() -> None:
    redactor = Redactor(["root", "secret", "password", "s3cretP4ss"])
    text = "move it to the repository root, or a Compose secret, and the password"
    assert redactor.redact(text) == text
    assert redactor.redact("value s3cretP4ss here") == "value *** here"
    # in context a default password is still masked
    assert redactor.redact("runs `mysql -uroot -psecret`") == "runs `mysql -uroot -p***`"
    assert redactor.redact("MYSQL_PASSWORD=secret") == "MYSQL_PASSWORD=***"


def test_a_suppression_naming_a_secret_is_reported_without_it(tmp_path: Path) -> None:
    """CG006 quotes the token it cannot match: a password pasted into the brackets by mistake
    is masked like any other secret of the project."""
    secret = "Vq8-shop-2024!x"
    root = write_tree(tmp_path / "shop", {"compose.yaml": (
        "services:\n  db:\n    image: mysql:8.4\n"
        f"    environment:\n      MYSQL_ROOT_PASSWORD: {secret}  # composeguard: ignore[{secret}]\n")})
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["check", "--no-cache", "--no-color", str(root)])
    assert "CG006" in out.getvalue()
    assert secret not in out.getvalue()
