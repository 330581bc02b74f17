"""CG5xx: production guards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from composeguard.lint.finding import Finding, Location, Severity
from composeguard.lint.nodes import Node, scalar_text
from composeguard.lint.project import Project
from composeguard.rules.base import Example, Rule, rule

# -- CG502 database-port-published -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublishedPort:
    """One ``ports:`` entry as Compose reads it (short ``[ip:][host:]container[/proto]`` or
    long syntax); ``host_ip`` is "" and ``published`` is "" when not given."""

    host_ip: str
    published: str
    targets: range
    protocol: str = "tcp"
    long_syntax: bool = False

    @property
    def all_interfaces(self) -> bool:
        """Bound to every host address: no ``host_ip``, ``0.0.0.0`` or ``::``."""
        import ipaddress

        if not self.host_ip:
            return True
        try:
            return ipaddress.ip_address(self.host_ip).is_unspecified
        except ValueError:
            return False


def _port_range(text: str) -> range | None:
    start, _, end = text.strip().partition("-")
    if not start.isdigit() or (end and not end.isdigit()):
        return None
    return range(int(start), int(end or start) + 1)


def parse_port(item: Node) -> PublishedPort | None:
    """A ``ports:`` item split as compose-go does (IPv6 host IPs in brackets or bare), or None
    when it cannot be read."""
    if item.is_map:
        target = item.get("target")
        targets = _port_range(scalar_text(target.value)) if target is not None else None
        if targets is None:
            return None
        text = {k: scalar_text(n.value) if (n := item.get(k)) is not None else ""
                for k in ("host_ip", "published", "protocol")}
        return PublishedPort(text["host_ip"].strip("[]"), text["published"], targets,
                             text["protocol"].lower() or "tcp", long_syntax=True)
    if not item.is_scalar or item.value is None or isinstance(item.value, bool | float):
        return None
    spec, _, protocol = scalar_text(item.value).strip().partition("/")
    parts = spec.split(":")
    host_ip, published = ":".join(parts[:-2]), parts[-2] if len(parts) > 1 else ""
    targets = _port_range(parts[-1])
    if targets is None:
        return None
    return PublishedPort(host_ip.strip("[]"), published, targets, protocol.lower() or "tcp")


def _loopback_suggestion(item: Node, port: PublishedPort) -> str:
    if port.long_syntax:
        return "set `host_ip: 127.0.0.1`"
    if item.template is not None:
        return "write `127.0.0.1:` in front of the host port"
    target = f"{port.targets.start}" + (f"-{port.targets.stop - 1}" if len(port.targets) > 1 else "")
    protocol = f"/{port.protocol}" if "/" in scalar_text(item.value) else ""
    return f"write `127.0.0.1:{port.published}:{target}{protocol}`"


@rule(
    code="CG502",
    name="database-port-published",
    severity=Severity.WARNING,
    summary="A data store's client port published on every host interface in production.",
    what="""
        Reports, in production-facing compose files, a `ports:` entry of a data-store service
        that publishes one of the store's client ports (mysql 3306, postgres 5432, mongo
        27017, redis 6379, elasticsearch 9200/9300, rabbitmq's AMQP/MQTT/STOMP ports, ...) on
        all host interfaces: no host IP (`"3306:3306"`, an ephemeral `"3306"`, a range,
        `${DB_PORT:-3306}:3306` as interpolated), `0.0.0.0` or `[::]`, short or long syntax.
        Binding to a loopback address (`127.0.0.1:3306:3306`, `[::1]:...`,
        `host_ip: 127.0.0.1`) or to one chosen address, `expose:`, and development and test
        files are fine. Admin web UIs (rabbitmq management on 15672) and HTTP APIs made to face clients
        (minio's S3 API, meilisearch, typesense) are not client ports here.
    """,
    why="""
        A published port is reachable from every network the server is on, and Docker writes
        its own iptables rules, so host firewalls such as ufw do not stop it. An internet-facing
        database is scanned within minutes: a guessed or leaked password, or none, and its
        data is read, ransomed or dropped. Other containers reach the database over the
        Compose network without any published port.
    """,
    example="""
        services:
          db:
            image: postgres:16
            ports:
              - "5432:5432"
    """,
    use_instead="""
        services:
          db:
            image: postgres:16
            ports:
              - "127.0.0.1:5432:5432"   # or no ports at all: the app uses db:5432
    """,
    references=("https://docs.docker.com/engine/network/packet-filtering-firewalls/",
                "https://docs.docker.com/reference/compose-file/services/#ports"),
    examples=(
        Example({"compose.yaml": "services:\n  db:\n    image: mysql:8.4\n    ports:\n"
                 "      - \"3306:3306\"\n      - 127.0.0.1:33060:33060\n"},
                expect=(("compose.yaml", 5),), title="short syntax, and loopback"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    ports:\n"
                 "      - \"5432\"\n      - \"[::]:5433:5432\"\n      - \"[::1]:5434:5432\"\n"},
                expect=(("compose.yaml", 5), ("compose.yaml", 6)),
                title="ephemeral host port and IPv6 any-address"),
        Example({"compose.yaml": "services:\n  db:\n    image: mongo:7\n    ports:\n"
                 "      - target: 27017\n        published: \"27017\"\n"
                 "      - target: 27017\n        published: \"27018\"\n        host_ip: 127.0.0.1\n"},
                expect=(("compose.yaml", 5),), title="long syntax"),
        Example({"compose.yaml": "services:\n  db:\n    image: mariadb:11\n    ports:\n"
                 "      - ${DB_PORT:-3306}:3306\n"},
                expect=(("compose.yaml", 5),), title="interpolated host port"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    expose:\n"
                 "      - \"5432\"\n  cache:\n    image: memcached:1.6\n    ports:\n"
                 "      - \"11211:11211\"\n"},
                title="expose, and memcached is not a data store"),
        Example({"compose.yaml": "services:\n  queue:\n    image: rabbitmq:3-management\n"
                 "    hostname: queue\n    ports:\n      - \"15672:15672\"\n      - \"5672:5672\"\n"},
                expect=(("compose.yaml", 7),), title="rabbitmq: AMQP, not the management UI"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n",
                 "compose.override.yaml": "services:\n  db:\n    ports:\n      - \"5432:5432\"\n"},
                title="published only in the development override"),
        Example({"compose.yaml": "x-db-ports: &db-ports\n  - \"6379:6379\"\nservices:\n"
                 "  redis:\n    image: redis:7\n    ports: *db-ports\n"},
                expect=(("compose.yaml", 2),), title="through an alias: at the anchor"),
    ),
)
def database_port_published(self: Rule, project: Project) -> Iterator[Finding]:
    seen: set[Location] = set()
    for model, service in project.production_services():
        store = project.data_store(service)
        ports = service.get("ports")
        if store is None or not store.client_ports or ports is None or not ports.is_list:
            continue
        for item in ports.value:
            port = parse_port(item)
            if port is None or port.protocol != "tcp" or not port.all_interfaces:
                continue
            exposed = [p for p in store.client_ports if p in port.targets]
            if not exposed or item.loc in seen:
                continue
            seen.add(item.loc)
            listed = ", ".join(map(str, exposed))
            yield self.finding(item.loc, (
                f"service '{service.name}' ({store.name}) publishes its client port"
                f"{'s' if len(exposed) > 1 else ''} {listed} on every host interface, "
                "past host firewalls such as ufw: anyone who reaches the server can try "
                f"to log in; {_loopback_suggestion(item, port)} or drop the mapping (other "
                "services reach it over the Compose network)"))
