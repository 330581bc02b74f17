"""The dev/prod split (CG601) and the production start commands of CG201-CG204.

A project with one compose file for every environment runs development's conveniences
(migrate, seed, ``|| true`` so the container starts anyway) in production. The split gives each
environment its own file, generated from the base:

- the base's start commands reduced to the long-running process (``sh -c "php artisan migrate
  --force || true && php-fpm"`` becomes ``php-fpm``);
- ``docker-compose.dev.yml``, complete and standalone: the automatic steps kept but chained
  with ``&&`` (a failed migration stops the start; a wipe such as ``migrate:fresh`` is
  dropped), its own ``<name>_dev`` volumes, data-store ports on 127.0.0.1;
- ``docker-compose.prod.yml``, complete and standalone: nothing automatic, the base's own
  volumes (the same names, so on a server that ran the base the same Compose volumes and the
  same data; only development gets new ones), ``restart: unless-stopped``, no published
  data-store ports,
  data-store passwords required from the environment (``${MYSQL_ROOT_PASSWORD:?...}``), a
  named volume at every store's data directory and a fixed ``hostname:`` for rabbitmq.

With the ``override`` layout (``FixOptions(layout="override")``, from ``composeguard fix
--layout override``) the two files are overrides for
``-f base -f file`` instead. Where a project is split already, a production start command is
fixed on its own: the steps are removed from it (:func:`start_command_fix`).

A start command is rewritten only when the shell model reads it exactly: a chain of simple
commands joined by ``&&``, ``||``, ``;`` or line breaks, read by tree-sitter-bash without an
error, with nothing else between the commands. Anything else (a condition, a pipe, a
redirection, a command substitution) is left alone and the split is not offered; steps that
run from a script or a Dockerfile are named in the fix's description as not fixed.

The base is edited in place (:class:`~composeguard.fix.yaml_edits.YamlText`); the new files are
the base's round-trip tree, changed and dumped by ruamel.yaml, so the services' comments come
along.
"""

from __future__ import annotations

import copy
import io
import json
import os
import posixpath
import shlex
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from composeguard.fix.builders import attempt
from composeguard.fix.yaml_edits import Change, YamlText, YNode
from composeguard.lint.engine.finding import Edit, Fix, FixOptions, Layout, fix_builder
from composeguard.lint.facts.commands import DATA_STEPS, Operation, classify
from composeguard.lint.facts.datastores import DataStore
from composeguard.lint.facts.start_commands import StartStep
from composeguard.lint.facts.storage import Persistence
from composeguard.lint.model.compose import ComposeFile, ComposeModel, Environment, Service
from composeguard.lint.parse.shell import PARSER, TESTS, Command
from composeguard.lint.project import Project

AUTOMATIC = frozenset(DATA_STEPS)
"""What a start command must not do in production."""

COMPOSE_KEYS = ("command", "entrypoint")
LOCALHOST = "127.0.0.1"

_MASKS = frozenset({"true", ":", "/bin/true", "echo", "printf", "logger"})
"""Alternatives after ``||`` that only swallow the failure."""
_NOT_ALONE = frozenset({"cd", "set", "export", "source", ".", "exit", "exec", "eval", "trap",
                        "ulimit", "umask", "wait", "true", ":", "unset", "shift", "alias"})
"""Shell builtins: a command left alone with one of these still needs its shell."""
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "-_./:=@,+%")
_UNREADABLE = ("$(", "`", "<(", ">(", "<<")
_NEAR = ("image", "build", "extends", "container_name", "hostname")
"""Keys after which a new service key is inserted."""


def layout_of(options: FixOptions | None) -> Layout:
    """The split's layout ``composeguard fix --layout`` asked for (``standalone`` unless
    ``override``)."""
    return options.layout if options is not None else "standalone"


def split_paths(base: Path) -> tuple[Path, Path]:
    """The development and production files beside ``base``, named like it
    (``docker-compose.yml`` -> ``docker-compose.dev.yml``, ``compose.yaml`` ->
    ``compose.prod.yaml``), as CG601's message names them."""
    stem, _, extension = base.name.rpartition(".")
    return base.with_name(f"{stem}.dev.{extension}"), base.with_name(f"{stem}.prod.{extension}")


# -- reading a start command ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Link:
    """One command of a start chain and the operator before it."""

    command: Command
    operator: str | None
    role: str
    """``keep`` (the server and other plain commands), ``step`` (migrate/seed/wipe) or
    ``mask`` (``true``, ``echo`` after an automatic step's ``||``)."""
    destroys: bool = False


CommandValue = str | tuple[str, ...]
"""A ``command:`` as written: the string form or the list form."""


@dataclass(frozen=True, slots=True)
class Reduction:
    """A ``command``/``entrypoint`` with its automatic steps taken out."""

    path: Path
    service: str
    key: str
    production: CommandValue
    """The value for production: the steps and their masks removed."""
    development: CommandValue
    """The value for development: the steps kept, chained with ``&&``; wipes removed."""
    removed: tuple[str, ...]
    """The removed steps as written."""
    first_line: int
    last_line: int
    """The 1-based lines of the value in ``path``."""
    edits: tuple[Edit, ...]
    """The edits that write ``production`` into ``path``."""
    flow: bool = False
    """The list form was written ``[...]``."""
    deploy_step: str = ""
    """The removed step to run by hand at deploy time: the migration, else the first."""

    @property
    def shown(self) -> str:
        value = self.production
        return value if isinstance(value, str) else json.dumps(list(value))

    def covers(self, step: StartStep) -> bool:
        location = step.location
        return location.path == self.path and self.first_line <= location.line <= self.last_line


def reduce_start_command(project: Project, path: Path, service: str, key: str
                         ) -> Reduction | None:
    """``services.<service>.<key>`` of the compose file ``path`` without its automatic steps,
    or None when it has none, cannot be read exactly, or would be left with nothing to run
    (a one-shot migration service). Built apart for ``check`` and ``fix``, as
    :func:`_split_plan` is."""
    from composeguard.fix.yaml_edits import VERIFY

    reduction: Reduction | None = project.memo(
        ("reduce", path, service, key, VERIFY.get()),
        lambda: attempt(_reduce, project, path, service, key))
    return reduction


