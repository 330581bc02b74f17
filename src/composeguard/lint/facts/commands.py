"""What one command does to data: the table of frameworks and tools composeguard knows.

The shell layer hands over argv words (quotes removed, env prefixes and process wrappers
stripped); this module peels what still stands between those words and the real tool (runners
such as ``uv run``/``bundle exec``/``npx``, interpreters such as ``php -d x=y``/``python -m``,
and remote execution such as ``docker compose exec -T app`` or ``kubectl exec pod --``, whose tail
runs elsewhere but still acts on the same data), then looks the tool up in ``TOOLS``: one
declarative entry per tool, one ``Effect`` per subcommand. Adding a tool is adding an entry;
``known_commands()`` renders the table for the docs.

Judgement calls, made once here so every rule agrees:

- a rollback (``artisan migrate:rollback``, ``rails db:rollback``, ``knex migrate:rollback``,
  ``sequelize db:migrate:undo``, ``typeorm migration:revert``, ``alembic downgrade``) drops the
  tables of what it undoes: DESTROY.
- ``doctrine:schema:update --force`` drops the columns the entities no longer map: DESTROY
  and MIGRATE, as TypeORM's ``synchronize`` is for CG206.
- what recreates a schema also migrates: ``rails db:reset``/``db:setup``/``db:schema:load``/
  ``db:migrate:reset``/``db:migrate:redo`` and ``prisma db push --accept-data-loss`` are DESTROY
  *and* MIGRATE (``rails db:reset`` also SEED), so a rule about migrations sees them too.
- ``prisma migrate dev`` is MIGRATE only, though it may offer a reset on drift (it asks first);
  ``rails db:prepare`` is MIGRATE only: it seeds nothing but a brand new database.
- a seed with an explicit "only when empty" flag (``IDEMPOTENT_SEED_FLAGS``) is not a seed.
- ``docker compose rm -v`` and ``docker rm -v`` delete the container's anonymous volumes, which
  is where a store without a named volume keeps its data: VOLUME_DESTROY.
- ``redis-cli bgsave``/``save`` write the snapshot a backup script then copies: BACKUP.
- a database dropped without a framework is DESTROY: ``mysqladmin drop``, ``dropdb``,
  ``redis-cli flushall``/``flushdb``, and the SQL a client is given (``mysql -e``, ``psql -c``:
  a ``DROP`` or ``TRUNCATE`` statement, read with sqlparse) or the script a MongoDB shell
  runs (``mongosh --eval 'db.dropDatabase()'``, read with tree-sitter).
- ``sh -c BODY`` after a remote wrapper is left to the shell layer: ``unwrap`` shows it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from composeguard.lint.parse import argv
from composeguard.lint.parse.location import Location


class Operation(enum.Enum):
    """The data effects rules care about: seeding, migrating, wiping data, deleting Docker
    volumes, and backing up (the one effect that is good news, for CG602)."""

    SEED = "seed"
    MIGRATE = "migrate"
    DESTROY = "destroy"
    VOLUME_DESTROY = "volume-destroy"
    BACKUP = "backup"


_S, _M, _D, _V, _B = (Operation.SEED, Operation.MIGRATE, Operation.DESTROY,
                      Operation.VOLUME_DESTROY, Operation.BACKUP)
_ORDER = (_D, _V, _M, _S, _B)

DATA_STEPS = (Operation.DESTROY, Operation.MIGRATE, Operation.SEED)
"""What a command does to a database's data that a deploy or a developer should decide, not a
container start: wipe it, migrate it, seed it. The one set CG601, CG203, CG205 and the split
read."""

IDEMPOTENT_SEED_FLAGS = ("--skip-if-populated", "--skip-if-seeded", "--if-empty", "--only-if-empty")
"""Flags with which a seeding command promises to leave a populated database alone."""


@dataclass(frozen=True, slots=True)
class Action:
    operation: Operation
    tool: str
    """The framework or tool, for messages: ``Laravel artisan``, ``Django manage.py``, ``Docker``."""
    command: str
    """A short canonical form for messages: ``artisan migrate --seed``, ``docker compose down -v``."""


@dataclass(frozen=True, slots=True)
class CodeCommand:
    """An artisan (or ``manage.py``) command that application code runs, as the words of the
    equivalent command line (``php artisan migrate:fresh --force``)."""

    words: tuple[str, ...]
    location: Location
    conditional: bool
    """Inside an ``if`` (or a ternary) whose condition reads the environment."""


@dataclass(frozen=True, slots=True)
class Effect:
    """What one subcommand does to data, and which of its flags change that."""

    ops: tuple[Operation, ...] = ()
    add: tuple[tuple[str, Operation], ...] = ()
    """A flag that adds an operation (``--seed``)."""
    drop: tuple[tuple[str, Operation], ...] = ()
    """A flag that removes one (``--skip-seed``, ``--append``)."""
    need: tuple[str, ...] = ()
    """Without one of these flags the command only reports (``--force``, ``--backup``)."""
    dry: tuple[str, ...] = ()
    """With one of these it only prints what it would do (``--pretend``, ``--sql``)."""
    args: tuple[tuple[str, tuple[Operation, ...]], ...] = ()
    """An argument that replaces the operations (``migrate APP zero`` rolls everything back)."""
    short_values: str = ""
    """Short options taking a value, so ``-vt 5`` is read as ``-v -t 5`` the way the tool does."""


def _fx(*ops: Operation, add: Mapping[str, Operation] | None = None,
        drop: Mapping[str, Operation] | None = None, need: tuple[str, ...] = (),
        dry: tuple[str, ...] = (), args: Mapping[str, tuple[Operation, ...]] | None = None,
        short_values: str = "") -> Effect:
    return Effect(ops, tuple((add or {}).items()), tuple((drop or {}).items()), need, dry,
                  tuple((args or {}).items()), short_values)


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    programs: tuple[str, ...]
    """Program names (path and ``@version`` dropped) that run this tool."""
    effects: Mapping[str, Effect]
    """Subcommand (``"migrate"``, two words ``"migrate deploy"``, ``""`` for the bare program)."""
    display: str
    every_task: bool = False
    """Every argument is a task (``rails db:create db:migrate db:seed``)."""
    abbreviations: bool = False
    """Symfony console: ``d:m:m`` is ``doctrine:migrations:migrate`` when unambiguous."""
    words: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", frozenset(w for k in self.effects for w in k.split()))


_ARTISAN_SEED = {"--seed": _S, "--seeder": _S}
_ARTISAN = {
    "db:seed": _fx(_S),
    "migrate": _fx(_M, add=_ARTISAN_SEED, dry=("--pretend",)),
    "migrate:fresh": _fx(_D, _M, add=_ARTISAN_SEED),
    "migrate:refresh": _fx(_D, _M, add=_ARTISAN_SEED),
    "migrate:reset": _fx(_D, dry=("--pretend",)),
    "migrate:rollback": _fx(_D, dry=("--pretend",)),
    "db:wipe": _fx(_D),
    "migrate:status": _fx(),
    "migrate:install": _fx(),
}
_DJANGO = {
    "migrate": _fx(_M, dry=("--plan", "--check", "--fake"), args={"zero": (_D,)}),
    "loaddata": _fx(_S), "flush": _fx(_D), "reset_db": _fx(_D),
    "seed": _fx(_S), "seed_db": _fx(_S), "load_fixtures": _fx(_S), "loadinitialdata": _fx(_S),
    "sqlflush": _fx(), "makemigrations": _fx(),
    # Flask-Script's manage.py (Flask-Migrate before Flask 1.0's CLI): ``manage.py db upgrade``
    "db upgrade": _fx(_M, dry=("--sql",)), "db downgrade": _fx(_D, dry=("--sql",)),
}
_RAILS = {
    "db:migrate": _fx(_M, args={"VERSION=0": (_D,)}), "db:migrate:up": _fx(_M),
    "db:seed": _fx(_S), "db:setup": _fx(_D, _M, _S), "db:prepare": _fx(_M),
    "db:reset": _fx(_D, _M, _S), "db:drop": _fx(_D), "db:drop:all": _fx(_D), "db:purge": _fx(_D),
    "db:schema:load": _fx(_D, _M), "db:structure:load": _fx(_D, _M),
    "db:seed:replant": _fx(_D, _S), "db:truncate_all": _fx(_D),
    "db:migrate:reset": _fx(_D, _M), "db:migrate:redo": _fx(_D, _M),
    "db:rollback": _fx(_D), "db:migrate:down": _fx(_D), "db:fixtures:load": _fx(_S),
}
_PRISMA = {
    "migrate deploy": _fx(_M), "migrate dev": _fx(_M, dry=("--create-only",)),
    "migrate reset": _fx(_D, _M, _S, drop={"--skip-seed": _S}),
    "db seed": _fx(_S),
    "db push": _fx(_M, add={"--force-reset": _D, "--accept-data-loss": _D}),
}
_KNEX = {"migrate:latest": _fx(_M), "migrate:up": _fx(_M), "seed:run": _fx(_S),
         "migrate:rollback": _fx(_D), "migrate:down": _fx(_D)}
_SEQUELIZE = {
    "db:migrate": _fx(_M), "db:seed:all": _fx(_S), "db:seed": _fx(_S), "db:drop": _fx(_D),
    "db:migrate:undo": _fx(_D), "db:migrate:undo:all": _fx(_D),
    "db:seed:undo": _fx(_D), "db:seed:undo:all": _fx(_D),
}
_TYPEORM = {"migration:run": _fx(_M), "schema:sync": _fx(_M), "schema:drop": _fx(_D),
            "migration:revert": _fx(_D)}
_ALEMBIC = {"upgrade": _fx(_M, dry=("--sql",)), "downgrade": _fx(_D, dry=("--sql",))}
_FLASK = {
    "db upgrade": _fx(_M, dry=("--sql",)), "db downgrade": _fx(_D, dry=("--sql",)),
    "seed": _fx(_S), "seed run": _fx(_S), "seed list": _fx(),
    "init-db": _fx(_D, _M),  # the Flask tutorial's command: drops and recreates the tables
}
_DOCTRINE = {
    "doctrine:migrations:migrate": _fx(_M, dry=("--dry-run", "--write-sql"),
                                       args={"first": (_D,), "prev": (_D,)}),
    # Alters the tables to the mapping, dropping the columns entities no longer map; Doctrine
    # says not to run it in production.
    "doctrine:schema:update": _fx(_D, _M, need=("--force", "-f")),
    "doctrine:schema:create": _fx(_M, dry=("--dump-sql",)),
    "doctrine:schema:drop": _fx(_D, need=("--force", "-f")),
    "doctrine:database:drop": _fx(_D, need=("--force", "-f")),
    "doctrine:fixtures:load": _fx(_D, _S, drop={"--append": _D}),
}
_DOWN_V = {"-v": _V, "--volumes": _V}
_COMPOSE = {"down": _fx(add=_DOWN_V, short_values="t"), "rm": _fx(add=_DOWN_V)}
_DOCKER = {
    **{f"compose {k}": v for k, v in _COMPOSE.items()},
    "volume rm": _fx(_V), "volume remove": _fx(_V), "volume prune": _fx(_V),
    "system prune": _fx(add={"--volumes": _V}),
    "rm": _fx(add=_DOWN_V), "container rm": _fx(add=_DOWN_V),
}
_ALWAYS = {"": _fx(_B)}

TOOLS: tuple[Tool, ...] = (
    Tool("Laravel artisan", ("artisan",), _ARTISAN, "artisan", abbreviations=True),
    Tool("Django manage.py", ("manage.py",), _DJANGO, "manage.py"),
    Tool("Django manage.py", ("django-admin", "django-admin.py", "django"), _DJANGO,
         "django-admin"),
    Tool("Rails", ("rails",), _RAILS, "rails", every_task=True),
    Tool("Rails", ("rake",), _RAILS, "rake", every_task=True),
    Tool("Prisma", ("prisma",), _PRISMA, "prisma"),
    Tool("Knex", ("knex",), _KNEX, "knex"),
    Tool("Sequelize", ("sequelize", "sequelize-cli"), _SEQUELIZE, "sequelize"),
    Tool("TypeORM", ("typeorm", "typeorm-ts-node-commonjs", "typeorm-ts-node-esm"), _TYPEORM,
         "typeorm"),
    Tool("Alembic", ("alembic",), _ALEMBIC, "alembic"),
    Tool("Flask", ("flask",), _FLASK, "flask"),
    Tool("Doctrine", ("console",), _DOCTRINE, "bin/console", abbreviations=True),
    Tool("Docker", ("docker",), _DOCKER, "docker"),
    Tool("Docker", ("docker-compose",), _COMPOSE, "docker-compose"),
    Tool("Podman", ("podman",), {**_DOCKER, "system reset": _fx(_V)}, "podman"),
    Tool("Podman", ("podman-compose",), _COMPOSE, "podman-compose"),
    Tool("MySQL", ("mysqldump", "mysqlpump"), _ALWAYS, "mysqldump"),
    Tool("MariaDB", ("mariadb-dump",), _ALWAYS, "mariadb-dump"),
    Tool("mydumper", ("mydumper",), _ALWAYS, "mydumper"),
    Tool("MariaDB", ("mariabackup", "mariadb-backup"), {"": _fx(_B, need=("--backup",))},
         "mariabackup"),
    Tool("Percona XtraBackup", ("xtrabackup",), {"": _fx(_B, need=("--backup",))}, "xtrabackup"),
    Tool("PostgreSQL", ("pg_dump",), _ALWAYS, "pg_dump"),
    Tool("PostgreSQL", ("pg_dumpall",), _ALWAYS, "pg_dumpall"),
    Tool("PostgreSQL", ("pg_basebackup",), _ALWAYS, "pg_basebackup"),
    Tool("pgBackRest", ("pgbackrest",), {"backup": _fx(_B)}, "pgbackrest"),
    Tool("WAL-G", ("wal-g",), {"backup-push": _fx(_B)}, "wal-g"),
    Tool("WAL-E", ("wal-e",), {"backup-push": _fx(_B)}, "wal-e"),
    Tool("Barman", ("barman",), {"backup": _fx(_B)}, "barman"),
    Tool("MongoDB", ("mongodump",), _ALWAYS, "mongodump"),
    Tool("Redis", ("redis-cli", "valkey-cli"),
         {"": _fx(_B, need=("--rdb",)), "bgsave": _fx(_B), "save": _fx(_B),
          "flushall": _fx(_D), "flushdb": _fx(_D)}, "redis-cli"),
    Tool("MySQL", ("mysqladmin", "mariadb-admin"), {"drop": _fx(_D)}, "mysqladmin"),
    Tool("PostgreSQL", ("dropdb",), {"": _fx(_D)}, "dropdb"),
    Tool("InfluxDB", ("influx", "influxd"), {"backup": _fx(_B)}, "influx"),
)
_BY_PROGRAM: dict[str, Tool] = {p: t for t in TOOLS for p in t.programs}


def unwrap(words: Sequence[str]) -> tuple[str, ...]:
    """:func:`composeguard.lint.parse.argv.unwrap` knowing this table's programs (``yarn knex``)."""
    return argv.unwrap(words, _BY_PROGRAM)


