from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composeguard.lint.facts.commands import (
    TOOLS,
    Action,
    Operation,
    classify,
    describe,
    known_commands,
    package_script,
    unwrap,
)

S, M, D, V, B = (Operation.SEED, Operation.MIGRATE, Operation.DESTROY,
                 Operation.VOLUME_DESTROY, Operation.BACKUP)


def ops(command: str) -> tuple[Operation, ...]:
    return tuple(a.operation for a in classify(shlex.split(command)))


def check(cases: list[tuple[str, tuple[Operation, ...]]]) -> None:
    wrong = [(c, ops(c), want) for c, want in cases if ops(c) != want]
    assert not wrong


def test_laravel_artisan() -> None:
    check([
        ("php artisan db:seed", (S,)),
        ("./artisan db:seed --class=UserSeeder --force", (S,)),
        ("artisan migrate", (M,)),
        ("php /var/www/html/artisan migrate --force", (M,)),
        ("php artisan migrate --seed", (M, S)),
        ("php artisan migrate --seeder=DemoSeeder", (M, S)),
        ("php artisan migrate --seed --pretend", ()),
        ("php artisan migrate:fresh", (D, M)),
        ("php artisan migrate:fresh --seed", (D, M, S)),
        ("php artisan migrate:refresh --seed", (D, M, S)),
        ("php artisan migrate:reset", (D,)),
        ("php artisan migrate:rollback --step=1", (D,)),
        ("php artisan db:wipe --force", (D,)),
        ("php artisan migrate:status", ()),
        ("php artisan migrate:install", ()),
        ("php artisan --env=production migrate", (M,)),
        ("php artisan --env production db:seed", (S,)),
        ("php artisan migrate:f --seed", (D, M, S)),
        ("php artisan serve", ()),
        ("php artisan migrate --help", ()),
    ])


def test_django() -> None:
    check([
        ("python manage.py migrate", (M,)),
        ("python -u /app/manage.py migrate --noinput", (M,)),
        ("./manage.py migrate shop zero", (D,)),
        ("django-admin migrate --settings=app.settings", (M,)),
        ("python3 -m django migrate", (M,)),
        ("python3.12 -m django loaddata initial.json", (S,)),
        ("python manage.py loaddata fixtures/users.json", (S,)),
        ("python manage.py flush --noinput", (D,)),
        ("python manage.py reset_db --noinput", (D,)),
        ("python manage.py sqlflush", ()),
        ("python manage.py makemigrations", ()),
        ("python manage.py migrate --plan", ()),
        ("python manage.py seed_db", (S,)),
        ("python manage.py loadinitialdata", (S,)),
        ("python manage.py runserver 0.0.0.0:8000", ()),
        ("python manage.py dumpdata seed", ()),
        ("python -c 'import manage'", ()),
    ])


def test_rails() -> None:
    check([
        ("rails db:migrate", (M,)),
        ("bin/rails db:seed", (S,)),
        ("bundle exec rake db:seed", (S,)),
        ("ruby bin/rails db:migrate", (M,)),
        ("bundle exec rails db:create db:migrate db:seed", (M, S)),
        ("rails db:setup", (D, M, S)),
        ("rails db:reset", (D, M, S)),
        ("rails db:drop", (D,)),
        ("rails db:schema:load", (D, M)),
        ("bin/rails db:prepare", (M,)),
        ("rails db:seed:replant", (D, S)),
        ("rails db:truncate_all", (D,)),
        ("rails db:migrate:reset", (D, M)),
        ("rails db:migrate:redo", (D, M)),
        ("rails db:migrate RAILS_ENV=production", (M,)),
        ("rails db:migrate VERSION=0", (D,)),
        ("rails db:migrate:status", ()),
        ("rails server -b 0.0.0.0", ()),
    ])


def test_rails_combined_tasks_each_get_their_own_command() -> None:
    actions = classify(["rails", "db:drop", "db:create", "db:migrate", "db:seed"])
    assert [(a.operation, a.command) for a in actions] == [
        (D, "rails db:drop"), (M, "rails db:migrate"), (S, "rails db:seed")]