def _reduce(project: Project, path: Path, service: str, key: str) -> Reduction | None:
    from composeguard.lint.parse.shell import shell_body

    text = project.compose_file(path).text
    doc = YamlText.parse(path, text) if text is not None else None
    if doc is None:
        return None
    node = doc.lookup(("services", service, key))
    value = _data_at(doc.data, ("services", service, key))
    if node is None or node.tag is not None or node.kind == "alias" or doc.anchors_above(node):
        return None
    if isinstance(value, str) and node.kind == "scalar":
        words, form = _compose_words(value), "string"
    elif (isinstance(value, list) and node.kind == "seq" and value
          and all(isinstance(w, str) for w in value)
          and all(item.kind == "scalar" for item in node.items)):
        words, form = list(value), "list"
    else:
        return None
    body = shell_body(words)
    if body is None:
        return None
    links = _chain(words[body])
    if links is None or not any(link.role == "step" for link in links):
        return None
    if links[-1].role != "keep":
        return None
    production = _render(links, _production_keeps, strict=False)
    development = _render(links, _development_keeps, strict=True)
    if not production:
        return None
    prod_value = _value(words, body, production, form)
    dev_value = _value(words, body, development, form) if development else prod_value
    edits = _value_edit(doc, service, key, node, prod_value)
    if edits is None:
        return None
    steps = [link.command for link in links if link.role == "step"]
    migration = next((c for c in steps if any(a.operation is Operation.MIGRATE
                                              for a in classify(c.words))), steps[0])
    return Reduction(path, service, key, prod_value, dev_value, tuple(c.text for c in steps),
                     node.start[0] + 1, node.end[0] + 1, edits, flow=node.flow,
                     deploy_step=shlex.join(migration.words))


def _compose_words(value: str) -> list[str]:
    """A string-form command split as Compose splits it."""
    from composeguard.lint.parse.origin import TextOrigin
    from composeguard.lint.parse.shell import split_compose_string

    return [word for word, _ in split_compose_string(value, TextOrigin(Path("-"), value))]


def _chain(body: str) -> list[_Link] | None:
    """The body of ``sh -c`` as a flat chain of simple commands, or None when it is anything
    else or the fallback parser had to read it."""
    from composeguard.lint.parse.origin import TextOrigin
    from composeguard.lint.parse.shell import parse_script

    if any(mark in body for mark in _UNREADABLE):
        return None
    script = parse_script(body, TextOrigin(Path("-"), body))
    if script.parser != PARSER or not script.commands:
        return None
    if any(c.depth and _automatic(c) for c in script.commands):
        return None
    links: list[_Link] = []
    cursor = 0
    for command in (c for c in script.commands if c.depth == 0):
        start = body.find(command.text, cursor)
        if start < 0 or not command.words:
            return None
        operator = _operator(body[cursor:start], first=not links)
        if operator == "?":
            return None
        link = _link(command, operator, links[-1] if links else None)
        if link is None:
            return None
        links.append(link)
        cursor = start + len(command.text)
    return links if _operator(body[cursor:], first=True, last=True) != "?" else None


def _operator(gap: str, *, first: bool, last: bool = False) -> str | None:
    """The operator written between two commands; ``?`` when the gap holds anything else."""
    spaced = gap.replace("\\\r\n", " ").replace("\\\n", " ")
    written = spaced.strip()
    if first:
        return None if written == "" or (last and written == ";") else "?"
    if written in ("&&", "||", ";"):
        return written
    return ";" if written == "" and "\n" in spaced else "?"


def _automatic(command: Command) -> bool:
    return any(action.operation in AUTOMATIC for action in classify(command.words))


def _link(command: Command, operator: str | None, previous: _Link | None) -> _Link | None:
    words = command.words
    if words[0] in TESTS or "$" in words[0]:
        return None
    actions = classify(words)
    automatic = any(a.operation in AUTOMATIC for a in actions)
    if operator == "||" and previous is not None and previous.role in ("step", "mask"):
        if automatic or not _is_mask(words):
            return None
        return _Link(command, operator, "mask", previous.destroys)
    if automatic:
        destroys = any(a.operation is Operation.DESTROY for a in actions)
        return _Link(command, operator, "step", destroys)
    return _Link(command, operator, "keep")


def _is_mask(words: Sequence[str]) -> bool:
    return words[0] in _MASKS or (words[0] == "exit" and list(words[1:]) == ["0"])


def _production_keeps(link: _Link) -> bool:
    return link.role == "keep"


def _development_keeps(link: _Link) -> bool:
    return link.role == "keep" or (link.role == "step" and not link.destroys)


def _render(links: list[_Link], keeps: Callable[[_Link], bool], strict: bool) -> list[_Link]:
    """The kept links, each with the operator it gets: its own, ``&&`` after a removed run,
    and ``&&`` after every automatic step when ``strict`` (a failed step stops the start)."""
    out: list[_Link] = []
    previous_index = -1
    for index, link in enumerate(links):
        if not keeps(link):
            continue
        operator = link.operator
        if out and ((previous_index != index - 1 and operator == "||")
                    or (strict and out[-1].role == "step")):
            operator = "&&"
        out.append(_Link(link.command, operator if out else None, link.role, link.destroys))
        previous_index = index
    return out


def _joined(links: list[_Link]) -> str:
    parts = []
    for link in links:
        if link.operator is None:
            parts.append(link.command.text)
        elif link.operator == ";":
            parts.append(f"; {link.command.text}")
        else:
            parts.append(f" {link.operator} {link.command.text}")
    return "".join(parts)


def _value(words: list[str], body: int, links: list[_Link], form: str) -> CommandValue:
    """The new ``command`` value: the program alone when one plain command is left, else the
    same shell with the new chain."""
    if len(links) == 1:
        direct = _direct(links[0].command)
        if direct is not None:
            return " ".join(direct) if form == "string" else tuple(direct)
    argv = [*words[:body], _joined(links), *words[body + 1 :]]
    if form == "list":
        return tuple(argv)
    return " ".join(_shellword(word) for word in argv)


def _direct(command: Command) -> list[str] | None:
    """The command's argv when it needs no shell: plain words, at most an ``exec`` before."""
    if command.assignments or not set(command.text) <= _WORD_CHARS | {" "}:
        return None
    argv = command.text.split()
    if argv and argv[0] == "exec":
        argv = argv[1:]
    if not argv or argv != list(command.words) or argv[0] in _NOT_ALONE:
        return None
    return argv