def _opts(text: str) -> frozenset[str]:
    return frozenset(text.split())


def tool_words(program: str, operation: Operation) -> frozenset[str]:
    """The subcommands of ``program`` (``artisan``) that always do ``operation``, from the
    table: ``tool_words("artisan", Operation.DESTROY)`` is ``migrate:fresh`` and its kin."""
    tool = _BY_PROGRAM[program]
    return frozenset(word for word, effect in tool.effects.items() if operation in effect.ops)


def _resolve(tool: Tool, word: str) -> str | None:
    """The table's word for ``word``, Symfony-style abbreviations (``d:m:m``) included."""
    word = word.lower()
    if word in tool.words:
        return word
    if not tool.abbreviations or ":" not in word:
        return None
    parts = word.split(":")
    hits = [w for w in tool.words if len(w.split(":")) == len(parts)
            and all(full.startswith(part) for part, full in zip(parts, w.split(":"), strict=True))]
    return hits[0] if len(hits) == 1 else None


def _operands(tool: Tool, rest: Sequence[str]) -> list[str]:
    """Resolved operands; a word right after an option is its value unless the table knows it."""
    out: list[str] = []
    after_option = False
    for word in rest:
        if word.startswith("-") and len(word) > 1:
            after_option = word != "--" and "=" not in word
            continue
        known = _resolve(tool, word)
        if not (after_option and known is None):
            out.append(known or word.lower())
        after_option = False
    return out


