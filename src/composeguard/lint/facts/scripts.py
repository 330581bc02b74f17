"""The places where commands live: shell scripts, Makefile recipes, CI workflow steps,
package.json scripts and Dockerfiles, each cut into the shell text a shell would receive.

Every fragment keeps an origin, so a finding inside a recipe continued over three lines or in the
second command of a ``run: |`` block points at the file's own line. These are pure functions
over ``(path, text)``: reading files and parsing the shell are someone else's job.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node, from_ruamel, scalar_text
from composeguard.lint.parse.origin import Origin, TextOrigin, align, yaml_scalar_origin
from composeguard.lint.parse.shell import SHELLS
from composeguard.lint.parse.yamlio import YamlLoadError, parse_yaml

_MAX_EXPANSION = 20_000
"""A Makefile variable or a Dockerfile ENV/ARG longer than this once expanded is left as
written (a blow-up: each line doubling the last)."""
_MAX_REFERENCE_DEPTH = 64
"""Makefile variables referring to each other deeper than this are left as written."""



@dataclass(frozen=True, slots=True)
class ShellFragment:
    text: str
    """Shell text as the shell would receive it."""
    origin: Origin
    path: Path
    kind: str
    """``script``, ``makefile``, ``ci``, ``dockerfile`` or ``package.json``."""
    context: str
    """What the text is for: the Makefile target, ``job <id> / step <name>``, the package.json
    script name, the Dockerfile instruction; empty for a whole script."""
    remote: bool = False
    """Run on another machine over SSH (an SSH action's ``script:``)."""


@dataclass(frozen=True, slots=True)
class MappedOrigin:
    """Derived text whose every character has a known offset in the file.

    Exact where :class:`~composeguard.lint.parse.origin.AlignedOrigin` would have to guess: a Makefile
    variable expansion inserts text the file does not hold (its characters point at the
    ``$(VAR)`` reference), and joined lines drop text in between.
    """

    source: TextOrigin
    offsets: tuple[int, ...]

    @property
    def path(self) -> Path:
        return self.source.path

    def locate(self, start: int, end: int | None = None) -> Location:
        if not self.offsets:
            return self.source.locate(0)
        first = self.offsets[max(0, min(start, len(self.offsets) - 1))]
        if end is None or end <= start:
            return self.source.locate(first)
        last = self.offsets[max(0, min(end, len(self.offsets)) - 1)] + 1
        return self.source.locate(first, max(last, first))


@dataclass(slots=True)
class _Mapped:
    """Text under construction, each character with its file offset."""

    parts: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    def add(self, text: str, offset: int) -> None:
        self.parts.append(text)
        self.offsets.extend(range(offset, offset + len(text)))

    def text(self) -> str:
        return "".join(self.parts)

    def strip(self) -> tuple[str, list[int]]:
        text = self.text()
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        return text[start:end], self.offsets[start:end]


def _lines(text: str) -> list[tuple[int, str]]:
    """Each physical line with the offset it starts at (line breaks and a ``\\r`` dropped)."""
    result, offset = [], 0
    for line in text.split("\n"):
        result.append((offset, line.removesuffix("\r")))
        offset += len(line) + 1
    return result


def _fragment(path: Path, source: TextOrigin, text: str, offsets: list[int], kind: str,
              context: str) -> ShellFragment:
    return ShellFragment(text, MappedOrigin(source, tuple(offsets)), path, kind, context)


# -- shell scripts ---------------------------------------------------------------------------


def script_fragments(path: Path, text: str) -> list[ShellFragment]:
    """A shell script is one fragment: the whole file."""
    return [ShellFragment(text, TextOrigin(path, text), path, "script", "")]


# -- Makefiles -------------------------------------------------------------------------------

_CONDITIONALS = frozenset({"ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"})
_MODIFIERS = frozenset({"export", "override", "private", "unexport"})


def makefile_fragments(path: Path, text: str) -> list[ShellFragment]:
    """One fragment per recipe command, with simple variables expanded as make would.

    Recipes are expanded after the whole file is read (as make runs them), so a variable
    defined below the rule counts too; ``:=`` variables are expanded where they are defined.
    """
    source = TextOrigin(path, text)
    lines = _lines(text)
    variables: dict[str, tuple[str, bool]] = {}
    commands: list[tuple[_Mapped, str]] = []
    targets: str | None = None
    in_define = False
    i = 0
    while i < len(lines):
        line = lines[i][1]
        if in_define:
            in_define = line.split()[:1] != ["endef"]
            i += 1
        elif line.startswith("\t"):
            command, i = _recipe_command(lines, i)
            if targets is not None:
                commands.append((command, targets))
        else:
            logical, i = _logical_line(lines, i)
            content = logical.text()
            words = content.split()
            if not words or words[0].startswith("#") or words[0] in _CONDITIONALS:
                continue
            if "define" in words[:2] and set(words[: words.index("define")]) <= _MODIFIERS:
                in_define, targets = True, None
                continue
            targets = _statement(content, logical, variables, commands)
    expand = _Expander(variables)
    result = []
    for command, context in commands:
        raw, offsets = command.strip()
        expanded, where = expand(raw)
        if expanded.strip():
            result.append(_fragment(path, source, expanded, [offsets[w] for w in where],
                                    "makefile", context))
    return result


def _continues(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _recipe_command(lines: list[tuple[int, str]], i: int) -> tuple[_Mapped, int]:
    """A recipe command from its tab-indented line on: ``@-+`` prefixes stripped and
    backslash-newlines removed together with the recipe tab that starts the next line."""
    command = _Mapped()
    start, line = lines[i]
    k = 1
    while k < len(line) and line[k] in " \t@-+":
        k += 1
    while True:
        content = line[k:]
        more = _continues(content)
        command.add(content[:-1] if more else content, start + k)
        i += 1
        if not more or i >= len(lines):
            return command, i
        start, line = lines[i]
        k = 1 if line.startswith("\t") else 0


def _logical_line(lines: list[tuple[int, str]], i: int) -> tuple[_Mapped, int]:
    """A non-recipe line with its continuations, each backslash-newline one space."""
    logical = _Mapped()
    while True:
        start, line = lines[i]
        i += 1
        more = _continues(line) and i < len(lines)
        content = line[:-1].rstrip() if more else line
        lead = 0 if not logical.parts else len(content) - len(content.lstrip())
        logical.add(content[lead:], start + lead)
        if not more:
            return logical, i
        logical.add(" ", start + len(content))


def _statement(content: str, logical: _Mapped, variables: dict[str, tuple[str, bool]],
               commands: list[tuple[_Mapped, str]]) -> str | None:
    """Record a variable assignment or a rule's inline recipe; the rule's targets, else None."""
    depth = 0
    for index, char in enumerate(content):
        if char in "({" and (depth or content[index - 1 : index] == "$"):
            depth += 1
        elif char in ")}" and depth:
            depth -= 1
        elif depth:
            continue
        elif char == "#" and content[index - 1 : index] != "\\":
            return None
        elif char == "=":
            operator = content[index - 1 : index] if index else ""
            name_end = index - 1 if operator in ("?", "+", "!", ":") else index
            _assign(content[:name_end].rstrip(":"), operator, content[index + 1 :], variables)
            return None
        elif char == ":" and not content[index:].lstrip(":").startswith("="):
            rest = content[index:].lstrip(":")
            if "=" in rest.split(";")[0].split("#")[0]:
                return None  # a target-specific variable
            offset = len(content) - len(rest)
            semicolon = rest.find(";")
            comment = rest.find("#")
            if semicolon != -1 and (comment == -1 or semicolon < comment):
                inline = _Mapped()
                begin = offset + semicolon + 1
                inline.add(content[begin:], 0)
                inline.offsets = logical.offsets[begin:]
                commands.append((inline, " ".join(content[:index].split()).rstrip("&").strip()))
            return " ".join(content[:index].split()).rstrip("&").strip()
    return None


def _assign(name: str, operator: str, value: str, variables: dict[str, tuple[str, bool]]) -> None:
    words = name.split()
    while len(words) > 1 and words[0] in _MODIFIERS:
        words = words[1:]
    if len(words) != 1:
        return
    name = words[0]
    value = _strip_comment(value).strip()
    if operator == "!":
        variables.pop(name, None)
    elif operator == ":":
        variables[name] = (_Expander(variables)(value)[0], True)
    elif operator == "?":
        variables.setdefault(name, (value, False))
    elif operator == "+" and name in variables:
        old, simple = variables[name]
        added = _Expander(variables)(value)[0] if simple else value
        variables[name] = (f"{old} {added}" if old else added, simple)
    else:
        variables[name] = (value, False)


def _strip_comment(value: str) -> str:
    index = 0
    while (index := value.find("#", index)) != -1:
        if value[index - 1 : index] != "\\":
            return value[:index]
        index += 1
    return value


class _Expander:
    """Make's expansion of ``$(VAR)``/``${VAR}`` and ``$$``; a reference that is not a plain
    defined name (a function call, an automatic variable, a loop) is left as written."""

    def __init__(self, variables: dict[str, tuple[str, bool]]) -> None:
        self.variables = variables
        self.cache: dict[str, str | None] = {}
        self.active: set[str] = set()

    def value(self, name: str) -> str | None:
        if name in self.cache:
            return self.cache[name]
        defined = self.variables.get(name)
        if defined is None or name in self.active or not name or any(
            c in name for c in " \t$:,()={}"
        ) or len(self.active) >= _MAX_REFERENCE_DEPTH:
            return None
        self.active.add(name)
        text = defined[0] if defined[1] else self(defined[0])[0]
        self.active.discard(name)
        self.cache[name] = text if len(text) <= _MAX_EXPANSION else None
        return self.cache[name]

    def __call__(self, text: str) -> tuple[str, list[int]]:
        """The expanded text and, for each of its characters, an index into ``text``."""
        out: list[str] = []
        where: list[int] = []
        closings = _closings(text) if "$" in text else {}
        i = 0
        while i < len(text):
            pair = text[i : i + 2]
            if pair == "$$":
                out.append("$")
                where.append(i)
                i += 2
                continue
            close = closings.get(i + 1) if pair in ("$(", "${") else None
            if close is None:
                out.append(text[i])
                where.append(i)
                i += 1
                continue
            value = self.value(text[i + 2 : close])
            if value is None:
                value = text[i : close + 1]
                where.extend(range(i, close + 1))
            else:
                where.extend(i + min(k, close - i) for k in range(len(value)))
            out.append(value)
            i = close + 1
        return "".join(out), where


def _closings(text: str) -> dict[int, int]:
    """Each ``(`` or ``{`` of ``text`` that is closed, with where its closing bracket is
    (of its own kind, as make counts), in one pass: a line of unclosed ``$(`` costs no more
    than its length."""
    found: dict[int, int] = {}
    open_at: dict[str, list[int]] = {"(": [], "{": []}
    for index, char in enumerate(text):
        if char in open_at:
            open_at[char].append(index)
        elif char == ")" and open_at["("]:
            found[open_at["("].pop()] = index
        elif char == "}" and open_at["{"]:
            found[open_at["{"].pop()] = index
    return found


# -- CI workflows ----------------------------------------------------------------------------

_GITLAB_GLOBAL_KEYS = frozenset({
    "image", "services", "stages", "types", "variables", "cache", "include", "workflow",
    "default", "before_script", "after_script", "spec",
})
_SCRIPT_KEYS = ("before_script", "script", "after_script")


def workflow_fragments(path: Path, text: str) -> list[ShellFragment]:
    """The shell a CI file runs: GitHub Actions ``run:`` steps, GitLab CI job scripts (one
    fragment per script line); [] when the file does not parse."""
    try:
        raw = parse_yaml(text, path)
        root = from_ruamel(raw, path, text)
    except (YamlLoadError, RecursionError):
        return []
    if not root.is_map or not isinstance(raw, dict):
        return []
    jobs = root.get("jobs")
    if "gitlab-ci" not in path.name.lower() and jobs is not None and jobs.is_map:
        return list(_github_steps(jobs, root, path, text))
    return _gitlab_jobs(raw, root, path, text)


def _scalar_origin(node: Node, value: str, path: Path, text: str) -> Origin:
    """A block scalar's text starts on the line after its ``|``/``>`` indicator: aligning from
    there keeps a comment on the indicator line from catching the first characters."""
    line, column = node.loc.line, node.loc.column
    lines = text.split("\n", line)
    if line <= len(lines) and lines[line - 1][column - 1 : column] in ("|", ">"):
        line, column = line + 1, 1
    return yaml_scalar_origin(value, path, text, line, column)


def _github_steps(jobs: Node, root: Node, path: Path, text: str) -> Iterator[ShellFragment]:
    workflow_shell = _default_shell(root)
    for job_id, job in jobs.items():
        steps = job.get("steps")
        if steps is None or not steps.is_list:
            continue
        runs_on = job.get("runs-on")
        windows = runs_on is not None and "windows" in str(runs_on.plain()).lower()
        job_shell = _default_shell(job) or workflow_shell or ("pwsh" if windows else "bash")
        environment = _job_environment(job)
        for number, step in enumerate(steps.value, 1):
            run = step.get("run")
            labels = (step.get("name"), step.get("id"))
            name = next((scalar_text(n.value) for n in labels
                         if n is not None and n.is_scalar and scalar_text(n.value)), f"#{number}")
            context = f"job {job_id}{environment} / step {name}"
            remote = _ssh_action_script(step)
            if remote is not None:
                value = scalar_text(remote.value)
                yield ShellFragment(value, _scalar_origin(remote, value, path, text), path, "ci",
                                    context, remote=True)
            if run is None or not run.is_scalar or run.value is None:
                continue
            shell_node = step.get("shell")
            shell = scalar_text(shell_node.value) if shell_node is not None else job_shell
            program = posixpath.basename(shell.split()[0]) if shell.split() else "bash"
            if program not in SHELLS and "${{" not in shell:
                continue
            value = scalar_text(run.value)
            yield ShellFragment(value, _scalar_origin(run, value, path, text), path, "ci",
                                context)


def _job_environment(job: Node) -> str:
    """`` (environment production)`` for a job that deploys to a named GitHub environment."""
    node = job.get("environment")
    if node is not None and node.is_map:
        node = node.get("name")
    if node is None or not node.is_scalar or not scalar_text(node.value):
        return ""
    return f" (environment {scalar_text(node.value)})"


def _ssh_action_script(step: Node) -> Node | None:
    """The remote script of a step that runs one over SSH (``appleboy/ssh-action`` and the
    like: an action named for ssh whose ``with:`` holds a ``script``)."""
    uses = step.get("uses")
    if uses is None or not uses.is_scalar or "ssh" not in scalar_text(uses.value).lower():
        return None
    inputs = step.get("with")
    script = inputs.get("script") if inputs is not None and inputs.is_map else None
    return script if script is not None and script.is_scalar and script.value else None


def _default_shell(node: Node) -> str | None:
    shell = (node.get("defaults") or Node({}, node.loc)).get("run")
    shell = shell.get("shell") if shell is not None else None
    return scalar_text(shell.value) if shell is not None and shell.is_scalar else None


def _gitlab_jobs(raw: Any, root: Node, path: Path, text: str) -> list[ShellFragment]:
    """Every script line once, in file order. Jobs are read before ``default`` and hidden
    template jobs (``.name``), so a template merged into a job is reported under the job."""
    jobs = [(name, node) for name, node in root.items()
            if name not in _GITLAB_GLOBAL_KEYS and node.is_map]
    scopes = [(name, node) for name, node in jobs if not name.startswith(".")]
    scopes += [("default", root.get("default") or root), ("", root)]
    scopes += [(name, node) for name, node in jobs if name.startswith(".")]
    found: dict[tuple[str, int, int], ShellFragment] = {}
    for name, job in scopes:
        raw_job = raw.get(name) if name else raw
        if not isinstance(raw_job, dict) or not job.is_map:
            continue
        context = f"job {name}{_job_environment(job)}" if name and name != "default" \
            else "default"
        keys = _SCRIPT_KEYS if context != "default" else ("before_script", "after_script")
        for key in keys:
            node = job.get(key)
            lines = _script_lines(raw_job.get(key), node, raw, root, 0) if node else iter(())
            for line in lines:
                value = scalar_text(line.value)
                where = (value, line.loc.line, line.loc.column)
                if value.strip() and where not in found:
                    origin = _scalar_origin(line, value, path, text)
                    found[where] = ShellFragment(value, origin, path, "ci", context)
    return [found[key] for key in sorted(found, key=lambda k: (k[1], k[2]))]


def _script_lines(raw: Any, node: Node, raw_root: Any, root: Node, depth: int) -> Iterator[Node]:
    """A script's lines: a string, a list, nested lists, ``!reference [job, key]``."""
    if depth > 10:
        return
    if getattr(getattr(raw, "tag", None), "value", None) == "!reference":
        raw_target, target = raw_root, root
        for key in (scalar_text(item.value) for item in node.children()):
            raw_target = raw_target.get(key) if isinstance(raw_target, dict) else None
            target = target.get(key) if target is not None else None  # type: ignore[assignment]
        if target is not None and raw_target is not None:
            yield from _script_lines(raw_target, target, raw_root, root, depth + 1)
    elif node.is_list and isinstance(raw, list):
        for raw_item, item in zip(raw, node.value, strict=False):
            yield from _script_lines(raw_item, item, raw_root, root, depth + 1)
    elif node.is_scalar and node.value is not None:
        yield node


# -- package.json ----------------------------------------------------------------------------


def package_scripts(path: Path, text: str) -> dict[str, ShellFragment]:
    """package.json ``scripts``, each located at its value string ({} for JSON that does not
    parse). JSON is YAML 1.2, and the YAML parser keeps positions."""
    try:
        root = from_ruamel(parse_yaml(text, path), path, text)
    except (YamlLoadError, RecursionError):
        return {}
    scripts = root.get("scripts")
    if scripts is None or not scripts.is_map:
        return {}
    return {
        name: ShellFragment(node.value, _scalar_origin(node, node.value, path, text), path,
                            "package.json", name)
        for name, node in scripts.items()
        if isinstance(node.value, str)
    }


# -- Dockerfiles -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DockerCommand:
    """An ENTRYPOINT or CMD instruction, in exec form (JSON array) or shell form."""

    exec_form: tuple[tuple[str, Origin], ...] | None
    shell_form: ShellFragment | None
    """Run by ``/bin/sh -c``; continuation lines joined."""
    location: Location
    """The instruction keyword."""


@dataclass(frozen=True, slots=True)
class ImageStart:
    """What a container of the image runs, where, and which build-context files it holds."""

    entrypoint: DockerCommand | None
    cmd: DockerCommand | None
    workdir: str
    copies: tuple[tuple[str, str], ...]
    """(source in the build context, destination in the image); a destination ending in ``/``
    is a directory."""
    runs: tuple[ShellFragment, ...]
    base: tuple[str, Location] | None = None
    """The image the stage is built FROM, through earlier stages (``FROM postgres:16 AS db``
    then ``FROM db``), with the FROM line; None for ``FROM scratch``."""


@dataclass(frozen=True, slots=True)
class _Instruction:
    keyword: str
    args: str
    offsets: tuple[int, ...]
    location: Location
    heredoc: tuple[int, int] | None
    """For RUN with heredocs: the file span of the shell text it runs, bodies included."""


@dataclass(slots=True)
class _Stage:
    name: str
    entrypoint: DockerCommand | None = None
    cmd: DockerCommand | None = None
    cmd_set: bool = False
    workdir: str = "/"
    copies: list[tuple[str, str]] = field(default_factory=list)
    runs: list[ShellFragment] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    base: tuple[str, Location] | None = None


def dockerfile_start(path: Path, text: str, target: str | None = None,
                     build_args: Mapping[str, str] | None = None) -> ImageStart | None:
    """The start of the image built from the last stage, or from the stage named ``target``
    (compose's ``build.target``); None without a FROM or with an unknown target.

    A stage built FROM an earlier stage inherits its ENTRYPOINT, CMD, WORKDIR, ENV and files;
    setting ENTRYPOINT drops a CMD the stage did not set itself, as Docker does. ``build_args``
    (compose's ``build.args``, ``docker build --build-arg``) give the ARGs they name their
    value, over the Dockerfile's defaults; an ARG with neither stays ``${NAME}`` where used.
    """
    source = TextOrigin(path, text)
    stages: list[_Stage] = []
    given = dict(build_args or {})
    global_args: dict[str, str] = {}
    for instruction in _instructions(path, text):
        if instruction.keyword == "FROM":
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            image = _substitute(words[0], global_args).lower() if words else ""
            name = words[2].lower() if len(words) > 2 and words[1].lower() == "as" else ""
            parent = next((s for s in reversed(stages) if s.name and s.name == image), None)
            base = (image, instruction.location) if image and image != "scratch" else None
            stages.append(_Stage(name, base=base) if parent is None else replace(
                parent, name=name, cmd_set=False, copies=list(parent.copies), runs=[],
                variables=dict(parent.variables)))
        elif stages:
            _apply(stages[-1], instruction, source, global_args, given)
        elif instruction.keyword == "ARG":
            declared = _assignments(instruction.args, given, bare=True)
            global_args.update({k: given.get(k, v) for k, v in declared.items()})
    wanted = target.lower() if target else None
    chosen = next((s for s in reversed(stages) if wanted is None or s.name == wanted), None)
    if chosen is None:
        return None
    return ImageStart(chosen.entrypoint, chosen.cmd, chosen.workdir, tuple(chosen.copies),
                      tuple(chosen.runs), chosen.base)


def _apply(stage: _Stage, instruction: _Instruction, source: TextOrigin,
           global_args: dict[str, str], given: Mapping[str, str]) -> None:
    keyword, args, offsets = instruction.keyword, instruction.args, list(instruction.offsets)
    if keyword in ("ENTRYPOINT", "CMD"):
        words = _exec_form(args, offsets, source)
        shell = None if words is not None else _fragment(
            source.path, source, args, offsets, "dockerfile", keyword)
        command = DockerCommand(words, shell, instruction.location)
        if keyword == "CMD":
            stage.cmd, stage.cmd_set = command, True
        else:
            stage.entrypoint, stage.cmd = command, stage.cmd if stage.cmd_set else None
    elif keyword == "WORKDIR" and args:
        directory = _substitute((_words(args) or [args])[0], stage.variables)
        stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, directory))
    elif keyword in ("COPY", "ADD"):
        stage.copies.extend(_copies(args, stage.workdir, stage.variables))
    elif keyword == "RUN":
        rest, offsets = _without_flags(args, offsets)
        if instruction.heredoc is not None:
            begin, end = instruction.heredoc
            rest, offsets = source.text[begin:end], list(range(begin, end))
        elif not rest or _json_words(rest) is not None:
            return
        stage.runs.append(_fragment(source.path, source, rest, offsets, "dockerfile", keyword))
    elif keyword in ("ENV", "ARG"):
        setting = _words(args)
        if keyword == "ENV" and setting and "=" not in setting[0]:  # ``ENV key value words``
            assigned = {setting[0]: " ".join(setting[1:])}
        elif keyword == "ARG":
            assigned = {name: given.get(name, value) for name, value in
                        _assignments(args, {**global_args, **given}, bare=True).items()}
        else:
            assigned = _assignments(args, {})
        for name, value in assigned.items():
            if keyword == "ENV" or name not in stage.variables:
                expanded = _substitute(value, stage.variables)
                stage.variables[name] = expanded if len(expanded) <= _MAX_EXPANSION \
                    else "${" + name + "}"


