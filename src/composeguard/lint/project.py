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
    Service,
    classify_environment,
)
from composeguard.lint.datastores import DataStore, DataStoreTable
from composeguard.lint.discover import Discovery, discover
from composeguard.lint.model import build_model
from composeguard.lint.nodes import from_ruamel
from composeguard.lint.yamlio import YamlLoadError, parse_yaml, read_text


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
        environment = classify_environment(path.name, self._environment_patterns)
        try:
            text = read_text(path)
            data = parse_yaml(text, path)
            root = from_ruamel(data, path, text) if data is not None else None
            result = ComposeFile(path, environment, root, text)
        except YamlLoadError as error:
            result = ComposeFile(path, environment, error=error)
        self._files[path] = result
        return result

    @cached_property
    def compose_files(self) -> tuple[ComposeFile, ...]:
        return tuple(self.compose_file(p) for p in self.discovery.compose_files)

    # -- effective models ----------------------------------------------------------------

    @cached_property
    def models(self) -> tuple[ComposeModel, ...]:
        """One effective model per way Compose would run the files (see :meth:`chains`)."""
        result = []
        for chain in self.chains():
            model = build_model(chain, chain[-1].environment, project_dir=chain[0].path.parent)
            if model is not None:
                result.append(model)
        return tuple(result)

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