def test_prisma() -> None:
    check([
        ("prisma migrate deploy", (M,)),
        ("npx prisma migrate deploy --schema ./prisma/schema.prisma", (M,)),
        ("npx -y prisma@5.10 migrate deploy", (M,)),
        ("pnpm prisma migrate deploy", (M,)),
        ("yarn prisma db seed", (S,)),
        ("bunx prisma migrate dev", (M,)),
        ("npx prisma migrate dev --create-only", ()),
        ("npx prisma migrate reset --force", (D, M, S)),
        ("npx prisma migrate reset --force --skip-seed", (D, M)),
        ("npx prisma db push", (M,)),
        ("npx prisma db push --force-reset", (D, M)),
        ("npx prisma db push --accept-data-loss", (D, M)),
        ("npx prisma migrate status", ()),
        ("npx prisma generate", ()),
    ])


def test_knex_sequelize_typeorm() -> None:
    check([
        ("knex migrate:latest", (M,)),
        ("npx knex migrate:up --knexfile knexfile.js", (M,)),
        ("knex --env production seed:run", (S,)),
        ("knex migrate:rollback --all", (D,)),
        ("knex migrate:down", (D,)),
        ("knex migrate:make add_users", ()),
        ("sequelize db:migrate", (M,)),
        ("npx sequelize-cli db:seed:all", (S,)),
        ("sequelize-cli db:seed --seed 2024-users.js", (S,)),
        ("node ./node_modules/.bin/sequelize db:drop", (D,)),
        ("sequelize db:migrate:undo:all", (D,)),
        ("sequelize db:seed:undo:all", (D,)),
        ("sequelize db:create", ()),
        ("typeorm migration:run -d dist/data-source.js", (M,)),
        ("npx typeorm-ts-node-commonjs migration:run -d src/ds.ts", (M,)),
        ("typeorm-ts-node-esm schema:sync", (M,)),
        ("npx typeorm schema:drop", (D,)),
        ("typeorm migration:revert", (D,)),
        ("ts-node -r tsconfig-paths/register ./node_modules/typeorm/cli.js migration:run", (M,)),
    ])


def test_alembic_flask_doctrine() -> None:
    check([
        ("alembic upgrade head", (M,)),
        ("alembic -c alembic.ini -x tenant=a upgrade head", (M,)),
        ("python -m alembic upgrade head", (M,)),
        ("alembic upgrade head --sql", ()),
        ("alembic downgrade base", (D,)),
        ("alembic downgrade -1", (D,)),
        ("alembic stamp head", ()),
        ("flask db upgrade", (M,)),
        ("flask --app app:create_app db upgrade", (M,)),
        ("python -m flask db downgrade", (D,)),
        ("python manage.py db upgrade", (M,)),
        ("python manage.py db downgrade", (D,)),
        ("python manage.py db upgrade --sql", ()),
        ("flask db migrate -m init", ()),
        ("flask seed", (S,)),
        ("flask seed run", (S,)),
        ("flask seed list", ()),
        ("flask --app flaskr init-db", (D, M)),
        ("php bin/console doctrine:migrations:migrate --no-interaction", (M,)),
        ("bin/console doctrine:migrations:migrate --dry-run", ()),
        ("./bin/console doctrine:migrations:migrate prev", (D,)),
        ("app/console doctrine:schema:update --force", (D, M)),
        ("bin/console doctrine:schema:update --dump-sql", ()),
        ("bin/console doctrine:schema:create", (M,)),
        ("bin/console doctrine:fixtures:load -n", (D, S)),
        ("bin/console doctrine:fixtures:load --append", (S,)),
        ("bin/console doctrine:schema:drop --force", (D,)),
        ("bin/console doctrine:schema:drop", ()),
        ("bin/console doctrine:database:drop --force --if-exists", (D,)),
        ("bin/console doctrine:database:create", ()),
        ("php bin/console d:m:m -n", (M,)),
        ("php bin/console d:s:d -f", (D,)),
        ("bin/console cache:clear", ()),
    ])