def _assignments(args: str, defaults: Mapping[str, str], bare: bool = False) -> dict[str, str]:
    """``ENV a=1 b="2 3"`` or ``ARG name[=default]`` (a bare name takes ``defaults``; with
    ``bare``, a bare name with no default is declared as ``${name}``, its value unknown)."""
    result = {}
    for word in _words(args):
        name, equals, value = word.partition("=")
        if equals or name in defaults:
            result[name] = value if equals else defaults[name]
        elif bare and name:
            result[name] = "${" + name + "}"
    return result


def _instructions(path: Path, text: str) -> Iterator[_Instruction]:
    """Dockerfile instructions, line by line: parser directives, comments, continuation lines
    (the ``escape`` directive's character) and heredoc bodies."""
    lines = _lines(text)
    escape, i = "\\", 0
    while i < len(lines):
        stripped = lines[i][1].strip()
        key, equals, value = stripped[1:].partition("=")
        if not stripped.startswith("#") or not equals or len(key.split()) != 1:
            break
        if key.strip().lower() == "escape" and value.strip() in ("\\", "`"):
            escape = value.strip()
        i += 1
    while i < len(lines):
        start, line = lines[i]
        body = line.lstrip()
        i += 1
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        keyword = body.split()[0]
        location = Location(path, i, indent + 1, i, indent + 1 + len(keyword))
        args = _Mapped()
        offset, content = start + indent + len(keyword), body[len(keyword):]
        while True:
            trimmed = content.rstrip(" \t")
            if not trimmed.endswith(escape):
                args.add(content, offset)
                break
            args.add(trimmed[:-1], offset)
            while i < len(lines) and (not lines[i][1].strip() or lines[i][1].lstrip()[0] == "#"):
                i += 1
            if i >= len(lines):
                break
            (offset, content), i = lines[i], i + 1
        arguments, offsets = args.strip()
        heredoc = None
        if keyword.upper() in ("RUN", "COPY", "ADD"):
            heredoc, i = _heredocs(arguments, offsets, lines, i)
        yield _Instruction(keyword.upper(), arguments, tuple(offsets), location, heredoc)