def _shellword(word: str) -> str:
    """``word`` quoted so that Compose's string splitting gives it back unchanged."""
    if word and set(word) <= _WORD_CHARS:
        return word
    if '"' not in word and "\\" not in word:
        return f'"{word}"'
    if "'" not in word:
        return f"'{word}'"
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value_edit(doc: YamlText, service: str, key: str, node: YNode, value: CommandValue
                ) -> tuple[Edit, ...] | None:
    """Edits writing ``value`` over the value node (on the key's line when it was a block
    list), checked by re-parsing."""
    if isinstance(value, str):
        text = _inline_scalar(value, node.style)
    else:
        quoted = any(item.style in ('"', "'") for item in node.items)
        text = "[" + ", ".join(_flow_item(word, quoted) for word in value) + "]"
    start = node.start
    if node.kind == "seq" and not node.flow:
        after_key = _after_colon(doc, service, key, node)
        if after_key is None:
            return None
        start, text = after_key, " " + text
    edit = Edit(doc.path, (start[0] + 1, start[1] + 1), (node.end[0] + 1, node.end[1] + 1), text)
    plain = list(value) if isinstance(value, tuple) else value

    def expect(data: Any) -> None:
        data["services"][service][key] = plain

    return doc.edits(Change((edit,), expect))


def _after_colon(doc: YamlText, service: str, key: str, value: YNode) -> tuple[int, int] | None:
    """Just after the ``:`` of ``key``, when only blank space (no comment) separates it from
    its block-list value."""
    mapping = doc.lookup(("services", service))
    name = next((k for k, v in mapping.pairs if v is value), None) if mapping else None
    if name is None:
        return None
    line = doc.lines[name.end[0]]
    colon = line.find(":", name.end[1])
    if colon < 0 or line[name.end[1]:colon].strip():
        return None
    between = [line[colon + 1 :], *doc.lines[name.end[0] + 1 : value.start[0]]]
    if value.start[0] > name.end[0]:
        between.append(doc.lines[value.start[0]][: value.start[1]])
    if any("#" in part for part in between):
        return None
    return (name.end[0], colon + 1)


def _inline_scalar(value: str, style: str | None) -> str:
    """``value`` as a one-line YAML scalar: plain when the file wrote it plain (or as a block)
    and plain reads back the same, single-quoted like the original, else double-quoted."""
    if style in (None, "|", ">") and _reads_back(value, value):
        return value
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def _flow_item(word: str, quoted: bool) -> str:
    plain = not quoted and "," not in word and _reads_back(f"[{word}]", [word])
    return word if plain else json.dumps(word, ensure_ascii=False)


def _reads_back(text: str, expected: Any) -> bool:
    """Whether ``key: text`` parses to ``expected`` as Compose reads YAML."""
    from composeguard.lint.parse.yamlio import YamlLoadError, parse_yaml

    if not text or text != text.strip() or "\n" in text:
        return False
    try:
        data = parse_yaml(f"key: {text}\n", Path("-"))
    except YamlLoadError:
        return False
    value = data.get("key") if isinstance(data, dict) else None
    if isinstance(expected, list):
        return (isinstance(value, list) and all(isinstance(v, str) for v in value)
                and list(value) == expected)
    return isinstance(value, str) and value == expected


def _data_at(data: Any, keys: Sequence[str]) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


# -- the fix of CG201-CG204 ----------------------------------------------------------------


def _compose_step_in_production(project: Project, model: ComposeModel, service: Service,
                                step: StartStep) -> bool:
    """The cheap part of :func:`start_command_fix`: a step a production compose file of
    ``model`` writes in its start command."""
    path = step.location.path
    return step.via in COMPOSE_KEYS and any(f.path == path for f in model.files) \
        and project.compose_file(path).environment is Environment.PRODUCTION


@fix_builder(safe=False, offered=_compose_step_in_production, options=True)
def start_command_fix(project: Project, model: ComposeModel, service: Service,
                      step: StartStep, *, options: FixOptions | None = None) -> Fix | None:
    """The fix of a production start step: the split when the setup has none (the step then
    moves to the development file), else the step removed from the production command.
    None for a step in a script or Dockerfile, or a command that cannot be read exactly."""
    fix: Fix | None = attempt(_start_command_fix, project, model, service, step,
                                   layout_of(options))
    return fix


def _start_command_fix(project: Project, model: ComposeModel, service: Service,
                       step: StartStep, layout: Layout) -> Fix | None:
    if not _compose_step_in_production(project, model, service, step):
        return None
    path = step.location.path
    base = _unsplit_base(project, model)
    if base is not None and base.path == path:
        plan = _split_plan(project, model, base, layout)
        if plan is not None and any(r.covers(step) for r in plan.reductions):
            return plan.fix
    reduction = reduce_start_command(project, path, service.name, step.via)
    if reduction is None or not reduction.covers(step):
        return None
    return Fix(_reduction_description(reduction), reduction.edits, safe=False)


def _reduction_description(reduction: Reduction) -> str:
    return (f"remove {_listed(reduction.removed)} from the start command of service "
            f"'{reduction.service}' in {reduction.path.name}, leaving `{reduction.shown}`: "
            "production no longer migrates or seeds on start (nor does any setup that runs "
            "this command); run those steps as a deploy step after a backup "
            f"(`docker compose run --rm {reduction.service} {reduction.deploy_step}`)")


