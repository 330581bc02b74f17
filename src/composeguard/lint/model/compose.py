"""The Compose model rules read: files, the environment each serves, services and mounts.

Everything here is derived from located :class:`~composeguard.lint.parse.nodes.Node`s, so a rule can
always point at the key or list item a person would edit.
"""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from composeguard.lint.parse.fastyaml import read_compose_nodes
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node, from_ruamel, scalar_text
from composeguard.lint.parse.yamlio import YamlLoadError, parse_yaml, read_text

BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")

PRODUCTION_MARKERS = frozenset({"prod", "production", "staging", "stage", "live", "qa", "uat",
                                "preprod", "preproduction"})
"""Names of deployed environments: QA, UAT and staging keep data someone relies on too."""
PRODUCTION_VALUES = frozenset({"production", "prod"})
"""The values of APP_ENV, RAILS_ENV, NODE_ENV... (and build arguments) that name production."""
DEVELOPMENT_MARKERS = frozenset({"override", "dev", "development", "local", "devcontainer"})
DEVELOPMENT_DIRS = frozenset({".devcontainer", ".ddev", ".lando", ".docksal"})
"""Folders of local development tools: every compose file in them serves development."""
TEST_MARKERS = frozenset({"test", "tests", "testing", "ci", "e2e"})
MOCK_MARKERS = frozenset({"mock", "mocks", "fake", "fakes", "stub", "stubs", "debug"})
"""Words of a profile whose services stand in for what production has for real."""
EXAMPLE_MARKERS = frozenset({"example", "examples", "sample", "samples", "tutorial", "preview",
                             "uffizzi"})
"""Names of setups that show how, or preview a branch: nobody's data lives there."""
DEVELOPMENT_FOLDERS = frozenset({"dev", "development", "local"})
TEST_FOLDERS = frozenset({"test", "tests", "testing", "e2e", "cypress", "playwright"})
PRODUCTION_FOLDERS = frozenset({"prod", "production", "staging", "deploy", "deployment",
                                "deployments"})
EXAMPLE_FOLDERS = frozenset({"docs", "doc", "documentation", "example", "examples", "sample",
                             "samples", "tutorial", "tutorials", "uffizzi", "preview"})
"""Folders below the checked path whose name says what every compose file in them is for
(``docker/development/compose.yaml``, ``deploy/compose.yaml``, ``docs/install/``)."""


class Environment(enum.Enum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"
    TEST = "test"
    EXAMPLE = "example"
    """Documentation, samples, templates rendered by hand, preview environments: only what
    stops Compose from running is reported there."""

    @property
    def production_facing(self) -> bool:
        return self is Environment.PRODUCTION


_STEM_WORDS = (("docker", "compose"), ("podman", "compose"), ("compose",))


def _name_parts(name: str) -> tuple[list[str], list[str]] | None:
    """The words before and after the compose stem of a ``.yml``/``.yaml`` name, or None when
    the name has no stem: ``prod-docker-compose.yml`` -> (["prod"], []),
    ``docker-compose.override.yml`` -> ([], ["override"]), ``app.compose.yml`` -> (["app"], [])."""
    lower = name.lower()
    stem, dot, extension = lower.rpartition(".")
    if not dot or extension not in ("yml", "yaml") or not stem:
        return None
    words = [w for w in re.split(r"[._\-]+", stem) if w]
    for wanted in _STEM_WORDS:
        size = len(wanted)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) == wanted:
                return words[:start], words[start + size :]
    return None


def is_compose_file_name(name: str) -> bool:
    """Every name Compose users give their files, case-insensitive, ``.yml`` or ``.yaml``:
    ``compose.yaml``, ``docker-compose.prod.yml``, ``docker-compose-production.yml``,
    ``prod-docker-compose.yml``, ``dev.docker-compose.yml``, ``app.compose.yml``,
    ``compose-mysql.yml``, ``podman-compose.yml``."""
    return _name_parts(name) is not None


def name_markers(name: str) -> list[str]:
    """The words around the compose stem, extension aside: ``docker-compose.prod.yml`` ->
    [prod], ``prod-docker-compose.yml`` -> [prod], ``compose.yaml`` -> []."""
    parts = _name_parts(name)
    return [*parts[0], *parts[1]] if parts is not None else []


def name_words(text: str) -> set[str]:
    """The lowercase letter-and-digit runs of a name or path: ``deploy/Prod-db.sh`` ->
    {deploy, prod, db, sh}. What marks a file, folder, target or job for an environment."""
    return set(word_runs(text.lower()))


