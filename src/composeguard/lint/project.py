"""The Project: every parsed view a rule may ask for, each computed once and only on demand."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from composeguard.lint.facts.datastores import DataStore, DataStoreTable
from composeguard.lint.facts.purpose import (
    Judgement,
    ScriptPurpose,
    collection_folders,
    judge_file,
    judge_script,
    judge_setup,
)
from composeguard.lint.facts.storage import Persistence, analyse, runs_server
from composeguard.lint.model.compose import (
    ComposeFile,
    ComposeModel,
    Environment,
    Mount,
    MountKind,
    Service,
    name_words,
    read_compose_file,
)
from composeguard.lint.model.discover import Discovery, discover, nested
from composeguard.lint.model.services import build_model
from composeguard.lint.parse.envfile import EnvFile, read_env_file
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node, scalar_text

if TYPE_CHECKING:
    from composeguard.lint.facts.appschema import SchemaReset, SpringCredential
    from composeguard.lint.facts.commands import Action, CodeCommand, Operation
    from composeguard.lint.facts.deploy import ComposeRun, Platform
    from composeguard.lint.facts.django import DatabaseDefault, DjangoSettings
    from composeguard.lint.facts.dumps import Dump
    from composeguard.lint.facts.ignore import IgnoreRules
    from composeguard.lint.facts.laravel import DefaultConnection, DestructiveGuard, LaravelApp
    from composeguard.lint.facts.rails import RailsDatabase
    from composeguard.lint.facts.scripts import ShellFragment
    from composeguard.lint.facts.secrets import Redactor
    from composeguard.lint.facts.start_commands import Build, StartCommands, StartStep
    from composeguard.lint.model.written import WrittenIndex, WrittenSetting
    from composeguard.lint.parse.shell import Command, Script

T = TypeVar("T")

DOCUMENTED_ENV_FILES = (".env.example", ".env.dist", ".env.sample", ".env.template")
"""The example env files that document a ``.env``, in the order they are looked for."""



class Project:
    """The core facts of the checked paths, parsed lazily: discovery, compose files and
    effective models with what each setup is for, file texts, env files, scripts and start
    commands, git, app configuration per framework, data stores.

    Rules read from here. A fact only one rule family needs lives in that family's folder
    (``rules/<family>/facts.py``) as a function of the Project, cached with :meth:`memo`;
    when two families need it, it becomes a method here. The modules this one imports never
    import it back.
    """

    def __init__(
        self,
        paths: Iterable[Path],
        *,
        exclude: Iterable[str] = (),
        environment_patterns: Mapping[str, Environment] | None = None,
        extra_data_stores: Mapping[str, str] | None = None,
        stdin: tuple[Path, str] | None = None,
    ) -> None:
        self.paths = tuple(Path(p) for p in paths)
        self.stdin = (Path(os.path.abspath(stdin[0])), stdin[1]) if stdin is not None else None
        """A file whose text came on standard input (``check - --stdin-filename PATH``): read
        as that text wherever the project reads the file."""
        self._exclude = tuple(exclude)
        self._environment_patterns = dict(environment_patterns or {})
        self.data_stores = DataStoreTable().with_extra(extra_data_stores or {})
        self._files: dict[Path, ComposeFile] = {}
        self._env_files: dict[Path, EnvFile | None] = {}
        self._texts: dict[Path, str | None] = {}
        self._unread: dict[Path, str] = {}
        """Files of the app read as sources that could not be (stderr names them)."""
        self._scripts: dict[Path, Script | None] = {}
        self._start_steps: dict[tuple[tuple[Path, ...], str], tuple[StartStep, ...]] = {}
        self._file_judgements: dict[Path, Judgement] = {}
        self._setup_judgements: dict[tuple[Path, ...], Judgement] = {}
        self._setup_runs: dict[tuple[Path, ...], tuple[ComposeRun, ...]] = {}
        self._ignores: dict[Path, IgnoreRules] = {}
        self._memo: dict[Hashable, object] = {}

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per project for ``key``: how a rule family caches the facts
        it computes from the Project (several of its rules ask for the same one)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    @cached_property
    def discovery(self) -> Discovery:
        return discover(self.paths, self._exclude)

    # -- compose files -------------------------------------------------------------------

    def compose_file(self, path: Path) -> ComposeFile:
        """One compose file, read and parsed once; a failure is kept in ``error``. Its
        ``environment`` is what its configuration, name, place and header say (see
        :mod:`composeguard.lint.facts.purpose`)."""
        path = Path(path)
        cached = self._files.get(path)
        if cached is not None:
            return cached
        result = read_compose_file(path, Environment.PRODUCTION, self._stdin_text(path))
        judgement = self.file_judgement(path, result.text)
        result = replace(result, environment=judgement.environment)
        self._files[path] = result
        return result

    def file_judgement(self, path: Path, text: str | None = None) -> Judgement:
        """What a compose file is for by its own evidence (configuration, name, place,
        header, a collection of samples), before its setup's content is looked at."""
        path = Path(path)
        if path not in self._file_judgements:
            directories = self._directories(path)
            collection = self._collections.get(path.parent)
            self._file_judgements[path] = judge_file(
                path, directories, text if text is not None else self.read_text(path),
                self._environment_patterns, "/".join((*directories, path.name)),
                self._display_dir(collection) if collection is not None else None)
        return self._file_judgements[path]

    @cached_property
    def _collections(self) -> dict[Path, Path]:
        return collection_folders(sorted({p.parent for p in self.discovery.compose_files}))

    def _display_dir(self, folder: Path) -> str:
        import os

        root = self.repository_root(folder) or Path(os.path.abspath(self.paths[0]))
        try:
            shown = Path(os.path.abspath(folder)).relative_to(root).as_posix()
        except ValueError:
            shown = folder.name
        return "./" if shown in ("", ".") else shown + "/"

    def template_reason(self, path: Path) -> str | None:
        """Why a discovered compose file is a template for a generator rather than a file
        Compose reads (a folder or name written in template syntax, or a file that does not
        parse and holds template tags), or None."""
        from composeguard.lint.facts.purpose import TEMPLATE_TAGS

        for part in (*self._directories(path), Path(path).name):
            if any(tag in part for tag in TEMPLATE_TAGS):
                return f"its path has template syntax (`{part}`)"
        if self.compose_file(path).error is None:
            return None
        text = self.read_text(path) or ""
        tags = [tag for tag in TEMPLATE_TAGS if tag in text]
        return (f"it does not parse as YAML and holds template tags (`{tags[0]}`)"
                if tags else None)

    def _directories(self, path: Path) -> tuple[str, ...]:
        """The folders between the checked path (or repository root) and ``path``: the ones
        that can say what a file is for (``docker/development/``), never the folders the
        user keeps the project in."""
        import os

        absolute = Path(os.path.abspath(path)).parent
        roots = [Path(os.path.abspath(p)) for p in self.paths]
        roots = [r if r.is_dir() else r.parent for r in roots]
        inside = [r for r in roots if absolute == r or r in absolute.parents]
        if not inside:
            return absolute.parts[-1:]
        return absolute.relative_to(max(inside, key=lambda r: len(r.parts))).parts

    @cached_property
    def compose_files(self) -> tuple[ComposeFile, ...]:
        """The compose files Compose would read; templates are left out (see
        :attr:`skipped`). A file named explicitly is never a template."""
        return tuple(self.compose_file(p) for p in self.discovery.compose_files
                     if p not in self.skipped)

    @cached_property
    def skipped(self) -> dict[Path, str]:
        """Discovered compose files that are not checked, with why (``-v`` says templates;
        a file not read for safety is said on stderr every time)."""
        explicit = self.discovery.explicit_files
        skipped: dict[Path, str] = {}
        for path in self.discovery.compose_files:
            refused = self.unreadable(path)
            if refused is not None:
                skipped[path] = refused
            elif path not in explicit and (reason := self.template_reason(path)) is not None:
                skipped[path] = f"a template: {reason}"
        return skipped

    @cached_property
    def _read_boundaries(self) -> tuple[str, ...]:
        """The real folders composeguard reads in: each checked folder (a checked file's
        folder), and the git work tree holding it (``include: ../common.yml``)."""
        from composeguard.lint.model.discover import work_tree

        tops: set[str] = set()
        for root in self.paths:
            absolute = os.path.abspath(root)
            folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
            tops.add(os.path.realpath(folder))
            top = work_tree(Path(folder))
            if top is not None:
                tops.add(os.path.realpath(top))
        return tuple(sorted(tops))

    def unreadable(self, path: Path) -> str | None:
        """Why ``path`` is not read: it is (or leads through a symlink to) a file outside the
        checked paths and their git work tree, whose content must never reach a message."""
        real = os.path.realpath(path)
        if any(real == top or real.startswith(top.rstrip(os.sep) + os.sep)
               for top in self._read_boundaries):
            return None
        if os.path.islink(path) or os.path.realpath(os.path.dirname(os.path.abspath(path))) \
                != os.path.dirname(real):
            return "is a symlink to a file outside the checked paths: not read"
        return "is outside the checked paths: not read"

    # -- effective models ----------------------------------------------------------------

    @cached_property
    def models(self) -> tuple[ComposeModel, ...]:
        """One effective model per way Compose would run the files (see :meth:`chains`),
        each with the environment its setup is judged to serve (:meth:`judgement`).

        A file that another model pulls in with ``include`` or ``extends: file:`` is judged
        inside that project, not again on its own (laradock's 113 included fragments would
        otherwise each be a project missing the volumes its root declares).
        """
        chains = self.chains()
        runs = self._runs_by_chain(chains)
        by_path = {f.path: f for f in self.compose_files}
        alone = {key[0] for key in runs if len(key) == 1 and not by_path[key[0]].is_base}
        chains = [c for c in chains if _paths(c) in runs
                  or not (len(c) == 2 and c[1].path in alone)]
        chains += [tuple(by_path[p] for p in key) for key in runs
                   if key not in {_paths(c) for c in chains}]
        result = []
        for chain in sorted(chains, key=lambda c: [f.path for f in c]):
            project_dir = chain[0].path.parent
            model = build_model(
                chain,
                chain[-1].environment,
                variables=self.dotenv(project_dir),
                project_dir=project_dir,
                load_compose=self._compose_root,
                load_env=self.env_file,
                unreadable=self.unreadable,
            )
            if model is None:
                continue
            judgement = judge_setup(
                chain, [self.file_judgement(f.path) for f in chain], model,
                partial(self.start_steps, model), partial(self.written_text, model),
                runs.get(_paths(chain), ()), self._platforms.get(self._scope(chain[0].path)))
            self._setup_judgements[_chain_key(model)] = judgement
            self._setup_runs[_chain_key(model)] = runs.get(_paths(chain), ())
            result.append(model)
        from composeguard.lint.model.chains import not_pulled_in

        kept = not_pulled_in(result, {key[0] for key in runs if len(key) == 1})
        return tuple(self._judge_alone(kept))

    def _judge_alone(self, models: list[ComposeModel]) -> list[ComposeModel]:
        """Every model with its judged environment, after the project-wide last word
        (:func:`~composeguard.lint.facts.purpose.judge_together`)."""
        from composeguard.lint.facts.purpose import judge_together

        judged = judge_together(
            models, lambda model: self._setup_judgements[_chain_key(model)],
            lambda model: self._scope(model.primary.path),
            lambda service, model: self.data_store(service, model) is not None,
            self._display_path)
        result = []
        for model, judgement in judged:
            self._setup_judgements[_chain_key(model)] = judgement
            result.append(replace(model, environment=judgement.environment))
        return result

    # -- how the project is deployed -------------------------------------------------------

    @cached_property
    def compose_runs(self) -> tuple[ComposeRun, ...]:
        """Every place that runs, publishes or documents a compose setup (see
        :mod:`composeguard.lint.facts.deploy`): scripts, Makefile targets, package.json scripts, CI
        jobs, and the project's Markdown documents."""
        from composeguard.lint.facts.deploy import document_runs, is_document, script_runs
        from composeguard.lint.facts.scripts import package_scripts
        from composeguard.lint.parse.shell import parse_script

        fragments = list(self.shell_fragments)
        for path in self.discovery.package_jsons:
            text = self.read_text(path)
            for fragment in package_scripts(path, text).values() if text else ():
                fragments.append((fragment, parse_script(fragment.text, fragment.origin)))
        found = list(script_runs(fragments, parse_script))
        for path, parts, _ in self.files_with_parts:
            if not is_document(parts) or self._too_large(path):
                continue
            text = self.read_text(path)
            if text is not None:
                found.extend(document_runs(path, text, parse_script))
        return tuple(found)

    def guide_commands(self, wanted: Callable[[str], bool]) -> Iterator[Command]:
        """The commands the project's guides (READMEs, deployment and operations documents,
        see :func:`~composeguard.lint.facts.deploy.is_document`) have their readers run, on the
        code lines ``wanted`` picks, outside sections about development and tests."""
        from composeguard.lint.facts.deploy import document_commands, is_document
        from composeguard.lint.parse.shell import parse_script

        for path, parts, _ in self.files_with_parts:
            if not is_document(parts) or self._too_large(path):
                continue
            text = self.read_text(path)
            if text is not None:
                yield from document_commands(path, text, parse_script, wanted)

    def _too_large(self, path: Path) -> bool:
        from composeguard.lint.facts.deploy import MAX_DOCUMENT_BYTES

        try:
            return path.stat().st_size > MAX_DOCUMENT_BYTES
        except OSError:
            return True

    def built_image(self, image: str) -> Build | None:
        """The Dockerfile, context, target and build arguments of an image the project's
        scripts or CI build by name (:func:`~composeguard.lint.facts.deploy.built_image`), for
        a compose service that runs that image without a ``build:``."""
        from composeguard.lint.facts.deploy import built_image

        return built_image(self._built_images, image)

    @cached_property
    def _built_images(self) -> dict[str, Build]:
        from composeguard.lint.facts.deploy import built_images

        return built_images(self.shell_fragments, self._scope, self.unreadable)

    @cached_property
    def platforms(self) -> tuple[Platform, ...]:
        """The platform configurations that deploy the project without Compose (Kubernetes,
        Helm, Kamal, Heroku, Fly, Render, App Engine)."""
        from composeguard.lint.facts.deploy import platform_of

        return tuple(found for path, parts, _ in self.files_with_parts
                     if (found := platform_of(path, parts, self.read_text)) is not None)

    @cached_property
    def _platforms(self) -> dict[Path, Platform]:
        by_scope: dict[Path, Platform] = {}
        for platform in self.platforms:
            by_scope.setdefault(self._scope(platform.location.path), platform)
        return by_scope

    def _runs_by_chain(self, chains: list[tuple[ComposeFile, ...]]) -> dict[
            tuple[Path, ...], tuple[ComposeRun, ...]]:
        """The runs of :attr:`compose_runs` by the ``-f`` chain each runs
        (:func:`~composeguard.lint.facts.deploy.runs_by_chain`)."""
        from composeguard.lint.facts.deploy import runs_by_chain

        return runs_by_chain(chains, self.compose_files, self.compose_runs, self._scope)

    def _scope(self, path: Path) -> Path:
        """The repository holding ``path``, else the checked folder holding it."""
        import os

        found = self.repository_root(path)
        if found is not None:
            return found
        absolute = Path(os.path.abspath(path))
        roots = [Path(os.path.abspath(p)) for p in self.paths]
        inside = [r for r in roots if r in absolute.parents]
        return max(inside, key=lambda r: len(r.parts)) if inside else absolute.parent

    def _display_path(self, path: Path) -> str:
        import os

        try:
            return Path(os.path.abspath(path)).relative_to(self._scope(path)).as_posix()
        except ValueError:
            return Path(path).name

    def judgement(self, model: ComposeModel) -> Judgement:
        """What ``model``'s setup is for, with the evidence that decided (file and line)."""
        self.models  # noqa: B018 - judging happens while the models are built
        return self._setup_judgements[_chain_key(model)]

    def _command_files(self, fragment: ShellFragment, command: Command) -> tuple[Path, ...]:
        """The compose files a compose command of a script, target or CI step names (its
        ``-f`` files, else Compose's default files beside it or at the repository root), as
        its runs are resolved (:func:`~composeguard.lint.facts.deploy.run_files`); () for any
        other command."""
        from composeguard.lint.facts.deploy import (
            ComposeRun,
            compose_invocation,
            fragment_purpose,
            run_files,
        )

        invocation = compose_invocation(command.words, command.assignments)
        if invocation is None:
            return ()
        environment, via = fragment_purpose(fragment)
        run = ComposeRun(invocation.files, fragment.path.parent,
                         environment or Environment.PRODUCTION, command.location, via)
        return run_files(run, {f.path: f for f in self.compose_files}, self._scope)

    def command_setup(self, fragment: ShellFragment, command: Command) -> ComposeModel | None:
        """The setup a compose command of a script, target or CI step acts on, or None."""
        paths = frozenset(self._command_files(fragment, command))
        return next((m for m in self.models if frozenset(_paths(m.files)) == paths),
                    None) if paths else None

    def command_environment(self, fragment: ShellFragment, command: Command) -> (
            Environment | None):
        """What the setup a compose command acts on is for (:meth:`command_setup`), else, for a
        chain no setup has, what its last file is for by its own evidence; None for a command
        that names no compose setup."""
        setup = self.command_setup(fragment, command)
        if setup is not None:
            return setup.environment
        paths = self._command_files(fragment, command)
        return self.file_judgement(paths[-1]).environment if paths else None

    def aimed_at_throwaway(self, fragment: ShellFragment, command: Command) -> bool:
        """Whether a script's compose command acts on a setup judged development, test or
        example (:meth:`command_environment`), whose data nobody keeps."""
        return self.command_environment(fragment, command) in (
            Environment.DEVELOPMENT, Environment.TEST, Environment.EXAMPLE)

    def keeps_data_in_volumes(self, model: ComposeModel) -> bool:
        """Whether a data store of ``model`` keeps its data in a volume Compose manages (named,
        anonymous, or the image's own), which ``down -v`` deletes; a bind mount it leaves."""
        from composeguard.lint.model.compose import MountKind

        return any(state.persisted_by is None or state.persisted_by.kind is not MountKind.BIND
                   for other, _, state in self._data_store_servers if other is model)

    def runs_app(self, folder: Path) -> bool:
        """Whether what the project runs can run the app in ``folder``: a setup's service is
        built from it (or from a folder holding it, or one inside it) or mounts it, or a
        script or CI job builds an image from it. False for a project with a production
        setup that runs some of its apps but not this one: an app nothing builds (a
        ``startproject`` skeleton beside the real services) is not production's. False too
        for an app that only development or test setups run, in a repository with no other
        way to production (no production setup, platform or image built by a script): the
        project shows it running on developers' machines only."""
        from composeguard.lint.facts.start_commands import service_build
        from composeguard.lint.model.services import absolute_source

        contexts = [b.context for b in self._built_images.values()]
        running: list[ComposeModel] = []
        for model in self.models:
            for service in model.services.values():
                build = service_build(service, model)
                found = [build.context] if build is not None else []
                found.extend(Path(source) for mount in service.mounts
                             if mount.kind.value == "bind"
                             and (source := absolute_source(mount, model)) is not None)
                if any(nested(c, folder) for c in found):
                    running.append(model)
                contexts.extend(found)
        if not any(True for _ in self.models_for(Environment.PRODUCTION)):
            return not running or any(
                m.environment not in (Environment.DEVELOPMENT, Environment.TEST)
                or self.judgement(m).doubt or self.deployed_otherwise(m) for m in running) \
                or any(nested(b.context, folder) for b in self._built_images.values())
        if any(nested(c, folder) for c in contexts):
            return True
        # Only a project whose setups run some of its apps says which it does not run: where
        # compose runs no app at all (the databases only), the apps run on the host.
        apps = [a.root for a in self.laravel_apps] + list(self.rails_apps) + [
            p.parent for p in self._files_named("manage.py")]
        return not any(nested(c, a) for c in contexts for a in apps)

    def setup_runs(self, model: ComposeModel) -> tuple[ComposeRun, ...]:
        """What runs ``model``'s setup (see :attr:`compose_runs`), deploys first."""
        self.models  # noqa: B018 - the runs are matched while the models are built
        return self._setup_runs.get(_chain_key(model), ())

    def _compose_root(self, path: Path) -> Node | None:
        """A file ``extends``/``include`` pulls in, parsed once (None if missing or broken)."""
        return self.compose_file(path).root

    @cached_property
    def redactor(self) -> Redactor:
        """Masks every secret the project's compose and env files hold (see
        :mod:`composeguard.lint.facts.secrets`) in what composeguard prints."""
        from composeguard.lint.facts.secrets import Redactor, secrets_in_env_file, secrets_in_node

        found: list[str] = []
        for compose_file in self.compose_files:
            found.extend(secrets_in_node(compose_file.root))
        for model in self.models:
            for service in model.services.values():
                found.extend(secrets_in_node(service.node))
        for path in self.env_files:
            found.extend(secrets_in_env_file(self.env_file(path)))
        return Redactor(found)

    # -- env files -----------------------------------------------------------------------

    def env_file(self, path: Path) -> EnvFile | None:
        """An env file parsed once with its line numbers, or None if it is not there (or
        outside the checked paths: see :meth:`unreadable`)."""
        path = Path(path)
        if path not in self._env_files:
            self._env_files[path] = None if self.unreadable(path) else read_env_file(path)
        return self._env_files[path]

    def dotenv(self, directory: Path) -> dict[str, str]:
        """The variables ``directory/.env`` defines, as Compose interpolates with them."""
        env = self.env_file(Path(directory) / ".env")
        return env.variables() if env is not None else {}

    def documented_env(self, directory: Path) -> tuple[str, Mapping[str, str]] | None:
        """For a directory with no ``.env``: the example env file that documents one
        (``.env.example``, ``.env.dist``, ``.env.sample``, ``.env.template``) and its
        variables; None when there is a ``.env`` or no example."""
        directory = Path(directory)
        if (directory / ".env").exists():
            return None
        for name in DOCUMENTED_ENV_FILES:
            env = self.env_file(directory / name) if (directory / name).is_file() else None
            if env is not None:
                return name, env.variables()
        return None

    def deployed_otherwise(self, model: ComposeModel) -> bool:
        """Whether the repository (or checked folder) holding ``model`` has another way to
        production: a production compose setup or a platform configuration."""
        scope = self._scope(model.files[0].path)
        return scope in self._platforms or any(
            other.environment is Environment.PRODUCTION
            and self._scope(other.files[0].path) == scope for other in self.models)

    def models_for(self, *environments: Environment) -> Iterator[ComposeModel]:
        for model in self.models:
            if not environments or model.environment in environments:
                yield model

    def unsplit_compose_bases(self) -> tuple[ComposeFile, ...]:
        """The production-facing base files of repositories (or checked folders) that have no
        development or production compose file: one setup for every environment."""
        return self._unsplit_compose_bases

    @cached_property
    def _unsplit_compose_bases(self) -> tuple[ComposeFile, ...]:
        from composeguard.lint.facts.unsplit import unsplit_bases

        return tuple(unsplit_bases(self.compose_files, self.repository_root, self.paths))

    def chains(self) -> list[tuple[ComposeFile, ...]]:
        """The ``-f`` chains to judge (:func:`~composeguard.lint.model.chains.compose_chains`)."""
        from composeguard.lint.model.chains import compose_chains

        return compose_chains(self.compose_files)

    # -- files, scripts and start commands ---------------------------------------------------

    def _stdin_text(self, path: Path) -> str | None:
        if self.stdin is not None and os.path.abspath(path) == str(self.stdin[0]):
            return self.stdin[1]
        return None

    @property
    def files_read(self) -> int:
        """How many files this check has read so far (for progress)."""
        return len(self._texts.keys() | self._files.keys())

    def read_text(self, path: Path) -> str | None:
        """A project file's text, read once (None when missing, too large, or not UTF-8)."""
        from composeguard.lint.parse.yamlio import YamlLoadError, read_text

        path = Path(path)
        given = self._stdin_text(path)
        if given is not None:
            return given
        if path not in self._texts and self.unreadable(path) is not None:
            self._texts[path] = None
        if path not in self._texts:
            compose_file = self._files.get(path)
            if compose_file is not None and compose_file.text is not None:
                self._texts[path] = compose_file.text
            else:
                try:
                    self._texts[path] = read_text(path)
                except YamlLoadError:
                    self._texts[path] = None
        return self._texts[path]

    def shell_script(self, path: Path) -> Script | None:
        """A shell script (by extension or ``#!`` line), parsed once; None for anything else."""
        from composeguard.lint.parse.origin import TextOrigin
        from composeguard.lint.parse.shell import parse_script

        path = Path(path)
        if path not in self._scripts:
            text = self.read_text(path) if path.is_file() else None
            script = None
            if text is not None and _is_shell_script(path, text):
                script = parse_script(text, TextOrigin(path, text))
            self._scripts[path] = script
        return self._scripts[path]

    @cached_property
    def _start_commands(self) -> StartCommands:
        from composeguard.lint.facts.start_commands import StartCommands

        return StartCommands(self.read_text, self.shell_script, self.documented_env,
                             self.built_image)

    def start_steps(self, model: ComposeModel, service: Service) -> tuple[StartStep, ...]:
        """Every simple command ``service`` runs on start in ``model``, through its
        entrypoint, command, the image's Dockerfile and the project scripts they call."""
        key = (_chain_key(model), service.name)
        if key not in self._start_steps:
            self._start_steps[key] = self._start_commands.steps(model, service)
        return self._start_steps[key]

    def start_actions(
        self, environments: tuple[Environment, ...], operations: tuple[Operation, ...]
    ) -> Iterator[tuple[ComposeModel, Service, StartStep, Action]]:
        """Each ungated start-command action of ``operations`` in the models of
        ``environments``, once per written command (a script shared by several services or
        chains is reported once). Judging production skips development services."""
        seen: set[tuple[Location, str]] = set()
        production_only = environments == (Environment.PRODUCTION,)
        for model in self.models_for(*environments):
            for service in model.services.values():
                if production_only and self.defined_for_development(model, service):
                    continue
                for step in self.start_steps(model, service):
                    if step.gated:
                        continue
                    for action in step.actions:
                        key = (step.location, action.command)
                        if action.operation in operations and key not in seen:
                            seen.add(key)
                            yield model, service, step, action

    def defined_for_development(self, model: ComposeModel, service: Service) -> str | None:
        """Why one service of a production setup is development's, or None: it is defined in
        a development file the setup pulls in (``include: compose.dev.yaml``), or it starts
        only under profiles named for development, tests or mocks (``profiles: [dev]``,
        ``[mock-services]``): `up` leaves it out unless someone asks for it."""
        from composeguard.lint.model.compose import DEVELOPMENT_MARKERS, MOCK_MARKERS, TEST_MARKERS

        defined_in = service.location.path
        if defined_in != model.primary.path and defined_in in self._files and self.compose_file(
                defined_in).environment is Environment.DEVELOPMENT:
            return f"it is defined in {defined_in.name}, a development file"
        named = DEVELOPMENT_MARKERS | TEST_MARKERS | MOCK_MARKERS
        if service.profiles and all(name_words(p) & named for p in service.profiles):
            return f"it starts only under the profile `{min(service.profiles)}`"
        return None

    def image_start_actions(self, operations: tuple[Operation, ...]) -> Iterator[
            tuple[ComposeModel, Service, StartStep, Action]]:
        """Each ungated action of ``operations`` an image runs on its own start (its
        Dockerfile's ENTRYPOINT and CMD and the scripts they call), for images the project
        builds (a ``build:``, or a script's ``docker build -t`` of the image a service runs)
        for development setups only: whatever command the development file gives the
        service, the image runs its own wherever else it is deployed. Not for a development
        image (a development Dockerfile or stage, a development server or start script), nor
        one a production setup builds too (production's own definition is checked as such).
        """
        from composeguard.lint.facts.commands import development_server
        from composeguard.lint.facts.purpose import DEVELOPMENT_NAME_WORDS
        from composeguard.lint.facts.start_commands import service_build

        produced = {build.dockerfile for model in self.models_for(Environment.PRODUCTION)
                    for service in model.services.values()
                    if (build := service_build(service, model)) is not None}
        seen: set[tuple[Location, str]] = set()
        for model in self.models_for(Environment.DEVELOPMENT):
            for service in model.services.values():
                build = service_build(service, model) or (
                    self.built_image(service.image) if service.image else None)
                if build is None or build.dockerfile in produced or any(
                        name_words(part) & DEVELOPMENT_NAME_WORDS
                        for part in (build.dockerfile.name, build.target or "")):
                    continue
                steps = self._start_commands.steps(model, service, image_only=True)
                if any(development_server(s.command.words)
                       or name_words(s.location.path.name) & DEVELOPMENT_NAME_WORDS
                       for s in steps):
                    continue
                for step in steps:
                    for action in () if step.gated else step.actions:
                        key = (step.location, action.command)
                        if action.operation in operations and key not in seen:
                            seen.add(key)
                            yield model, service, step, action

    def production_services(self) -> Iterator[tuple[ComposeModel, Service]]:
        """The services of the setups production runs (see :meth:`judgement`)."""
        for model in self.models_for(Environment.PRODUCTION):
            for service in model.services.values():
                if self.defined_for_development(model, service) is None:
                    yield model, service

    @cached_property
    def shell_fragments(self) -> tuple[tuple[ShellFragment, Script], ...]:
        """Every shell script, Makefile recipe and CI workflow step of the project, parsed."""
        from composeguard.lint.facts.scripts import (
            makefile_fragments,
            script_fragments,
            workflow_fragments,
        )
        from composeguard.lint.parse.shell import parse_script

        found = []
        readers = (
            (self.discovery.shell_scripts, script_fragments),
            (self.discovery.makefiles, makefile_fragments),
            (self.discovery.ci_workflows, workflow_fragments),
        )
        for paths, reader in readers:
            for path in paths:
                text = self.read_text(path)
                if text is None:
                    continue
                for fragment in reader(path, text):
                    found.append((fragment, parse_script(fragment.text, fragment.origin)))
        return tuple(found)

    def script_purpose(self, fragment: ShellFragment, command: Command) -> tuple[
            ScriptPurpose, str]:
        """What the script, Makefile target or CI job holding ``command`` is for, and the name
        that says so (see :func:`~composeguard.lint.facts.purpose.judge_script`). A shell function
        is a step of its own (``function db:reset { ... }`` in a task runner script): its name
        decides when it says something, else the script's does."""
        words = command.words
        named = [words[i + 1] for i in range(len(words) - 1)
                 if words[i] in ("-f", "--file", "--env-file")]
        if command.function:
            purpose = judge_script(fragment.path, command.function, named)
            if purpose[0] is not ScriptPurpose.OTHER:
                return purpose
        return judge_script(fragment.path, fragment.context, named)

    def script_actions(self, operation: Operation) -> Iterator[tuple[
            ShellFragment, Command, list[Action], ScriptPurpose, str]]:
        """Each command of the project's scripts, Makefile recipes and CI steps that has
        ``operation``, with its actions of it and what the step is for (see
        :meth:`script_purpose`)."""
        from composeguard.lint.facts.commands import classify

        for fragment, script in self.shell_fragments:
            for command in script.commands:
                actions = [a for a in classify(command.words) if a.operation is operation]
                if actions:
                    purpose, named = self.script_purpose(fragment, command)
                    yield fragment, command, actions, purpose, named

    # -- application configuration ------------------------------------------------------

    def _files_named(self, *names: str) -> list[Path]:
        return [p for p in self.discovery.files if p.name in names]

    @cached_property
    def laravel_apps(self) -> tuple[LaravelApp, ...]:
        """Every Laravel app (``artisan`` + laravel/framework in composer.json)."""
        roots = sorted({p.parent for p in self._files_named("artisan")})
        if not roots:
            return ()  # the reader (and tree-sitter's PHP grammar) is loaded only when needed
        from composeguard.lint.facts.laravel import detect_laravel

        return tuple(app for root in roots if (app := detect_laravel(root, self.read_text)))

    def seed_effects(self, model: ComposeModel, service: Service, words: Sequence[str]
                     ) -> frozenset[str] | None:
        """What the seeds a seed command runs do to rows
        (:func:`~composeguard.lint.facts.appcode.seed_effects`), for the app the service
        builds or mounts."""
        from composeguard.lint.facts.appcode import seed_effects
        from composeguard.lint.facts.start_commands import service_build
        from composeguard.lint.model.services import absolute_source

        build = service_build(service, model)
        folders = [build.context] if build is not None else []
        folders += [Path(source) for mount in service.mounts if mount.kind is MountKind.BIND
                    and (source := absolute_source(mount, model)) is not None]
        return seed_effects(words, folders, self.files_with_parts, self.read_source,
                            lambda: self.laravel_apps, self.read_text)

    def laravel_default_connection(self, app: LaravelApp) -> DefaultConnection | None:
        """The connection ``config/database.php`` falls back to, read from the PHP syntax tree."""
        from composeguard.lint.facts.laravel import default_connection

        path = app.root / "config" / "database.php"
        text = self.read_text(path)
        return default_connection(path, text) if text is not None else None

    def laravel_guard(self, app: LaravelApp) -> DestructiveGuard | None:
        """What in the app's service providers blocks destructive artisan commands."""
        from composeguard.lint.facts.laravel import destructive_guard

        return destructive_guard(app, self.read_text)

    def laravel_guard_site(self, app: LaravelApp) -> Location:
        """Where a missing guard belongs: ``AppServiceProvider::boot()``, else that file, else
        ``artisan``."""
        from composeguard.lint.facts.laravel import guard_site

        return guard_site(app, self.read_text)

    @cached_property
    def django_settings(self) -> tuple[DjangoSettings, ...]:
        """Every Django settings module, found through manage.py, wsgi.py/asgi.py, and the
        ``DJANGO_SETTINGS_MODULE`` that compose services set."""
        roots = sorted({p.parent for p in self._files_named("manage.py")})
        if not roots:
            return ()
        from composeguard.lint.facts.django import SETTINGS_VARIABLE, find_settings

        wanted = {value for model in self.models for service in model.services.values()
                  if (value := service.env(SETTINGS_VARIABLE))}
        found: dict[Path, DjangoSettings] = {}
        for root in roots:
            for environment in [{SETTINGS_VARIABLE: w} for w in sorted(wanted)] + [{}]:
                for settings in find_settings(root, self.read_text, environment):
                    found.setdefault(settings.path, settings)
        return tuple(found.values())

    @property
    def unparsed_sources(self) -> dict[Path, str]:
        """Files composeguard found but did not parse, with why (stderr says so): a Python
        file nested too deep to hand to libcst, a shell script over the size limit."""
        from composeguard.lint.parse.shell import MAX_SCRIPT_CHARS, TOO_LONG

        found: dict[Path, str] = {
            path: f"longer than {MAX_SCRIPT_CHARS // 1024} KB, the limit for a shell script: "
                  "not read"
            for path, script in sorted(self._scripts.items())
            if script is not None and script.parser == TOO_LONG}
        for path in sorted({*self._files_named("manage.py"),
                            *(s.path for s in self.django_settings)}):
            from composeguard.lint.facts.django import too_deep

            text = self.read_text(path)
            if text is not None and (reason := too_deep(text)) is not None:
                found[path] = reason
        self.schema_resets  # noqa: B018 - reading the app's settings notes what it could not read
        found.update(self._unread)
        return found

    def django_database(self, settings: DjangoSettings) -> DatabaseDefault | None:
        from composeguard.lint.facts.django import default_database

        return default_database(settings, self.read_text)

    def django_debug(self, settings: DjangoSettings) -> Location | None:
        """Where a literal ``DEBUG = True`` is written in (or inherited by) ``settings``."""
        from composeguard.lint.facts.django import debug_literal

        return debug_literal(settings, self.read_text)

    @cached_property
    def rails_apps(self) -> tuple[Path, ...]:
        """The roots of Rails apps (config/application.rb + rails in the Gemfile)."""
        roots = sorted({p.parent.parent for p in self.discovery.files
                        if p.name == "application.rb" and p.parent.name == "config"})
        if not roots:
            return ()
        from composeguard.lint.facts.rails import is_rails_app

        return tuple(root for root in roots if is_rails_app(root, self.read_text))

    def rails_database(self, root: Path, environment: str = "production") -> RailsDatabase | None:
        from composeguard.lint.facts.rails import database_config

        path = root / "config" / "database.yml"
        text = self.read_text(path)
        return database_config(path, text, environment) if text is not None else None

    def rails_environment_check_disabled(self, root: Path) -> Location | None:
        from composeguard.lint.facts.rails import disables_environment_check

        return disables_environment_check(root, self.read_text)

    @cached_property
    def env_files(self) -> tuple[Path, ...]:
        """``.env`` and ``.env.*`` files of the project (also spelt ``.env_example``,
        ``.env-production``), and every ``env_file:`` a compose service names that exists."""
        from composeguard.lint.facts.envroles import is_env_file_name

        found = {p for p in self.discovery.files
                 if is_env_file_name(p.name) and p.name.startswith(".env")}
        for model in self.models:
            for service in model.services.values():
                for node in service.environment.values():
                    if node.loc.path not in self._files and node.loc.path.is_file():
                        found.add(node.loc.path)
        return tuple(sorted(found))

    def tracked(self, path: Path) -> bool | None:
        """Whether git tracks ``path`` (None outside a git repository)."""
        return self.discovery.tracked(path)

    @cached_property
    def tracked_dumps(self) -> tuple[Dump, ...]:
        """The database dumps git tracks (see :mod:`composeguard.lint.facts.dumps`), each file read
        only as far as deciding needs."""
        from composeguard.lint.facts.dumps import Dump, candidate, judge

        found = []
        for path, parts, in_git in self.files_with_parts:
            if not in_git or not candidate(parts) or self.tracked(path) is not True or path.is_symlink():
                continue
            kind = judge(path)
            if kind is not None:
                found.append(Dump(path, kind))
        return tuple(found)

    @cached_property
    def schema_resets(self) -> tuple[SchemaReset, ...]:
        """The app settings that drop or rewrite the schema on start (TypeORM, Sequelize,
        Hibernate; see :mod:`composeguard.lint.facts.appschema`), in the project's own files."""
        from composeguard.lint.facts.appschema import find_resets, wanted

        found: list[SchemaReset] = []
        for path, parts, _ in self.files_with_parts:
            if not wanted(path, parts):
                continue
            text = self.read_source(path)
            if text is not None:
                found.extend(find_resets(path, text))
        return tuple(found)

    @cached_property
    def spring_credentials(self) -> tuple[SpringCredential, ...]:
        """Store passwords written in the Spring production profiles of apps the project
        runs (see :func:`~composeguard.lint.facts.appschema.spring_credentials`)."""
        from composeguard.lint.facts.appschema import spring_credentials, wanted

        found: list[SpringCredential] = []
        for path, parts, _ in self.files_with_parts:
            if not path.name.lower().startswith("application") or not wanted(path, parts):
                continue
            text = self.read_source(path)
            if text is not None and self.runs_app(path.parent):
                found.extend(spring_credentials(path, text))
        return tuple(found)

    def read_source(self, path: Path) -> str | None:
        """An app's settings or source file, decoded as its format says: ``.properties`` as
        ISO-8859-1 (what Java and Spring Boot read them as), YAML by its byte order mark
        (UTF-8, UTF-16 or UTF-32), a script as UTF-8 with an invalid byte replaced (the rest
        is still read). A file that cannot be read is named on stderr (see
        :attr:`unparsed_sources`)."""
        from composeguard.lint.facts.appschema import MAX_SOURCE_BYTES
        from composeguard.lint.parse.yamlio import NotRegular, read_regular

        if self.unreadable(path) is not None:
            return None
        try:
            raw = read_regular(path, MAX_SOURCE_BYTES)
        except NotRegular:
            self._unread[path] = "is not a regular file (a FIFO, socket or device): not read"
            return None
        except OSError as error:
            self._unread[path] = f"cannot be read ({error.strerror or error}): not read"
            return None
        if raw is None:
            self._unread[path] = (f"is over {MAX_SOURCE_BYTES // 1024} KB, the limit for an "
                                  "app's settings or source file: not read")
            return None
        return decode_source(path, raw)

    @cached_property
    def files_with_parts(self) -> tuple[tuple[Path, tuple[str, ...], bool], ...]:
        """Every discovered file with its path components below its repository root (else
        below the checked folder holding it) and whether it is inside a git repository,
        computed once with string operations (a Path per question was most of a large
        repository's check)."""
        import os

        roots = sorted((str(r) for r in self.discovery.repo_roots), key=len, reverse=True)
        checked = sorted((os.path.abspath(p) for p in self.paths), key=len, reverse=True)
        result = []
        for path in self.discovery.files:
            text = os.path.abspath(path)
            root = next((r for r in roots if text.startswith(r + os.sep)), None)
            base = root or next((c for c in checked if text.startswith(c + os.sep)),
                                os.path.dirname(text))
            result.append((path, tuple(text[len(base) + 1:].split(os.sep)), root is not None))
        return tuple(result)

    def repository_root(self, path: Path) -> Path | None:
        """The root of the git repository holding ``path`` (None outside git)."""
        import os

        absolute = Path(os.path.abspath(path))
        roots = [r for r in self.discovery.repo_roots if r == absolute or r in absolute.parents]
        return max(roots, key=lambda r: len(r.parts)) if roots else None

    def ignore_rules(self, root: Path) -> IgnoreRules:
        """The ignore rules (every ``.gitignore`` and ``.git/info/exclude``) of the repository
        or directory tree at ``root``, evaluated as git does, each file read once."""
        from composeguard.lint.facts.ignore import IgnoreRules

        root = Path(root)
        if root not in self._ignores:
            # git does not follow a .gitignore that is a symlink
            self._ignores[root] = IgnoreRules(
                root, lambda p: None if p.is_symlink() else self.read_text(p))
        return self._ignores[root]

    # -- written compose values ------------------------------------------------------------

    @cached_property
    def _written_index(self) -> WrittenIndex:
        from composeguard.lint.model.written import WrittenIndex

        return WrittenIndex(self._compose_root)

    def written_text(self, model: ComposeModel, node: Node) -> str | None:
        """The text a compose file of ``model`` writes for the effective value ``node``
        (``${...}`` kept, before ``.env`` fills in a bare ``KEY``); None when no compose file
        writes it (an ``env_file`` line, a bare name)."""
        return self._written_index.text(model, node)

    def written_settings(self, names: Mapping[str, frozenset[str]]) -> Iterator[WrittenSetting]:
        """Each of ``names`` a production-facing service writes in a compose file with a value
        from its set, as a literal or a ``${VAR:-...}`` fallback, once per place it is
        written; values that only come from ``${VAR}`` or an ``env_file`` are the server's."""
        from composeguard.lint.model.written import WrittenSetting, judge_text, setting_matches

        seen: set[Location] = set()
        for model, service in self.production_services():
            for name, values in names.items():
                node = service.environment.get(name)
                text = self.written_text(model, node) if node is not None else None
                if node is None or text is None or node.anchor_loc in seen:
                    continue
                judged = judge_text(text)
                value = judged.value_when_unset.strip()
                if (judged.literal or judged.fallback) and setting_matches(name, value, values):
                    seen.add(node.anchor_loc)
                    yield WrittenSetting(model, service, node, name, judged, value)

    # -- the app's database in production -------------------------------------------------

    # -- data stores ---------------------------------------------------------------------

    def data_store(self, service: Service, model: ComposeModel) -> DataStore | None:
        """The store a service's image is; for a ``build:`` service whose image name is not
        one, the store its Dockerfile's stage is built FROM (``FROM postgres:16-alpine``)."""
        image = self.store_image(service, model)
        return self.data_stores.match(image[0]) if image is not None else None

    def store_image(self, service: Service, model: ComposeModel) -> tuple[str, Location] | None:
        """The image that makes a service a data store, and where it is written: ``image:``
        when that is a store, else a ``build:`` service's FROM image; None for neither."""
        node = service.get("image")
        if service.image and self.data_stores.match(service.image) is not None and node:
            return service.image, node.loc
        if service.get("build") is not None:
            base = self.built_from(service, model)
            if base is not None and self.data_stores.match(base[0]) is not None:
                return base
        return None

    def built_from(self, service: Service, model: ComposeModel) -> tuple[str, Location] | None:
        """The image a ``build:`` service's Dockerfile stage starts FROM, with the FROM line."""
        from composeguard.lint.facts.start_commands import service_build

        image = self._start_commands.image_start(service_build(service, model))
        return image.base if image is not None else None

    def persistence(self, service: Service, model: ComposeModel) -> Persistence | None:
        """How a data-store service's mounts treat its data (None: not a data store, or the
        image is used as a client or one-shot job rather than the server)."""
        image = self.store_image(service, model)
        store = self.data_stores.match(image[0]) if image is not None else None
        if image is None or store is None or not runs_server(service):
            return None
        return analyse(service, store, inherited_mounts(service, model), image[0])

    @cached_property
    def _data_store_servers(self) -> tuple[tuple[ComposeModel, Service, Persistence], ...]:
        return tuple(
            (model, service, state)
            for model in self.models
            for service in model.services.values()
            if (state := self.persistence(service, model)) is not None
        )

    def data_store_services(
        self, *environments: Environment
    ) -> Iterator[tuple[ComposeModel, Service, Persistence]]:
        """Every data-store server in the models of ``environments`` (all when none given),
        analysed once for all the rules that ask."""
        for model, service, state in self._data_store_servers:
            if not environments or model.environment in environments:
                yield model, service, state

    def postgres_major_on_disk(self, model: ComposeModel, service: Service,
                               state: Persistence) -> int | None:
        """The PostgreSQL major that wrote a store's bind-mounted data
        (:func:`~composeguard.lint.facts.storage.postgres_major_on_disk`)."""
        from composeguard.lint.facts.storage import postgres_major_on_disk

        return postgres_major_on_disk(model, service, state, self.read_text)

    @cached_property
    def swallowed_migrations(self) -> tuple[tuple[Location, str], ...]:
        """Migrations the Python start code of apps the project runs swallows
        (:func:`~composeguard.lint.facts.appcode.swallowed_migrations`)."""
        from composeguard.lint.facts.appcode import swallowed_migrations

        return swallowed_migrations(self.files_with_parts, self.read_text, self.runs_app)

    @cached_property
    def code_commands(self) -> tuple[CodeCommand, ...]:
        """Artisan and ``manage.py`` commands the code of apps the project runs calls
        (:func:`~composeguard.lint.facts.appcode.code_commands`)."""
        from composeguard.lint.facts.appcode import code_commands

        return code_commands(self.files_with_parts, self.discovery.repo_roots,
                             [app.root for app in self.laravel_apps], self.read_source,
                             self.runs_app)

    def store_init_files(self, model: ComposeModel, service: Service) -> tuple[Path, ...]:
        """The project's files a store's image runs when it initialises its data: bind
        mounts at or under ``/docker-entrypoint-initdb.d`` (a file, or a folder's files),
        inside the checked folders."""
        from composeguard.lint.facts.datastores import is_under
        from composeguard.lint.model.services import absolute_source

        found: list[Path] = []
        for mount in service.mounts:
            if mount.kind is not MountKind.BIND or not is_under(mount.target,
                                                                 "/docker-entrypoint-initdb.d"):
                continue
            source = absolute_source(mount, model)
            path = Path(source) if source is not None else None
            if path is None or self.unreadable(path) is not None:
                continue
            if path.is_dir():
                found.extend(sorted(f for f in path.iterdir()
                                    if f.is_file() and self.unreadable(f) is None))
            elif path.is_file():
                found.append(path)
        return tuple(found)

    def schedule_kept_in(self, model: ComposeModel, store: Service
                         ) -> tuple[str, Location] | None:
        """The job worker (``sidekiq``) of ``model`` that keeps its schedule in ``store`` and
        where it starts, or None: a worker that depends on the store, or any worker when the
        store is the setup's only one of its family."""
        from composeguard.lint.facts.commands import scheduling_worker

        family = {s.name for m, s, state in self._data_store_servers if m is model
                  and state.store.family is not None
                  and state.store.family == self._family_of(model, store)}
        for service in model.services.values():
            if service is store or (store.name not in service.dependencies and len(family) > 1):
                continue
            for step in self.start_steps(model, service):
                worker = scheduling_worker(step.command.words)
                if worker is not None and not step.gated:
                    return worker, step.location
        return None

    def _family_of(self, model: ComposeModel, service: Service) -> str | None:
        return next((state.store.family for m, s, state in self._data_store_servers
                     if m is model and s is service), None)