def _listed(items: Sequence[str]) -> str:
    names = [f"`{item}`" for item in dict.fromkeys(items)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# -- the split (CG601) -----------------------------------------------------------------------


@fix_builder(safe=False, options=True)
def split_fix(project: Project, model: ComposeModel, *, options: FixOptions | None = None
              ) -> Fix | None:
    """The fix of CG601 for the production model of an unsplit base file: the safe base and
    the two generated files, as one fix; None when it cannot be generated exactly."""
    base = _unsplit_base(project, model)
    if base is None:
        return None
    plan = _split_plan(project, model, base, layout_of(options))
    return plan.fix if plan is not None else None


@dataclass(frozen=True, slots=True)
class _SplitPlan:
    fix: Fix
    reductions: tuple[Reduction, ...]


@dataclass(frozen=True, slots=True)
class _Left:
    """An automatic step the split cannot remove (in a script, a Dockerfile, another file)."""

    where: str
    command: str


def _unsplit_base(project: Project, model: ComposeModel) -> ComposeFile | None:
    if len(model.files) != 1 or model.environment is not Environment.PRODUCTION:
        return None
    path = model.files[0].path
    return next((b for b in project.unsplit_compose_bases() if b.path == path), None)


def _split_plan(project: Project, model: ComposeModel, base: ComposeFile, layout: Layout
                ) -> _SplitPlan | None:
    """The split of ``base``, built once per project and layout (several findings of one
    setup offer it), and apart for ``check``, which builds it without proving the generated
    files parse (:data:`~composeguard.fix.yaml_edits.VERIFY`): a plan ``fix`` uses is always
    one it proved."""
    from composeguard.fix.yaml_edits import VERIFY

    plan: _SplitPlan | None = project.memo(
        ("split", base.path, layout, VERIFY.get()),
        lambda: attempt(_build_split, project, model, base, layout))
    return plan


def _build_split(project: Project, model: ComposeModel, base: ComposeFile, layout: Layout
                 ) -> _SplitPlan | None:
    dev_path, prod_path = split_paths(base.path)
    if os.path.lexists(dev_path) or os.path.lexists(prod_path) or base.text is None:
        return None
    if any(project.defined_for_development(model, s) for s in model.services.values()):
        return None
    reductions: dict[tuple[str, str], Reduction] = {}
    left: list[_Left] = []
    for service in model.services.values():
        for step in project.start_steps(model, service):
            actions = [a for a in step.actions if a.operation in AUTOMATIC]
            if step.gated or not actions:
                continue
            if step.via in COMPOSE_KEYS and step.location.path == base.path:
                found = reductions.get((service.name, step.via)) or reduce_start_command(
                    project, base.path, service.name, step.via)
                if found is None or not found.covers(step):
                    return None
                reductions[(service.name, step.via)] = found
            elif any(a.operation is Operation.DESTROY for a in actions):
                return None  # never write a production file that still wipes data on start
            else:
                where = _shown_path(step.location.path, base.path.parent)
                left.append(_Left(f"{where}:{step.location.line}", actions[0].command))
    if not reductions and not left:
        return None
    done = tuple(reductions.values())
    generated = _generate(project, model, base, done, layout)
    if generated is None:
        return None
    edits = tuple(e for r in done for e in r.edits)
    fix = Fix(_split_description(base, done, left, generated, layout), edits,
              ((dev_path, generated.development), (prod_path, generated.production)),
              safe=False)
    return _SplitPlan(fix, done)


def _shown_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _split_description(base: ComposeFile, reductions: Sequence[Reduction], left: list[_Left],
                       generated: _Generated, layout: Layout) -> str:
    dev_path, prod_path = split_paths(base.path)
    name = base.path.name
    if layout == "override":
        first = (f"split {name} with two overrides: {dev_path.name} (development, `docker "
                 f"compose -f {name} -f {dev_path.name} up`: the automatic migrate/seed "
                 f"steps chained with `&&`, data-store ports on 127.0.0.1) and "
                 f"{prod_path.name} (production, `-f {name} -f {prod_path.name}`: "
                 "restart: unless-stopped, no published data-store ports)")
    else:
        first = (f"split {name} into {dev_path.name} (development, standalone: the automatic "
                 "migrate/seed steps chained with `&&`, volumes `*_dev`, data-store ports on "
                 f"127.0.0.1) and {prod_path.name} (production, standalone: no automatic steps, "
                 f"the volumes of {name}, restart: unless-stopped, no published data-store "
                 "ports)")
    parts = [first]
    parts.extend(f"service '{r.service}' of {name} starts `{r.shown}` instead of running "
                 f"{_listed(r.removed)} first" for r in reductions)
    if generated.required:
        parts.append(f"{prod_path.name} requires " + ", ".join(generated.required)
                     + " from the server's environment (the passwords the stores were created "
                     "with)")
    run = (f"-f {name} -f {prod_path.name}" if layout == "override" else f"-f {prod_path.name}")
    parts.extend(_copy_step(base, run, volume) for volume in generated.new_volumes)
    if left:
        parts.append("not fixed, edit by hand: " + ", ".join(
            f"{item.where} (`{item.command}`)" for item in dict.fromkeys(left))
            + " still runs on every start")
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class NewVolume:
    """A named volume production gets for a store whose data the base kept unnamed."""

    service: str
    volume: str
    state: Persistence
    image: str | None


def compose_project_name(base: ComposeFile) -> str:
    """The project name Compose gives the base's folder when nothing else names it: the
    top-level ``name:``, else the folder's name lower-cased, with only ``a-z0-9_-`` kept."""
    root = base.root
    named = root.get("name") if root is not None and root.is_map else None
    if named is not None and named.is_scalar and named.template is None:
        return str(named.value)
    folder = base.path.resolve().parent.name.lower()
    kept = "".join(c for c in folder if c.isalnum() and c.isascii() or c in "_-")
    return kept.lstrip("_-") or "default"


def _copy_step(base: ComposeFile, run: str, new: NewVolume) -> str:
    """How the data a running base keeps in a store's unnamed volume gets into the named one
    the production file mounts, as commands to paste."""
    name, project = base.path.name, compose_project_name(base)
    target = f"{project}_{new.volume}"
    where = (f"service '{new.service}' of {name} keeps its data in the container's unnamed "
             f"volume, and the production file mounts the named volume `{new.volume}` there")
    if new.state.image_volume is None or not new.image:
        return (f"{where}: on a server that runs {name}, copy {new.state.data_dir} out of the "
                f"running container (`docker compose -f {name} cp {new.service}:"
                f"{new.state.data_dir} ./{new.service}-data`) into it before the first `up`")
    return (f"{where}: on a server that runs {name}, copy the data into it before the first "
            f"`docker compose {run} up -d` (`{project}` is the Compose project name unless "
            f"COMPOSE_PROJECT_NAME sets another): `docker compose -f {name} stop "
            f"{new.service} && docker volume create {target} && docker run --rm --volumes-from "
            f"\"$(docker compose -f {name} ps -aq {new.service})\" -v {target}:/to "
            f"--entrypoint cp {new.image} -a {new.state.data_dir}/. /to/`")


# -- generating the two files ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Generated:
    development: str
    production: str
    required: tuple[str, ...] = ()
    """Variables the production file requires (``${VAR:?...}``)."""
    new_volumes: tuple[NewVolume, ...] = ()
    """Named volumes production gets where the base kept a store's data unnamed."""


@dataclass
class _Notes:
    """What generating one file did, for the fix's description."""

    required: list[str] = field(default_factory=list)
    new_volumes: list[NewVolume] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)
    """The literal passwords taken out of the stores' environment: an app's setting holding
    the same value is moved to a required variable too."""


