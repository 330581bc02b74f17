"""Building the effective Compose model of one ``-f`` chain, the way Compose does.

Per file: interpolate against the variables (the project's ``.env``) -> ``include`` -> ``extends``
-> bare ``environment`` names resolved; then the chain is merged with Compose's merge rules and,
last, ``env_file``s are loaded under each service's ``environment`` and list keys are made unique.
The order is compose-go's, so a value means here what it means to ``docker compose config``;
every value keeps the location of the file and line that wrote it, so findings point there.

Nothing here raises on bad input: what Compose would refuse becomes a problem of the model.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from composeguard.lint.model.compose import (
    ComposeFile,
    ComposeModel,
    Environment,
    Mount,
    MountKind,
    Service,
    environment_mapping,
    parse_mount,
    read_compose_file,
)
from composeguard.lint.parse.envfile import EnvFile, merged_lookup, read_env_file
from composeguard.lint.parse.interpolate import interpolate_node
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node, scalar_text, without_reset

LoadCompose = Callable[[Path], "Node | None"]
LoadEnv = Callable[[Path], "EnvFile | None"]
Problems = list[tuple[Location, str]]

REPLACED_KEYS = frozenset({"command", "entrypoint"})
"""Service keys an override replaces whole (and ``healthcheck.test``)."""

MAPPING_KEYS = frozenset({"environment", "labels", "annotations", "sysctls"})
"""Service keys merged as mappings whatever their form (``KEY=value`` list or map)."""

LIST_KEYS = frozenset({
    "volumes", "ports", "secrets", "configs", "env_file", "tmpfs", "expose", "cap_add",
    "cap_drop", "dns", "dns_opt", "dns_search", "profiles", "links", "devices", "extra_hosts",
})
"""Service keys whose values are lists (a scalar is a one-item list) made unique by a key."""

IMPORTED_SECTIONS = ("services", "volumes", "networks", "secrets", "configs")


def build_model(
    chain: Sequence[ComposeFile],
    environment: Environment,
    variables: Mapping[str, str] | None = None,
    project_dir: Path | None = None,
    *,
    load_compose: LoadCompose | None = None,
    load_env: LoadEnv | None = None,
    unreadable: Callable[[Path], str | None] | None = None,
) -> ComposeModel | None:
    """The effective model of ``chain`` (base first), or None if no file of it parsed.

    ``variables`` are what ``${VAR}`` resolves against: the ``.env`` of ``project_dir`` (the
    first file's directory) when not given. The process environment is never read, so linting
    is deterministic. ``load_compose``/``load_env`` let the Project share its parse caches;
    ``unreadable(path)`` says why a file ``include``/``extends`` names is not read (outside
    the checked paths), or None.
    """
    files = [f for f in chain if f.root is not None and f.root.is_map]
    if not files:
        return None
    project_dir = Path(project_dir) if project_dir is not None else chain[0].path.parent
    builder = _Builder(load_compose or _load_compose, load_env or read_env_file,
                       unreadable=unreadable or (lambda _: None))
    if variables is None:
        dotenv = builder.load_env(project_dir / ".env")
        variables = dotenv.variables() if dotenv is not None else {}
    variables = dict(variables)
    merged: Node | None = None
    for compose_file in files:
        assert compose_file.root is not None
        builder.stack.append(compose_file.path)
        processed = builder.process_file(compose_file.root, compose_file.path, project_dir, variables)
        builder.stack.pop()
        merged = processed if merged is None else merge_nodes(merged, processed)
    assert merged is not None
    merged = without_reset(merged) or merged.with_value({})
    services: dict[str, Service] = {}
    services_node = merged.get("services")
    if services_node is not None and services_node.is_map:
        finished: dict[str, Node] = {}
        for name, node in services_node.items():
            if node.is_map:
                node = finish_service(node, variables, builder.load_env)
                services[name] = Service(name, node)
            finished[name] = node
        merged = merged.with_value({**merged.value, "services": services_node.with_value(finished)})
    return ComposeModel(
        tuple(chain), environment, merged, services, tuple(_unique(builder.problems)),
        project_dir=project_dir, base_dirs=dict(builder.base_dirs),
    )


def absolute_source(mount: Mount, model: ComposeModel) -> str | None:
    """The host path of a bind mount as Compose resolves it; other sources as written.

    Relative paths resolve against the project directory, or for a file pulled in by
    ``extends``/``include`` against that file's own directory, as Compose does.
    """
    source = mount.source
    if mount.kind is not MountKind.BIND or source is None:
        return source
    if source.startswith("~"):
        return os.path.normpath(os.path.expanduser(source))
    if source.startswith("/"):
        return os.path.normpath(source)
    base = model.base_dirs.get(mount.location.path, model.project_dir or mount.location.path.parent)
    return os.path.normpath(os.path.join(base, source))


# -- one file -------------------------------------------------------------------------------


@dataclass
class _Builder:
    load_compose: LoadCompose
    load_env: LoadEnv
    problems: Problems = field(default_factory=list)
    base_dirs: dict[Path, Path] = field(default_factory=dict)
    stack: list[Path] = field(default_factory=list)
    """Files being loaded (the chain file, then includes), to refuse include cycles."""
    unreadable: Callable[[Path], str | None] = lambda _: None
    """Why a referenced file is not read (outside the checked paths), or None."""

    def process_file(
        self, root: Node, path: Path, base_dir: Path, variables: Mapping[str, str]
    ) -> Node:
        """One file as Compose holds it before merging: interpolated, includes imported,
        extends resolved, bare environment names looked up."""
        lookup = merged_lookup(variables)
        root = interpolate_node(root, lookup, self.problems)
        if not root.is_map:
            return root
        root = _absolute_env_files(root, base_dir)
        root = self.apply_include(root, base_dir, variables)
        root = self.apply_extends(root, path, base_dir, variables)
        return _resolve_bare_environment(root, variables)

    def prepared(self, path: Path, variables: Mapping[str, str]) -> Node | None:
        """Another file (an ``extends: file:``) interpolated with the caller's variables."""
        root = self.load_compose(path)
        if root is None or not root.is_map:
            return None
        self.base_dirs.setdefault(path, path.parent)
        root = interpolate_node(root, merged_lookup(variables), self.problems)
        return _absolute_env_files(root, path.parent)

    # -- extends ---------------------------------------------------------------------------

    def apply_extends(
        self, root: Node, path: Path, base_dir: Path, variables: Mapping[str, str]
    ) -> Node:
        services = root.get("services")
        if services is None or not services.is_map:
            return root
        if not any(node.get("extends") is not None for _, node in services.items()):
            return root
        memo: dict[tuple[Path, str], Node] = {}
        resolved = {
            name: self.extended(services, name, path, base_dir, variables, (), memo)
            for name, _ in services.items()
        }
        return root.with_value({**root.value, "services": services.with_value(resolved)})

    def extended(
        self,
        services: Node,
        name: str,
        path: Path,
        base_dir: Path,
        variables: Mapping[str, str],
        stack: tuple[tuple[Path, str], ...],
        memo: dict[tuple[Path, str], Node],
    ) -> Node:
        """Service ``name`` of ``services`` with its ``extends`` chain merged in."""
        key = (path, name)
        if key in memo:
            return memo[key]
        node: Node = services.value[name]
        extends = node.get("extends") if node.is_map else None
        if extends is None:
            return node
        rest = node.with_value({k: v for k, v in node.value.items() if k != "extends"})
        target, target_file = _extends_target(extends)
        if target is None:
            self.problems.append((extends.anchor_loc, f"service {name!r}: extends needs a service"))
            return rest
        other_services, other_path, other_dir = services, path, base_dir
        if target_file is not None:
            other_path = _join(base_dir, target_file)
            refused = self.unreadable(other_path)
            if refused is not None:
                self.problems.append((extends.anchor_loc,
                                      f"service {name!r} extends {target_file}, which {refused}"))
                return rest
            other_root = self.prepared(other_path, variables)
            found = other_root.get("services") if other_root is not None else None
            if found is None or not found.is_map:
                what = "not found" if not other_path.exists() else "a file with no services"
                self.problems.append((extends.anchor_loc,
                                      f"service {name!r} extends {target_file}, which is {what}"))
                return rest
            other_services, other_dir = found, other_path.parent
        if target not in other_services.value:
            self.problems.append((extends.anchor_loc,
                                  f"service {name!r} extends {target!r}, which is not defined"
                                  + (f" in {target_file}" if target_file else "")))
            return rest
        chain = (*stack, key)
        if (other_path, target) in chain:
            names = " -> ".join(n for _, n in chain) + f" -> {target}"
            self.problems.append((extends.anchor_loc, f"extends cycle: {names}"))
            return rest
        base = self.extended(other_services, target, other_path, other_dir, variables, chain, memo)
        result = merge_nodes(base, rest, ("services", name)) if base.is_map else rest
        memo[key] = result
        return result

    # -- include ---------------------------------------------------------------------------

    def apply_include(self, root: Node, base_dir: Path, variables: Mapping[str, str]) -> Node:
        include = root.get("include")
        if include is None:
            return root
        result = {k: v for k, v in root.value.items() if k != "include"}
        entries = include.value if include.is_list else [include]
        for entry in entries:
            imported = self.included(entry, base_dir, variables)
            if imported is not None:
                result = self.import_resources(result, imported, entry)
        return root.with_value(result)

    def included(
        self, entry: Node, base_dir: Path, variables: Mapping[str, str]
    ) -> Node | None:
        """The merged files of one ``include`` entry, processed in their own project."""
        paths, project_directory, env_files = _include_entry(entry)
        if not paths:
            self.problems.append((entry.anchor_loc, "include entry without a path"))
            return None
        files = [_join(base_dir, p) for p in paths]
        inc_dir = _join(base_dir, project_directory) if project_directory else files[0].parent
        own = self.include_variables(entry, base_dir, inc_dir, env_files)
        inc_variables = {**own, **variables}
        merged: Node | None = None
        for written, file in zip(paths, files, strict=True):
            if file in self.stack:
                self.problems.append((entry.anchor_loc, f"include cycle: {written} includes itself"))
                continue
            refused = self.unreadable(file)
            if refused is not None:
                self.problems.append((entry.anchor_loc, f"included file {written} {refused}"))
                continue
            root = self.load_compose(file)
            if root is None or not root.is_map:
                what = "not found" if not file.exists() else "not a compose file that parses"
                self.problems.append((entry.anchor_loc, f"included file is {what}: {written}"))
                continue
            self.base_dirs.setdefault(file, inc_dir)
            self.stack.append(file)
            processed = self.process_file(root, file, inc_dir, inc_variables)
            self.stack.pop()
            merged = processed if merged is None else merge_nodes(merged, processed)
        return merged

    def include_variables(
        self, entry: Node, base_dir: Path, inc_dir: Path, env_files: list[str]
    ) -> dict[str, str]:
        """The included project's own env: its ``env_file``s, else its directory's ``.env``."""
        if not env_files:
            dotenv = self.load_env(inc_dir / ".env")
            return dotenv.variables() if dotenv is not None else {}
        values: dict[str, str] = {}
        for written in env_files:
            env = self.load_env(_join(base_dir, written))
            if env is None:
                continue  # created at deploy time and kept out of git, as CG403 asks
            values.update(env.variables(merged_lookup(values)))
        return values

    def import_resources(self, result: dict[str, Node], imported: Node, entry: Node) -> dict[str, Node]:
        """Add what an include defines; a different local definition is a conflict."""
        result = dict(result)
        for section in IMPORTED_SECTIONS:
            incoming = imported.get(section)
            if incoming is None or not incoming.is_map:
                continue
            local = result.get(section)
            if local is None or not local.is_map:
                result[section] = incoming if local is None else local
                continue
            combined = dict(local.value)
            for name, value in incoming.items():
                existing = combined.get(name)
                if existing is None:
                    combined[name] = value
                elif existing.plain() != value.plain():
                    self.problems.append((existing.anchor_loc,
                                          (f"{section}.{name} conflicts with the one included at "
                                          f"line {entry.loc.line}")))
            result[section] = local.with_value(combined)
        return result


def _load_compose(path: Path) -> Node | None:
    return read_compose_file(path, Environment.PRODUCTION).root


def _join(base: Path, written: str) -> Path:
    return Path(os.path.normpath(os.path.join(base, os.path.expanduser(written))))


def _text(node: Node | None) -> str | None:
    if node is None or not node.is_scalar or node.value is None:
        return None
    return scalar_text(node.value)


def _texts(node: Node | None) -> list[str]:
    if node is None:
        return []
    items = node.value if node.is_list else [node]
    return [t for t in (_text(item) for item in items) if t]


def _extends_target(extends: Node) -> tuple[str | None, str | None]:
    if extends.is_scalar:
        return _text(extends), None
    return _text(extends.get("service")), _text(extends.get("file"))


def _include_entry(entry: Node) -> tuple[list[str], str | None, list[str]]:
    if entry.is_scalar:
        return _texts(entry), None, []
    return _texts(entry.get("path")), _text(entry.get("project_directory")), _texts(entry.get("env_file"))


def _services_map(root: Node, change: Callable[[Node], Node]) -> Node:
    services = root.get("services")
    if services is None or not services.is_map:
        return root
    changed = {name: change(node) if node.is_map else node for name, node in services.items()}
    return root.with_value({**root.value, "services": services.with_value(changed)})


def _absolute_env_files(root: Node, base_dir: Path) -> Node:
    """``env_file`` paths made absolute against the file's base directory, as Compose does
    per file (a later file's ``env_file`` stays relative to its own project)."""

    def absolute(item: Node) -> Node:
        if item.is_scalar and item.value is not None:
            return item.with_value(str(_join(base_dir, scalar_text(item.value))))
        path = item.get("path")
        if item.is_map and path is not None and path.is_scalar and path.value is not None:
            return item.with_value({**item.value, "path": absolute(path)})
        return item

    def change(service: Node) -> Node:
        env_file = service.get("env_file")
        if env_file is None:
            return service
        new = env_file.with_value([absolute(i) for i in env_file.value]) if env_file.is_list \
            else absolute(env_file)
        return service.with_value({**service.value, "env_file": new})

    return _services_map(root, change)


def _resolve_bare_environment(root: Node, variables: Mapping[str, str]) -> Node:
    """``environment`` as a mapping, a bare ``KEY`` taking its value from the variables."""

    def change(service: Node) -> Node:
        env = service.get("environment")
        if env is None or not (env.is_map or env.is_list):
            return service
        values = {
            key: value.with_value(variables[key]) if value.value is None and key in variables
            else value
            for key, value in environment_mapping(env).items()
        }
        return service.with_value({**service.value, "environment": env.with_value(values)})

    return _services_map(root, change)


# -- merging --------------------------------------------------------------------------------


def merge_nodes(base: Node, override: Node, path: tuple[str, ...] = ()) -> Node:
    """Compose's merge of ``override`` onto ``base`` at ``path`` (``("services", name, key)``).

    Mappings merge recursively, ``command``/``entrypoint``/``healthcheck.test`` are replaced,
    ``environment``-like keys merge as mappings in either form, other lists are appended (made
    unique later by :func:`finish_service`), ``!override`` replaces and ``!reset`` removes.
    """
    if override.tag == "!override":
        return override
    service_key = path[2:] if len(path) >= 3 and path[0] == "services" else ()
    if service_key == ("healthcheck", "test") or (
        len(service_key) == 1 and service_key[0] in REPLACED_KEYS
    ):
        return override
    if override.value is None:
        return base
    if len(service_key) == 1:
        key = service_key[0]
        if key in MAPPING_KEYS or (key == "extra_hosts" and (base.is_map or override.is_map)):
            return _merge_as_mapping(base, override)
        if key in LIST_KEYS and not (base.is_map or override.is_map):
            return override.with_value(_as_list(base) + _as_list(override))
        if key in ("depends_on", "networks") and base.is_list != override.is_list:
            return _merge_maps(_names_as_map(base), _names_as_map(override), path)
        if key == "build" and (base.is_scalar or override.is_scalar):
            return _merge_maps(_build_as_map(base), _build_as_map(override), path)
    elif service_key[-1:] in (("args",), ("labels",)) and service_key[:1] in (("build",), ("deploy",)):
        return _merge_as_mapping(base, override)
    if len(path) == 3 and path[0] in ("volumes", "networks") and path[2] == "labels":
        return _merge_as_mapping(base, override)
    if base.is_map and override.is_map:
        return _merge_maps(base, override, path)
    if base.is_list and override.is_list:
        return override.with_value(base.value + override.value)
    return override


def _merge_maps(base: Node, override: Node, path: tuple[str, ...]) -> Node:
    result = dict(base.value) if base.is_map else {}
    for key, value in override.items():
        if value.tag == "!reset":
            result.pop(key, None)
        elif key in result and not key.startswith("x-"):
            result[key] = merge_nodes(result[key], value, (*path, key))
        else:
            result[key] = value
    return override.with_value(result)


def _merge_as_mapping(base: Node, override: Node) -> Node:
    merged = environment_mapping(base)
    merged.update(environment_mapping(override))
    return override.with_value(merged)


def _as_list(node: Node) -> list[Node]:
    if node.is_list:
        return list(node.value)
    if node.is_map or node.value is None:
        return []
    return [node]


def _names_as_map(node: Node) -> Node:
    if node.is_map:
        return node
    names = {scalar_text(i.value): i.with_value(None) for i in _as_list(node) if i.is_scalar}
    return node.with_value(names)


def _build_as_map(node: Node) -> Node:
    if node.is_map:
        return node
    return node.with_value({"context": node} if node.value is not None else {})


# -- after merging --------------------------------------------------------------------------


def finish_service(service: Node, variables: Mapping[str, str], load_env: LoadEnv) -> Node:
    """Lists made unique as Compose does, and ``env_file`` values loaded under
    ``environment`` (``environment`` wins, each value pointing at its env-file line)."""
    value = dict(service.value)
    for key in (*LIST_KEYS, "depends_on", "networks"):
        node = value.get(key)
        if node is not None and (node.is_list or (node.is_scalar and node.value is not None
                                                  and key in LIST_KEYS)):
            value[key] = node.with_value(_unique_items(key, _as_list(node)))
    environment = _environment_with_files(
        value.get("environment"), value.get("env_file"), variables, load_env
    )
    if environment is not None:
        value["environment"] = environment
    return service.with_value(value)


def _unique_items(key: str, items: list[Node]) -> list[Node]:
    """Compose's unicity: one item per index key, at the first position, with the last value."""
    result: list[Node] = []
    positions: dict[str, int] = {}
    for item in items:
        index = _index_of(key, item)
        if index in positions:
            result[positions[index]] = item
        else:
            positions[index] = len(result)
            result.append(item)
    return result


def _index_of(key: str, item: Node) -> str:
    if key == "volumes":
        mount = parse_mount(item)
        return mount.target if mount is not None else repr(item.plain())
    if key in ("secrets", "configs"):
        default = "/run/secrets/" if key == "secrets" else "/"
        if item.is_map:
            return _text(item.get("target")) or default + (_text(item.get("source")) or "")
        return default + (_text(item) or "")
    if key == "env_file":
        return (_text(item.get("path")) if item.is_map else _text(item)) or ""
    if key == "ports" and item.is_map:
        return ":".join(_text(item.get(k)) or "" for k in ("host_ip", "published", "target", "protocol"))
    if key == "extra_hosts":
        text = _text(item) or ""
        cut = min((i for i in (text.find("="), text.find(":")) if i != -1), default=len(text))
        return text[:cut]
    if item.is_scalar:
        text = _text(item) or ""
        return text.split("=", 1)[0] if key not in ("ports", "expose", "volumes") else text
    return repr(item.plain())


def _env_file_paths(node: Node | None) -> Iterable[Path]:
    """The files of ``env_file`` (string, list, or long syntax with ``path:``).

    ``required`` does not matter here: a missing env file is loaded as nothing either way.
    """
    if node is None:
        return
    for item in _as_list(node) if not node.is_map else [node]:
        path = _text(item.get("path")) if item.is_map else _text(item)
        if path:
            yield Path(path)


def _environment_with_files(
    environment: Node | None,
    env_file: Node | None,
    variables: Mapping[str, str],
    load_env: LoadEnv,
) -> Node | None:
    own = environment_mapping(environment) if environment is not None else {}
    declared = {k: scalar_text(v.value) for k, v in own.items() if v.value is not None}
    lookup = merged_lookup(variables, declared)
    values: dict[str, Node] = {}
    for path in _env_file_paths(env_file):
        loaded = load_env(path)
        if loaded is None:
            # Compose refuses a missing required env_file, but in a checkout it is normal:
            # `.env` files are created at deploy time and kept out of git (CG403).
            continue
        for key, (value, location) in loaded.resolve(lookup).items():
            values[key] = Node(value, location, key_loc=location)
    for key, written in own.items():
        values[key] = written if written.value is None or isinstance(written.value, str) \
            else written.with_value(scalar_text(written.value))
    if environment is None and not values:
        return None
    anchor = environment if environment is not None else env_file
    assert anchor is not None
    return anchor.with_value(values) if environment is not None else \
        Node(values, anchor.loc, anchor.key_loc)


def _unique(problems: Problems) -> list[tuple[Location, str]]:
    return list(dict.fromkeys(problems))