def _subcommands(tool: Tool, rest: Sequence[str]) -> list[str]:
    operands = _operands(tool, rest)
    if tool.every_task:
        return [w for w in operands if w in tool.effects]
    if operands and operands[0] in tool.words:
        pair = " ".join(operands[:2])
        return [pair] if pair in tool.effects else [operands[0]] if operands[0] in tool.effects \
            else []
    return [""] if "" in tool.effects else []


def _flag(rest: Sequence[str], flag: str, short_values: str = "") -> str | None:
    """``flag`` as it appears in ``rest`` (``--x``, ``--x=v``, or ``-v`` in a ``-fv`` cluster)."""
    for word in rest:
        if word == "--":
            return None
        if word == flag:
            return flag
        if flag.startswith("--") and word.startswith(flag + "="):
            if word[len(flag) + 1:].lower() not in {"false", "0", "no"}:
                return flag
        elif len(flag) == 2 and word.startswith("-") and not word.startswith("--"):
            for char in word[1:]:
                if char == flag[1]:
                    return flag
                if char in short_values or not char.isalpha():
                    break
    return None


def _apply(tool: Tool, key: str, effect: Effect, rest: Sequence[str]) -> list[Action]:
    if any(_flag(rest, f) for f in effect.dry):
        return []
    shown: list[str] = []
    if effect.need:
        needed = next((f for f in effect.need if _flag(rest, f, effect.short_values)), None)
        if needed is None:
            return []
        shown.append(needed)
    ops = list(effect.ops)
    arguments = {w.lower() for w in rest if not w.startswith("-")}
    for arg, replacement in effect.args:
        if arg.lower() in arguments:
            ops = list(replacement)
            shown.append(arg)
    for pairs, adding in ((effect.add, True), (effect.drop, False)):
        for flag, op in pairs:
            if _flag(rest, flag, effect.short_values) and (op in ops) != adding:
                ops = [*ops, op] if adding else [o for o in ops if o != op]
                shown.append(flag)
    if any(_flag(rest, f) for f in IDEMPOTENT_SEED_FLAGS):
        ops = [o for o in ops if o is not _S]
    command = " ".join(w for w in (tool.display, key, *dict.fromkeys(shown)) if w)
    return [Action(op, tool.name, command) for op in _ORDER if op in ops]