def _generate(project: Project, model: ComposeModel, base: ComposeFile,
              reductions: tuple[Reduction, ...], layout: Layout) -> _Generated | None:
    assert base.text is not None
    shape = YamlText.parse(base.path, base.text)
    if shape is None:
        return None
    indent = (shape.indent_step(), shape.sequence_offset())
    dev_path, prod_path = split_paths(base.path)
    generate = _override if layout == "override" else _standalone
    dev_notes, prod_notes = _Notes(), _Notes()
    development = generate(project, model, base, reductions, "dev", dev_notes)
    production = generate(project, model, base, reductions, "prod", prod_notes)
    if development is None or production is None:
        return None
    development.yaml_set_start_comment(_header(base.path.name, dev_path.name, "dev", layout,
                                               reductions))
    production.yaml_set_start_comment(_header(base.path.name, prod_path.name, "prod", layout,
                                              reductions))
    texts = (_dump(development, indent), _dump(production, indent))
    if not all(_readable(text, path) for text, path in zip(texts, (dev_path, prod_path),
                                                            strict=True)):
        return None
    return _Generated(texts[0], texts[1], tuple(dict.fromkeys(prod_notes.required)),
                      tuple(prod_notes.new_volumes))


def _header(base: str, name: str, side: str, layout: Layout,
            reductions: Sequence[Reduction]) -> str:
    run = (f"docker compose -f {base} -f {name}" if layout == "override"
           else f"docker compose -f {name}")
    if side == "dev":
        return (f"Development setup, generated by composeguard from {base}.\n"
                f"Run: {run} up\n"
                "Migrations and seeders run on every start here; never deploy this file.")
    migrate = next((r for r in reductions), None)
    deploy = (f"\nDeploy: back up the database, then\n  {run} run --rm {migrate.service} "
              f"{migrate.deploy_step}" if migrate is not None else "")
    return (f"Production setup, generated by composeguard from {base}.\n"
            f"Run: {run} up -d\n"
            f"Nothing here migrates or seeds on start.{deploy}")


def _load(text: str) -> Any:
    """The base as ruamel's round-trip data, a copy each call (the two sides change it):
    parsed once per text, copied after (a deep copy keeps the comments and costs a fraction
    of ruamel's pure-Python parse)."""
    return copy.deepcopy(_loaded(text))


