"""How the project is deployed: what runs, publishes or documents each compose setup, and the
platforms that deploy the project instead of Compose.

The environment judgement (:mod:`composeguard.lint.facts.purpose`) asks here first, because how a
project is deployed says what production runs better than anything a compose file says of
itself. Every piece of evidence is read with a real parser and keeps its file and line:

- **runs**: a script, Makefile target, package.json script or CI job that runs ``docker
  compose [-f X] up|pull|start|run|build``, ``docker stack deploy -c X``, the same over
  ``ssh`` or an SSH action's remote script, or publishes a compose file (``gh release upload``);
  and the documentation (README, ``docs/``, guides) whose code blocks run a compose file or
  download it, or whose links point at one. What each is for is judged by the name of the
  script, target, job or document section holding it: deploy, release, production, staging,
  install, self-hosting on one side; dev, local, development, contributing, test on the other.
  A command sent over ssh runs on a server: it deploys whatever its name.
- **platforms**: Kubernetes manifests, Helm charts, Kamal (``config/deploy.yml``), Heroku
  (``heroku.yml``, or ``app.json`` beside a ``Procfile``), Fly (``fly.toml``), Render
  (``render.yaml``), App Engine (``app.yaml``). A project deployed by one of those runs its
  compose files for development, unless one of them is named, placed or run for production.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composeguard.lint.model.compose import (
    DEVELOPMENT_MARKERS,
    TEST_MARKERS,
    ComposeFile,
    Environment,
    is_compose_file_name,
    name_words,
)
from composeguard.lint.parse.argv import DOCKER_GLOBALS
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.shell import SHELLS

if TYPE_CHECKING:
    from composeguard.lint.facts.scripts import ShellFragment
    from composeguard.lint.facts.start_commands import Build
    from composeguard.lint.parse.shell import Command, Script

RUNS = frozenset({"up", "start", "restart", "run", "create", "pull", "build", "watch", "deploy"})
"""Compose subcommands that run (or prepare to run) a setup; ``config``, ``down``, ``logs``,
``exec`` and ``ps`` only look at or act on one that runs already."""

DEPLOY_WORDS = frozenset({
    "deploy", "deployment", "deploying", "deploys", "prod", "production", "release", "releases",
    "live", "publish", "rollout", "staging", "stage", "qa", "uat", "preprod", "preproduction",
})
"""Words in the name of a script, Makefile target, CI job or document section that deploy:
they run where an environment's data lives (QA and staging are deployed environments too)."""

STAGING_MARKERS = frozenset({"staging", "stage", "qa", "uat", "preprod", "preproduction"})
"""Deployed environments beside production: a setup named for one does not replace the base
production runs."""

INSTALL_WORDS = frozenset({"install", "installation", "installing", "self", "selfhost",
                           "selfhosted", "selfhosting", "hosting", "upgrade", "upgrading",
                           "update", "updating"})
"""In documentation, the guide that has users install, self-host or upgrade the app: what it
runs is what users keep their data in. (A script named ``install`` may set up a laptop, so
these words count in documents only.)"""

DEVELOPMENT_WORDS = (DEVELOPMENT_MARKERS - {"override"}) | frozenset({
    "develop", "developing", "developer", "developers", "locally", "contributing", "contribute",
    "contributors", "contributor", "hacking", "watch"})
"""Words in a script's, target's, job's or section's name that run a setup for development:
the compose file markers, and what a guide calls its developers' sections."""
TEST_WORDS = TEST_MARKERS | frozenset({"lint", "check", "checks", "integration", "spec",
                                       "specs"})

DOCUMENT_SUFFIXES = (".md", ".mdx", ".markdown")
MAX_DOCUMENT_BYTES = 512 * 1024

_SSH_OPTIONS = frozenset("BbcDEeFIiJLlmOoPpRSWw")
"""ssh's one-letter options that take a value (``-p 22``, ``-i key``)."""

_SHELL_CODE = SHELLS | {"", "shell", "console", "shell-session", "shellsession", "terminal",
                        "cli", "cmd", "text", "bash-session"}
