"""The Project: every parsed view a rule may ask for, each computed once and only on demand."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path

from composeguard.lint.compose import (
    ComposeFile,
    ComposeModel,
    Environment,
    Mount,
    Service,
    classify_environment,
    read_compose_file,
)
from composeguard.lint.datastores import DataStore, DataStoreTable
from composeguard.lint.discover import Discovery, discover
from composeguard.lint.envfile import EnvFile, read_env_file
from composeguard.lint.model import build_model
from composeguard.lint.nodes import Node, scalar_text
from composeguard.lint.storage import Persistence, analyse, runs_server


class Project:
    """What the checked paths hold, parsed lazily.

    Rules only read from here; when two rules need the same fact, it becomes a method here.
    """

    def __init__(
        self,
        paths: Iterable[Path],
        *,
        exclude: Iterable[str] = (),
        environment_patterns: Mapping[str, Environment] | None = None,
        extra_data_stores: Mapping[str, str] | None = None,
    ) -> None:
        self.paths = tuple(Path(p) for p in paths)
        self._exclude = tuple(exclude)
        self._environment_patterns = dict(environment_patterns or {})
        self.data_stores = DataStoreTable().with_extra(extra_data_stores or {})
        self._files: dict[Path, ComposeFile] = {}
        self._env_files: dict[Path, EnvFile | None] = {}

    @cached_property
    def discovery(self) -> Discovery:
        return discover(self.paths, self._exclude)

    # -- compose files -------------------------------------------------------------------

    def compose_file(self, path: Path) -> ComposeFile:
        """One compose file, read and parsed once; a failure is kept in ``error``."""
        path = Path(path)
        cached = self._files.get(path)
        if cached is not None:
            return cached
        environment = classify_environment(
            path.name, self._environment_patterns, path.parent.parts[-3:]
        )
        result = read_compose_file(path, environment)
        self._files[path] = result
        return result

    @cached_property
    def compose_files(self) -> tuple[ComposeFile, ...]:
        return tuple(self.compose_file(p) for p in self.discovery.compose_files)

    # -- effective models ----------------------------------------------------------------

    @cached_property
    def models(self) -> tuple[ComposeModel, ...]:
        """One effective model per way Compose would run the files (see :meth:`chains`).

        A file that another model pulls in with ``include`` or ``extends: file:`` is judged
        inside that project, not again on its own (laradock's 113 included fragments would
        otherwise each be a project missing the volumes its root declares).
        """
        result = []
        for chain in self.chains():
            project_dir = chain[0].path.parent
            model = build_model(
                chain,
                chain[-1].environment,
                variables=self.dotenv(project_dir),
                project_dir=project_dir,
                load_compose=self._compose_root,
                load_env=self.env_file,
            )
            if model is not None:
                result.append(model)
        pulls = {
            model.primary.path: {p for p in model.base_dirs if p not in {f.path for f in model.files}}
            for model in result
        }

        def pulled_in(path: Path) -> bool:
            # Mutual includes (a cycle, reported as a problem) leave both files standing.
            return any(path in pulled and other not in pulls.get(path, ())
                       for other, pulled in pulls.items() if other != path)

        return tuple(m for m in result if not pulled_in(m.primary.path))

    def _compose_root(self, path: Path) -> Node | None:
        """A file ``extends``/``include`` pulls in, parsed once (None if missing or broken)."""
        return self.compose_file(path).root

    # -- env files -----------------------------------------------------------------------

    def env_file(self, path: Path) -> EnvFile | None:
        """An env file parsed once with its line numbers, or None if it is not there."""
        path = Path(path)
        if path not in self._env_files:
            self._env_files[path] = read_env_file(path)
        return self._env_files[path]

    def dotenv(self, directory: Path) -> dict[str, str]:
        """The variables ``directory/.env`` defines, as Compose interpolates with them."""
        env = self.env_file(Path(directory) / ".env")
        return env.variables() if env is not None else {}

    def models_for(self, *environments: Environment) -> Iterator[ComposeModel]:
        for model in self.models:
            if not environments or model.environment in environments:
                yield model

    def chains(self) -> list[tuple[ComposeFile, ...]]:
        """The ``-f`` chains to judge, one per compose file that is run.

        In a folder with a base file, an override or environment file is merged onto the base
        (``-f base -f file``) unless it stands alone (it defines every base service, each with
        an image or build). The base alone is judged as production unless a production file
        exists to judge it with. Files in folders without a base stand alone.
        """
        by_dir: dict[Path, list[ComposeFile]] = defaultdict(list)
        for compose_file in self.compose_files:
            by_dir[compose_file.path.parent].append(compose_file)
        chains: list[tuple[ComposeFile, ...]] = []
        for files in by_dir.values():
            bases = [f for f in files if f.is_base]
            base = bases[0] if bases else None
            production_overlays = False
            for f in files:
                if f.is_base:
                    continue
                if base is not None and (f.is_override or not _stands_alone(f, base)):
                    chains.append((base, f))
                    production_overlays |= f.environment is Environment.PRODUCTION
                else:
                    chains.append((f,))
            for b in bases:
                if not (production_overlays and b is base):
                    chains.append((b,))
        return sorted(chains, key=lambda c: [f.path for f in c])

    # -- data stores ---------------------------------------------------------------------

    def data_store(self, service: Service) -> DataStore | None:
        return self.data_stores.match(service.image)

    def persistence(self, service: Service, model: ComposeModel) -> Persistence | None:
        """How a data-store service's mounts treat its data (None: not a data store, or the
        image is used as a client or one-shot job rather than the server)."""
        store = self.data_store(service)
        if store is None or not runs_server(service):
            return None
        return analyse(service, store, inherited_mounts(service, model))

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


def _stands_alone(candidate: ComposeFile, base: ComposeFile) -> bool:
    services = candidate.services_node()
    base_services = base.services_node()
    if services is None or not services.value:
        return False
    for _, node in services.items():
        if not node.is_map or not any(node.get(k) is not None for k in ("image", "build", "extends")):
            return False
    if base_services is not None:
        return all(name in services.value for name, _ in base_services.items())
    return True