@lru_cache(maxsize=16)
def _loaded(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    yaml.preserve_quotes = True
    return yaml.load(text)


def _dump(data: Any, indent: tuple[int, int]) -> str:
    from ruamel.yaml import YAML

    step, offset = indent
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096
    yaml.indent(mapping=step, sequence=offset + 2, offset=offset)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _readable(text: str, path: Path) -> bool:
    """The generated file parses back to a mapping with services (never write a broken file).

    ``check`` only asks whether the split can be built (:data:`~composeguard.fix.yaml_edits.
    VERIFY` is off) and skips this parse of what ruamel just wrote; ``fix`` always makes it."""
    from composeguard.fix.yaml_edits import VERIFY

    if not VERIFY.get():
        return True
    parsed = YamlText.parse(path, text)
    return parsed is not None and isinstance(_data_at(parsed.data, ("services",)), dict)


def _standalone(project: Project, model: ComposeModel, base: ComposeFile,
                reductions: tuple[Reduction, ...], side: str, notes: _Notes) -> Any:
    """The whole base, changed for ``side`` (``dev`` or ``prod``)."""
    from ruamel.yaml.comments import CommentedMap

    assert base.text is not None
    data = _load(base.text)
    services = data.get("services") if isinstance(data, CommentedMap) else None
    if not isinstance(services, CommentedMap):
        return None
    if "version" in data:
        del data["version"]
    for reduction in reductions:
        value = reduction.development if side == "dev" else reduction.production
        node = services[reduction.service]
        node[reduction.key] = _command_value(value, reduction.flow, node.get(reduction.key))
    suffix = f"_{side}"
    if side == "dev":
        _rename_volumes(data, suffix)
    volume_names = _new_volume_names(project, base.path)
    for name, node in services.items():
        service = model.services.get(name)
        if service is None or not isinstance(node, CommentedMap):
            continue
        with _tail_kept(node):
            _standalone_service(project, model, data, node, name, service, side, suffix,
                                volume_names, notes)
    if side == "prod" and notes.moved:
        for name, node in services.items():
            service = model.services.get(name)
            if service is not None and isinstance(node, CommentedMap) and \
                    project.data_store(service, model) is None:
                with _tail_kept(node):
                    _require_moved_passwords(node, notes)
                    _commands_without_passwords(node, notes)
    return data


def _commands_without_passwords(node: Any, notes: _Notes) -> None:
    """An app's command or entrypoint that writes a password the stores now require takes
    it from the server's environment when Compose reads the file (``-p${MYSQL_PASSWORD:?...}``)
    : the production file holds no copy."""
    for key in ("command", "entrypoint"):
        value = node.get(key)
        items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        for index, item in enumerate(items):
            text = str(item)
            changed = text
            for secret, variable in sorted(notes.moved.items(), key=lambda i: -len(i[0])):
                if secret and secret in changed:
                    changed = changed.replace(secret, _required(variable))
                    notes.required.append(variable)
            if changed != text:
                if isinstance(value, list):
                    value[index] = _like(item, changed)
                else:
                    node[key] = _like(item, changed)


def _require_moved_passwords(node: Any, notes: _Notes) -> bool:
    """An app's password-like settings that hold a password the stores now require from the
    environment get the same treatment: the production file keeps no copy of it."""
    from composeguard.lint.facts.secrets import is_secret_key

    environment = _owned_value(node, "environment") if hasattr(node, "non_merged_items") \
        else node.get("environment")
    changed = False
    if isinstance(environment, dict):
        for key in list(environment.keys()):
            value = str(environment[key])
            if is_secret_key(str(key)) and value in notes.moved:
                environment[key] = _required(str(key))
                notes.required.append(str(key))
                changed = True
            elif (inside := _url_with_moved(value, notes)) is not None:
                environment[key] = _like(environment[key], inside)
                changed = True
    elif isinstance(environment, list):
        for index, item in enumerate(environment):
            key, sep, value = str(item).partition("=")
            if sep and is_secret_key(key) and value in notes.moved:
                environment[index] = _like(item, f"{key}={_required(key)}")
                notes.required.append(key)
                changed = True
            elif sep and (inside := _url_with_moved(value, notes)) is not None:
                environment[index] = _like(item, f"{key}={inside}")
                changed = True
    return changed


def _url_with_moved(value: str, notes: _Notes) -> str | None:
    """A connection URL whose password is one the stores now require, with the password
    replaced by the same required variable (``mysql://app:${MYSQL_PASSWORD:?...}@db/app``);
    None for anything else."""
    from composeguard.lint.facts.secrets import url_password

    password = url_password(value)
    variable = notes.moved.get(password) if password else None
    if variable is None:
        return None
    notes.required.append(variable)
    return value.replace(f":{password}@", f":{_required(variable)}@", 1)


def _healthcheck_without_passwords(node: Any, notes: _Notes) -> None:
    """A store's healthcheck that writes a password the production file now requires reads
    it from the container's environment instead (``-p$$MYSQL_ROOT_PASSWORD``); an exec-form
    test becomes ``CMD-SHELL`` so that the variable is expanded."""
    import shlex

    healthcheck = node.get("healthcheck")
    test = healthcheck.get("test") if isinstance(healthcheck, dict) else None
    if test is None or not notes.moved:
        return
    if isinstance(test, list) and test[:1] == ["CMD"]:
        words = [str(w) for w in test[1:]]
        text = shlex.join(words)
    elif isinstance(test, list) and test[:1] == ["CMD-SHELL"] and len(test) == 2:
        text = str(test[1])
    elif isinstance(test, str):
        text = test
    else:
        return
    changed = text
    for secret, variable in sorted(notes.moved.items(), key=lambda item: -len(item[0])):
        if secret and secret in changed:
            changed = changed.replace(shlex.quote(secret), f"$${variable}").replace(
                secret, f"$${variable}")
    if changed == text:
        return
    if isinstance(test, str):
        healthcheck["test"] = _like(test, changed)
    else:
        from ruamel.yaml.comments import CommentedSeq

        replaced = CommentedSeq(["CMD-SHELL", changed])
        replaced.fa.set_flow_style()
        healthcheck["test"] = replaced


def _require_command_password(node: Any, notes: _Notes) -> None:
    """``redis-server --requirepass VALUE`` in a store's command: the value becomes the
    required variable ``REDIS_PASSWORD`` (and an app's copy of it follows)."""
    command = node.get("command")
    words = command if isinstance(command, list) else \
        str(command).split() if isinstance(command, str) else []
    for index, word in enumerate(words[:-1]):
        secret = str(words[index + 1])
        if str(word) == "--requirepass" and _literal(secret):
            notes.moved[secret] = "REDIS_PASSWORD"
            notes.required.append("REDIS_PASSWORD")
            if isinstance(command, list):
                command[index + 1] = _required("REDIS_PASSWORD")
            else:
                node["command"] = _like(command, str(command).replace(
                    f"--requirepass {secret}", f"--requirepass {_required('REDIS_PASSWORD')}", 1))
            # the container has it too, for a healthcheck that logs in (`redis-cli -a`)
            environment = node.get("environment")
            if environment is None:
                from ruamel.yaml.comments import CommentedMap

                environment = CommentedMap()
                _insert(node, "environment", environment)
            if isinstance(environment, dict):
                environment.setdefault("REDIS_PASSWORD", _required("REDIS_PASSWORD"))
            elif isinstance(environment, list):
                environment.append(f"REDIS_PASSWORD={_required('REDIS_PASSWORD')}")
            return


def _standalone_service(project: Project, model: ComposeModel, data: Any, node: Any,
                        name: str, service: Service, side: str, suffix: str,
                        volume_names: dict[str, str], notes: _Notes) -> None:
    store = project.data_store(service, model)
    state = project.persistence(service, model)
    if side == "prod" and "restart" not in node and not _has_restart_policy(node):
        _insert(node, "restart", "unless-stopped")
    if store is not None:
        if side == "dev":
            _localhost_ports(node)
        else:
            _drop(node, "ports")
            _require_credentials(node, store, notes)
            if store.family == "redis":
                _require_command_password(node, notes)
            _healthcheck_without_passwords(node, notes)
        if store.name == "rabbitmq":
            _fix_hostname(node, name, service)
    if state is not None and (side == "prod" or not state.store.cache):
        volume = _data_volume(data, node, name, state, volume_names,
                              suffix if side == "dev" else "")
        if volume is not None and side == "prod":
            notes.new_volumes.append(NewVolume(name, volume, state, service.image))


def _override(project: Project, model: ComposeModel, base: ComposeFile,
              reductions: tuple[Reduction, ...], side: str, notes: _Notes) -> Any:
    """Only what ``side`` changes, to merge onto the (reduced) base."""
    from ruamel.yaml.comments import CommentedMap

    assert base.text is not None
    source = _load(base.text)
    base_services = source.get("services") if isinstance(source, CommentedMap) else None
    if not isinstance(base_services, CommentedMap):
        return None
    data = CommentedMap()
    services = CommentedMap()
    data["services"] = services
    if side == "dev":
        for reduction in reductions:
            entry = services.setdefault(reduction.service, CommentedMap())
            entry[reduction.key] = _command_value(reduction.development, reduction.flow)
    volume_names = _new_volume_names(project, base.path)
    for name, node in base_services.items():
        service = model.services.get(name)
        if service is None or not isinstance(node, CommentedMap):
            continue
        entry = _override_entry(project, model, data, node, name, service, side, volume_names,
                                notes)
        if entry:
            services.setdefault(name, CommentedMap()).update(entry)
    if side == "prod" and notes.moved:
        for name, node in base_services.items():
            service = model.services.get(name)
            environment = node.get("environment") if isinstance(node, CommentedMap) else None
            if service is None or environment is None or project.data_store(service, model) is not None:
                continue
            holder = {"environment": copy.deepcopy(environment)}
            if _require_moved_passwords(holder, notes):
                services.setdefault(name, CommentedMap())["environment"] = _changed_entries(
                    environment, holder["environment"])
    return data


def _override_entry(project: Project, model: ComposeModel, data: Any, node: Any, name: str,
                    service: Service, side: str, volume_names: dict[str, str],
                    notes: _Notes) -> Any:
    """What the ``side`` override sets on one service of the base."""
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap()
    if side == "prod" and "restart" not in node and not _has_restart_policy(node):
        entry["restart"] = "unless-stopped"
    store = project.data_store(service, model)
    if store is None:
        return entry
    has_ports = isinstance(node.get("ports"), list) and bool(node["ports"])
    if side == "dev" and has_ports:
        entry["ports"] = _tagged(_localhost_ports(copy.deepcopy(node)), "!override")
    elif has_ports:
        entry["ports"] = _tagged([], "!reset")
    environment = node.get("environment")
    if side == "prod" and environment is not None:
        holder = {"environment": copy.deepcopy(environment)}
        if _require_credentials(holder, store, notes):
            entry["environment"] = _tagged(holder["environment"], "!override")
        elif holder["environment"] != environment:
            entry["environment"] = _changed_entries(environment, holder["environment"])
    if store.name == "rabbitmq" and "hostname" not in node and "@" not in (
            service.env("RABBITMQ_NODENAME") or ""):
        entry["hostname"] = name
    if side == "prod" and store.family == "redis" and "command" in node:
        holder = CommentedMap([("command", copy.deepcopy(node["command"]))])
        _require_command_password(holder, notes)
        if holder["command"] != node["command"]:  # the override replaces the base's command
            entry["command"] = _tagged(holder["command"], "!override") \
                if isinstance(holder["command"], list) else holder["command"]
            entry.setdefault("environment", CommentedMap())
            if isinstance(entry["environment"], dict):
                entry["environment"]["REDIS_PASSWORD"] = _required("REDIS_PASSWORD")
    state = project.persistence(service, model)
    if state is not None and (side == "prod" or not state.store.cache) and not (
            state.persisted or state.tmpfs or state.wrong_mount or state.persistence_disabled):
        volume = volume_names.get(name) or f"{_slug(name)}_data"
        entry["volumes"] = [f"{volume}:{state.data_dir}"]
        _declare(data, volume)
        if side == "prod":
            notes.new_volumes.append(NewVolume(name, volume, state, service.image))
    return entry


def _changed_entries(before: Any, after: Any) -> Any:
    """The environment entries ``after`` changed, as a mapping (Compose merges by name)."""
    from ruamel.yaml.comments import CommentedMap

    old, new = _env_pairs(before), _env_pairs(after)
    changed = CommentedMap()
    for key, value in new.items():
        if old.get(key) != value:
            changed[key] = value
    return changed


def _env_pairs(environment: Any) -> dict[str, Any]:
    if isinstance(environment, dict):
        return dict(environment.items())
    pairs: dict[str, Any] = {}
    for item in environment if isinstance(environment, list) else ():
        if isinstance(item, str):
            key, sep, value = item.partition("=")
            pairs[key] = value if sep else None
    return pairs


def _tagged(value: Any, tag: str) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.tag import Tag

    if isinstance(value, dict):
        node: Any = CommentedMap(value.items())
    else:
        node = CommentedSeq(value)
        if not value:
            node.fa.set_flow_style()
    node.yaml_set_ctag(Tag(suffix=tag))
    return node


def _command_value(value: CommandValue, flow: bool, old: Any = None) -> Any:
    """``value`` for the round-trip tree: a list in the flow style it had; a string in the
    quotes it had, but on one line (ruamel would keep a block scalar's ``>``)."""
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        FoldedScalarString,
        LiteralScalarString,
        PlainScalarString,
        SingleQuotedScalarString,
    )

    if isinstance(value, str):
        if not isinstance(old, FoldedScalarString | LiteralScalarString):
            return value
        if _reads_back(value, value):
            return PlainScalarString(value)
        return DoubleQuotedScalarString(value)
    quoted = next((type(item) for item in old if isinstance(item, DoubleQuotedScalarString
                                                            | SingleQuotedScalarString)),
                  None) if isinstance(old, list) else None
    seq = CommentedSeq(quoted(item) if quoted is not None else item for item in value)
    if flow:
        seq.fa.set_flow_style()
    return seq