def classify(words: Sequence[str]) -> tuple[Action, ...]:
    """Every data effect of one simple command (empty when none).

    ``artisan migrate:fresh --seed`` -> DESTROY, MIGRATE, SEED; each action carries the
    canonical command that caused it, so a rule can quote it.
    """
    args = unwrap(words)
    given = _client_input(args)
    if given is not None:
        return given
    tool = _BY_PROGRAM.get(argv.program_name(args[0])) if args else None
    if tool is None or _flag(args[1:], "--help") or _flag(args[1:], "--version"):
        return ()
    rest = args[1:]
    return tuple(a for key in _subcommands(tool, rest)
                 for a in _apply(tool, key, tool.effects[key], rest))


SQL_CLIENTS = {"mysql": ("-e", "--execute"), "mariadb": ("-e", "--execute"),
               "psql": ("-c", "--command")}
"""Database clients given SQL on the command line, and the options that give it."""
SHELL_CLIENTS = {"mongosh": ("--eval",), "mongo": ("--eval",)}
"""Database shells given JavaScript to run."""
DROPPING_METHODS = frozenset({"dropDatabase", "drop", "deleteMany", "remove"})
"""MongoDB shell methods that throw data away (a collection's ``drop()``, ``deleteMany``...)."""


def _client_input(args: Sequence[str]) -> tuple[Action, ...] | None:
    """What the SQL or script a database client is given does: DESTROY for ``DROP`` or
    ``TRUNCATE`` read with sqlparse (``mysql -e 'DROP DATABASE app'``, ``psql -c 'DROP SCHEMA
    public CASCADE'``), or for ``db.dropDatabase()`` read with tree-sitter (``mongosh
    --eval``); None for a command that is no such client."""
    if not args:
        return None
    program = argv.program_name(args[0])
    options = SQL_CLIENTS.get(program) or SHELL_CLIENTS.get(program)
    if options is None:
        return None
    given: list[str] = []
    for i, word in enumerate(args[1:], start=1):
        name, equals, value = word.partition("=")
        if word in options and i + 1 < len(args):  # -e 'SQL', --execute 'SQL'
            given.append(args[i + 1])
        elif equals and name in options:  # --execute='SQL'
            given.append(value)
        elif not word.startswith("--") and word[:2] in options and len(word) > 2:  # -e'SQL'
            given.append(word[2:])
    for text in given:
        if program in SQL_CLIENTS:
            import sqlparse

            for statement in sqlparse.parse(text):
                words = [t.normalized for t in statement.flatten()  # type: ignore[no-untyped-call]
                         if not t.is_whitespace and t.ttype not in sqlparse.tokens.Comment]
                if words[:1] in (["DROP"], ["TRUNCATE"]):
                    # the statement's first words only: what follows may hold a password
                    shown = " ".join(words[:3])
                    return (Action(_D, "SQL", f"{program} {options[0]} '{shown} ...'"),)
        else:
            from composeguard.lint.facts.appschema import called_methods

            dropping = sorted(called_methods(text) & DROPPING_METHODS)
            if dropping:
                return (Action(_D, "MongoDB", f"{program} --eval '...{dropping[0]}()'"),)
    return ()