"""Info strings of a Markdown code block that holds commands: a shell's name, or a session."""


@dataclass(frozen=True, slots=True)
class ComposeRun:
    """One place that runs, publishes or documents a compose setup."""

    files: tuple[str, ...]
    """The compose files as named (``-f``, ``-c``, ``COMPOSE_FILE``, a link or a download);
    () for Compose's default files of the folder it runs in."""
    directory: Path
    """Where relative names are looked up first: the script's or document's folder."""
    environment: Environment
    """PRODUCTION for a deploy, DEVELOPMENT or TEST for what runs it there."""
    location: Location
    via: str
    """Who runs it, for messages: "deploy job `deploy` in .github/workflows/deploy.yml"."""


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform configuration that deploys the project without Compose."""

    name: str
    location: Location


@dataclass(frozen=True, slots=True)
class Invocation:
    """A compose command read from argv."""

    subcommand: str
    files: tuple[str, ...]


def compose_invocation(words: Sequence[str],
                       assignments: Sequence[tuple[str, str]] = ()) -> Invocation | None:
    """``docker compose -f a -f b up`` -> (up, (a, b)); ``docker stack deploy -c x app`` ->
    (stack deploy, (x,)); ``docker-compose up``; None for anything else."""
    if not words:
        return None
    program = posixpath.basename(words[0])
    files: list[str] = []
    i = 1
    if program in ("docker", "podman"):
        i = _options(words, 1, files)
        if i < len(words) and words[i] == "stack":
            j = i + 1
            if j < len(words) and words[j] == "deploy":
                stack_files = [words[k + 1] for k in range(j + 1, len(words) - 1)
                               if words[k] in ("-c", "--compose-file")]
                stack_files += [w.split("=", 1)[1] for w in words[j + 1:]
                                if w.startswith("--compose-file=")]
                return Invocation("stack deploy", tuple(stack_files))
            return None
        if i >= len(words) or words[i] != "compose":
            return None
        i += 1
    elif program not in ("docker-compose", "podman-compose"):
        return None
    i = _options(words, i, files)
    if i >= len(words):
        return None
    if not files:
        for name, value in assignments:
            if name == "COMPOSE_FILE" and value:
                files = [f for f in value.split(":") if f]
    return Invocation(words[i], tuple(files))


def _options(words: Sequence[str], i: int, files: list[str]) -> int:
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        word = words[i]
        if word in ("-f", "--file") and i + 1 < len(words):
            files.append(words[i + 1])
            i += 2
        elif word.startswith("--file="):
            files.append(word.split("=", 1)[1])
            i += 1
        elif word in DOCKER_GLOBALS:
            i += 2
        else:
            i += 1
    return i


@dataclass(frozen=True, slots=True)
class ImageBuild:
    """``docker build -f D -t IMAGE --target T --build-arg A=B CONTEXT``, as written."""

    dockerfile: str | None
    context: str
    tags: tuple[str, ...]
    target: str | None
    args: tuple[tuple[str, str], ...]
    location: Location


_BUILD_VALUES = frozenset({"-f", "--file", "-t", "--tag", "--target", "--build-arg",
                           "--platform", "--cache-from", "--cache-to", "--label", "--network",
                           "--progress", "--secret", "--ssh", "--output", "-o", "--iidfile",
                           "--add-host", "--build-context", "--builder", "--metadata-file",
                           "--shm-size", "--ulimit", "--attest", "--annotation"})


def image_build(words: Sequence[str], location: Location) -> ImageBuild | None:
    """An image build (``docker build``, ``docker buildx build``, ``docker image build``,
    ``podman build``) read from argv, or None."""
    if not words or posixpath.basename(words[0]) not in ("docker", "podman"):
        return None
    i = _options(words, 1, [])
    if i < len(words) and words[i] in ("buildx", "image", "builder"):
        i += 1
    if i >= len(words) or words[i] != "build":
        return None
    values: dict[str, list[str]] = {}
    operands: list[str] = []
    j = i + 1
    while j < len(words):
        word = words[j]
        name, equals, value = word.partition("=")
        if word.startswith("-") and equals and name in _BUILD_VALUES:
            values.setdefault(name, []).append(value)
        elif word in _BUILD_VALUES and j + 1 < len(words):
            values.setdefault(word, []).append(words[j + 1])
            j += 1
        elif not word.startswith("-"):
            operands.append(word)
        j += 1
    if len(operands) != 1:
        return None
    files = values.get("-f", []) + values.get("--file", [])
    targets = values.get("--target", [])
    dockerfile = files[-1] if files else None
    target = targets[-1] if targets else None
    args = tuple((n, v) for n, eq, v in (a.partition("=") for a in values.get("--build-arg", ()))
                 if eq)
    return ImageBuild(dockerfile, operands[0], tuple(values.get("-t", []) + values.get("--tag", [])),
                      target, args, location)


def image_builds(fragments: Iterable[tuple[ShellFragment, Script]]) -> Iterator[
        tuple[ShellFragment, ImageBuild]]:
    """Every image build in the project's scripts, Makefile recipes and CI steps (over ssh
    too is not followed: the server's checkout is not this one)."""
    for fragment, script in fragments:
        for command in script.commands:
            built = image_build(command.words, command.location)
            if built is not None and built.tags:
                yield fragment, built