def _heredocs(args: str, offsets: list[int], lines: list[tuple[int, str]],
              i: int) -> tuple[tuple[int, int] | None, int]:
    """Skip the bodies of the ``<<EOF`` words in ``args``; the file span of the shell text the
    instruction runs: the instruction and its heredocs, or the body alone for ``RUN <<EOF``."""
    markers = []
    for word in args.split():
        if word.startswith("<<") and not word.startswith("<<<"):
            name = word[2:].removeprefix("-").strip("\'\"")
            end = next((k for k, c in enumerate(name) if not (c.isalnum() or c == "_")), len(name))
            if name[:end]:
                markers.append((name[:end], word[2:3] == "-"))
    if not markers or i >= len(lines):
        return None, i
    first = i
    for name, chomp in markers:
        while i < len(lines) and (lines[i][1].lstrip("\t") if chomp else lines[i][1]) != name:
            i += 1
        i = min(i + 1, len(lines))
    end = lines[i][0] - 1 if i < len(lines) else lines[-1][0] + len(lines[-1][1])
    rest, rest_offsets = _without_flags(args, offsets)
    if len(markers) == 1 and len(rest.split()) == 1 and rest.startswith("<<"):
        return (lines[first][0], lines[i - 1][0] - 1 if i - 1 > first else lines[first][0]), i
    return ((rest_offsets or offsets or [lines[first][0]])[0], end), i