_NPM_SCRIPTS = {"start": "start", "test": "test", "t": "test", "tst": "test",
                "restart": "restart", "stop": "stop"}
_BUILTINS = {
    "yarn": _opts(
        "add audit autoclean bin cache check config constraints create dedupe dlx exec explain "
        "generate-lock-entry global help import info init install licenses link list login "
        "logout node npm outdated owner pack patch patch-commit plugin policies publish "
        "rebuild remove search set stage tag team unlink unplug up upgrade upgrade-interactive "
        "version versions why workspace workspaces"),
    "pnpm": _opts(
        "add approve-builds audit bin c cache config create dedupe deploy dlx doctor env exec "
        "fetch i import init install install-test it la licenses link ll ln list ls outdated "
        "pack patch patch-commit patch-remove prune publish rb rebuild recursive remove rm root "
        "self-update server setup store un uninstall unlink up update upgrade why"),
}


def package_script(words: Sequence[str]) -> tuple[str, str] | None:
    """(manager, script name) when the command runs a package.json script, else None.

    ``npm start`` -> ("npm", "start"); ``yarn seed`` and ``pnpm seed`` are scripts, but their
    built-in commands (``yarn install``) are not.
    """
    args = unwrap(words)
    manager = argv.program_name(args[0]) if args else ""
    if manager not in {"npm", "yarn", "pnpm", "bun"}:
        return None
    i = argv.skip_options(args, 1, argv.PM_GLOBALS[manager])
    sub = args[i] if i < len(args) else ""
    if sub in {"run", "run-script", "rum", "urn"}:
        j = argv.skip_options(args, i + 1, argv.PM_GLOBALS[manager])
        return (manager, args[j]) if j < len(args) else None
    if manager == "npm":
        return ("npm", _NPM_SCRIPTS[sub]) if sub in _NPM_SCRIPTS else None
    if manager in _BUILTINS and sub and sub not in _BUILTINS[manager]:
        return (manager, "test" if manager == "pnpm" and sub == "t" else sub)
    return None


