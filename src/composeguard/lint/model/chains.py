"""The ``-f`` chains Compose would run a project's files as, judged before any setup is.

In a folder with a base file, an override or environment file is merged onto the base
(``-f base -f file``) unless it stands alone; a header comment that shows the command wins;
the base alone is a setup too unless a production file is merged onto it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from composeguard.lint.model.compose import ComposeFile, ComposeModel, Environment
from composeguard.lint.parse.nodes import Node, scalar_text
from composeguard.lint.parse.yamlio import header_comment


def compose_chains(compose_files: Sequence[ComposeFile]) -> list[tuple[ComposeFile, ...]]:
    """The ``-f`` chains to judge, one per compose file that is run.

    In a folder with a base file, an override or environment file is merged onto the base
    (``-f base -f file``) unless it stands alone (it defines every base service, each with
    an image or build, or is a complete setup of its own). A file whose header comment
    shows the command that runs it (``docker compose -f compose.dev.yaml -f this.yaml up``,
    or ``COMPOSE_FILE=a:b``) is merged as that command says. The base alone is judged too
    unless a production file is merged onto it.
    """
    by_dir: dict[Path, list[ComposeFile]] = defaultdict(list)
    for compose_file in compose_files:
        by_dir[compose_file.path.parent].append(compose_file)
    chains: list[tuple[ComposeFile, ...]] = []
    for files in by_dir.values():
        bases = [f for f in files if f.is_base]
        base = bases[0] if bases else None
        production_overlays = False
        by_name = {f.path.name: f for f in files}
        for f in files:
            if f.is_base:
                continue
            written = _chain_in_header(f, by_name)
            if written is not None:
                chains.append(written)
                production_overlays |= (written[0] is base
                                        and f.environment is Environment.PRODUCTION)
            elif base is not None and (f.is_override or not _stands_alone(f, base)):
                chains.append((base, f))
                production_overlays |= f.environment is Environment.PRODUCTION
            else:
                chains.append((f,))
        chains.extend((b,) for b in bases if not (production_overlays and b is base))
    return sorted(chains, key=lambda c: [f.path for f in c])


def _chain_in_header(
    compose_file: ComposeFile, by_name: Mapping[str, ComposeFile]
) -> tuple[ComposeFile, ...] | None:
    """The ``-f`` chain the file's header comment runs it with, when that names this file and
    other compose files of its folder (``docker compose -f a.yaml -f this.yaml up -d``,
    ``COMPOSE_FILE=a.yaml:this.yaml``); None otherwise."""
    from composeguard.lint.parse.shell import words_of

    if compose_file.text is None:
        return None
    for _, line in header_comment(compose_file.text):
        words = words_of(line)
        if words is None:
            continue
        names: list[str] = []
        for i, word in enumerate(words):
            if word in ("-f", "--file") and i + 1 < len(words):
                names.append(words[i + 1])
            elif word.startswith("COMPOSE_FILE="):
                names.extend(word.partition("=")[2].split(":"))
        chain = [by_name.get(name.removeprefix("./")) for name in names]
        if len(chain) > 1 and chain[-1] is compose_file and all(chain) \
                and len(set(map(id, chain))) == len(chain):
            return tuple(f for f in chain if f is not None)
    return None


def _stands_alone(candidate: ComposeFile, base: ComposeFile) -> bool:
    """Whether ``candidate`` is run on its own (``-f candidate``) rather than merged onto the
    base: every service has an image or build, and it either defines every base service or
    holds two or more services that need nothing from the base (their named volumes,
    networks and ``depends_on`` are all its own)."""
    services = candidate.services_node()
    base_services = base.services_node()
    if services is None or not services.value:
        return False
    for node in services.value.values():
        if not node.is_map or not any(node.get(k) is not None for k in ("image", "build", "extends")):
            return False
    if base_services is None or all(name in services.value for name, _ in base_services.items()):
        return True
    return len(services.value) >= 2 and _self_contained(candidate, services)


def _self_contained(compose_file: ComposeFile, services: Node) -> bool:
    from composeguard.lint.model.compose import MountKind, iter_mounts

    root = compose_file.root
    declared = {key: set(node.value) if (node := root.get(key)) is not None and node.is_map
                else set() for key in ("volumes", "networks")} if root is not None else {}
    for node in services.value.values():
        if any(m.kind is MountKind.NAMED and m.source not in declared.get("volumes", ())
               for m in iter_mounts(node)):
            return False
        for key, known in (("networks", declared.get("networks", set())),
                           ("depends_on", set(services.value))):
            value = node.get(key)
            names = (set(value.value) if value is not None and value.is_map else
                     {scalar_text(i.value) for i in value.value if i.is_scalar}
                     if value is not None and value.is_list else set())
            if names - known - {"default"}:
                return False
    return True


def not_pulled_in(models: Sequence[ComposeModel], run_alone: Collection[Path]
                  ) -> list[ComposeModel]:
    """The models whose primary file no other model pulls in (``include``, ``extends:
    file:``): a pulled-in file is judged inside the project that pulls it, not again on its
    own. Mutual includes (a cycle, reported as a problem) leave both files standing, and a
    file the project runs on its own (``run_alone``: a script, a guide) is a setup all the
    same."""
    pulls = {model.primary.path: {p for p in model.base_dirs
                                  if p not in {f.path for f in model.files}}
             for model in models}
    pullers: dict[Path, set[Path]] = defaultdict(set)
    for other, pulled in pulls.items():
        for path in pulled:
            if path != other:
                pullers[path].add(other)

    def pulled_in(path: Path) -> bool:
        if path in run_alone:
            return False
        return any(other not in pulls.get(path, ()) for other in pullers.get(path, ()))

    return [m for m in models if not pulled_in(m.primary.path)]
