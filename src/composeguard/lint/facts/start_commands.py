"""What a service runs when its container starts, one simple command at a time.

A container starts ``ENTRYPOINT + CMD``. Compose's ``entrypoint:`` replaces the image's
ENTRYPOINT (and drops its CMD); ``command:`` replaces only the CMD, so an image whose Dockerfile
ENTRYPOINT is a project script still runs that script in front of the compose command. The
commands found are followed into the project's own scripts (``./docker-entrypoint.sh``, a script
the Dockerfile copies to ``/usr/local/bin``, a bind-mounted one) and ``npm run`` scripts, so a
finding points at the line that seeds, wherever it is written.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from composeguard.lint.facts.commands import Action, classify, package_script
from composeguard.lint.facts.scripts import (
    ImageStart,
    dockerfile_start,
    image_path_to_context,
    package_scripts,
)
from composeguard.lint.model.compose import PRODUCTION_VALUES, ComposeModel, MountKind, Service
from composeguard.lint.model.services import absolute_source
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node, scalar_text
from composeguard.lint.parse.origin import Origin, TextOrigin, yaml_scalar_origin
from composeguard.lint.parse.shell import (
    SHELLS,
    TESTS,
    Command,
    Condition,
    Script,
    parse_argv,
    parse_script,
    split_compose_string,
    words_of,
)

MAX_SCRIPT_DEPTH = 4
"""Scripts calling scripts deeper than this are not followed (a loop, or not a start path)."""

PATH_DIRS = ("/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin")


@dataclass(frozen=True, slots=True)
class StartStep:
    """One simple command a container runs on start, with what it does to data."""

    command: Command
    actions: tuple[Action, ...]
    via: str
    """Where it came from: ``command``, ``entrypoint``, ``Dockerfile ENTRYPOINT``, a script
    path, or ``npm script 'start'`` (for messages)."""
    gated: bool = False
    """Behind a condition the service's environment does not turn on."""
    note: str = ""
    """How the script was found when that took a guess (``PROJECT_ROOT from .env.example, as
    the project has no .env``), for the help of a finding."""

    @property
    def location(self) -> Location:
        return self.command.location


@dataclass(frozen=True, slots=True)
class Build:
    context: Path
    dockerfile: Path
    target: str | None
    args: tuple[tuple[str, str], ...] = ()
    """Build arguments with a value (compose ``build.args``, ``--build-arg``)."""


Reader = Callable[[Path], "str | None"]
ScriptParser = Callable[[Path], "Script | None"]
Defaults = Callable[[Path], "tuple[str, Mapping[str, str]] | None"]
"""For a project directory without a ``.env``: the example env file that documents one
(``.env.example``) and its variables."""