@contextmanager
def _tail_kept(node: Any) -> Iterator[None]:
    """Keep what follows a service's last line (the blank line and comments before the next
    service) after its last line, whatever keys are added or removed meanwhile."""
    slot = _tail_slot(node)
    token = None
    if slot is not None:
        items, key, position = slot
        entry = items.get(key)
        if entry is not None and entry[position] is not None:
            token, entry[position] = entry[position], None
    yield
    slot = _tail_slot(node)
    if token is None or slot is None:
        return
    items, key, position = slot
    entry = items.setdefault(key, [None, None, None, None])
    if entry[position] is None:
        entry[position] = token


def _tail_slot(node: Any) -> tuple[dict[Any, list[Any]], Any, int] | None:
    """Where ruamel keeps the comment after a collection's last line."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        own = [k for k, _ in node.non_merged_items()]
        if not own:
            return None
        last, position = own[-1], 2
    elif isinstance(node, CommentedSeq) and len(node):
        last, position = len(node) - 1, 0
    else:
        return None
    value = node[last]
    if (isinstance(value, CommentedMap | CommentedSeq) and len(value)
            and not value.fa.flow_style()):
        return _tail_slot(value)
    return node.ca.items, last, position


def _own(mapping: Any, key: str) -> bool:
    """``key`` is written in ``mapping`` itself, not merged in with ``<<``."""
    return any(k == key for k, _ in mapping.non_merged_items())


def _drop(node: Any, key: str) -> None:
    """Remove ``key``; one merged in from an anchor is emptied instead (it cannot go)."""
    from ruamel.yaml.comments import CommentedSeq

    if key not in node:
        return
    if _own(node, key) and not getattr(node, "merge", None):
        del node[key]
    else:
        empty = CommentedSeq()
        empty.fa.set_flow_style()
        node[key] = empty


def _owned_value(node: Any, key: str) -> Any:
    """The value of ``key``, copied into ``node`` first when it came through a merge key."""
    value = node.get(key)
    if value is not None and not _own(node, key):
        value = copy.deepcopy(value)
        slot = _tail_slot(value)
        if slot is not None and slot[1] in slot[0]:
            slot[0][slot[1]][slot[2]] = None
        node[key] = value
    return value


def _insert(node: Any, key: str, value: Any) -> None:
    """``key: value`` after the service's image/build, else last."""
    own = [k for k, _ in node.non_merged_items()]
    near = [own.index(k) for k in _NEAR if k in own]
    if near:
        node.insert(max(near) + 1, key, value)
    else:
        node[key] = value


def _has_restart_policy(node: Any) -> bool:
    deploy = node.get("deploy")
    return isinstance(deploy, dict) and "restart_policy" in deploy


def _localhost_ports(node: Any) -> Any:
    """Every published port of the service bound to 127.0.0.1; returns the new list."""
    ports = _owned_value(node, "ports")
    if not isinstance(ports, list):
        return ports
    for index, item in enumerate(ports):
        if isinstance(item, dict):
            item["host_ip"] = LOCALHOST
        elif isinstance(item, str | int) and not isinstance(item, bool):
            bound = _bound(str(item))
            if bound is not None:
                ports[index] = _like(item, bound)
    return ports


def _bound(spec: str) -> str | None:
    """A short-syntax port published on 127.0.0.1 (``3306:3306`` -> ``127.0.0.1:3306:3306``,
    ``3306`` -> ``127.0.0.1::3306``); None for a form not understood."""
    parts: list[str] = []
    current, depth = "", 0
    for char in spec:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    if len(parts) == 1:
        return f"{LOCALHOST}::{spec}"
    if len(parts) == 2:
        return f"{LOCALHOST}:{spec}"
    if len(parts) == 3:
        return f"{LOCALHOST}:{parts[1]}:{parts[2]}"
    return None