def _without_flags(args: str, offsets: list[int]) -> tuple[str, list[int]]:
    """``--mount=...``, ``--chown=...`` and other leading flags removed."""
    k = 0
    while args.startswith("--", k):
        while k < len(args) and not args[k].isspace():
            k += 1
        while k < len(args) and args[k].isspace():
            k += 1
    return args[k:], offsets[k:]


def _json_words(args: str) -> list[str] | None:
    """A JSON array of strings, else None (Docker runs anything else in shell form)."""
    if not args.startswith("["):
        return None
    try:
        words = json.loads(args)
    except (ValueError, RecursionError):
        return None
    return words if isinstance(words, list) and all(isinstance(w, str) for w in words) else None


def _exec_form(args: str, offsets: list[int] | tuple[int, ...],
               source: TextOrigin) -> tuple[tuple[str, Origin], ...] | None:
    """The exec form's words, each located at its JSON string."""
    words = _json_words(args)
    if words is None:
        return None
    spans, k = [], 0
    while k < len(args):
        if args[k] == '"':
            end = k + 1
            while end < len(args) and args[end] != '"':
                end += 2 if args[end] == "\\" else 1
            spans.append((k + 1, min(end, len(args))))
            k = end
        k += 1
    result = []
    for word, (begin, end) in zip(words, spans, strict=False):
        located = [offsets[min(begin + w, len(offsets) - 1)] for w in align(word, args[begin:end])]
        result.append((word, MappedOrigin(source, tuple(located) or (offsets[begin - 1],))))
    return tuple(result)


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _substitute(word: str, variables: dict[str, str]) -> str:
    """``$VAR``, ``${VAR}`` and ``${VAR:-default}`` from ENV and ARG; an unknown variable is
    left as written (its value comes with the build)."""
    out, i = [], 0
    while (dollar := word.find("$", i)) != -1:
        out.append(word[i:dollar])
        if word[dollar + 1 : dollar + 2] == "{" and (close := word.find("}", dollar)) != -1:
            name, _, default = word[dollar + 2 : close].partition(":-")
            out.append(_known(variables, name) or (default if _ else "${" + name + "}"))
            i = close + 1
        else:
            i = dollar + 1
            while i < len(word) and (word[i].isalnum() or word[i] == "_"):
                i += 1
            out.append(_known(variables, word[dollar + 1 : i]) or word[dollar:i])
    return "".join(out) + word[i:]


