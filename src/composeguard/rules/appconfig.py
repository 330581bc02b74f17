"""CG3xx: application configuration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from composeguard.lint.compose import ComposeModel
from composeguard.lint.datastores import AuthSwitch, Credential
from composeguard.lint.finding import Finding, Location, Severity
from composeguard.lint.interpolate import InvalidTemplate, substitute
from composeguard.lint.nodes import Node, scalar_text
from composeguard.lint.project import Project
from composeguard.rules.base import Example, Rule, rule

# -- CG303 hardcoded-database-credential ------------------------------------------------------

_SET_MARK = "\x00"


@dataclass(frozen=True, slots=True)
class _Written:
    """How a value is written in the compose file: a literal, only a fallback default of
    ``${VAR:-...}`` (``variables`` names what must be unset for it to apply), or neither."""

    literal: bool
    fallback: bool
    variables: tuple[str, ...] = ()
    value_when_unset: str = ""


def _judge_text(text: str) -> _Written:
    """Whether ``text`` (as written, ``${}`` included) puts literal characters in the value."""
    if "$" not in text:
        return _Written(literal=bool(text), fallback=False, value_when_unset=text)
    try:
        unset = substitute(text, lambda _: None)
        when_set = substitute(text, lambda _: _SET_MARK).value
    except InvalidTemplate:
        return _Written(literal=True, fallback=False, value_when_unset=text)
    names = tuple(dict.fromkeys(unset.used))
    if when_set.replace(_SET_MARK, ""):
        return _Written(True, False, names, unset.value)
    return _Written(False, bool(unset.value), names, unset.value)


class _WrittenValues:
    """Environment values as the compose files spell them, before ``.env`` filled in a bare
    ``KEY`` and before interpolation: the only text that is written in the repository."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._index: dict[Path, dict[tuple[str, int, int], Node]] = {}

    def text(self, model: ComposeModel, node: Node) -> str | None:
        """The value's written text; None when it is not written in a compose file of
        ``model`` (an ``env_file`` line) or is a bare name Compose takes from the environment."""
        path = node.loc.path
        if path not in model.base_dirs and all(f.path != path for f in model.files):
            return None
        index = self._index.get(path)
        if index is None:
            index = self._index[path] = _index(self._project.compose_file(path).root)
        if node.key_loc is not None:
            raw = index.get(("key", node.key_loc.line, node.key_loc.column))
            if raw is not None:
                return scalar_text(raw.value) if raw.is_scalar and raw.value is not None else None
        else:
            raw = index.get(("item", node.loc.line, node.loc.column))
            if raw is not None:
                if not raw.is_scalar or raw.value is None:
                    return None
                _, sep, value = scalar_text(raw.value).partition("=")
                return value if sep else None
        return node.template if node.template is not None else scalar_text(node.value)


def _index(root: Node | None) -> dict[tuple[str, int, int], Node]:
    index: dict[tuple[str, int, int], Node] = {}
    for node in root.walk() if root is not None else ():
        for child in node.value.values() if node.is_map else ():
            if child.key_loc is not None:
                index[("key", child.key_loc.line, child.key_loc.column)] = child
        if node.is_list:
            for item in node.value:
                index[("item", item.loc.line, item.loc.column)] = item
    return index


def _secret_text(written: str, credential: Credential) -> str:
    """The part of the written value that is the secret (``neo4j/<password>``)."""
    if credential.after is None:
        return written
    head, sep, tail = written.partition(credential.after)
    if sep and "$" not in head:
        return tail
    return written if "$" in written else ""


def _unset_clause(names: tuple[str, ...]) -> str:
    if not names:
        return "whenever its variable is unset on the server"
    listed = ", ".join(names)
    return f"whenever {listed} {'is' if len(names) == 1 else 'are'} unset on the server"


def _credential_message(where: str, credential: Credential, written: _Written) -> str:
    variable = credential.variable
    if written.fallback:
        first = written.variables[0] if written.variables else variable
        return (f"{where}: {variable} falls back to a credential written in the compose file "
                f"{_unset_clause(written.variables)}; require the variable instead "
                f"(`${{{first}:?}}`)")
    secret = f" or a Compose secret (`{variable}_FILE` with `secrets:`)" \
        if credential.secret_file and credential.after is None else ""
    return (f"{where}: {variable} is a credential written in the compose file, readable by "
            f"anyone with the repository or its history; take it from the server's environment "
            f"(`${{{variable}:?}}`){secret}")