def image_alias(words: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(new names, source images) of a command that gives built images another name: ``docker
    tag SRC DST`` (``podman tag SRC DST...``), ``docker manifest create LIST --amend SRC...``
    and ``docker buildx imagetools create -t LIST SRC...`` (a list of per-platform builds of
    one image); None for anything else."""
    if not words or posixpath.basename(words[0]) not in ("docker", "podman"):
        return None
    i = _options(words, 1, [])
    rest = [w for w in words[i:]]
    if rest[:1] == ["image"]:
        rest = rest[1:]
    if rest[:1] == ["tag"]:
        operands = [w for w in rest[1:] if not w.startswith("-")]
        return (tuple(operands[1:]), tuple(operands[:1])) if len(operands) >= 2 else None
    if rest[:2] == ["manifest", "create"]:
        operands = [w for w in rest[2:] if not w.startswith("-")]
        return (tuple(operands[:1]), tuple(operands[1:])) if len(operands) >= 2 else None
    if rest[:3] == ["buildx", "imagetools", "create"]:
        names: list[str] = []
        sources: list[str] = []
        j = 3
        while j < len(rest):
            if rest[j] in ("-t", "--tag") and j + 1 < len(rest):
                names.append(rest[j + 1])
                j += 2
                continue
            if rest[j].startswith("--tag="):
                names.append(rest[j].split("=", 1)[1])
            elif not rest[j].startswith("-"):
                sources.append(rest[j])
            j += 1
        return (tuple(names), tuple(sources)) if names and sources else None
    return None


def image_aliases(fragments: Iterable[tuple[ShellFragment, Script]]) -> Iterator[
        tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every (new names, sources) of :func:`image_alias` in the project's scripts and CI."""
    for _, script in fragments:
        for command in script.commands:
            found = image_alias(command.words)
            if found is not None:
                yield found


def ssh_command(words: Sequence[str]) -> str | None:
    """The command line ``ssh [options] host COMMAND...`` runs on the server, or None."""
    if not words or posixpath.basename(words[0]) != "ssh":
        return None
    i = 1
    while i < len(words) and words[i].startswith("-") and len(words[i]) > 1:
        word = words[i]
        i += 2 if word[-1] in _SSH_OPTIONS and len(word) == 2 else 1
    rest = words[i + 1:]
    return " ".join(rest) if rest else None


def published_files(words: Sequence[str]) -> tuple[str, ...]:
    """The compose files a command ships to users: ``gh release upload TAG docker/compose.yml``
    attaches them to a release; a ``curl``/``wget`` of a compose file's URL downloads one."""
    if len(words) > 3 and posixpath.basename(words[0]) == "gh" and \
            tuple(words[1:3]) == ("release", "upload"):
        return tuple(w.split("#", 1)[0] for w in words[4:]
                     if not w.startswith("-") and _names_compose_file(w.split("#", 1)[0]))
    if words and posixpath.basename(words[0]) in ("curl", "wget"):
        return tuple(w for w in words[1:] if "://" in w and _names_compose_file(w))
    return ()


def _names_compose_file(word: str) -> bool:
    name = posixpath.basename(word.split("?", 1)[0])
    return "compose" in name.lower() and is_compose_file_name(name)


# -- scripts, Makefile targets, package.json scripts and CI jobs --------------------------------


def script_runs(fragments: Iterable[tuple[ShellFragment, Script]],
                parse: Callable[[str, Any], Script]) -> Iterator[ComposeRun]:
    """Every compose run in the project's scripts, Makefile recipes, package.json scripts and
    CI steps, judged by what holds it."""
    for fragment, script in fragments:
        environment, via = fragment_purpose(fragment)
        for command in script.commands:
            yield from _command_runs(command, fragment, environment, via)
            remote = ssh_command(command.words)
            if remote is not None:
                for nested in parse(remote, _LocatedAt(command.location)).commands:
                    yield from _command_runs(nested, fragment, Environment.PRODUCTION,
                                             f"{via}, over ssh")


class _LocatedAt:
    """An origin that puts every offset at one location (text the file does not hold
    verbatim, such as the joined words of an ssh command)."""

    def __init__(self, location: Location) -> None:
        self._location = location

    @property
    def path(self) -> Path:
        return self._location.path

    def locate(self, start: int, end: int | None = None) -> Location:
        return self._location


def _command_runs(command: Command, fragment: ShellFragment, environment: Environment | None,
                  via: str) -> Iterator[ComposeRun]:
    if environment is None:
        return
    invocation = compose_invocation(command.words, command.assignments)
    if invocation is not None and (invocation.subcommand in RUNS
                                   or invocation.subcommand == "stack deploy"):
        yield ComposeRun(invocation.files, fragment.path.parent, environment, command.location,
                         via)
    shipped = published_files(command.words)
    if shipped:
        yield ComposeRun(shipped, fragment.path.parent, Environment.PRODUCTION,
                         command.location, f"{via}, which publishes it")


def fragment_purpose(fragment: ShellFragment) -> tuple[Environment | None, str]:
    """What a script, target, package.json script or CI job is run for, from its names, and
    how to name it in a message; None when its names say nothing."""
    where = fragment.path.name
    if fragment.kind == "makefile":
        via = f"Makefile target `{fragment.context}`"
    elif fragment.kind == "package.json":
        via = f"package.json script `{fragment.context}`"
    elif fragment.kind == "ci":
        via = f"CI {fragment.context} in {where}"
    else:
        via = f"script {where}"
    if fragment.remote:
        return Environment.PRODUCTION, f"{via}, over ssh"
    own = name_words(fragment.context) if fragment.context else set()
    path = name_words(posixpath.basename(fragment.path.as_posix()))
    if fragment.kind == "ci":
        path |= name_words(fragment.context)
    for words in (own, path):
        if words & DEPLOY_WORDS:
            return Environment.PRODUCTION, via
        if words & DEVELOPMENT_WORDS:
            return Environment.DEVELOPMENT, via
        if words & TEST_WORDS:
            return Environment.TEST, via
    if fragment.kind == "ci":
        return Environment.TEST, via
    return None, via


# -- documentation ----------------------------------------------------------------------------


GUIDE_WORDS = DEPLOY_WORDS | INSTALL_WORDS | DEVELOPMENT_WORDS | frozenset({
    "readme", "setup", "guide", "started", "quickstart", "docker", "compose", "administration",
    "operations", "ops", "running", "run", "usage"})
"""Words in a document's name or folders that make it a guide to running the project."""


def is_document(parts: Sequence[str]) -> bool:
    """Whether a file (its path's components below the repository) is a Markdown guide to
    running the project: a README, or a document whose name or folders speak of deploying,
    installing, hosting, developing or running it. Other documents are not read."""
    if not parts or not parts[-1].lower().endswith(DOCUMENT_SUFFIXES):
        return False
    return bool(name_words(" ".join(parts).replace("-", " ").replace("_", " ")) & GUIDE_WORDS
                or any("selfhost" in p.lower().replace("-", "") for p in parts))


@dataclass(frozen=True, slots=True)
class _Block:
    """A Markdown token with what the sections around it say it is for."""

    token: Any
    environment: Environment | None
    section: str
    first_line: int
    """The 1-based line of a code block's first line of code; of an inline token, its line."""


def _blocks(path: Path, text: str) -> Iterator[_Block]:
    """Each located token of a Markdown document (CommonMark, markdown-it-py) with the
    purpose of the innermost heading around it (the document's own name last)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    headings: list[tuple[int, str]] = []
    title = posixpath.basename(path.as_posix()).rsplit(".", 1)[0].replace("_", " ")
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            level = int(token.tag[1:])
            headings = [h for h in headings if h[0] < level] + [(level,
                                                                  tokens[index + 1].content)]
            continue
        if token.map is None or token.type not in ("fence", "code_block", "inline"):
            continue
        environment, section = _section_purpose(title, headings)
        first = token.map[0] + (2 if token.type == "fence" else 1)
        yield _Block(token, environment, section, first)


def _shell_code(block: _Block) -> bool:
    token = block.token
    if token.type not in ("fence", "code_block"):
        return False
    info = token.info.strip().split(" ")[0].lower() if token.type == "fence" else ""
    return info in _SHELL_CODE


def document_runs(path: Path, text: str, parse: Callable[[str, Any], Script]) -> Iterator[
        ComposeRun]:
    """What a Markdown document has its reader run: compose commands and downloads in its
    shell code blocks, links to compose files; each judged by the sections around it and the
    document's own name."""
    from composeguard.lint.parse.origin import TextOrigin

    if "compose" not in text:
        return
    for block in _blocks(path, text):
        environment, token = block.environment, block.token
        if environment is None:
            continue
        via = f"{path.name}, section “{block.section}”" if block.section else path.name
        if _shell_code(block):
            if "compose" not in token.content:
                continue
            for number, line in enumerate(token.content.split("\n")):
                yield from _document_line(path, line, block.first_line + number, environment,
                                          via, parse, TextOrigin)
        elif token.type == "inline" and token.children:
            for child in token.children:
                href = child.attrs.get("href") if child.type == "link_open" else None
                if not isinstance(href, str) or not _names_compose_file(href):
                    continue
                local = "://" not in href
                yield ComposeRun((href.split("#", 1)[0] if local else href,), path.parent,
                                 environment, Location(path, block.first_line, 1),
                                 f"{via}, {'a link' if local else 'a download'}")


def document_commands(path: Path, text: str, parse: Callable[[str, Any], Script],
                      wanted: Callable[[str], bool]) -> Iterator[Command]:
    """The commands a Markdown guide has its reader run in its shell code blocks, on the lines
    ``wanted`` picks, outside its sections about development and tests."""
    from composeguard.lint.parse.origin import TextOrigin

    if not any(wanted(line) for line in text.splitlines()):
        return
    for block in _blocks(path, text):
        if not _shell_code(block) or block.environment in (Environment.DEVELOPMENT,
                                                            Environment.TEST):
            continue
        for number, line in enumerate(block.token.content.split("\n")):
            if wanted(line):
                yield from parse(_without_prompt(line), TextOrigin(
                    path, line, block.first_line + number, 1)).commands


def _without_prompt(line: str) -> str:
    """A shell session's line without its prompt (``$ ``), offsets kept."""
    stripped = line.lstrip()
    if stripped.startswith(("$ ", "> ", "% ")):
        return " " * (len(line) - len(stripped) + 2) + stripped[2:]
    return line


def _document_line(path: Path, line: str, number: int, environment: Environment, via: str,
                   parse: Callable[[str, Any], Script], origin: Any) -> Iterator[ComposeRun]:
    line = _without_prompt(line)
    if "compose" not in line:
        return
    script = parse(line, origin(path, line, number, 1))
    for command in script.commands:
        invocation = compose_invocation(command.words, command.assignments)
        if invocation is not None and invocation.subcommand not in _NO_SETUP and (
                environment is not Environment.TEST or invocation.subcommand in RUNS):
            yield ComposeRun(invocation.files, path.parent, environment, command.location, via)
        for shipped in published_files(command.words):
            yield ComposeRun((shipped,), path.parent, environment, command.location,
                             f"{via}, a download")


def _section_purpose(title: str, headings: Sequence[tuple[int, str]]) -> tuple[
        Environment | None, str]:
    """The innermost heading (the document's name last) that says what its commands are for.
    Installing and upgrading count only where no heading around says development or tests:
    a contributor's guide has its readers install things too."""
    chain = [(h[1].strip(), name_words(h[1])) for h in reversed(headings)]
    chain.append(("", name_words(title)))
    developing = any(words & (DEVELOPMENT_WORDS | _DOCUMENT_TEST_WORDS) for _, words in chain)
    for shown, words in chain:
        if words & DEVELOPMENT_WORDS:
            return Environment.DEVELOPMENT, shown
        if words & _DOCUMENT_TEST_WORDS:
            return Environment.TEST, shown
        if words & DEPLOY_WORDS or (words & INSTALL_WORDS and not developing):
            return Environment.PRODUCTION, shown
    return None, ""


_DOCUMENT_TEST_WORDS = TEST_WORDS - {"check", "checks", "ci"}
_NO_SETUP = frozenset({"version", "help", "ls"})
"""Compose subcommands that involve no setup."""


# -- platforms --------------------------------------------------------------------------------

KUBERNETES_FOLDERS = frozenset({"k8s", "kubernetes", "kube", "manifests", "helm", "charts",
                                "kustomize", "overlays", "base"})
KUBERNETES_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "CronJob", "Pod",
                                  "ReplicaSet"})