_VERBS = {_D: "wipes data", _V: "deletes Docker volumes", _M: "migrates", _S: "seeds",
          _B: "backs up"}


def describe(actions: Iterable[Action]) -> str:
    """A phrase for messages: ``wipes data, migrates and seeds (artisan migrate:fresh --seed)``."""
    actions = tuple(actions)
    verbs = [_VERBS[op] for op in _ORDER if any(a.operation is op for a in actions)]
    if not verbs:
        return ""
    said = verbs[0] if len(verbs) == 1 else f"{', '.join(verbs[:-1])} and {verbs[-1]}"
    return f"{said} ({', '.join(dict.fromkeys(a.command for a in actions))})"


def known_commands() -> tuple[tuple[str, str, tuple[Operation, ...]], ...]:
    """(tool, command, base operations) for every table entry, for the docs to render."""
    return tuple((t.name, " ".join(w for w in (t.display, k) if w), e.ops)
                 for t in TOOLS for k, e in t.effects.items())


DEVELOPMENT_SERVERS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "manage.py": (("runserver",), ("runserver_plus",)),
    "django-admin": (("runserver",),),
    "artisan": (("serve",),),
    "symfony": (("serve",), ("server:start",)),
    "flask": (("run", "--debug"), ("run", "--reload")),
    "uvicorn": (("--reload",),),
    "hypercorn": (("--reload",),),
    "gunicorn": (("--reload",),),
    "nodemon": ((),),
    "ts-node-dev": ((),),
    "next": (("dev",),),
    "nuxt": (("dev",),),
    "nuxi": (("dev",),),
    "vite": ((),),
    "webpack-dev-server": ((),),
    "ng": (("serve",),),
    "nest": (("start", "--watch"), ("start", "-w")),
    "tsx": (("watch",),),
    "node": (("--watch",),),
}
"""Programs (and the words they need) that only a development setup runs: a service started
this way is a development service whatever its file is called."""