def _switch_message(where: str, switch: AuthSwitch, written: _Written) -> str | None:
    value = written.value_when_unset.strip()
    if not value or (switch.values is not None and value.lower() not in switch.values):
        return None
    if written.fallback:
        setting = (f"{switch.variable} falls back to `{value}` "
                   f"{_unset_clause(written.variables)}, which")
    else:
        setting = f"{switch.variable}={value}"
    effect = "lets clients connect without a password"
    if switch.values is None:
        effect = "allows a root account without a password"
        if value.lower() in ("no", "false", "0", "off"):
            effect += f" (the image takes any non-empty value, even `{value}`, as yes)"
    return (f"{where}: {setting} {effect}; remove it and give the store a password from the "
            "server's environment")


@rule(
    code="CG303",
    name="hardcoded-database-credential",
    severity=Severity.WARNING,
    summary="A data store's password written literally in a production-facing compose file.",
    what="""
        Reports, in production-facing compose files, a data store's password given as a literal
        (`MYSQL_ROOT_PASSWORD: root`, `POSTGRES_PASSWORD=postgres`, `MONGO_INITDB_ROOT_PASSWORD`,
        `RABBITMQ_DEFAULT_PASS`, `MINIO_ROOT_PASSWORD`, `MSSQL_SA_PASSWORD`, `ELASTIC_PASSWORD`,
        the password of `NEO4J_AUTH`...), a literal fallback inside an interpolation
        (`${DB_PASSWORD:-secret}`: the password in use whenever the variable is unset on the
        server), and settings that turn authentication off: `MYSQL_ALLOW_EMPTY_PASSWORD` or
        `MARIADB_ALLOW_EMPTY_ROOT_PASSWORD` with any non-empty value (even `no`),
        `POSTGRES_HOST_AUTH_METHOD: trust`, Bitnami's `ALLOW_EMPTY_PASSWORD=yes`,
        `NEO4J_AUTH=none`. The service is judged as Compose runs it with the production
        file; the finding points at the line that writes the value (the anchor's definition
        when it came through an alias). A value that is only `${VAR}`/`${VAR:?msg}`, a
        `*_FILE` secret, an empty value, a value from an `env_file`, and development and
        test files are fine. The message never contains the secret.
    """,
    why="""
        A password in the compose file is in every clone of the repository and in its history
        forever, and a well-known one (`root`, `postgres`, `secret`) is the first an attacker
        tries. Whoever gets in can read, encrypt for ransom or drop the production data; a
        database without authentication needs no guessing at all.
    """,
    example="""
        services:
          db:
            image: mysql:8.4
            environment:
              MYSQL_ROOT_PASSWORD: root
              MYSQL_PASSWORD: ${DB_PASSWORD:-secret}
    """,
    use_instead="""
        services:
          db:
            image: mysql:8.4
            environment:
              MYSQL_ROOT_PASSWORD_FILE: /run/secrets/mysql_root_password
              MYSQL_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD on the server}
            secrets:
              - mysql_root_password
        secrets:
          mysql_root_password:
            environment: MYSQL_ROOT_PASSWORD
    """,
    references=("https://hub.docker.com/_/mysql#environment-variables",
                "https://hub.docker.com/_/postgres#postgres_host_auth_method",
                "https://docs.docker.com/compose/how-tos/use-secrets/"),
    examples=(
        Example({"compose.yaml": "services:\n  db:\n    image: mysql:8.4\n    environment:\n"
                 "      MYSQL_ROOT_PASSWORD: root\n      MYSQL_DATABASE: shop\n"},
                expect=(("compose.yaml", 5),), title="mapping form"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                 "      - POSTGRES_USER=shop\n      - POSTGRES_PASSWORD=postgres\n"},
                expect=(("compose.yaml", 6),), title="list form"),
        Example({"compose.yaml": "services:\n  db:\n    image: mariadb:11\n    environment:\n"
                 "      MARIADB_ROOT_PASSWORD: ${MARIADB_ROOT_PASSWORD}\n"
                 "      MARIADB_PASSWORD: ${DB_PASSWORD:?set it}\n      MARIADB_USER: shop\n"},
                title="interpolation only"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                 "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}\n"},
                expect=(("compose.yaml", 5),), title="a literal fallback default"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                 "      POSTGRES_PASSWORD_FILE: /run/secrets/pg\n    secrets: [pg]\n"
                 "secrets:\n  pg:\n    file: ./pg_password.txt\n"},
                title="_FILE variant with a Compose secret"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                 "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}\n",
                 "compose.override.yaml": "services:\n  db:\n    environment:\n"
                 "      POSTGRES_PASSWORD: postgres\n"},
                title="a literal only in the development override"),
        Example({"compose.yaml": "services:\n  db:\n    image: mysql:8.4\n    environment:\n"
                 "      MYSQL_ROOT_PASSWORD: root\n",
                 "compose.prod.yaml": "services:\n  db:\n    restart: always\n"},
                expect=(("compose.yaml", 5),), title="a literal in the base the prod file keeps"),
        Example({"compose.yaml": "services:\n  db:\n    image: mysql:8.4\n    environment:\n"
                 "      MYSQL_ROOT_PASSWORD: root\n",
                 "compose.prod.yaml": "services:\n  db:\n    environment:\n"
                 "      MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD:?}\n"},
                title="the prod file replaces the base's literal"),
        Example({"compose.yaml": "x-db-env: &db-env\n  MONGO_INITDB_ROOT_USERNAME: admin\n"
                 "  MONGO_INITDB_ROOT_PASSWORD: example\nservices:\n  db:\n    image: mongo:7\n"
                 "    environment:\n      <<: *db-env\n"},
                expect=(("compose.yaml", 3),), title="through a merge key: at the anchor"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                 "      POSTGRES_HOST_AUTH_METHOD: trust\n"},
                expect=(("compose.yaml", 5),), title="authentication turned off"),
        Example({"compose.yaml": "services:\n  db:\n    image: mysql:8.4\n    environment:\n"
                 "      MYSQL_ALLOW_EMPTY_PASSWORD: \"no\"\n"},
                expect=(("compose.yaml", 5),), title="any non-empty value allows it, even no"),
        Example({"compose.yaml": "services:\n  db:\n    image: mysql:8.4\n    env_file: db.env\n"
                 "    environment:\n      MYSQL_ROOT_PASSWORD:\n      MYSQL_REPLICATION_PASSWORD: \"\"\n",
                 "db.env": "MYSQL_PASSWORD=from-env-file\n", ".env": "MYSQL_ROOT_PASSWORD=x\n"},
                title="env_file values, bare names and empty values are not written passwords"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                 "      - POSTGRES_PASSWORD\n", ".env": "POSTGRES_PASSWORD=from-dotenv\n"},
                title="a bare name in list form takes its value from .env"),
        Example({"docker-compose.test.yml": "services:\n  db:\n    image: postgres:16\n"
                 "    environment:\n      POSTGRES_PASSWORD: postgres\n"}, title="test file"),
    ),
)
def hardcoded_database_credential(self: Rule, project: Project) -> Iterator[Finding]:
    written_values = _WrittenValues(project)
    seen: set[Location] = set()
    for model, service in project.production_services():
        store = project.data_store(service)
        if store is None:
            continue
        environment = service.environment
        where = f"service '{service.name}' ({store.name})"
        checks: list[tuple[Node, str | None]] = []
        for credential in store.credentials:
            node = environment.get(credential.variable)
            text = written_values.text(model, node) if node is not None else None
            if node is None or text is None:
                continue
            judged = _judge_text(_secret_text(text, credential))
            if judged.literal or judged.fallback:
                checks.append((node, _credential_message(where, credential, judged)))
        for switch in store.auth_switches:
            node = environment.get(switch.variable)
            text = written_values.text(model, node) if node is not None else None
            if node is not None and text is not None:
                checks.append((node, _switch_message(where, switch, _judge_text(text))))
        for node, message in checks:
            if message is not None and node.anchor_loc not in seen:
                seen.add(node.anchor_loc)
                yield self.finding(node.anchor_loc, message)