def platform_of(path: Path, parts: Sequence[str], read: Callable[[Path], str | None]) -> (
        Platform | None):
    """The platform a file configures a deployment for, or None; ``parts`` are its path's
    components below the repository root."""
    name = path.name
    lower = name.lower()
    here = Location(path, 1, 1)
    if lower == "fly.toml":
        return _if_toml(path, read, "Fly.io (fly.toml)", "app")
    if lower == "heroku.yml":
        return Platform("Heroku (heroku.yml)", here)
    if lower == "app.json" and (path.parent / "Procfile").is_file():
        data = _json(path, read)
        if isinstance(data, dict) and ("buildpacks" in data or "formation" in data
                                       or "addons" in data or "stack" in data):
            return Platform("Heroku (app.json and Procfile)", here)
        return None
    if lower in ("render.yaml", "render.yml"):
        data = _yaml(path, read)
        if isinstance(data, dict) and "services" in data:
            return Platform("Render (render.yaml)", here)
        return None
    if lower in ("app.yaml", "app.yml") and len(parts) <= 2:
        data = _yaml(path, read)
        if isinstance(data, dict) and "runtime" in data:
            return Platform("App Engine (app.yaml)", here)
    if lower in ("deploy.yml", "deploy.yaml") and len(parts) >= 2 and parts[-2] == "config":
        data = _yaml(path, read)
        if isinstance(data, dict) and "service" in data and "image" in data:
            return Platform(f"Kamal ({'/'.join(parts[-2:])})", here)
        return None
    if lower == "chart.yaml":
        data = _yaml(path, read)
        if isinstance(data, dict) and "apiVersion" in data and "name" in data:
            return Platform(f"Helm ({'/'.join(parts)})", here)
        return None
    if lower.endswith((".yaml", ".yml")) and not is_compose_file_name(name) and (
            KUBERNETES_FOLDERS & {p.lower() for p in parts[:-1]} or "k8s" in lower
            or "kube" in lower):
        for document in _yaml_documents(path, read):
            if isinstance(document, dict) and document.get("kind") in KUBERNETES_WORKLOADS \
                    and "apiVersion" in document:
                return Platform(f"Kubernetes ({'/'.join(parts)})", here)
    return None