class StartCommands:
    """Resolves the start commands of services; one per Project, caching what it reads."""

    def __init__(self, read: Reader, script: ScriptParser,
                 defaults: Defaults = lambda _: None,
                 built: Callable[[str], Build | None] = lambda _: None) -> None:
        self._read = read
        self._script = script
        self._defaults = defaults
        self._built = built
        """The build of an image the project builds by name (``docker build -t IMAGE``)."""
        self._images: dict[Build, ImageStart | None] = {}

    def image_start(self, build: Build | None) -> ImageStart | None:
        if build is None:
            return None
        if build not in self._images:
            text = self._read(build.dockerfile)
            self._images[build] = (
                dockerfile_start(build.dockerfile, text, build.target, dict(build.args))
                if text is not None else None
            )
        return self._images[build]

    def steps(self, model: ComposeModel, service: Service, image_only: bool = False
              ) -> tuple[StartStep, ...]:
        """What ``service`` runs on start; with ``image_only``, what its image runs on its own
        (ENTRYPOINT and CMD, the compose file's ``command``/``entrypoint`` left out)."""
        build = service_build(service, model)
        if build is None and service.image:
            build = self._built(service.image)
        image = self.image_start(build)
        if image_only and image is None:
            return ()
        environment = _plain_environment(service)
        values = _Values(self._defaults(model.project_dir) if model.project_dir else None)
        started = self._start_scripts(service, image, values, image_only)
        context = _Context(model, service, build, image, environment, values.note)
        steps: dict[tuple[Location, str], StartStep] = {}
        for script, via in started:
            for step in self._expand(script, via, "", context, depth=0, seen=frozenset()):
                steps.setdefault((step.location, step.command.text), step)
        return tuple(steps.values())

    def _start_scripts(self, service: Service, image: ImageStart | None,
                       values: _Values, image_only: bool = False) -> list[tuple[Script, str]]:
        """The container's argv (ENTRYPOINT + CMD) parsed, and the CMD part on its own too:
        an entrypoint script usually ends in ``exec "$@"``, running the command as a program
        of its own (duplicates are dropped by location)."""
        entry, command, via = self._argv(service, image, values, image_only)
        if entry is not None and command is None:
            return [(entry, via)]
        scripts = []
        if entry is not None:
            scripts.append((entry, via))
        if command is not None and command.commands:
            given = not image_only and _given(service.get("command"))
            scripts.append((command, "command" if given else "Dockerfile CMD"))
        return scripts

    def _argv(
        self, service: Service, image: ImageStart | None, values: _Values,
        image_only: bool = False,
    ) -> tuple[Script | None, Script | None, str]:
        """(ENTRYPOINT + CMD, CMD alone when there is an entrypoint, where it came from)."""
        entry_node, command_node = (None, None) if image_only else (
            service.get("entrypoint"), service.get("command"))
        words: list[tuple[str, Origin]] = []
        via = "command"
        if entry_node is not None and _given(entry_node):
            words.extend(self._node_words(entry_node, values))
            via = "entrypoint"
        elif image is not None and image.entrypoint is not None:
            if image.entrypoint.shell_form is not None:
                fragment = image.entrypoint.shell_form
                return (parse_script(fragment.text, fragment.origin), None,
                        "Dockerfile ENTRYPOINT")
            words.extend(image.entrypoint.exec_form or ())
            via = "Dockerfile ENTRYPOINT"
        entry_count = len(words)
        if command_node is not None and _given(command_node):
            words.extend(self._node_words(command_node, values))
        elif not _given(entry_node) and image is not None and image.cmd is not None:
            if image.cmd.exec_form is not None:
                words.extend(image.cmd.exec_form)
            elif image.cmd.shell_form is not None:
                fragment = image.cmd.shell_form
                origin = fragment.origin
                words.extend((("/bin/sh", origin), ("-c", origin), (fragment.text, origin)))
            if via == "command":
                via = "Dockerfile CMD"
        if not words:
            return None, None, via
        tail = words[entry_count:] if 0 < entry_count < len(words) else None
        return parse_argv(words), parse_argv(tail) if tail else None, via

    def _node_words(self, node: Node, values: _Values) -> list[tuple[str, Origin]]:
        if node.is_list:
            return [(values.text(item), self._origin(item)) for item in node.value
                    if item.is_scalar]
        if node.is_scalar:
            text = values.text(node)
            origin = self._origin(node) if text == scalar_text(node.value) else TextOrigin(
                node.loc.path, text, node.loc.line, node.loc.column)
            return split_compose_string(text, origin)
        return []

    def _origin(self, node: Node) -> Origin:
        text = scalar_text(node.value)
        file_text = self._read(node.loc.path)
        if file_text is None:
            return TextOrigin(node.loc.path, text, node.loc.line, node.loc.column)
        return yaml_scalar_origin(text, node.loc.path, file_text, node.loc.line, node.loc.column)

    def _expand(self, script: Script, via: str, note: str, context: _Context, depth: int,
                seen: frozenset[Path]) -> Iterator[StartStep]:
        for command in script.commands:
            gated = not _conditions_hold(command.conditions, context.environment)
            yield StartStep(command, classify(command.words), via, gated, note)
            if depth >= MAX_SCRIPT_DEPTH:
                continue
            for path, sub_via, sub_note, sub_script in self._called(command, context):
                if path in seen:
                    continue
                for step in self._expand(sub_script, sub_via, sub_note, context, depth + 1,
                                         seen | {path}):
                    yield StartStep(step.command, step.actions, step.via, step.gated or gated,
                                    step.note)

    def _called(self, command: Command, context: _Context
                ) -> Iterator[tuple[Path, str, str, Script]]:
        """Project scripts and package.json scripts that ``command`` runs: (path, where it
        came from, how it was found when that took a guess, the script)."""
        words = command.words
        if not words:
            return
        program = words[0]
        if posixpath.basename(program) in SHELLS and len(words) > 1 and not words[1].startswith("-"):
            program = words[1]
        if program:
            path = context.resolve(program)
            if path is not None:
                script = self._script(path)
                if script is not None:
                    yield path, _display(path, context), context.note, script
        named = package_script(words)
        if named is not None:
            package = context.package_json()
            text = self._read(package) if package is not None else None
            if package is not None and text is not None:
                fragment = package_scripts(package, text).get(named[1])
                if fragment is not None:
                    key = package.with_name(f"{package.name}#{named[1]}")
                    yield key, f"{named[0]} script '{named[1]}'", "", parse_script(
                        fragment.text, fragment.origin)