def _known(variables: Mapping[str, str], name: str) -> str | None:
    """A variable's value, None when unset or declared without one (``ARG NAME``)."""
    value = variables.get(name)
    return None if value is None or value == "${" + name + "}" else value


def with_unknowns(word: str, replace_with: str) -> str:
    """``word`` with each ``${NAME}``/``$NAME`` that :func:`_substitute` left (a build
    argument whose value comes with the build) replaced by ``replace_with``."""
    return _substitute(word, _Everything(replace_with))


class _Everything(dict[str, str]):
    def __init__(self, value: str) -> None:
        super().__init__()
        self._value = value

    def get(self, key: str, default: str | None = None) -> str:  # type: ignore[override]
        return self._value


def _copies(args: str, workdir: str, variables: dict[str, str]) -> list[tuple[str, str]]:
    rest = _without_flags(args, [])[0]
    if "--from" in args[: len(args) - len(rest)]:
        return []
    paths = [_substitute(w, variables) for w in (_json_words(rest) or _words(rest))]
    if len(paths) < 2:
        return []
    *sources, destination = paths
    directory = destination.endswith("/") or len(sources) > 1
    destination = posixpath.normpath(posixpath.join(workdir, destination))
    destination += "/" if directory and destination != "/" else ""
    return [(posixpath.normpath(s.lstrip("/") or "."), destination) for s in sources
            if not s.startswith("<<") and "://" not in s and not s.startswith("git@")]