def test_docker_volume_destruction() -> None:
    check([
        ("docker compose down -v", (V,)),
        ("docker compose down --volumes", (V,)),
        ("docker compose down --rmi all -v", (V,)),
        ("docker compose down -v --remove-orphans", (V,)),
        ("docker compose down -vt 5", (V,)),
        ("docker compose down -tv", ()),
        ("docker compose down -t 5", ()),
        ("docker compose down --volumes=false", ()),
        ("docker compose down", ()),
        ("docker compose -f a.yml -p name down -v", (V,)),
        ("docker compose --env-file .env.prod --profile db down --volumes", (V,)),
        ("docker --context prod compose down -v", (V,)),
        ("docker-compose down -v", (V,)),
        ("docker-compose -f docker-compose.prod.yml down --volumes", (V,)),
        ("docker compose rm -fsv", (V,)),
        ("docker compose rm -f", ()),
        ("docker rm -fv web", (V,)),
        ("docker volume rm app_db-data", (V,)),
        ("docker volume remove app_db-data", (V,)),
        ("docker volume prune -f", (V,)),
        ("docker volume ls", ()),
        ("docker system prune -af --volumes", (V,)),
        ("docker system prune -af", ()),
        ("podman volume rm data", (V,)),
        ("podman-compose down -v", (V,)),
        ("podman compose down -v", (V,)),
        ("podman system reset --force", (V,)),
        ("sudo docker compose down -v", (V,)),
        ("sail down -v", (V,)),
        ("./vendor/bin/sail down", ()),
    ])


def test_database_clients_that_drop_data() -> None:
    """Dropping that is not a framework command: the admin tools, and the SQL or script a
    client is given, read with sqlparse and tree-sitter."""
    check([
        ("mysqladmin -h db -uroot -psecret drop -f app", (D,)),
        ("mariadb-admin -uroot status", ()),
        ("dropdb -h pg -U postgres app", (D,)),
        ("mysql -uroot -e 'DROP DATABASE app; CREATE DATABASE app'", (D,)),
        ("mariadb --execute='truncate table sessions'", (D,)),
        ("psql -U app -c '/* reset */ DROP SCHEMA public CASCADE'", (D,)),
        ("psql --command='drop table orders'", (D,)),
        ("psql -c 'SELECT count(*) FROM orders'", ()),
        ("mysql -e 'CREATE DATABASE IF NOT EXISTS app'", ()),
        ("redis-cli -h cache FLUSHALL", (D,)),
        ("redis-cli flushdb async", (D,)),
        ("mongosh --eval 'db.getSiblingDB(\"app\").dropDatabase()'", (D,)),
        ("mongosh --quiet --eval 'db.orders.countDocuments()'", ()),
        ("docker compose exec -T db psql -U app -c 'DROP DATABASE app'", (D,)),
    ])
    [action] = classify(shlex.split("mysql -e \"DROP USER x; CREATE USER x IDENTIFIED BY "
                                    "'pw-Secret-9'\""))
    assert "pw-Secret-9" not in action.command, "a message shows the dropping words only"


def test_backups() -> None:
    check([
        ("mysqldump -uroot -p app", (B,)),
        ("mariadb-dump --all-databases", (B,)),
        ("pg_dump -U postgres -Fc app", (B,)),
        ("pg_dumpall -U postgres", (B,)),
        ("pg_basebackup -D /backup", (B,)),
        ("mongodump --archive", (B,)),
        ("redis-cli --rdb /backup/dump.rdb", (B,)),
        ("redis-cli -h redis BGSAVE", (B,)),
        ("redis-cli -h redis ping", ()),
        ("mariabackup --backup --target-dir=/backup", (B,)),
        ("mariabackup --prepare --target-dir=/backup", ()),
        ("xtrabackup --backup", (B,)),
        ("mydumper -B app -o /backup", (B,)),
        ("pgbackrest --stanza=main --type=full backup", (B,)),
        ("pgbackrest --stanza main restore", ()),
        ("wal-g backup-push /var/lib/postgresql/data", (B,)),
        ("docker compose exec db mysqldump -uroot app", (B,)),
        ("docker compose exec -T db pg_dump -U app app", (B,)),
        ("docker exec -i pg pg_dumpall -U postgres", (B,)),
        ("docker run --rm --network app -v /b:/b postgres:16 pg_dump -h db app", (B,)),
        ("mysqldump --help", ()),
        ("mysql -uroot app", ()),
    ])