def inherited_mounts(service: Service, model: ComposeModel) -> tuple[Mount, ...]:
    """The mounts ``volumes_from: [other]`` / ``service:other[:ro]`` takes from other services
    (data-only containers); ``container:`` sources are outside the model."""
    node = service.get("volumes_from")
    if node is None or not node.is_list:
        return ()
    mounts: list[Mount] = []
    for item in node.value:
        reference = scalar_text(item.value).split(":")
        if reference[0] == "container":
            continue
        name = reference[1] if reference[0] == "service" and len(reference) > 1 else reference[0]
        other = model.services.get(name)
        if other is not None and other is not service:
            mounts.extend(other.mounts)
    return tuple(mounts)


def _is_shell_script(path: Path, text: str) -> bool:
    from composeguard.lint.model.discover import is_shell_shebang

    return path.suffix in (".sh", ".bash") or is_shell_shebang(
        text.split("\n", 1)[0].encode("utf-8", "surrogatepass"))




_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_source(path: Path, raw: bytes) -> str:
    """``raw`` decoded as the format of ``path`` specifies (see :meth:`Project.read_source`)."""
    if path.suffix == ".properties":
        return raw.decode("iso-8859-1")
    if path.suffix in (".yml", ".yaml"):
        for bom, codec in _BOMS:
            if raw.startswith(bom):
                return raw[len(bom):].decode(codec.removesuffix("-sig"), "replace")
    return raw.decode("utf-8", "replace").removeprefix("\ufeff")


def _paths(chain: Iterable[ComposeFile]) -> tuple[Path, ...]:
    return tuple(f.path for f in chain)


def _chain_key(model: ComposeModel) -> tuple[Path, ...]:
    """A model's identity: the ``-f`` chain of files it was built from."""
    return tuple(f.path for f in model.files)