def _if_toml(path: Path, read: Callable[[Path], str | None], name: str, key: str) -> (
        Platform | None):
    import tomllib

    text = read(path)
    try:
        data = tomllib.loads(text) if text is not None else None
    except tomllib.TOMLDecodeError:
        return None
    return Platform(name, Location(path, 1, 1)) if isinstance(data, dict) and key in data \
        else None


def _json(path: Path, read: Callable[[Path], str | None]) -> object:
    import json

    text = read(path)
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return None


def _yaml(path: Path, read: Callable[[Path], str | None]) -> object:
    documents = _yaml_documents(path, read)
    return documents[0] if documents else None


def _yaml_documents(path: Path, read: Callable[[Path], str | None]) -> list[object]:
    import yaml

    text = read(path)
    if text is None or "{{" in text:
        return []
    try:
        return list(yaml.safe_load_all(text))[:50]
    except (yaml.YAMLError, RecursionError, ValueError):
        return []


# -- which compose files a run runs -------------------------------------------------------


def runs_by_chain(chains: Sequence[tuple[ComposeFile, ...]], compose_files: Sequence[ComposeFile],
                  runs: Iterable[ComposeRun], scope_of: Callable[[Path], Path]
                  ) -> dict[tuple[Path, ...], tuple[ComposeRun, ...]]:
    """The runs of :attr:`compose_runs` by the ``-f`` chain each runs (its files' paths):
    the chain of the files it names (Compose's default files where it names none), found
    beside the script or document, at the repository root (``scope_of``), or by name when
    only one compose file of the project has it. A run that names a chain ``chains`` does not
    hold (a file run on its own) adds it. Deploys come first."""
    by_path = {f.path: f for f in compose_files}
    known = {frozenset(f.path for f in chain): tuple(f.path for f in chain) for chain in chains}
    found: dict[tuple[Path, ...], list[ComposeRun]] = defaultdict(list)
    for run in runs:
        paths = run_files(run, by_path, scope_of)
        if paths:
            found[known.setdefault(frozenset(paths), paths)].append(run)
    order = (Environment.PRODUCTION, Environment.DEVELOPMENT, Environment.TEST)
    return {key: tuple(sorted(runs, key=lambda r: order.index(r.environment)))
            for key, runs in found.items()}

