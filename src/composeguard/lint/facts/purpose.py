"""What each compose setup is for: production, development, test or example, and why.

This is the one place that decides; every rule asks the Project, which asks here. How the
project is deployed speaks first (:mod:`composeguard.lint.facts.deploy` reads it); what the compose
files say of themselves speaks only where the project says nothing about deployment. A file's
own evidence is judged by :func:`judge_file` (configuration, header comment, name, folder, a
collection of samples), a setup's by :func:`judge_setup` (the header of the file that names
it, then the deploy path, names and folders, development and test paths, a platform that
deploys without Compose, then what the setup shows, weighed by :func:`judge_content`), and
the project-wide last word by :func:`judge_alone` (a base beside production, the project's
only setup). The README's "What each setup is for" lists the evidence for users.

Values that env files give (``.env``, ``env_file:``, ``${VAR}`` filled from them) describe
one machine and never decide: a tracked ``.env`` with ``APP_ENV=local`` is that machine's
copy, and the same compose file is what production runs.
"""

from __future__ import annotations

import enum
import fnmatch
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.facts.deploy import DEPLOY_WORDS, STAGING_MARKERS, ComposeRun, Platform
from composeguard.lint.model.compose import (
    DEVELOPMENT_DIRS,
    DEVELOPMENT_FOLDERS,
    DEVELOPMENT_MARKERS,
    EXAMPLE_FOLDERS,
    EXAMPLE_MARKERS,
    PRODUCTION_FOLDERS,
    PRODUCTION_MARKERS,
    PRODUCTION_VALUES,
    TEST_FOLDERS,
    TEST_MARKERS,
    Environment,
    name_markers,
    name_words,
    word_runs,
)
from composeguard.lint.model.discover import DEPENDENCY_DIRS
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.yamlio import header_comment

if TYPE_CHECKING:
    from composeguard.lint.facts.start_commands import StartStep
    from composeguard.lint.model.compose import ComposeFile, ComposeModel, Service

TEMPLATE_TAGS = ("{{", "{%", "<%")
"""Jinja/cookiecutter and ERB tags: a file holding them that does not parse is a template."""

COLLECTION_SIZE = 8
"""Sibling folders, each holding a setup of its own, that make their parent a collection of
samples (docker-library's docs, awesome-compose) rather than one project's environments."""

ENVIRONMENT_VARIABLES = ("APP_ENV", "RAILS_ENV", "RACK_ENV", "NODE_ENV", "DJANGO_ENV",
                         "FLASK_ENV", "ENVIRONMENT", "ENV")
DEVELOPMENT_VALUES = frozenset({"development", "dev", "local"})
DEVELOPMENT_TOOL_VARIABLES = ("LARAVEL_SAIL", "XDEBUG_MODE", "XDEBUG_CONFIG")
"""Set only where a development tool runs: Laravel Sail's app container, Xdebug."""
DEVELOPMENT_NAME_WORDS = frozenset({"dev", "development", "local"})
LOCAL_EMULATORS = frozenset({"amazon/dynamodb-local", "localstack/localstack",
                             "mcr.microsoft.com/azure-storage/azurite",
                             "mcr.microsoft.com/cosmosdb/linux/azure-cosmos-emulator"})
"""Images that emulate a cloud service on a laptop: production uses the service itself."""

_NOT_PRODUCTION = (
    ("not", "intended", "for", "production"), ("not", "intended", "to", "be", "a", "production"),
    ("not", "meant", "for", "production"), ("not", "for", "production"),
    ("not", "suitable", "for", "production"), ("not", "production", "ready"),
    ("do", "not", "use", "in", "production"), ("don", "t", "use", "in", "production"),
    ("never", "use", "in", "production"), ("do", "not", "use", "this", "in", "production"),
)
_EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "tutorial", "demo",
                            "evaluate", "evaluation", "quickstart", "try"})