class _Values:
    """How one service's start command values are read: as Compose interpolated them, except
    that when the project has no ``.env`` the variables are taken from the example env file
    that documents one (``entrypoint: ${PROJECT_ROOT}/start.sh`` with PROJECT_ROOT only in
    .env.example): a deploy that copies the example runs exactly that. ``note`` says so, for
    messages."""

    def __init__(self, documented: tuple[str, Mapping[str, str]] | None) -> None:
        self.documented = documented
        self.note = ""

    def text(self, node: Node) -> str:
        from composeguard.lint.parse.interpolate import InvalidTemplate, substitute

        value = scalar_text(node.value)
        if node.template is None or "$" not in node.template or self.documented is None:
            return value
        name, defaults = self.documented
        try:
            result = substitute(node.template, defaults.get)
        except InvalidTemplate:
            return value
        taken = [v for v in dict.fromkeys(result.used) if defaults.get(v)]
        if result.value == value or not taken:
            return value
        self.note = f"{', '.join(taken)} from {name}, as the project has no .env"
        return result.value


@dataclass(frozen=True, slots=True)
class _Context:
    model: ComposeModel
    service: Service
    build: Build | None
    image: ImageStart | None
    environment: Mapping[str, str]
    note: str = ""
    """How the start command was read, for messages (a variable from .env.example)."""

    @property
    def workdir(self) -> str:
        written = self.service.text("working_dir")
        if written:
            return written
        return self.image.workdir if self.image is not None else "/"

    def resolve(self, program: str) -> Path | None:
        """The project file a program path inside the container comes from, if any."""
        candidates: list[str] = []
        if "/" not in program:
            candidates.extend(posixpath.join(d, program) for d in PATH_DIRS)
            candidates.append(posixpath.join(self.workdir, program))
        else:
            candidates.append(posixpath.normpath(posixpath.join(self.workdir, program)))
        for container_path in candidates:
            found = self._from_mounts(container_path) or self._from_image(container_path)
            if found is not None:
                return found
        return self._from_context(candidates[-1])

    def _from_context(self, container_path: str) -> Path | None:
        """A path under the working directory, read as the same path in the build context:
        apps are built with their source tree copied to the WORKDIR, often through a build
        stage (``COPY --from=build /rails /rails``) that the COPY list cannot follow."""
        workdir = self.workdir.rstrip("/")
        if self.build is None or not workdir or not container_path.startswith(workdir + "/"):
            return None
        candidate = self.build.context / container_path[len(workdir) + 1:]
        return candidate if candidate.is_file() else None

    def _from_mounts(self, container_path: str) -> Path | None:
        for mount in self.service.mounts:
            if mount.kind is not MountKind.BIND:
                continue
            source = absolute_source(mount, self.model)
            target = mount.target.rstrip("/") or "/"
            if source is None:
                continue
            if container_path == target:
                rest = ""
            elif container_path.startswith(target + "/"):
                rest = container_path[len(target) + 1:]
            else:
                continue
            candidate = Path(source) / rest if rest else Path(source)
            if candidate.is_file():
                return candidate
        return None

    def _from_image(self, container_path: str) -> Path | None:
        if self.image is None or self.build is None:
            return None
        relative = image_path_to_context(container_path, self.image)
        if relative is None:
            return None
        if "$" in relative:
            return _chosen_per_environment(self.build.context, relative)
        candidate = self.build.context / relative
        return candidate if candidate.is_file() else None

    def package_json(self) -> Path | None:
        candidates = []
        if self.build is not None:
            candidates.append(self.build.context / "package.json")
        resolved = self.resolve(posixpath.join(self.workdir, "package.json"))
        if resolved is not None:
            candidates.insert(0, resolved)
        return next((c for c in candidates if c.is_file()), None)