def run_files(run: ComposeRun, by_path: Mapping[Path, ComposeFile],
               scope_of: Callable[[Path], Path]) -> tuple[Path, ...]:
    import os

    scope = scope_of(run.location.path)
    folders = [run.directory, *(p for p in run.directory.parents if scope in p.parents)]
    folders.append(scope)
    if not run.files:
        from composeguard.lint.model.compose import BASE_NAMES

        for folder in folders:
            base = next((folder / n for n in BASE_NAMES if folder / n in by_path), None)
            if base is not None:
                # Compose merges the override by default; a deploy is taken to mean the
                # base, since the override's name says it holds development's changes.
                override = next((p for p in by_path if p.parent == folder
                                 and by_path[p].is_override), None) \
                    if run.environment is not Environment.PRODUCTION else None
                return (base, override) if override is not None else (base,)
        return ()
    paths: list[Path] = []
    for name in run.files:
        resolved = None
        if "://" in name:
            tail = name.split("?", 1)[0].split("/")
            resolved = max((p for p in by_path if scope_of(p) == scope
                            and p.name == tail[-1]),
                           key=lambda p: (_shared_tail(p, tail), -len(p.parts)),
                           default=None)
        elif not name.startswith("$"):
            for folder in folders:
                candidate = Path(os.path.normpath(folder / name))
                if candidate in by_path:
                    resolved = candidate
                    break
            if resolved is None and "/" not in name:
                named = [p for p in by_path if p.name == name and scope_of(p) == scope]
                resolved = named[0] if len(named) == 1 else None
        if resolved is None:
            return ()
        paths.append(resolved)
    return tuple(dict.fromkeys(paths))