def development_server(words: Sequence[str]) -> str | None:
    """``manage.py runserver`` for a command that starts a development server, else None."""
    if words and argv.program_name(words[0]) == "php" and "-S" in words:
        return "php -S"
    return _started(DEVELOPMENT_SERVERS, words)


SCHEDULING_WORKERS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "sidekiq": ((),),
    "artisan": (("horizon",), ("queue:work", "redis"), ("queue:listen", "redis")),
    "rqscheduler": ((),),
}
"""Job workers that keep future work in the store they use: Sidekiq's scheduled and retry sets
(https://github.com/sidekiq/sidekiq/wiki/Using-Redis), Laravel's delayed jobs on a Redis queue
(Horizon runs only on Redis), RQ Scheduler's schedule. Whatever a cache or broker holds
besides that is rebuilt or re-sent; a schedule is the app's own data."""


def scheduling_worker(words: Sequence[str]) -> str | None:
    """``sidekiq`` for a command that runs a job worker keeping its schedule in a store."""
    return _started(SCHEDULING_WORKERS, words)


def _started(table: Mapping[str, tuple[tuple[str, ...], ...]], words: Sequence[str]
             ) -> str | None:
    args = unwrap(words)
    if not args:
        return None
    program = argv.program_name(args[0])
    for needed in table.get(program, ()):
        if all(word in args[1:] for word in needed):
            return " ".join((program, *needed))
    return None


NO_CLOBBER = frozenset({"-n", "--no-clobber", "--update=none", "--update=none-fail"})