def image_path_to_context(container_path: str, start: ImageStart) -> str | None:
    """Which build-context file a path inside the image came from, through COPY/ADD.

    ``COPY docker/entrypoint.sh /usr/local/bin/`` makes ``/usr/local/bin/entrypoint.sh`` come
    from ``docker/entrypoint.sh``; ``COPY . /var/www/html`` makes
    ``/var/www/html/scripts/start.sh`` come from ``scripts/start.sh``. A relative path is taken
    from the WORKDIR. Without looking at the context a source may be a file or a directory: a
    COPY that names the file wins over one that may hold it in a directory, and among equals the
    later COPY wins. None when no COPY explains the path.
    """
    if not container_path:
        return None
    path = posixpath.normpath(posixpath.join(start.workdir, container_path))
    for by_name in (True, False):
        for source, destination in reversed(start.copies):
            found = _copied_from(path, source, destination, by_name)
            if found is not None:
                return found
    return None


def _copied_from(path: str, source: str, destination: str, by_name: bool) -> str | None:
    """The context path ``path`` came from through one COPY, by the file's own name or (when
    not ``by_name``) as a file inside a copied directory."""
    directory = destination.endswith("/")
    target = destination.rstrip("/") or "/"
    wildcard = any(c in source for c in "*?[")
    if path == target:
        return None if directory or wildcard or source == "." or not by_name else source
    prefix = target if target.endswith("/") else target + "/"
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix):]
    name, _, deeper = rest.partition("/")
    base = posixpath.basename(source)
    if by_name:
        named = name == base or (wildcard and fnmatch.fnmatchcase(name, base))
        return posixpath.join(posixpath.dirname(source), name) if directory and not deeper \
            and named else None
    if wildcard:
        return None
    return rest if source == "." else posixpath.normpath(posixpath.join(source, rest))