def _shared_tail(path: Path, tail: list[str]) -> int:
    """How many trailing components of ``path`` the URL path ``tail`` ends with."""
    count = 0
    for mine, theirs in zip(reversed(path.parts), reversed(tail), strict=False):
        if mine != theirs:
            break
        count += 1
    return count


# -- images the project builds by name ---------------------------------------------------


def built_image(builds: Mapping[str, Build], image: str) -> Build | None:
    """The Dockerfile, context, target and build arguments of an image the project's
    scripts or CI build by name (``docker build -f Dockerfile.production -t org/app:prod
    .``), for a compose service that runs that image without a ``build:``: its ENTRYPOINT
    and CMD are the service's start commands. A tag given by a variable matches the
    image's name."""
    found = builds.get(image)
    if found is None and ":" not in image.rsplit("/", 1)[-1]:
        found = builds.get(image + ":latest")
    if found is None:
        name = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
        named = {b for tag, b in builds.items() if tag.rsplit(":", 1)[0] == name
                 and ("$" in tag or "$" in image)}
        found = named.pop() if len(named) == 1 else None
    return found

def built_images(fragments: Sequence[tuple[ShellFragment, Script]],
                 scope_of: Callable[[Path], Path],
                 unreadable: Callable[[Path], str | None]) -> dict[str, Build]:
    """Every image the project's scripts and CI build by name, with its build: each tag of a
    ``docker build`` whose context and Dockerfile exist (beside the script, else at the
    repository root), and the names a ``docker tag`` or ``docker manifest create`` gives a
    build."""
    import os

    from composeguard.lint.facts.start_commands import Build

    found: dict[str, Build] = {}
    for fragment, built in image_builds(fragments):
        scope = scope_of(fragment.path)
        for folder in (fragment.path.parent, scope):
            context = Path(os.path.normpath(folder / built.context))
            dockerfile = Path(os.path.normpath(folder / built.dockerfile)) \
                if built.dockerfile else context / "Dockerfile"
            if context.is_dir() and dockerfile.is_file() and \
                    unreadable(dockerfile) is None:
                for tag in built.tags:
                    found.setdefault(tag, Build(context, dockerfile, built.target,
                                                tuple(sorted(built.args))))
                break
    # an image tagged from a build, or a manifest list of a build's platform images, is
    # that build (`docker tag app-base org/app:latest`, `docker manifest create org/app
    # --amend org/app-amd64`)
    aliases = list(image_aliases(fragments))
    for _ in range(3):
        before = len(found)
        for names, sources in aliases:
            same = {b for source in sources if (b := _built_as(found, source)) is not None}
            if len(same) == 1:
                for name in names:
                    found.setdefault(name, next(iter(same)))
        if len(found) == before:
            break
    return found