def service_build(service: Service, model: ComposeModel) -> Build | None:
    """The service's build context and Dockerfile on disk (None without ``build:`` or when the
    context is a URL or the Dockerfile is inline)."""
    node = service.get("build")
    if node is None or node.value is None:
        return None
    base = model.base_dirs.get(node.loc.path, node.loc.path.parent)
    args: dict[str, str] = {}
    if node.is_scalar:
        context_text, dockerfile_text, target = scalar_text(node.value), "Dockerfile", None
    elif node.is_map:
        context_text = _text(node.get("context")) or "."
        if node.get("dockerfile_inline") is not None:
            return None
        dockerfile_text = _text(node.get("dockerfile")) or "Dockerfile"
        target = _text(node.get("target"))
        args = _build_args(node.get("args"))
    else:
        return None
    if "://" in context_text or context_text.startswith("git@"):
        return None
    context = (Path(base) / context_text).resolve()
    dockerfile = Path(dockerfile_text)
    dockerfile = dockerfile if dockerfile.is_absolute() else context / dockerfile
    return Build(context, dockerfile, target, tuple(sorted(args.items())))


def _build_args(node: Node | None) -> dict[str, str]:
    """Compose ``build.args`` (mapping or ``NAME=value`` list) that have a value; a name
    alone takes the value from the shell running Compose, unknown here."""
    if node is None:
        return {}
    if node.is_map:
        return {name: scalar_text(value.value) for name, value in node.items()
                if value.is_scalar and value.value is not None}
    if node.is_list:
        pairs = (scalar_text(item.value).partition("=") for item in node.value if item.is_scalar)
        return {name: value for name, equals, value in pairs if equals}
    return {}


def _chosen_per_environment(context: Path, relative: str) -> Path | None:
    """The file a COPY/ADD copies when its name holds a build argument with no known value
    (``ADD entrypoint-${APP_ENV}.sh /entrypoint.sh``): production's (the argument set to
    ``production`` or ``prod``), else the only file that fits."""
    import glob

    from composeguard.lint.facts.scripts import with_unknowns

    for value in sorted(PRODUCTION_VALUES, reverse=True):
        candidate = context / with_unknowns(relative, value)
        if candidate.is_file():
            return candidate
    pattern = with_unknowns(relative, "*")
    found = sorted(glob.glob(glob.escape(str(context)) + "/" + pattern))
    return Path(found[0]) if len(found) == 1 else None


def _conditions_hold(conditions: Sequence[Condition], environment: Mapping[str, str]) -> bool:
    """Whether the commands behind ``conditions`` run with this environment. Unknown tests
    (variables the environment does not set, tests we cannot evaluate) count as not running:
    a seed behind ``if [ "$SEED" = 1 ]`` is reported only where something turns it on."""
    for condition in conditions:
        result = evaluate_test(condition.text, environment)
        if result is None:
            return False
        if result == condition.negated:
            return False
    return True


def evaluate_test(text: str, environment: Mapping[str, str]) -> bool | None:
    """A ``[ ... ]`` / ``test ...`` condition over environment variables, or None when it
    tests something else (a file, a command) or reads a variable the environment lacks."""
    words = words_of(text)
    if words is None:
        return None
    negate = False
    if words and words[0] in TESTS:
        words = words[1:]
        if words and words[-1] in ("]", "]]"):
            words = words[:-1]
    else:
        return None
    if words and words[0] == "!":
        negate, words = True, words[1:]
    values: list[str] = []
    for word in words:
        value = _expand(word, environment)
        if value is None:
            return None
        values.append(value)
    result: bool | None
    if len(values) == 1:
        result = values[0] != ""
    elif len(values) == 2 and values[0] in ("-n", "-z"):
        result = (values[1] != "") == (values[0] == "-n")
    elif len(values) == 3 and values[1] in ("=", "==", "!="):
        result = (values[0] == values[2]) == (values[1] != "!=")
    elif len(values) == 3 and values[1] in ("-eq", "-ne"):
        try:
            result = (int(values[0]) == int(values[2])) == (values[1] == "-eq")
        except ValueError:
            return None
    else:
        return None
    return result != negate


def _expand(word: str, environment: Mapping[str, str]) -> str | None:
    if "$" not in word:
        return word
    name = word.lstrip("$").strip("{}")
    default: str | None = None
    for separator in (":-", "-"):
        if separator in name:
            name, default = name.split(separator, 1)
            break
    if not name.replace("_", "").isalnum():
        return None
    value = environment.get(name)
    if value is None or (value == "" and default is not None):
        return default
    return value


def _plain_environment(service: Service) -> dict[str, str]:
    return {key: scalar_text(node.value) for key, node in service.environment.items()
            if node.value is not None}


def _given(node: Node | None) -> bool:
    return node is not None and node.value not in (None, "", [])


def _text(node: Node | None) -> str | None:
    if node is None or not node.is_scalar or node.value is None:
        return None
    return scalar_text(node.value)


def _display(path: Path, context: _Context) -> str:
    base = context.model.project_dir or path.parent
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.name