def test_runners_interpreters_and_remote_execution() -> None:
    check([
        ("uv run python manage.py migrate", (M,)),
        ("uv run --with django-extensions manage.py reset_db", (D,)),
        ("poetry run python -m flask db upgrade", (M,)),
        ("pipenv run python manage.py loaddata x", (S,)),
        ("pdm run alembic upgrade head", (M,)),
        ("hatch run prod:python manage.py migrate", (M,)),
        ("bundle exec rails db:seed", (S,)),
        ("pnpm exec prisma migrate deploy", (M,)),
        ("pnpm --filter api exec prisma migrate deploy", (M,)),
        ("pnpm dlx prisma db seed", (S,)),
        ("yarn knex seed:run", (S,)),
        ("yarn run knex seed:run", (S,)),
        ("yarn dlx prisma db seed", (S,)),
        ("npm exec -- knex migrate:latest", (M,)),
        ("bun x prisma db seed", (S,)),
        ("dotenv -e .env.production -- prisma migrate deploy", (M,)),
        ("cross-env NODE_ENV=production knex migrate:latest", (M,)),
        ("php -d memory_limit=-1 artisan migrate", (M,)),
        ("php -dmemory_limit=-1 artisan migrate", (M,)),
        ("php -r 'echo 1;'", ()),
        ("node --require dotenv/config ./node_modules/.bin/knex migrate:latest", (M,)),
        ("docker compose exec -T -u www-data app php artisan migrate", (M,)),
        ("docker compose exec app", ()),
        ("docker-compose exec -T app php artisan db:seed", (S,)),
        ("docker compose run --rm -e APP_ENV=prod app php artisan migrate:fresh", (D, M)),
        ("docker compose run --rm app", ()),
        ("docker exec -it app python manage.py flush", (D,)),
        ("docker exec -itu www-data app php artisan db:seed", (S,)),
        ("kubectl exec deploy/app -- php artisan migrate --force", (M,)),
        ("kubectl -n prod exec -it app-0 -c web -- bundle exec rails db:seed", (S,)),
        ("docker compose exec app gosu www-data php artisan db:seed", (S,)),
        ("docker compose exec app env APP_ENV=prod php artisan db:seed", (S,)),
        ("sail artisan migrate --seed", (M, S)),
        ("./vendor/bin/sail php artisan db:seed", (S,)),
        ("sail npx prisma migrate reset", (D, M, S)),
    ])


def test_idempotent_seed_forms_are_not_seeds() -> None:
    check([
        ("python manage.py seed --skip-if-populated", ()),
        ("php artisan migrate --seed --if-empty", (M,)),
        ("php artisan db:seed --only-if-empty", ()),
        ("rails db:prepare", (M,)),
    ])


def test_actions_carry_tool_and_canonical_command() -> None:
    assert classify(["php", "artisan", "migrate", "--seed", "--force"]) == (
        Action(M, "Laravel artisan", "artisan migrate --seed"),
        Action(S, "Laravel artisan", "artisan migrate --seed"),
    )
    assert classify(["docker", "compose", "-p", "x", "down", "--volumes"]) == (
        Action(V, "Docker", "docker compose down --volumes"),)
    assert classify(["rails", "db:migrate", "VERSION=0"])[0].command == "rails db:migrate VERSION=0"
    assert classify(["php", "bin/console", "d:m:m"])[0].command == (
        "bin/console doctrine:migrations:migrate")
    assert classify(["python", "manage.py", "loaddata", "x.json"])[0] == Action(
        S, "Django manage.py", "manage.py loaddata")


def test_unwrap_leaves_shell_bodies_to_the_shell_layer() -> None:
    words = ["docker", "compose", "exec", "-T", "db", "sh", "-c", "mysqldump app | gzip"]
    assert unwrap(words) == ("sh", "-c", "mysqldump app | gzip")
    assert classify(words) == ()
    assert unwrap(["exec", "gosu", "app", "npx", "prisma", "db", "seed"]) == (
        "prisma", "db", "seed")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("npm run seed", ("npm", "seed")),
        ("npm run-script seed", ("npm", "seed")),
        ("npm start", ("npm", "start")),
        ("npm test", ("npm", "test")),
        ("npm --prefix api run seed -- --force", ("npm", "seed")),
        ("yarn seed", ("yarn", "seed")),
        ("yarn run seed", ("yarn", "seed")),
        ("yarn workspace api seed", ("yarn", "seed")),
        ("pnpm seed", ("pnpm", "seed")),
        ("pnpm run seed", ("pnpm", "seed")),
        ("pnpm --filter api run db:seed", ("pnpm", "db:seed")),
        ("bun run seed", ("bun", "seed")),
        ("docker compose exec app npm run seed", ("npm", "seed")),
        ("npm install", None),
        ("npm ci", None),
        ("npm run", None),
        ("yarn", None),
        ("yarn install --frozen-lockfile", None),
        ("pnpm install", None),
        ("npx prisma db seed", None),
        ("php artisan db:seed", None),
    ],
)
def test_package_script(command: str, expected: tuple[str, str] | None) -> None:
    assert package_script(shlex.split(command)) == expected