def _built_as(builds: Mapping[str, Build], image: str) -> Build | None:
    """The build an image name is: by its tag as written (``:latest`` when it has none), or
    a tag written with a variable (``org/app-$PLATFORM:latest`` for ``org/app-amd64:latest``)."""
    from fnmatch import fnmatchcase

    found = builds.get(image) or (builds.get(image + ":latest")
                                  if ":" not in image.rsplit("/", 1)[-1] else None)
    if found is not None:
        return found
    matched = {b for tag, b in builds.items() if "$" in tag and fnmatchcase(
        image, "".join("*" if part.startswith("$") else part.replace("*", "[*]")
                       for part in _variable_parts(tag)))}
    return matched.pop() if len(matched) == 1 else None


def _variable_parts(text: str) -> list[str]:
    """``a-$X:${Y}`` as ``['a-', '$X', ':', '${Y}']``: shell variables split from the rest."""
    parts: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "$":
            j = i + 1
            if j < len(text) and text[j] == "{":
                j = text.find("}", j)
                j = len(text) if j < 0 else j + 1
            else:
                while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                    j += 1
            parts.append(text[i:j])
            i = j
        else:
            j = text.find("$", i)
            j = len(text) if j < 0 else j
            parts.append(text[i:j])
            i = j
    return parts