def class_name_words(text: str) -> set[str]:
    """:func:`name_words` of a name that may be written in CamelCase, as PHP and Java class
    files are: ``ResetDemoCommand`` -> {reset, demo, command}."""
    spaced = "".join(f" {char}" if char.isupper() and index and text[index - 1].islower()
                     else char for index, char in enumerate(text))
    return name_words(spaced)


def word_runs(text: str, also: str = "") -> list[str]:
    """The runs of letters, digits and the characters of ``also``, in order:
    ``word_runs("a-b_c", "_")`` -> [a, b_c]."""
    words, current = [], []
    for char in text:
        if char.isalnum() or char in also:
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


@dataclass(frozen=True, slots=True)
class ComposeFile:
    """One compose file on disk, parsed (``root``) or not (``error``)."""

    path: Path
    environment: Environment
    root: Node | None = None
    text: str | None = None
    error: YamlLoadError | None = None

    @property
    def is_base(self) -> bool:
        return self.path.name.lower() in BASE_NAMES

    @property
    def is_override(self) -> bool:
        return "override" in name_markers(self.path.name)

    def services_node(self) -> Node | None:
        if self.root is None or not self.root.is_map:
            return None
        services = self.root.get("services")
        return services if services is not None and services.is_map else None


def read_compose_file(path: Path, environment: Environment, text: str | None = None
                      ) -> ComposeFile:
    """Read and parse one compose file (``text`` instead of the file's own, when given: a
    file on standard input); every way it can fail is kept in ``error``."""
    if text is None:
        try:
            text = read_text(path)
        except YamlLoadError as error:
            return ComposeFile(path, environment, error=error)
    fast = read_compose_nodes(text, path)
    if fast is None or isinstance(fast, Node):
        return ComposeFile(path, environment, fast, text)
    try:
        data = parse_yaml(text, path)
    except YamlLoadError as error:
        return ComposeFile(path, environment, error=error)
    root = from_ruamel(data, path, text) if data is not None else None
    return ComposeFile(path, environment, root, text)


class MountKind(enum.Enum):
    NAMED = "volume"
    BIND = "bind"
    ANONYMOUS = "anonymous"
    TMPFS = "tmpfs"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Mount:
    """A service mount, from short or long syntax or ``tmpfs:``, in one shape."""

    kind: MountKind
    target: str
    source: str | None
    location: Location
    read_only: bool = False
    via_alias: bool = False
    templated: bool = False
    """Written with ``${...}``: the source is chosen where the file is deployed."""
    consistency: str | None = None
    """A bind mount's ``:delegated``/``:cached``/``:consistent`` mode (Docker Desktop's)."""

    @property
    def is_persistent(self) -> bool:
        return self.kind in (MountKind.NAMED, MountKind.BIND)


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    node: Node
    """The effective (merged, interpolated) service mapping."""

    @property
    def location(self) -> Location:
        return self.node.anchor_loc

    def get(self, key: str) -> Node | None:
        return self.node.get(key)

    def text(self, key: str) -> str | None:
        value = self.node.get(key)
        if value is None or not value.is_scalar or value.value is None:
            return None
        return scalar_text(value.value)

    @property
    def image(self) -> str | None:
        return self.text("image")

    @property
    def environment(self) -> dict[str, Node]:
        """``environment`` (list or mapping form) as a mapping; ``env_file`` values included
        when the model loaded them, ``environment`` winning as in Compose."""
        return environment_mapping(self.node.get("environment"))

    @property
    def labels(self) -> dict[str, Node]:
        """``labels`` (list or mapping form) as a mapping of label to value node."""
        return environment_mapping(self.node.get("labels"))

    def public_routes(self) -> list[tuple[str, Node]]:
        """The Traefik routers of the service that serve a host name with no middleware in
        front (an IP allow-list, basic auth): ``traefik.http.routers.R.rule=Host(...)``,
        as (router, rule's node); none when ``traefik.enable=false``."""
        labels = self.labels
        enabled = labels.get("traefik.enable")
        if enabled is not None and scalar_text(enabled.value).strip().lower() == "false":
            return []
        routes = []
        for key, node in labels.items():
            parts = key.split(".")
            if len(parts) == 5 and parts[:3] == ["traefik", "http", "routers"] \
                    and parts[4] == "rule" and node.value is not None \
                    and "Host(" in scalar_text(node.value) \
                    and f"traefik.http.routers.{parts[3]}.middlewares" not in labels:
                routes.append((parts[3], node))
        return routes

    def env(self, key: str) -> str | None:
        value = self.environment.get(key)
        if value is None or value.value is None:
            return None
        return scalar_text(value.value)

    @property
    def mounts(self) -> tuple[Mount, ...]:
        return tuple(iter_mounts(self.node))

    @property
    def profiles(self) -> frozenset[str]:
        """``profiles:``; a service with none starts by default."""
        node = self.node.get("profiles")
        if node is None or not node.is_list:
            return frozenset()
        return frozenset(scalar_text(item.value) for item in node.value if item.is_scalar)

    def runs_beside(self, other: Service) -> bool:
        """Whether Compose can start both in one ``up``: neither is behind a profile, or one
        is not, or they share a profile."""
        mine, theirs = self.profiles, other.profiles
        return not mine or not theirs or bool(mine & theirs)

    @property
    def dependencies(self) -> frozenset[str]:
        """The services ``depends_on`` names (list or mapping form)."""
        node = self.node.get("depends_on")
        if node is None:
            return frozenset()
        if node.is_map:
            return frozenset(node.value)
        return frozenset(scalar_text(i.value) for i in node.value or () if i.is_scalar)

    @property
    def replicas(self) -> int:
        """How many containers ``up`` starts (``scale:``, else ``deploy.replicas``); 1 when
        neither is a plain number."""
        deploy = self.node.get("deploy")
        for node in (self.node.get("scale"), deploy.get("replicas") if deploy else None):
            if node is not None and node.is_scalar and isinstance(node.value, int) \
                    and not isinstance(node.value, bool):
                return node.value
        return 1

    @property
    def ports(self) -> tuple[PublishedPort, ...]:
        """``ports:`` as Compose reads each entry; entries it cannot read are left out."""
        node = self.node.get("ports")
        if node is None or not node.is_list:
            return ()
        return tuple(port for item in node.value if (port := parse_port(item)) is not None)

    def argv(self, key: str) -> list[str] | None:
        """``command``/``entrypoint`` split as Compose splits a string form."""
        from composeguard.lint.parse.shell import compose_words

        value = self.node.get(key)
        if value is None or value.value is None:
            return None
        if value.is_list:
            return [scalar_text(item.value) for item in value.value]
        return compose_words(scalar_text(value.value))