def test_describe() -> None:
    actions = classify(["php", "artisan", "migrate:fresh", "--seed"])
    assert describe(actions) == "wipes data, migrates and seeds (artisan migrate:fresh --seed)"
    assert describe(classify(["docker", "volume", "prune"])) == (
        "deletes Docker volumes (docker volume prune)")
    assert describe(()) == ""


def test_known_commands_renders_every_table_entry() -> None:
    rows = known_commands()
    assert len(rows) == sum(len(t.effects) for t in TOOLS)
    assert ("Laravel artisan", "artisan migrate:fresh", (D, M)) in rows
    assert ("PostgreSQL", "pg_dump", (B,)) in rows


def test_every_table_entry_is_reachable_by_its_own_command() -> None:
    for tool in TOOLS:
        for key, effect in tool.effects.items():
            words = [tool.programs[0], *key.split(), *effect.need[:1]]
            expected = tuple(op for op in (D, V, M, S, B) if op in effect.ops)
            assert ops(shlex.join(words)) == expected, words


@given(st.lists(st.sampled_from(
    ["docker", "compose", "exec", "-T", "--", "-v", "php", "artisan", "migrate", "sail", "-m",
     "python", "yarn", "run", "workspace", "kubectl", "x=1", "", "-", "--seed=", "d:m", "env",
     "gosu", "npx", "-p", "down", "rails", "db:seed", "bin/console", "-itu", "@", "/"]),
    max_size=12))
def test_no_argv_makes_it_raise(words: list[str]) -> None:
    assert isinstance(classify(words), tuple)
    assert package_script(words) is None or len(package_script(words) or ()) == 2
    assert isinstance(unwrap(words), tuple)


@given(st.lists(st.text(max_size=8), max_size=10))
def test_no_text_makes_it_raise(words: list[str]) -> None:
    classify(words)
    package_script(words)


@pytest.mark.parametrize(("text", "copied"), [
    ("cp .env.example .env", ".env.example"),
    ("cp -f /app/.env.dist /app/.env", "/app/.env.dist"),
    ("cat .env.sample > .env", ".env.sample"),
    ("cat env.example >| .env", "env.example"),
    ("cp -n .env.example .env", None),
    ("cp --no-clobber .env.example .env", None),
    ("cp -fn .env.example .env", None),
    ("cat .env.example >> .env", None),
    ("cat .env.example", None),
    ("cp .env.production .env", None),
    ("cp .env.example .env.backup", None),
])
def test_copies_example_env(text: str, copied: str | None) -> None:
    from composeguard.lint.facts.commands import copies_example_env
    from composeguard.lint.parse.origin import TextOrigin
    from composeguard.lint.parse.shell import parse_script

    [command] = parse_script(text, TextOrigin(Path("start.sh"), text)).commands
    assert copies_example_env(command.words, command.redirects) == copied


@pytest.mark.parametrize(("words", "redirects", "written"), [
    (["echo", "DB_PASSWORD=s3cret"], [(">>", ".env")], [(".env", "DB_PASSWORD", "s3cret")]),
    (["printf", "A=1\\nB=2\\n"], [(">", "/srv/app/.env.production")],
     [("/srv/app/.env.production", "A", "1"), ("/srv/app/.env.production", "B", "2")]),
    (["sed", "-i", "s/^DB_PASSWORD=.*/DB_PASSWORD=x9/", ".env"], [], [(".env", "DB_PASSWORD", "x9")]),
    (["echo", "export PATH=/bin"], [(">>", ".envrc")], []),   # direnv's file is a shell script
    (["echo", "DB_PASSWORD=s3cret"], [], []),                 # printed, not written
    (["sed", "s/a=1/a=2/", ".env"], [], []),                  # no -i: the file is not changed
])
def test_env_file_writes(words: list[str], redirects: list[tuple[str, str]],
                         written: list[tuple[str, str, str]]) -> None:
    from composeguard.lint.facts.commands import env_file_writes

    assert env_file_writes(words, redirects) == written