def _like(old: Any, text: str) -> Any:
    """``text`` quoted the way ``old`` was."""
    from ruamel.yaml.scalarstring import ScalarString

    return type(old)(text) if isinstance(old, ScalarString) else text


def _fix_hostname(node: Any, name: str, service: Service) -> None:
    if "hostname" in node or "@" in (service.env("RABBITMQ_NODENAME") or ""):
        return
    _insert(node, "hostname", name)


def _literal(value: Any) -> bool:
    """A value that writes a password into the file (not only ``${VAR}``/``${VAR:?...}``)."""
    from composeguard.lint.parse.interpolate import InvalidTemplate, substitute

    if value is None:
        return False
    if not isinstance(value, str):
        return True
    if "$" not in value:
        return bool(value)
    try:
        unset = substitute(value, lambda _: None).value
        when_set = substitute(value, lambda _: "\x00").value
    except InvalidTemplate:
        return True
    return bool(unset) or bool(when_set.replace("\x00", ""))


def _required(variable: str) -> str:
    return f"${{{variable}:?set {variable}}}"


def _require_credentials(node: Any, store: DataStore, notes: _Notes) -> bool:
    """Literal passwords replaced by required variables, switches that turn authentication
    off removed (a password then required instead); whether an entry was removed."""
    environment = _owned_value(node, "environment") if hasattr(node, "non_merged_items") \
        else node.get("environment")
    if not isinstance(environment, dict | list):
        return False
    credentials = {c.variable for c in store.credentials}
    removed = False
    if isinstance(environment, dict):
        for key in list(environment.keys()):
            if key in credentials and _literal(environment[key]):
                notes.moved[str(environment[key])] = str(key)
                environment[key] = _required(key)
                notes.required.append(key)
            elif _switch_on(store, key, environment[key]):
                del environment[key]
                removed = True
        present = set(environment.keys())
    else:
        for index in reversed(range(len(environment))):
            item = environment[index]
            if not isinstance(item, str):
                continue
            key, sep, value = item.partition("=")
            if sep and key in credentials and _literal(value):
                notes.moved[value] = key
                environment[index] = _like(item, f"{key}={_required(key)}")
                notes.required.append(key)
            elif sep and _switch_on(store, key, value):
                del environment[index]
                removed = True
        present = {str(item).partition("=")[0] for item in environment}
    if removed and store.credentials and not present & (
            credentials | {f"{c}_FILE" for c in credentials}):
        variable = store.credentials[0].variable
        if isinstance(environment, dict):
            environment[variable] = _required(variable)
        else:
            environment.append(f"{variable}={_required(variable)}")
        notes.required.append(variable)
    return removed


def _switch_on(store: DataStore, key: str, value: Any) -> bool:
    for switch in store.auth_switches:
        if switch.variable != key or value is None:
            continue
        text = str(value).strip()
        if text and (switch.values is None or text.lower() in switch.values):
            return True
    return False


def _new_volume_names(project: Project, base: Path) -> dict[str, str]:
    from composeguard.fix.volumes import data_volume_names

    return data_volume_names(project, base)


def _slug(name: str) -> str:
    slug = "".join(c if c.isalnum() or c in "_.-" else "_" for c in name)
    return slug if slug[:1].isalnum() else f"v{slug}"


def _rename_volumes(data: Any, suffix: str) -> dict[str, str]:
    """Every named volume the file declares (external ones excepted) given ``suffix``, in the
    top-level section and in every service's mounts; returns old -> new names."""
    from ruamel.yaml.comments import CommentedMap

    top = data.get("volumes")
    if not isinstance(top, CommentedMap):
        return {}
    renamed: dict[str, str] = {}
    for key, value in top.items():
        if isinstance(value, dict) and value.get("external"):
            continue
        new = f"{key}{suffix}"
        while new in top or new in renamed.values():
            new += suffix
        renamed[str(key)] = new
    if not renamed:
        return {}
    fresh = CommentedMap()
    for key, value in top.items():
        name = renamed.get(str(key), key)
        if key in renamed and isinstance(value, dict) and isinstance(value.get("name"), str):
            value["name"] = _like(value["name"], f"{value['name']}{suffix}")
        fresh[name] = value
        if key in top.ca.items:
            fresh.ca.items[name] = top.ca.items[key]
    data["volumes"] = fresh
    services = data.get("services")
    for _, node in services.items() if isinstance(services, dict) else ():
        mounts = node.get("volumes") if isinstance(node, dict) else None
        if not isinstance(mounts, list):
            continue
        for index, item in enumerate(mounts):
            if isinstance(item, str):
                source, sep, rest = item.partition(":")
                if sep and source in renamed:
                    mounts[index] = _like(item, f"{renamed[source]}:{rest}")
            elif isinstance(item, dict) and item.get("source") in renamed:
                item["source"] = renamed[str(item["source"])]
    return renamed


def _data_volume(data: Any, node: Any, name: str, state: Persistence,
                 names: dict[str, str], suffix: str) -> str | None:
    """A named volume at a data store's data directory when nothing persists it (an
    anonymous volume there is given the name); returns the new volume's name."""
    from ruamel.yaml.comments import CommentedSeq

    if state.persisted or state.tmpfs or state.wrong_mount or state.persistence_disabled:
        return None
    top = data.get("volumes") if isinstance(data.get("volumes"), dict) else {}
    volume = f"{names.get(name) or _slug(name) + '_data'}{suffix}"
    while volume in top:
        volume += suffix or "_prod"
    mounts = _owned_value(node, "volumes")
    if mounts is None:
        mounts = CommentedSeq()
        _insert(node, "volumes", mounts)
    if not isinstance(mounts, list):
        return None
    anonymous = state.anonymous
    for index, item in enumerate(mounts):
        if anonymous is None:
            break
        if isinstance(item, str) and ":" not in item and posixpath.normpath(
                item.strip()) == anonymous.target:
            mounts[index] = _like(item, f"{volume}:{anonymous.target}")
            break
        if isinstance(item, dict) and item.get("source") is None and posixpath.normpath(
                str(item.get("target", ""))) == anonymous.target:
            item["source"] = volume
            break
    else:
        mounts.append(f"{volume}:{state.data_dir}")
    _declare(data, volume)
    return volume


def _declare(data: Any, volume: str) -> None:
    from ruamel.yaml.comments import CommentedMap

    top = data.get("volumes")
    if not isinstance(top, CommentedMap):
        top = CommentedMap()
        data["volumes"] = top
    if volume not in top:
        top[volume] = None


# -- helpers ---------------------------------------------------------------------------------