@dataclass(frozen=True, slots=True)
class PublishedPort:
    """One ``ports:`` entry as Compose reads it (short ``[ip:][host:]container[/proto]`` or
    long syntax); ``host_ip`` is "" and ``published`` is "" when not given. ``node`` is the
    list item, where a finding points and a fix edits."""

    node: Node = field(compare=False, repr=False)
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


def port_range(text: str) -> range | None:
    start, _, end = text.strip().partition("-")
    if not start.isdigit() or (end and not end.isdigit()):
        return None
    return range(int(start), int(end or start) + 1)


def parse_port(item: Node) -> PublishedPort | None:
    """A ``ports:`` item split as compose-go does (IPv6 host IPs in brackets or bare), or None
    when it cannot be read."""
    if item.is_map:
        target = item.get("target")
        targets = port_range(scalar_text(target.value)) if target is not None else None
        if targets is None:
            return None
        text = {k: scalar_text(n.value) if (n := item.get(k)) is not None else ""
                for k in ("host_ip", "published", "protocol")}
        return PublishedPort(item, text["host_ip"].strip("[]"), text["published"], targets,
                             text["protocol"].lower() or "tcp", long_syntax=True)
    if not item.is_scalar or item.value is None or isinstance(item.value, bool | float):
        return None
    spec, _, protocol = scalar_text(item.value).strip().partition("/")
    parts = spec.split(":")
    host_ip, published = ":".join(parts[:-2]), parts[-2] if len(parts) > 1 else ""
    targets = port_range(parts[-1])
    if targets is None:
        return None
    return PublishedPort(item, host_ip.strip("[]"), published, targets,
                         protocol.lower() or "tcp")