_DEVELOPMENT_PHRASES = (
    ("development", "purposes"), ("for", "development"), ("local", "development"),
    ("development", "only"), ("only", "for", "development"), ("development", "stack"),
    ("development", "environment"), ("for", "local"), ("for", "developing"),
    ("developing",), ("dev", "only"), ("for", "contributors"),
)
_PRODUCTION_PHRASES = (
    ("for", "production"), ("production", "setup"), ("production", "deployment"),
    ("production", "server"), ("production", "stack"), ("production", "single"),
    ("self", "hosted"), ("self", "hosting"),
)
"""Read only after the phrases that deny production: "not for production" is not one."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """What a compose file or setup is for, and the evidence a user can look at."""

    environment: Environment
    reason: str
    """Why, in words that quote the evidence: "named `docker-compose.prod.yml`"."""
    location: Location
    """The line that decided: the file (line 1) for a name or place, the header comment,
    the key that shows development."""
    decisive: bool = True
    """Decided by configuration, name, place, header or collection: what a setup's content
    shows cannot overturn it. False for the default (a base file, a variant's name)."""
    doubt: bool = False
    """Judged development by a development server alone while the setup also prepares for
    production (see :func:`judge_content`): a project's only setup judged so still serves
    every environment (CG601)."""
    by: str = "default"
    """What decided: ``configuration``, ``header``, ``deploy``, ``name``, ``folder``,
    ``collection``, ``run`` (a development or test path), ``platform``, ``content``,
    ``beside`` (a base beside a production setup), ``only`` (the project's only setup) or
    ``default``."""
    deployed_by: str = ""
    """The deploy path that runs the setup ("CI job deploy in deploy.yml, over ssh"), where
    one does."""


def judge_file(
    path: Path,
    directories: Sequence[str],
    text: str | None,
    patterns: Mapping[str, Environment] | None = None,
    relative: str | None = None,
    collection: str | None = None,
) -> Judgement:
    """A compose file's judgement from the configuration, its name, its folders
    (``directories``, from the checked path or repository root down), its header comment,
    and whether it belongs to a ``collection`` of samples (that folder's display name)."""
    name = path.name
    here = Location(path, 1, 1)
    relative = relative or name
    for pattern, environment in (patterns or {}).items():
        if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(relative, pattern):
            return Judgement(environment, f"configured: `{pattern}` = {environment.value}", here,
                             by="configuration")
    header = judge_header(path, text) if text is not None else None
    if header is not None:
        return header
    words = set(name_markers(name))
    folders = [d.lower() for d in directories]
    for folder in folders:
        if folder in EXAMPLE_FOLDERS:
            return Judgement(Environment.EXAMPLE, f"it is in `{folder}/`, a folder of examples",
                             here, by="folder")
        if folder in DEVELOPMENT_DIRS and not words & TEST_MARKERS:
            return Judgement(Environment.DEVELOPMENT,
                             f"it is in `{folder}/`, a development tool's folder", here,
                             by="folder")
    named = _by_name(name, words, here)
    if named is not None and named.environment is not Environment.DEVELOPMENT:
        return named
    for folder in reversed(folders):
        placed = _by_folder(folder, here)
        if placed is not None and (named is None or placed.environment is Environment.TEST):
            return placed
    if named is not None:
        return named
    if collection is not None:
        return Judgement(Environment.EXAMPLE,
                         f"one of many independent setups side by side in `{collection}`: "
                         "a collection of samples", here, by="collection")
    if name.lower() in ("compose.yaml", "compose.yml", "docker-compose.yaml",
                        "docker-compose.yml"):
        reason = "a base file with nothing that says what it is for: production runs it"
    else:
        reason = f"`{name}` names a variant of the setup, not an environment: production runs it"
    return Judgement(Environment.PRODUCTION, reason, here, decisive=False)


def _by_name(name: str, words: set[str], here: Location) -> Judgement | None:
    quoted = f"named `{name}`"
    if words & EXAMPLE_MARKERS:
        return Judgement(Environment.EXAMPLE, f"{quoted}: an example or preview setup", here,
                         by="name")
    if words & PRODUCTION_MARKERS:
        return Judgement(Environment.PRODUCTION, quoted, here, by="name")
    if words & TEST_MARKERS or any(w.endswith(("test", "tests")) for w in words):
        return Judgement(Environment.TEST, quoted, here, by="name")
    if words & DEVELOPMENT_MARKERS:
        return Judgement(Environment.DEVELOPMENT, quoted, here, by="name")
    return None


def _by_folder(folder: str, here: Location) -> Judgement | None:
    for folders, environment in ((PRODUCTION_FOLDERS, Environment.PRODUCTION),
                                 (TEST_FOLDERS, Environment.TEST),
                                 (DEVELOPMENT_FOLDERS, Environment.DEVELOPMENT)):
        if folder in folders:
            return Judgement(environment, f"it is in `{folder}/`", here, by="folder")
    return None


def judge_header(path: Path, text: str) -> Judgement | None:
    """What the maintainers wrote at the top of the file, when it says what it is for."""
    lines = header_comment(text)
    if not lines:
        return None
    ordered: list[tuple[str, int]] = []
    for number, line in lines:
        ordered.extend((word, number) for word in word_runs(line.lower()))
    words = [w for w, _ in ordered]

    def found(phrases: Sequence[tuple[str, ...]]) -> int | None:
        for phrase in phrases:
            for start in range(len(words) - len(phrase) + 1):
                if tuple(words[start : start + len(phrase)]) == phrase:
                    return ordered[start][1]
        return None

    def quote(number: int) -> str:
        said = dict(lines)[number]
        return said if len(said) <= 70 else said[:67] + "..."

    denied = found(_NOT_PRODUCTION)
    if denied is not None:
        example = bool(set(words) & _EXAMPLE_WORDS)
        environment = Environment.EXAMPLE if example else Environment.DEVELOPMENT
        return Judgement(environment, f"its header says \"{quote(denied)}\"",
                         Location(path, denied, 1), by="header")
    for phrases, environment in ((_DEVELOPMENT_PHRASES, Environment.DEVELOPMENT),
                                 (_PRODUCTION_PHRASES, Environment.PRODUCTION)):
        said = found(phrases)
        if said is not None:
            return Judgement(environment, f"its header says \"{quote(said)}\"",
                             Location(path, said, 1), by="header")
    return None


def collection_folders(setup_dirs: Sequence[Path]) -> dict[Path, Path]:
    """The folders of ``setup_dirs`` (each holding a setup of its own) that sit among at least
    :data:`COLLECTION_SIZE` such siblings, mapped to their common parent."""
    by_parent: dict[Path, set[Path]] = {}
    for folder in setup_dirs:
        by_parent.setdefault(folder.parent, set()).add(folder)
    holders = set(setup_dirs)
    return {folder: parent for parent, folders in by_parent.items()
            if len(folders) >= COLLECTION_SIZE and parent not in holders
            for folder in folders}


def judge_setup(
    chain: Sequence[ComposeFile],
    judged: Sequence[Judgement],
    model: ComposeModel,
    steps: Callable[[Service], Sequence[StartStep]],
    written: Callable[[Node], str | None],
    runs: Sequence[ComposeRun] = (),
    platform: Platform | None = None,
) -> Judgement:
    """One ``-f`` chain's judgement. The evidence, in the order it is asked:

    1. the configuration, or what the file that names the setup (the last of the chain) says
       of itself in its header;
    2. a deploy path that runs it (``runs``: a deploy job or script, a command over ssh, a
       guide that installs it): production runs what the project deploys;
    3. its files' names and folders, a collection of samples;
    4. a development or test path that runs it (a ``dev`` target, a "Development" section);
    5. a ``platform`` that deploys the project without Compose: the setup is development;
    6. what the setup shows of itself, weighed (:func:`judge_content`);
    7. otherwise the default (the Project then weighs a base file beside a production setup
       and a project's only setup, :func:`judge_alone`).
    """
    if judged[-1].decisive and judged[-1].by in ("configuration", "header"):
        return judged[-1]
    deployed = [run for run in runs if run.environment is Environment.PRODUCTION]
    if deployed:
        run = deployed[0]
        return Judgement(Environment.PRODUCTION, f"{run.via} deploys it", run.location,
                         by="deploy", deployed_by=run.via)
    for judgement in reversed(judged):
        if judgement.decisive:
            return judgement
    if runs:
        run = runs[0]
        return Judgement(run.environment, f"{run.via} runs it", run.location, by="run")
    if platform is not None:
        return Judgement(Environment.DEVELOPMENT,
                         f"the project deploys with {platform.name}: Compose serves development",
                         platform.location, by="platform")
    content = judge_content(model, steps, written, {f.path for f in chain})
    return content if content is not None else judged[-1]


def judge_content(
    model: ComposeModel,
    steps: Callable[[Service], Sequence[StartStep]],
    written: Callable[[Node], str | None],
    chain_paths: set[Path],
) -> Judgement | None:
    """What the setup's own services show, weighed, or None when they show nothing.

    Development shows in three strengths: what only a laptop runs (Sail, Xdebug, a local
    cloud emulator, a development Dockerfile or start script, Docker Desktop's
    ``:delegated`` mounts) decides, and so does an ``APP_ENV: local`` written in the file,
    unless the setup serves a public domain over TLS (mounted certificates: a stray
    ``APP_ENV=local`` there is CG302's misconfiguration, while development tools are not
    left in by mistake); a development server decides unless the setup
    also prepares for production, then it is left in doubt; a source tree mounted over the
    image's code, dependencies masked under it or a terminal kept open decide only when
    nothing prepares for production (many single-server deployments mount their checkout).
    What prepares for production: an ``APP_ENV``/``RAILS_ENV``/``NODE_ENV`` that is, or
    defaults to, production, a restart policy on an app service, ``--force`` on its migrate or
    seed steps.
    A browser driven by tests (Selenium) makes the setup a test setup.
    """
    compose_paths = chain_paths | set(model.base_dirs)
    found: dict[str, tuple[str, Location]] = {}
    signs: list[tuple[str, Location]] = []
    for service in model.services.values():
        service_steps = steps(service)
        for strength, reason, location in development_evidence(service, service_steps,
                                                               compose_paths, written):
            found.setdefault(strength, (f"service '{service.name}' {reason}", location))
        for strength, reason, location in production_signs(service, service_steps,
                                                           compose_paths, written):
            if strength == "test":
                return Judgement(Environment.TEST, f"service '{service.name}' {reason}",
                                 location, by="content")
            if strength == "certificates":
                found.setdefault("certificates", (f"service '{service.name}' {reason}",
                                                  location))
            else:
                signs.append((f"service '{service.name}' {reason}", location))
    if "certificates" in found and "strong" not in found:
        reason, location = found["certificates"]
        return Judgement(Environment.PRODUCTION, reason, location, decisive=False, by="content")
    for strength in ("strong", "value"):
        if strength in found:
            reason, location = found[strength]
            return Judgement(Environment.DEVELOPMENT, reason, location, by="content")
    if "server" in found:
        reason, location = found["server"]
        if signs:
            return Judgement(Environment.DEVELOPMENT, f"{reason}, though {signs[0][0]}",
                             location, by="content", doubt=True)
        return Judgement(Environment.DEVELOPMENT, reason, location, by="content")
    if "weak" in found:
        reason, location = found["weak"]
        if signs:
            return Judgement(Environment.PRODUCTION, f"{signs[0][0]}, though {reason}",
                             signs[0][1], decisive=False, by="content")
        return Judgement(Environment.DEVELOPMENT,
                         f"{reason}, and nothing in it prepares for production", location,
                         by="content")
    return None


def judge_alone(judgement: Judgement, only: bool, production_elsewhere: str | None) -> Judgement:
    """The last word for a setup nothing decided: a base file beside a setup the project runs
    in production (``production_elsewhere``) is development's; the project's ``only`` setup
    is the one it deploys."""
    if judgement.decisive or judgement.environment is not Environment.PRODUCTION:
        return judgement
    if production_elsewhere is not None:
        return Judgement(Environment.DEVELOPMENT,
                         f"the project's production setup is `{production_elsewhere}`",
                         judgement.location, by="beside")
    if only and judgement.by in ("default", "content"):
        shown = "" if judgement.by == "default" else f"; {judgement.reason}"
        return replace(judgement, reason="the project's only compose setup: nothing else "
                                         f"deploys it{shown}", by="only")
    return judgement


def development_evidence(
    service: Service,
    steps: Sequence[StartStep],
    compose_paths: set[Path],
    written: Callable[[Node], str | None],
) -> Iterator[tuple[str, str, Location]]:
    """What in a service's own compose definition shows it runs for development, each with
    its strength (``strong``, ``server``, ``weak``, see :func:`judge_content`) and where;
    env-file values and interpolated ``${VAR}`` never count."""
    from composeguard.lint.facts.commands import development_server
    from composeguard.lint.parse.nodes import scalar_text

    for step in steps:
        if step.gated:
            continue
        server = development_server(step.command.words)
        if server is not None:
            yield "server", f"runs a development server (`{server}`)", step.location
        script = step.location.path
        if script not in compose_paths and name_words(script.name) & DEVELOPMENT_NAME_WORDS:
            yield "strong", f"starts through `{script.name}`, a development script", \
                step.location
    for name, value, node in _environment_values(service, compose_paths, written):
        if name in DEVELOPMENT_TOOL_VARIABLES:
            yield "strong", f"sets {name} (a development tool)", node.loc
        elif name == "DJANGO_SETTINGS_MODULE":
            if value and name_words(value.rsplit(".", 1)[-1]) & DEVELOPMENT_NAME_WORDS:
                yield "strong", f"runs the settings module `{value}`", node.loc
        elif value.lower() in DEVELOPMENT_VALUES:
            yield "value", f"sets {name}: {value}", node.loc
    image = (service.image or "").lower().split("@")[0].rsplit(":", 1)[0]
    if image.removeprefix("docker.io/") in LOCAL_EMULATORS:
        yield "strong", f"runs `{service.image}`, a local stand-in for a cloud service", \
            service.location
    if "sail-" in image and image.endswith("/app"):
        yield "strong", f"runs Laravel Sail (`{service.image}`)", service.location
    build = service.get("build")
    if build is not None and build.is_map:
        for key in ("dockerfile", "target"):
            chosen = build.get(key)
            if chosen is None or not chosen.is_scalar or chosen.value is None:
                continue
            built_from = scalar_text(chosen.value)
            if built_from and name_words(posixpath.basename(built_from)) & DEVELOPMENT_NAME_WORDS:
                yield "strong", f"is built from `{built_from}`", chosen.loc
        context = build.get("context")
        if context is not None and context.is_scalar and "laravel/sail/runtimes" in \
                scalar_text(context.value):
            yield "strong", "runs Laravel Sail", context.loc
    mounts = service.mounts
    sources = [m for m in mounts if m.kind.value == "bind" and m.source is not None
               and m.source.startswith(".")]
    for mount in sources:
        source = mount.source.rstrip("/") if mount.source else ""
        if source in (".", "..") and mount.consistency in ("delegated", "cached"):
            yield "strong", (f"mounts the working tree with `:{mount.consistency}`, Docker "
                             "Desktop's option for editing code on a developer's Mac"), \
                mount.location
    tty = service.get("tty")
    stdin = service.get("stdin_open")
    if sources and all(n is not None and n.is_scalar and scalar_text(n.value) == "true"
                       for n in (tty, stdin)):
        yield "weak", ("keeps a terminal open (`tty`, `stdin_open`) over the mounted source "
                       f"`{sources[0].source}`"), tty.loc if tty is not None else service.location
    for mount in mounts:
        if posixpath.basename(mount.target) in DEPENDENCY_DIRS and mount.kind.value != "bind":
            parent = posixpath.dirname(mount.target)
            if any(s.target == parent for s in sources):
                yield "weak", (f"masks `{mount.target}` under the mounted source tree, so the "
                               "host's code runs live"), mount.location
    code = _built_code_mount(service, sources)
    if code is not None:
        yield "weak", (f"mounts its source `{code.source}` over the image's code at "
                       f"`{code.target}`"), code.location


def _built_code_mount(service: Service, sources: Sequence[Mount]) -> Mount | None:
    """A bind mount of the service's own build context (or a folder in it) over the working
    directory the image runs its code from."""
    from composeguard.lint.parse.nodes import scalar_text

    build = service.get("build")
    context = build if build is not None and build.is_scalar else (
        build.get("context") if build is not None and build.is_map else None)
    if context is None or not context.is_scalar:
        return None
    root = posixpath.normpath(scalar_text(context.value) or ".")
    workdir = service.get("working_dir")
    targets = {"/var/www/html", "/var/www", "/app", "/usr/src/app", "/srv/app", "/code",
               "/opt/app", "/home/node/app", "/rails", "/myapp"}
    if workdir is not None and workdir.is_scalar and scalar_text(workdir.value):
        targets.add(scalar_text(workdir.value).rstrip("/"))
    for mount in sources:
        source = posixpath.normpath(mount.source or ".")
        inside = root == "." or source == root or source.startswith(root + "/")
        if inside and mount.target.rstrip("/") in targets and not mount.read_only:
            return mount
    return None


CERTIFICATE_PATHS = ("/etc/letsencrypt", "/etc/ssl/private", "/etc/nginx/ssl", "/etc/certs")
TEST_IMAGES = ("selenium/", "seleniarm/")
"""Browsers driven by tests: production never runs them."""


def production_signs(
    service: Service,
    steps: Sequence[StartStep],
    compose_paths: set[Path],
    written: Callable[[Node], str | None],
) -> Iterator[tuple[str, str, Location]]:
    """What in a service prepares it for production (``sign``), serves a public domain over
    TLS (``certificates``) or drives a browser for tests (``test``); see
    :func:`judge_content`."""
    from composeguard.lint.parse.nodes import scalar_text

    image = (service.image or "").lower()
    if image.startswith(TEST_IMAGES):
        yield "test", f"runs `{service.image}`, a browser driven by tests", service.location
    for mount in service.mounts:
        if mount.target.startswith(CERTIFICATE_PATHS) or "letsencrypt" in (mount.target or ""):
            yield "certificates", f"mounts TLS certificates at `{mount.target}`", mount.location
    for name, value, node in _environment_values(service, compose_paths, written,
                                                 defaults=True):
        if name in ENVIRONMENT_VARIABLES and value.lower().removesuffix(" by default") in \
                PRODUCTION_VALUES:
            yield "sign", f"sets {name} to {value}", node.loc
    env_files = service.get("env_file")
    for item in (env_files.value if env_files is not None and env_files.is_list else
                 [env_files] if env_files is not None else []):
        path = item.get("path") if item.is_map else item
        named = scalar_text(path.value) if path is not None and path.is_scalar else ""
        shown = posixpath.basename(named)
        if path is not None and name_words(shown) & PRODUCTION_MARKERS:
            yield "sign", f"loads `{shown}`, an env file named for production", path.loc
    restart = service.get("restart")
    if restart is not None and restart.is_scalar and scalar_text(restart.value) in (
            "always", "unless-stopped") and service.get("build") is not None:
        yield "sign", f"restarts `{scalar_text(restart.value)}`", restart.loc
    for step in steps:
        if not step.gated and step.actions and "--force" in step.command.words \
                and step.location.path in compose_paths:
            yield "sign", f"runs `{step.actions[0].command} --force`", step.location
            break


def _environment_values(
    service: Service, compose_paths: set[Path], written: Callable[[Node], str | None],
    defaults: bool = False,
) -> Iterator[tuple[str, str, Node]]:
    """The environment-deciding variables a service's own compose files write as literals
    (with ``defaults``, also ``${APP_ENV:-production}``'s default)."""
    from composeguard.lint.model.written import judge_text

    for name in (*ENVIRONMENT_VARIABLES, "DJANGO_SETTINGS_MODULE", *DEVELOPMENT_TOOL_VARIABLES):
        node = service.environment.get(name)
        if node is None or node.loc.path not in compose_paths:
            continue
        text = written(node)
        if text is None:
            continue
        if name in DEVELOPMENT_TOOL_VARIABLES:
            if text.strip():
                yield name, text.strip(), node
            continue
        judged = judge_text(text)
        if judged.literal and "$" not in text:
            yield name, text.strip(), node
        elif defaults and judged.fallback and judged.value_when_unset.strip():
            yield name, f"{judged.value_when_unset.strip()} by default", node


if TYPE_CHECKING:
    from composeguard.lint.model.compose import Mount
    from composeguard.lint.parse.nodes import Node


# -- what a script, Makefile target or CI job is for -------------------------------------------

class ScriptPurpose(enum.Enum):
    """What a shell script, Makefile target or CI job is run for, judged by its name."""

    DEPLOY = "deploy"
    """Run where production's data lives: ``deploy.sh``, ``make release``, a deploy job."""
    ROUTINE = "routine"
    """A step run over and over on a live setup: ``make up``, ``make migrate``, ``start.sh``."""
    TEARDOWN = "teardown"
    """Named for what it destroys (``make destroy``, ``nuke``, ``down-all``): deliberate."""
    OTHER = "other"


ROUTINE_WORDS = frozenset({
    "up", "start", "run", "serve", "boot", "restart", "reload", "migrate", "migrations",
    "migration", "update", "upgrade",
})
"""Words of steps run again and again against the data they keep (first-time steps such as
``install``, ``setup`` and ``init`` are not routine: they may build a database from scratch)."""

TEARDOWN_WORDS = frozenset({
    "destroy", "clean", "cleanup", "clear", "reset", "nuke", "purge", "wipe", "prune",
    "teardown", "fresh", "drop", "erase", "delete", "remove", "rm", "rebuild", "reinstall",
    "rollback", "revert", "undo", "downgrade",
})
"""Words that say the step destroys on purpose; ``down-all``/``down-volumes`` too."""


def judge_script(path: Path, context: str, named_files: Sequence[str] = ()) -> tuple[
        ScriptPurpose, str]:
    """What a script (``path``), Makefile target or CI job (``context``) is for, and the name
    that says so. ``named_files`` are the compose or env files its command names (``-f
    docker-compose.prod.yml``): naming a production file makes it a deploy. A teardown name
    wins: ``make deploy-reset`` says what it does."""
    own = name_words(context) if context else name_words(posixpath.basename(path.as_posix()))
    shown = context or path.name
    if own & TEARDOWN_WORDS or ("down" in own and own & {"all", "volumes", "v"}):
        return ScriptPurpose.TEARDOWN, shown
    if (name_words(path.as_posix()) | name_words(context)) & DEPLOY_WORDS:
        return ScriptPurpose.DEPLOY, shown
    for name in named_files:
        if name_words(posixpath.basename(name)) & DEPLOY_WORDS:
            return ScriptPurpose.DEPLOY, name
    if own & ROUTINE_WORDS:
        return ScriptPurpose.ROUTINE, shown
    return ScriptPurpose.OTHER, shown


def judge_together(
    models: Sequence[ComposeModel],
    judgement_of: Callable[[ComposeModel], Judgement],
    scope_of: Callable[[ComposeModel], Path],
    is_store: Callable[[Service, ComposeModel], bool],
    shown: Callable[[Path], str],
) -> list[tuple[ComposeModel, Judgement]]:
    """Each setup's judgement after the project-wide last word (:func:`judge_alone`), per
    scope (a repository or a checked folder): a base file beside a setup that is production
    by its name, place, header, configuration or deploy path is development's, unless the
    base holds only the data stores that production lacks (the deployed app reaches the
    base's database); the scope's only setup (tests and examples aside) is what it deploys."""
    production: dict[Path, list[ComposeModel]] = defaultdict(list)
    counted: dict[Path, int] = defaultdict(int)
    for model in models:
        judgement, scope = judgement_of(model), scope_of(model)
        if judgement.decisive and judgement.environment is Environment.PRODUCTION and not (
                judgement.by == "name" and _names_staging(model.files[-1])):
            production[scope].append(model)
        if judgement.environment not in (Environment.TEST, Environment.EXAMPLE):
            counted[scope] += 1
    judged = []
    for model in models:
        scope = scope_of(model)
        elsewhere = next((other.primary.path for other in production[scope]
                          if other is not model and model.files[0].is_base
                          and not _stores_beside(model, other, is_store)), None)
        judged.append((model, judge_alone(judgement_of(model), counted[scope] == 1,
                                          shown(elsewhere) if elsewhere is not None else None)))
    return judged


def _stores_beside(base: ComposeModel, production: ComposeModel,
                   is_store: Callable[[Service, ComposeModel], bool]) -> bool:
    """Whether ``base`` runs only data stores and ``production`` none: then production runs
    both (its app reaching the base's database)."""
    stores = [is_store(s, base) for s in base.services.values()]
    production_files = {f.path for f in production.files}
    return bool(stores) and all(stores) and base.files[0].path not in production_files \
        and not any(is_store(s, production) for s in production.services.values())


def _names_staging(compose_file: ComposeFile) -> bool:
    """``docker-compose-qa.yml``, ``compose.staging.yaml``: a deployed environment beside
    production, not production itself."""
    named = set(name_markers(compose_file.path.name)) & PRODUCTION_MARKERS
    return bool(named) and named <= STAGING_MARKERS