def copies_example_env(words: Sequence[str], redirects: Sequence[tuple[str, str]]) -> str | None:
    """The example env file a command copies over the app's ``.env`` (``cp .env.example
    .env``, ``cat .env.dist > .env``), or None; ``cp -n`` leaves an existing one alone. What
    names a template is :func:`~composeguard.lint.facts.envroles.repository_role`'s judgement."""
    from composeguard.lint.facts.envroles import repository_role

    def example(word: str) -> bool:
        return repository_role(word.rsplit("/", 1)[-1]) == "template"

    def is_env(word: str) -> bool:
        return word.rsplit("/", 1)[-1] == ".env"

    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program == "cp" and len(words) >= 3:
        flags = [w for w in words[1:] if w.startswith("-")]
        operands = [w for w in words[1:] if not w.startswith("-")]
        if (len(operands) == 2 and example(operands[0]) and is_env(operands[1])
                and not NO_CLOBBER.intersection(flags)
                and not any(f.startswith("-") and not f.startswith("--") and "n" in f
                            for f in flags)):
            return operands[0]
    if program == "cat" and len(words) == 2 and example(words[1]) and any(
            op in (">", ">|") and is_env(target) for op, target in redirects):
        return words[1]
    return None


def env_file_writes(words: Sequence[str], redirects: Sequence[tuple[str, str]]
                    ) -> list[tuple[str, str, str]]:
    """The ``NAME=value`` settings a command writes into an env file, as (file, name, value):
    ``echo "DB_PASSWORD=s3cret" >> .env``, ``printf 'A=1\\nB=2\\n' > .env.production``, and
    the replacement of ``sed -i 's/^DB_PASSWORD=.*/DB_PASSWORD=s3cret/' .env``. An env file
    is one whose name starts with ``.env`` or ends with ``.env``."""
    from composeguard.lint.facts.envroles import is_env_file_name

    def env_file(word: str) -> bool:
        return is_env_file_name(word.rsplit("/", 1)[-1])

    def settings(text: str) -> list[tuple[str, str]]:
        found = []
        for line in text.replace("\\n", "\n").splitlines():
            name, equals, value = line.strip().removeprefix("export ").partition("=")
            if equals and name and name.replace("_", "").isalnum() and not name[0].isdigit():
                found.append((name, value.strip().strip("'\"")))
        return found

    if not words:
        return []
    program = words[0].rsplit("/", 1)[-1]
    targets = [target for op, target in redirects if op in (">", ">>", ">|") and env_file(target)]
    if program in ("echo", "printf") and targets:
        body = [w for w in words[1:] if not (program == "echo" and w in ("-e", "-n", "-en"))]
        return [(targets[0], name, value) for word in body for name, value in settings(word)]
    if program == "sed" and any(w == "-i" or w.startswith(("-i", "--in-place")) for w in words):
        files = [w for w in words[1:] if env_file(w)]
        scripts = [w for w in words[1:] if len(w) > 3 and w[0] == "s" and not w[1].isalnum()]
        found: list[tuple[str, str, str]] = []
        for script in scripts if files else ():
            parts = script[2:].split(script[1])
            if len(parts) >= 2:
                found.extend((files[0], name, value) for name, value in settings(parts[1]))
        return found
    return []


def rewrites_app_key(words: Sequence[str]) -> bool | None:
    """For ``artisan key:generate`` (not ``--show``, which only prints one): whether it is
    forced (``--force``, which also writes in production); None for any other command."""
    args = unwrap(words)
    if len(args) < 2 or argv.program_name(args[0]) != "artisan" or args[1] != "key:generate" \
            or "--show" in args[2:]:
        return None
    return "--force" in args[2:]


def generates_migrations(words: Sequence[str]) -> str | None:
    """``manage.py makemigrations`` for a command that writes new migrations from the models
    (``--check`` and ``--dry-run`` only report), else None."""
    args = unwrap(words)
    if len(args) < 2 or argv.program_name(args[0]) not in ("manage.py", "django-admin") \
            or args[1] != "makemigrations" or {"--check", "--dry-run"} & set(args[2:]):
        return None
    return f"{argv.program_name(args[0])} makemigrations"