@dataclass(frozen=True, slots=True)
class ComposeModel:
    """The effective project Compose runs for one ``-f`` chain of files."""

    files: tuple[ComposeFile, ...]
    environment: Environment
    root: Node
    services: dict[str, Service] = field(default_factory=dict)
    problems: tuple[tuple[Location, str], ...] = ()
    """What Compose would refuse while building this model (bad ``extends``, a missing
    ``include``...), reported by the files rules."""
    project_dir: Path | None = None
    """The directory relative paths of the chain's files resolve against (the first file's)."""
    base_dirs: Mapping[Path, Path] = field(default_factory=dict)
    """For files pulled in by ``extends: file:`` or ``include``: the directory their relative
    paths resolve against (see :func:`composeguard.lint.model.services.absolute_source`)."""

    @property
    def primary(self) -> ComposeFile:
        """The file this model judges: the last of the chain."""
        return self.files[-1]

    @property
    def volumes(self) -> dict[str, Node]:
        node = self.root.get("volumes")
        return dict(node.items()) if node is not None and node.is_map else {}


def environment_mapping(node: Node | None) -> dict[str, Node]:
    """``environment``/``labels`` in list (``KEY=value``) or mapping form, as a mapping.

    In list form, each value Node keeps the item's location; ``KEY`` alone maps to ``None``.
    """
    if node is None:
        return {}
    if node.is_map:
        return dict(node.items())
    result: dict[str, Node] = {}
    if node.is_list:
        for item in node.value:
            if not item.is_scalar or item.value is None:
                continue
            text = scalar_text(item.value)
            key, sep, value = text.partition("=")
            result[key.strip()] = item.with_value(value if sep else None)
    return result


def iter_mounts(service: Node) -> Iterator[Mount]:
    volumes = service.get("volumes")
    if volumes is not None and volumes.is_list:
        for item in volumes.value:
            mount = parse_mount(item)
            if mount is not None:
                yield mount
    tmpfs = service.get("tmpfs")
    if tmpfs is not None:
        items = tmpfs.value if tmpfs.is_list else [tmpfs]
        for item in items:
            if item.is_scalar and item.value:
                target = scalar_text(item.value).split(":", 1)[0]
                yield Mount(MountKind.TMPFS, target, None, item.loc, via_alias=item.via_alias)


def _is_path_source(source: str) -> bool:
    return source.startswith((".", "/", "~", "$")) or bool(re.match(r"^[A-Za-z]:[\\/]", source))


def parse_mount(item: Node) -> Mount | None:
    """One ``volumes:`` entry in short (``src:dst:ro``) or long syntax, or None if unreadable."""
    if item.is_scalar:
        if item.value is None:
            return None
        spec = scalar_text(item.value)
        parts = _split_volume_spec(spec)
        if len(parts) == 1:
            return Mount(MountKind.ANONYMOUS, _clean_target(parts[0]), None, item.loc,
                         via_alias=item.via_alias)
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else ""
        kind = MountKind.BIND if _is_path_source(source) else MountKind.NAMED
        return Mount(kind, _clean_target(target), source, item.loc,
                     read_only="ro" in mode.split(","), via_alias=item.via_alias,
                     templated=item.template is not None,
                     consistency=next((m for m in mode.split(",")
                                       if m in ("delegated", "cached", "consistent")), None))
    if item.is_map:
        type_node = item.get("type")
        type_text = scalar_text(type_node.value) if type_node else "volume"
        target_node = item.get("target")
        if target_node is None or target_node.value is None:
            return None
        target = _clean_target(scalar_text(target_node.value))
        source_node = item.get("source")
        named = scalar_text(source_node.value) if source_node and source_node.value else None
        read_only_node = item.get("read_only")
        read_only = bool(read_only_node and read_only_node.value in (True, "true"))
        consistency_node = item.get("consistency")
        kind = {
            "volume": MountKind.NAMED if named else MountKind.ANONYMOUS,
            "bind": MountKind.BIND,
            "tmpfs": MountKind.TMPFS,
        }.get(type_text, MountKind.OTHER)
        return Mount(kind, target, named, item.anchor_loc if item.key_loc else item.loc,
                     read_only=read_only, via_alias=item.via_alias,
                     templated=source_node is not None and source_node.template is not None,
                     consistency=scalar_text(consistency_node.value)
                     if consistency_node is not None and consistency_node.is_scalar else None)
    return None


def _split_volume_spec(spec: str) -> list[str]:
    """Split ``src:dst:mode`` without breaking a Windows drive letter (``C:\\data:/x``)."""
    parts: list[str] = []
    current = ""
    for index, char in enumerate(spec):
        if char == ":" and not (len(current) == 1 and current.isalpha() and not parts
                                and spec[index + 1 : index + 2] in ("\\", "/")):
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _clean_target(target: str) -> str:
    target = target.strip()
    if target.startswith("/"):
        cleaned = posixpath.normpath(target)
        return "/" if cleaned == "//" else cleaned
    return target
