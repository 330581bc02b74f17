"""Shell text read the way a shell runs it: its simple commands, what a failure of each one
does to the rest, and the tests that gate them.

Rules ask "does this container seed on start?" and "is this migration's failure swallowed?".
Both need the commands a shell would run, wrappers seen through, the operators between them
understood, and each located on the line a person would edit. tree-sitter-bash reads the text
(``case``, ``[[ ]]``, arithmetic, here-documents and functions included, and what it cannot
place is an error node around text it still reads); :class:`_Builder` turns its tree into a
small one of sequences, and-or lists and pipelines, and one walker turns that into
:class:`Command` records.
"""

from __future__ import annotations

import enum
import posixpath
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from composeguard.lint.parse.argv import strip_wrappers, unwrap
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.origin import AlignedOrigin, Origin


class Failure(enum.Enum):
    """What a failure of a command does to what follows it."""

    STOPS = "stops"
    """Nothing after it runs: end of script, an ``&&`` chain to the end, ``set -e``, ``|| exit 1``."""
    IGNORED = "ignored"
    """An ``||`` alternative that succeeds swallows it: ``|| true``, ``|| exit 0``, ``|| echo``."""
    CONTINUES = "continues"
    """The next command runs anyway: ``;``, a line break, ``&``, the left side of a pipe."""
    TESTED = "tested"
    """An ``if``/``while``/``until`` test or a ``[ ... ] &&`` guard: its status picks a branch."""


@dataclass(frozen=True, slots=True)
class Condition:
    """A test that must hold for a command to run (``negated``: must not hold)."""

    text: str
    variables: frozenset[str]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    """One simple command as the shell would run it.

    ``words`` is the argv after quote removal, without ``VAR=value`` prefixes and transparent
    wrappers (their assignments are in ``assignments``); ``location`` and ``text`` cover the
    command as written, wrappers included. ``masked_by`` shows, as written, what lets an
    IGNORED/CONTINUES failure through (``|| true``, ``; php-fpm``, ``| tee log``, ``&``; after a
    line break just the next command), and ``mask_location`` where it is. ``depth`` counts the
    ``sh -c`` bodies it is inside.
    """

    words: tuple[str, ...]
    word_locations: tuple[Location, ...]
    location: Location
    text: str
    assignments: tuple[tuple[str, str], ...] = ()
    failure: Failure = Failure.STOPS
    masked_by: str | None = None
    mask_location: Location | None = None
    conditions: tuple[Condition, ...] = ()
    depth: int = 0
    redirects: tuple[tuple[str, str], ...] = ()
    """Output redirections, as (operator, target word): ``cat a > .env`` has ``(">", ".env")``."""
    function: str | None = None
    """The shell function it is written in (``db:reset`` for ``function db:reset { ... }``):
    a step of a task runner script, named like a Makefile target."""


@dataclass(frozen=True, slots=True)
class Script:
    """Every simple command in source order, ``sh -c`` bodies right after their command.

    ``parser`` is ``tree-sitter``, ``partial`` (the text holds an error; what could be placed
    was read), ``too-long`` (not read) or ``argv`` (exec
    form); ``errexit`` is whether ``set -e`` (or ``-e`` in the shebang or shell flags) was on
    at the start or turned on at top level.
    """

    commands: tuple[Command, ...]
    parser: str
    errexit: bool


SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"})
"""Programs that run shell code: the one list every reader of commands, scripts, shebangs and
CI ``shell:`` values uses."""
TESTS = frozenset({"[", "[[", "test"})
_MAX_NESTING = 60
"""Deeper nesting is read flat: the Python stack must survive any input."""
_MAX_DEPTH = 8
"""``sh -c`` bodies nested deeper than this are not unwrapped."""
MAX_SCRIPT_CHARS = 256 * 1024
"""A script or command longer than this is not read (the shell model costs about 0.2 ms a
simple command; a 1.6 MB chain of 200,000 ``&&`` took 38 s): it reads as no command."""
TOO_LONG = "too-long"


def parse_script(text: str, origin: Origin) -> Script:
    """A shell script or command string (a file, a Makefile recipe line, a CI ``run:`` block,
    an ``sh -c`` body)."""
    out: list[Command] = []
    parsers: list[str] = []
    errexit, pipefail = _shebang_options(text)
    walker = _Walker(text, origin, 0, errexit, pipefail, out, parsers)
    walker.run(_parse(text, parsers), _STOPS, ())
    parser = TOO_LONG if TOO_LONG in parsers else PARTIAL if PARTIAL in parsers else PARSER
    return Script(tuple(out), parser, walker.ever_errexit)


def parse_argv(words: Sequence[tuple[str, Origin]]) -> Script:
    """An exec-form command: no shell, one Command; a shell ``-c`` body is parsed after it."""
    texts = [word for word, _ in words]
    skip, assignments = strip_wrappers(texts)
    out: list[Command] = []
    parsers: list[str] = []
    errexit = False
    if skip < len(texts):
        locations = [origin.locate(0, len(word)) for word, origin in words]
        first = locations[0]
        last = [location for location in locations if location.path == first.path][-1]
        span = Location(first.path, first.line, first.column, *max(first.end, last.end))
        out.append(Command(tuple(texts[skip:]), tuple(locations[skip:]), span, shlex.join(texts),
                           assignments))
        body = shell_body(texts)
        if body is not None:
            errexit, pipefail = _options(texts[skip + 1 : body])
            text, origin = words[body]
            walker = _Walker(text, origin, 1, errexit, pipefail, out, parsers)
            walker.run(_parse(text, parsers), _STOPS, ())
            errexit = walker.ever_errexit
    return Script(tuple(out), "argv", errexit)


def split_compose_string(text: str, origin: Origin) -> list[tuple[str, Origin]]:
    """How Compose splits a string-form ``command:``/``entrypoint:``: go-shellwords, not a shell.

    Like Compose, the words stop at the first unquoted ``;``, ``&``, ``|``, ``<`` or ``>``
    (``command: a && b`` runs ``a`` alone). Unbalanced quotes: whitespace splitting.
    """
    spans = _shellwords(text)
    if spans is None:
        spans = []
        start = None
        for i, char in enumerate(text + " "):
            if char.isspace() and start is not None:
                spans.append((text[start:i], start, i))
                start = None
            elif not char.isspace() and start is None:
                start = i
    return [(word, AlignedOrigin(word, _Shifted(origin, start), text[start:end]))
            for word, start, end in spans]


def words_of(text: str) -> list[str] | None:
    """Every word of the simple commands ``text`` holds, in order, as the shell passes them on
    (quotes removed; ``VAR=value`` prefixes and wrappers kept); None when the text does not read
    as shell (an unclosed quote, a stray keyword)."""
    parsers: list[str] = []
    seq = _parse(text.replace("\r", " "), parsers)
    if not parsers or parsers[-1] != PARSER:
        return None
    words: list[str] = []
    pending: list[_Seq] = [seq]
    while pending:
        current = pending.pop()
        nodes = [node for item in current.items for pipeline in item.pipelines
                 for node in pipeline.items]
        later: list[_Seq] = []
        for node in nodes:
            if isinstance(node, _Simple):
                words.extend(word.text for word in node.words)
                later.extend(node.subs)
            else:
                later.extend(s for arm in node.arms for s in (arm.test, arm.body) if s)
        pending.extend(reversed(later))
    return words


def compose_words(text: str) -> list[str]:
    """The words of a string-form ``command:``/``entrypoint:`` as Compose splits it (see
    :func:`split_compose_string`), without their places."""
    spans = _shellwords(text)
    return [word for word, _, _ in spans] if spans is not None else text.split()


def shell_body(words: Sequence[str]) -> int | None:
    """Index of the script argument if ``words`` runs a shell with ``-c`` (through wrappers,
    ``busybox sh``, ``su USER -c``), else None."""
    i, _ = strip_wrappers(words)
    if i < len(words) and posixpath.basename(words[i]) == "busybox":
        i += 1
    if i >= len(words):
        return None
    program = posixpath.basename(words[i])
    if program == "su":
        return next((j + 1 for j in range(i + 1, len(words) - 1)
                     if words[j] in ("-c", "--command")), None)
    if program not in SHELLS:
        return _remote_shell_body(words, i)
    saw_c, j = False, i + 1
    while j < len(words):
        word = words[j]
        if word in ("--", "-"):
            return j + 1 if saw_c and j + 1 < len(words) else None
        if word.startswith("--"):
            j += 2 if word in ("--rcfile", "--init-file") else 1
        elif len(word) > 1 and word[0] in "-+":
            saw_c = saw_c or (word[0] == "-" and "c" in word)
            j += 2 if "o" in word[1:] else 1
        else:
            return j if saw_c else None
    return None


def _remote_shell_body(words: Sequence[str], start: int) -> int | None:
    """The ``-c`` body of a shell run through a runner or in another container
    (``docker compose exec db sh -c '...'``, ``kubectl exec pod -- bash -c``)."""
    tail = unwrap(words[start:])
    offset = len(words) - len(tail)
    if not tail or offset <= start or tuple(words[offset:]) != tuple(tail):
        return None
    if posixpath.basename(tail[0]) not in SHELLS:
        return None
    inner = shell_body(tail)
    return None if inner is None else inner + offset


def _options(args: Sequence[str], errexit: bool = False, pipefail: bool = False) -> tuple[bool, bool]:
    """``errexit``/``pipefail`` after ``set``-style options (``-e``, ``+e``, ``-euo pipefail``)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if len(arg) < 2 or arg[0] not in "-+" or arg.startswith("--"):
            continue
        on = arg[0] == "-"
        if "e" in arg[1:]:
            errexit = on
        if "o" in arg[1:] and i + 1 < len(args):
            if args[i + 1] == "errexit":
                errexit = on
            elif args[i + 1] == "pipefail":
                pipefail = on
    return errexit, pipefail


def _shebang_options(text: str) -> tuple[bool, bool]:
    if not text.startswith("#!"):
        return False, False
    return _options(text[2:].partition("\n")[0].split()[1:])


# -- the tree both parsers build -------------------------------------------------------------


@dataclass(slots=True)
class _Word:
    text: str
    start: int
    end: int


@dataclass(slots=True)
class _Simple:
    words: list[_Word]
    subs: list[_Seq]
    start: int
    end: int
    redirects: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Arm:
    test: _Seq | None
    body: _Seq
    condition: Condition | None = None
    negate: bool = False


@dataclass(slots=True)
class _Compound:
    kind: str
    """``group``, ``if``, ``loop``, ``case`` or ``function``."""
    arms: list[_Arm]
    start: int
    end: int
    name: str = ""
    """A function's name."""


@dataclass(slots=True)
class _Pipeline:
    items: list[_Simple | _Compound]
    pipes: list[tuple[int, int]]
    negated: bool
    start: int

    @property
    def end(self) -> int:
        return self.items[-1].end


@dataclass(slots=True)
class _AndOr:
    pipelines: list[_Pipeline]
    ops: list[tuple[str, int, int]]

    @property
    def start(self) -> int:
        return self.pipelines[0].start

    @property
    def end(self) -> int:
        return self.pipelines[-1].end


@dataclass(slots=True)
class _Seq:
    items: list[_AndOr] = field(default_factory=list)
    seps: list[tuple[str, int, int] | None] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.items[0].start if self.items else 0

    @property
    def end(self) -> int:
        return self.items[-1].end if self.items else 0


def _single(node: _Simple | _Compound) -> _Seq:
    return _Seq([_AndOr([_Pipeline([node], [], False, node.start)], [])], [None])


def _parse(text: str, parsers: list[str]) -> _Seq:
    """``text`` as a command sequence; ``parsers`` gets the name of the parser that read it.
    A project repeats its commands (each service's ``sh -c``, each setup of one file), so a
    text is parsed once per run: the tree only holds offsets into the text, and nothing
    changes it after."""
    if len(text) > _CACHED_CHARS:
        return _parse_text(text, parsers)
    seq, parser = _parse_once(text)
    parsers.append(parser)
    return seq


_CACHED_CHARS = 4096
"""Texts up to this size are parsed once per run (at most 4,096 of them, 16 MB); a longer
script is rarely repeated, and parsed where it is met."""


@lru_cache(maxsize=4096)
def _parse_once(text: str) -> tuple[_Seq, str]:
    parsers: list[str] = []
    seq = _parse_text(text, parsers)
    return seq, parsers[-1]


def _parse_text(text: str, parsers: list[str]) -> _Seq:
    if len(text) > MAX_SCRIPT_CHARS:
        parsers.append(TOO_LONG)
        return _Seq()
    text = text.replace("\r", " ")
    parsed, bangs = _masked(text)
    try:
        root = _bash_parser().parse(parsed.encode("ascii")).root_node
        seq = _Builder(text, bangs).seq(root.children, 0)
        parsers.append(PARTIAL if root.has_error else PARSER)
    except Exception:  # noqa: BLE001 - written not to raise; a bug must not reach a rule
        seq = _Seq()
        parsers.append(PARTIAL)
    return seq


def _masked(text: str) -> tuple[str, frozenset[int]]:
    """``text`` as tree-sitter-bash is given it, and where a ``!`` was hidden from it.

    What a tool expands before any shell reads it becomes a plain word of the same length:
    GitHub Actions' ``${{ expression }}`` (in a CI ``run:`` block) and make's automatic
    variables ``$^``, ``$<``, ``$+`` (in a Makefile recipe). A ``!`` before a command that is
    only a redirection (``while ! </dev/tcp/db/5432``, which the grammar rejects) becomes a
    blank, and :meth:`_Builder.pipeline` negates the pipeline after it. Every character beyond
    ASCII becomes an ``x``: shell's operators and quotes are all ASCII, so the structure is the
    same, and tree-sitter-bash's scanner crashes the process on some code points (``x{`` and
    U+C9105, found by this module's property test). Words keep their text as written: only the
    parse sees the placeholders."""
    bangs: set[int] = set()
    if text.isascii() and not any(mark in text for mark in ("${{", "$^", "$<", "$+", "!")):
        return text, frozenset()
    chars = [char if char.isascii() else "x" for char in text]
    start = text.find("${{")
    while start >= 0:
        end = text.find("}}", start + 3)
        if end < 0 or "\n" in text[start:end]:
            break
        chars[start : end + 2] = "_" * (end + 2 - start)
        start = text.find("${{", end + 2)
    for variable in ("$^", "$<", "$+"):
        at = text.find(variable)
        while at >= 0:
            if at == 0 or text[at - 1] != "$":
                chars[at : at + 2] = "__"
            at = text.find(variable, at + 2)
    at = text.find("!")
    while at >= 0:
        after = at + 1
        while after < len(text) and text[after] in " \t":
            after += 1
        before = text[:at].rstrip(" \t")
        if text[after : after + 1] in ("<", ">") and (not before or before[-1] in "\n;&|({"
                                                      or before.endswith(_OPENERS)):
            chars[at] = " "
            bangs.add(at)
        at = text.find("!", at + 1)
    return "".join(chars), frozenset(bangs)


_OPENERS = ("while", "until", "if", "then", "do", "else", "elif")


# -- the walker: failures, masks, conditions ------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Outcome:
    failure: Failure
    masked_by: str | None = None
    location: Location | None = None


_STOPS = _Outcome(Failure.STOPS)
_ALWAYS = {False: frozenset({"true", ":", "/bin/true"}), True: frozenset({"false", "/bin/false"})}
"""Loop tests that gate nothing: ``while true``, ``until false``."""
_TESTED = _Outcome(Failure.TESTED)


@dataclass(frozen=True, slots=True)
class _Shifted:
    """An origin for a slice of another origin's text that starts at ``offset``."""

    source: Origin
    offset: int

    @property
    def path(self) -> Path:
        return self.source.path

    def locate(self, start: int, end: int | None = None) -> Location:
        return self.source.locate(start + self.offset, None if end is None else end + self.offset)


class _Walker:
    def __init__(self, text: str, origin: Origin, depth: int, errexit: bool, pipefail: bool,
                 out: list[Command], parsers: list[str]) -> None:
        self.text, self.origin, self.depth = text, origin, depth
        self.errexit, self.pipefail, self.ever_errexit = errexit, pipefail, errexit
        self.out, self.parsers = out, parsers
        self.functions: list[str] = []

    def run(self, seq: _Seq, tail: _Outcome, conditions: tuple[Condition, ...]) -> None:
        try:
            self.seq(seq, tail, conditions, False)
        except Exception:  # noqa: BLE001, S110 - keep what was found; never a traceback
            pass

    def loc(self, start: int, end: int | None = None) -> Location:
        return self.origin.locate(start, end)

    def short(self, start: int, end: int) -> str:
        text = " ".join(self.text[start:end].split("\n", 1)[0].split())
        return text if len(text) <= 40 else text[:39] + "…"

    def seq(self, seq: _Seq, tail: _Outcome, conditions: tuple[Condition, ...],
            ignore: bool) -> None:
        for i, item in enumerate(seq.items):
            sep = seq.seps[i]
            background = sep is not None and sep[0] == "&"
            if sep is not None and background:
                after = _Outcome(Failure.CONTINUES, "&", self.loc(sep[1], sep[2]))
            elif i + 1 < len(seq.items):
                following = seq.items[i + 1]
                shown = self.short(following.start, following.end)
                if sep is not None and sep[0] == ";":
                    after = _Outcome(Failure.CONTINUES, f"; {shown}", self.loc(sep[1], sep[2]))
                else:
                    after = _Outcome(Failure.CONTINUES, shown,
                                     self.loc(following.start, following.end))
            else:
                after = tail
            self.andor(item, after, conditions, ignore, background)
            conditions += self.exit_guard(item)

    def andor(self, item: _AndOr, after: _Outcome, conditions: tuple[Condition, ...],
              ignore: bool, background: bool) -> None:
        last = len(item.pipelines) - 1
        fails = self.failures(item, after, ignore or background)
        guards: list[Condition] = []
        for k, pipeline in enumerate(item.pipelines):
            test = self.test(pipeline) if k < last else None
            outcome = _TESTED if test is not None else fails[k]
            self.pipeline(pipeline, outcome, conditions + tuple(guards), ignore or k < last)
            if k == last:
                break
            op = item.ops[k][0]
            if test is not None:
                guards.append(replace(test, negated=test.negated != (op == "||")))
            elif op == "||":
                guards = []
            else:
                guards = [guard for guard in guards if not guard.negated]

    def failures(self, item: _AndOr, after: _Outcome, ignore: bool) -> list[_Outcome]:
        """What a failure of each pipeline of ``item`` leads to, found right to left: a failure
        skips ``&&`` pipelines to the next ``||``, whose alternative decides."""
        last = len(item.pipelines) - 1
        fails: dict[int, _Outcome] = {}
        alternative: _Outcome | None = None
        for k in range(last, -1, -1):
            if k < last and item.ops[k][0] == "||":
                alternative = self.alternative(item, k, fails)
            if alternative is not None:
                fails[k] = alternative
            elif k == last and self.errexit and not ignore:
                fails[k] = _STOPS
            else:
                fails[k] = after
        return [fails[k] for k in range(last + 1)]

    def alternative(self, item: _AndOr, j: int, fails: dict[int, _Outcome]) -> _Outcome:
        """The outcome of a failure that the ``||`` at ``j`` catches."""
        last = len(item.pipelines) - 1
        for p in range(j + 1, last + 1):
            stopper = _stopper(item.pipelines[p])
            if stopper == "exit":
                return _STOPS
            if stopper == "false":
                return fails[p]
            if p < last and item.ops[p][0] == "||":
                break
        shown = self.short(item.pipelines[j + 1].start, item.pipelines[j + 1].end)
        return _Outcome(Failure.IGNORED, f"|| {shown}", self.loc(item.ops[j][1], item.ops[j][2]))

    def pipeline(self, pipeline: _Pipeline, fail: _Outcome, conditions: tuple[Condition, ...],
                 ignore: bool) -> None:
        last = len(pipeline.items) - 1
        for i, node in enumerate(pipeline.items):
            if i < last and not self.pipefail:
                start, end = pipeline.pipes[i] if i < len(pipeline.pipes) else (node.end, node.end)
                following = pipeline.items[i + 1]
                shown = f"{self.text[start:end]} {self.short(following.start, following.end)}"
                outcome = _Outcome(Failure.CONTINUES, shown, self.loc(start, end))
            elif pipeline.negated and fail.failure is not Failure.TESTED:
                outcome = _Outcome(Failure.IGNORED, "!",
                                   self.loc(pipeline.start, pipeline.start + 1))
            else:
                outcome = fail
            self.node(node, outcome, conditions, ignore or pipeline.negated)

    def node(self, node: _Simple | _Compound, outcome: _Outcome,
             conditions: tuple[Condition, ...], ignore: bool) -> None:
        if isinstance(node, _Simple):
            self.simple(node, outcome, conditions, ignore)
            return
        if node.kind == "function":
            self.functions.append(node.name)
            for arm in node.arms:
                self.seq(arm.body, _STOPS, conditions, False)
            self.functions.pop()
            return
        earlier: tuple[Condition, ...] = ()
        for arm in node.arms:
            arm_conditions = conditions + earlier
            if arm.test is not None:
                condition = self.condition(arm.test, arm.negate)
                self.seq(arm.test, _TESTED, arm_conditions, True)
                if node.kind != "loop" or condition.text not in _ALWAYS[condition.negated]:
                    arm_conditions += self.conjuncts(arm.test, arm.negate) or (condition,)
                if node.kind == "if":
                    earlier += (replace(condition, negated=not condition.negated),)
            elif arm.condition is not None:
                arm_conditions += (arm.condition,)
            self.seq(arm.body, outcome, arm_conditions, ignore)

    def simple(self, node: _Simple, outcome: _Outcome, conditions: tuple[Condition, ...],
               ignore: bool) -> None:
        texts = [word.text for word in node.words]
        skip, assignments = strip_wrappers(texts)
        if skip < len(texts):
            first, last = node.words[0], node.words[-1]
            self.out.append(Command(
                tuple(texts[skip:]), tuple(self.loc(w.start, w.end) for w in node.words[skip:]),
                self.loc(first.start, last.end), self.text[first.start:last.end], assignments,
                outcome.failure, outcome.masked_by, outcome.location, conditions, self.depth,
                tuple(node.redirects), self.functions[-1] if self.functions else None))
            if texts[skip] == "set" and not self.functions:
                self.errexit, self.pipefail = _options(texts[skip + 1 :], self.errexit,
                                                       self.pipefail)
                self.ever_errexit = self.ever_errexit or self.errexit
            body = shell_body(texts)
            if body is not None and self.depth < _MAX_DEPTH:
                word = node.words[body]
                origin = AlignedOrigin(word.text, _Shifted(self.origin, word.start),
                                       self.text[word.start : word.end])
                errexit, pipefail = _options(texts[skip + 1 : body])
                inner = _Walker(word.text, origin, self.depth + 1, errexit, pipefail, self.out,
                                self.parsers)
                inner.functions = self.functions[-1:]
                inner.run(_parse(word.text, self.parsers), outcome, conditions)
            outcome = _Outcome(Failure.CONTINUES, self.short(node.start, node.end),
                               self.loc(node.start, node.end))
        for sub in node.subs:
            self.seq(sub, outcome, conditions, True)

    def test(self, pipeline: _Pipeline) -> Condition | None:
        """The condition of a ``[ ... ]``/``test`` guard pipeline, else None."""
        node = pipeline.items[0]
        if len(pipeline.items) != 1 or not isinstance(node, _Simple):
            return None
        texts = [word.text for word in node.words]
        skip, _ = strip_wrappers(texts)
        if skip >= len(texts) or texts[skip] not in TESTS:
            return None
        text = self.text[node.words[skip].start : node.words[-1].end]
        return Condition(text, _variables(text), pipeline.negated)

    def condition(self, test: _Seq, negate: bool) -> Condition:
        start, negated = test.start, negate
        if len(test.items) == 1 and len(test.items[0].pipelines) == 1:
            pipeline = test.items[0].pipelines[0]
            start, negated = pipeline.items[0].start, negate != pipeline.negated
        text = self.text[start : test.end].strip()
        return Condition(text, _variables(text), negated)

    def conjuncts(self, test: _Seq, negate: bool) -> tuple[Condition, ...]:
        """``[ A ] && [ B ]`` as two conditions, so each can be judged on its own."""
        if negate or len(test.items) != 1 or len(test.items[0].pipelines) < 2:
            return ()
        item = test.items[0]
        tests = [self.test(pipeline) for pipeline in item.pipelines]
        if any(t is None for t in tests) or any(op != "&&" for op, _, _ in item.ops):
            return ()
        return tuple(t for t in tests if t is not None)

    def exit_guard(self, item: _AndOr) -> tuple[Condition, ...]:
        """``[ "$SEED" = 1 ] || exit 0`` gates every command after it."""
        if len(item.pipelines) != 2:
            return ()
        test = self.test(item.pipelines[0])
        if test is None or _exit_status(item.pipelines[1]) is None:
            return ()
        return (replace(test, negated=test.negated != (item.ops[0][0] == "&&")),)


def _program(node: _Simple) -> list[str]:
    texts = [word.text for word in node.words]
    return texts[strip_wrappers(texts)[0] :]


def _exit_status(pipeline: _Pipeline) -> str | None:
    """The status argument of an ``exit``/``return`` pipeline ("" for none), else None."""
    node = pipeline.items[-1]
    if pipeline.negated or not isinstance(node, _Simple):
        return None
    words = _program(node)
    if not words or words[0] not in ("exit", "return"):
        return None
    return words[1] if len(words) > 1 else ""


def _stopper(pipeline: _Pipeline) -> str | None:
    """``exit`` when the pipeline ends the script with a failure, ``false`` when it fails."""
    status = _exit_status(pipeline)
    if status is not None:
        return None if status == "0" else "exit"
    node = pipeline.items[-1]
    if pipeline.negated:
        return None
    if isinstance(node, _Compound):
        if node.kind == "group" and any(_stopper(p) == "exit" for arm in node.arms
                                        for item in arm.body.items for p in item.pipelines):
            return "exit"
        return None
    words = _program(node)
    return "false" if words and posixpath.basename(words[0]) == "false" else None


def _variables(text: str) -> frozenset[str]:
    """The names a test reads (``$NAME``, ``${NAME...}``), outside single quotes."""
    names: set[str] = set()
    i, quoted, n = 0, False, len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "'" and not quoted:
            close = text.find("'", i + 1)
            i = n if close < 0 else close + 1
            continue
        if char == '"':
            quoted = not quoted
        elif char == "$":
            j = i + 1
            if text.startswith("{", j):
                j += 2 if text[j + 1 : j + 2] in ("!", "#") else 1
            k = j
            while k < n and (text[k] == "_" or (text[k].isalnum() and text[k].isascii())):
                k += 1
            if k > j and not text[j].isdigit():
                names.add(text[j:k])
            i = max(k, i + 1)
            continue
        i += 1
    return frozenset(names)


# -- tree-sitter-bash -------------------------------------------------------------------------

PARSER = "tree-sitter"
"""``Script.parser`` when tree-sitter-bash read the whole text without an error."""
PARTIAL = "partial"
"""``Script.parser`` when the text holds an error: what could be placed was read."""


@lru_cache(maxsize=1)
def _bash_parser() -> Any:
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


_STATEMENT_SEPARATORS = frozenset({";", "&", "\n"})
_SKIPPED = frozenset({"comment", "heredoc_body", "heredoc_start", "heredoc_end"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_WORD_ARGUMENT_SKIP = _REDIRECTS | {"comment"}


class _Builder:
    """tree-sitter-bash's tree as the walker's: sequences, and-or lists, pipelines, simple and
    compound commands, each word with its value (quotes removed) and character offsets."""

    def __init__(self, text: str, bangs: frozenset[int]) -> None:
        self.text, self.bangs = text, bangs

    def span(self, node: Any) -> tuple[int, int]:
        """Where ``node`` is in the text: the parsed text is ASCII (:func:`_masked`), so its
        byte offsets are the original text's character offsets."""
        return node.start_byte, node.end_byte

    # sequences ---------------------------------------------------------------------------

    def seq(self, children: Sequence[Any], depth: int) -> _Seq:
        seq = _Seq()
        if depth > _MAX_NESTING:
            return seq
        for child in children:
            kind = child.type
            if not child.is_named:
                if kind in _STATEMENT_SEPARATORS and seq.items and seq.seps[-1] is None:
                    start, end = self.span(child)
                    seq.seps[-1] = (kind, start, end)
                continue
            if kind in _SKIPPED:
                continue
            if kind == "ERROR":
                inner = self.seq(child.children, depth + 1)
                seq.items.extend(inner.items)
                seq.seps.extend(inner.seps)
                continue
            item = self.andor(child, depth)
            if item is not None:
                seq.items.append(item)
                seq.seps.append(None)
        return seq

    def andor(self, node: Any, depth: int) -> _AndOr | None:
        """A ``list`` (tree-sitter nests ``a && b || c`` to the left) as one and-or list."""
        body = node.child_by_field_name("body") if node.type == "redirected_statement" else None
        if body is not None and body.type == "list":
            # `a && b > f`: tree-sitter-bash hangs the redirection on the list; the shell
            # gives it to the last command
            item = self.andor(body, depth)
            if item is not None:
                self.attach(item.pipelines[-1].items[-1], node)
            return item
        spine = []
        while node.type == "list" and node.named_child_count >= 2:
            spine.append(node)
            node = node.named_children[0]
        first = self.pipeline(node, depth)
        if first is None:
            return None
        item = _AndOr([first], [])
        for parent in reversed(spine):
            op = next((c for c in parent.children if c.type in ("&&", "||")), None)
            right = parent.named_children[-1]
            following = self.pipeline(right, depth)
            if op is None or following is None:
                continue
            start, end = self.span(op)
            item.pipelines.append(following)
            item.ops.append((op.type, start, end))
        return item

    def pipeline(self, node: Any, depth: int) -> _Pipeline | None:
        start = self.span(node)[0]
        body = node.child_by_field_name("body") if node.type == "redirected_statement" else None
        if body is not None and body.type in ("negated_command", "pipeline"):
            # `! a > f` and `a | b > f`: tree-sitter-bash hangs the redirection on the whole
            # pipeline; the shell gives it to the last command
            pipeline = self.pipeline(body, depth)
            if pipeline is not None:
                self.attach(pipeline.items[-1], node)
            return pipeline
        if node.type == "negated_command":
            inner = next((c for c in node.named_children if c.type not in _SKIPPED), None)
            if inner is None:
                return None
            pipeline = self.pipeline(inner, depth)
            if pipeline is None:
                return None
            return _Pipeline(pipeline.items, pipeline.pipes, True, start)
        if node.type != "pipeline":
            element = self.element(node, depth)
            if element is None:
                return None
            bang = len(self.text[:start].rstrip(" \t")) - 1
            if bang in self.bangs:
                return _Pipeline([element], [], True, bang)
            return _Pipeline([element], [], False, start)
        items: list[_Simple | _Compound] = []
        pipes: list[tuple[int, int]] = []
        negated = False
        for child in node.children:
            if child.type in ("|", "|&"):
                pipes.append(self.span(child))
            elif child.is_named and child.type not in _SKIPPED:
                if child.type == "negated_command" and not items:
                    negated = True
                    child = next((c for c in child.named_children), child)
                element = self.element(child, depth)
                if element is not None:
                    items.append(element)
        return _Pipeline(items, pipes, negated, start) if items else None

    def attach(self, element: _Simple | _Compound, node: Any) -> None:
        """The redirections of the ``redirected_statement`` ``node`` given to ``element``, the
        last command of its body."""
        if isinstance(element, _Simple):
            redirects, operands = self.redirects(node)
            element.redirects.extend(redirects)
            if operands:
                element.words = self.joined([*element.words, *operands])
            element.end = max(element.end, self.span(node)[1])

    # commands ----------------------------------------------------------------------------

    def element(self, node: Any, depth: int) -> _Simple | _Compound | None:
        kind = node.type
        start, end = self.span(node)
        if depth > _MAX_NESTING:
            return _Simple([], [], start, end)
        if kind == "redirected_statement":
            body = node.child_by_field_name("body")
            element = self.element(body, depth) if body is not None else None
            if element is None:
                element = _Simple([], [], start, end)
            if isinstance(element, _Simple):
                redirects, operands = self.redirects(node)
                element.redirects.extend(redirects)
                if operands:
                    element.words = self.joined([*element.words, *operands])
                    element.subs.extend(s for o in operands for s in self.substitutions(o, depth))
                element.end = max(element.end, end)
            return element
        if kind in ("command", "declaration_command", "unset_command", "variable_assignment",
                    "variable_assignments"):
            return self.simple(node, depth)
        if kind == "test_command":
            return self.test_command(node, depth)
        if kind == "compound_statement" and node.children and node.children[0].type == "((":
            return _Simple([], self.substitutions(node, depth), start, end)  # arithmetic
        if kind in ("subshell", "compound_statement"):
            return _Compound("group", [_Arm(None, self.seq(node.children, depth + 1))], start, end)
        if kind == "if_statement":
            return self.if_statement(node, depth)
        if kind in ("while_statement", "for_statement", "c_style_for_statement"):
            return self.loop(node, depth)
        if kind == "case_statement":
            return self.case(node, depth)
        if kind == "function_definition":
            return self.function(node, depth)
        if kind in ("list", "pipeline", "negated_command"):
            item = self.andor(node, depth + 1)
            seq = _Seq([item], [None]) if item is not None else _Seq()
            return _Compound("group", [_Arm(None, seq)], start, end)
        if kind == "ERROR":
            seq = self.seq(node.children, depth + 1)
            return _Compound("group", [_Arm(None, seq)], start, end)
        return _Simple([], self.substitutions(node, depth), start, end)

    def simple(self, node: Any, depth: int) -> _Simple:
        start, end = self.span(node)
        if node.type == "variable_assignment":
            return _Simple([self.word(node)], self.substitutions(node, depth), start, end)
        parts: list[Any] = []
        redirects: list[tuple[str, str]] = []
        keywords = node.type in ("declaration_command", "unset_command")
        for child in node.children:
            if child.type in _REDIRECTS:
                found, operands = self.redirect_child(child)
                redirects.extend(found)
                parts.extend(operands)
            elif child.type == "variable_assignments":
                parts.extend(child.named_children)
            elif child.type not in _WORD_ARGUMENT_SKIP and (child.is_named or keywords):
                parts.append(child)
        return _Simple(self.joined(parts), self.substitutions(node, depth), start, end,
                       redirects)

    def joined(self, parts: Sequence[Any]) -> list[_Word]:
        """The words of ``parts``: nodes with no blank between them are one word, as the shell
        reads them (tree-sitter-bash splits ``a/$B`` after a ``$`` it cannot place)."""
        spans: list[list[int]] = []
        for part in sorted(parts, key=lambda p: p.start if isinstance(p, _Word) else p.start_byte):
            start, end = (part.start, part.end) if isinstance(part, _Word) else self.span(part)
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        return [_Word(_word_value(self.text, start, end), start, end) for start, end in spans]

    def test_command(self, node: Any, depth: int) -> _Simple:
        start, end = self.span(node)
        words = list(_split_words(self.text, start, end))
        return _Simple(words, self.substitutions(node, depth), start, end)

    def word(self, node: Any) -> _Word:
        start, end = self.span(node)
        return _Word(_word_value(self.text, start, end), start, end)

    def substitutions(self, node: Any, depth: int) -> list[_Seq]:
        """The commands of each ``$(...)``, backtick and ``<(...)`` in ``node``, outermost
        first (a substitution's own substitutions are its commands')."""
        found: list[_Seq] = []
        stack = list(reversed(node.children))
        while stack:
            child = stack.pop()
            if child.type in _SUBSTITUTIONS:
                found.append(self.seq(child.children, depth + 1))
            elif child.type not in _SKIPPED and child.type not in ("heredoc_redirect",):
                stack.extend(reversed(child.children))
        return found

    def redirects(self, node: Any) -> tuple[list[tuple[str, str]], list[Any]]:
        """A statement's redirections as (operator, target), and the words tree-sitter-bash
        hung on a redirection that are the command's own (``echo >&2 "text"``)."""
        found: list[tuple[str, str]] = []
        operands: list[Any] = []
        for child in node.children:
            if child.type in _REDIRECTS:
                pairs, more = self.redirect_child(child)
                found.extend(pairs)
                operands.extend(more)
        return found, operands

    def redirect_child(self, node: Any) -> tuple[list[tuple[str, str]], list[Any]]:
        """One ``file_redirect``, ``heredoc_redirect`` (``<<EOF``, and a file redirection
        written on its line) or ``herestring_redirect`` as (operator, target) pairs, and the
        command's own words tree-sitter-bash hung on it."""
        if node.type == "file_redirect":
            return self.redirect(node)
        if node.type == "herestring_redirect":
            if not node.named_child_count:
                return [], []
            return [("<<<", self.word(node.named_children[-1]).text)], []
        found: list[tuple[str, str]] = []
        operands: list[Any] = []
        op = next((c for c in node.children if c.type in ("<<", "<<-")), None)
        delimiter = next((c for c in node.children if c.type == "heredoc_start"), None)
        if op is not None and delimiter is not None:
            found.append((op.type, self.word(delimiter).text))
        for inner in node.children:
            if inner.type == "file_redirect":
                pairs, more = self.redirect(inner)
                found.extend(pairs)
                operands.extend(more)
        return found, operands

    def redirect(self, node: Any) -> tuple[list[tuple[str, str]], list[Any]]:
        op = next((c for c in node.children if not c.is_named), None)
        targets = node.children_by_field_name("destination")
        if op is None or not targets:
            return [], []
        target = self.word(targets[0]).text
        if op.type in (">&", "<&") and (target.isdigit() or target == "-"):
            return [], list(targets[1:])  # a descriptor duplicated, not a file written
        return [(op.type, target)], list(targets[1:])

    # compound commands -------------------------------------------------------------------

    def if_statement(self, node: Any, depth: int) -> _Compound:
        arms: list[_Arm] = []
        clauses = [node, *(c for c in node.children if c.type in ("elif_clause", "else_clause"))]
        for clause in clauses:
            parts = [c for c in clause.children if c.type not in ("elif_clause", "else_clause")]
            keywords = [i for i, c in enumerate(parts) if c.type in ("then", "fi", "else")]
            if clause.type == "else_clause":
                arms.append(_Arm(None, self.seq(parts[1:], depth + 1)))
                continue
            then = next((i for i in keywords if parts[i].type == "then"), len(parts))
            stop = next((i for i in keywords if i > then), len(parts))
            test = self.seq(parts[1:then], depth + 1)
            arms.append(_Arm(test, self.seq(parts[then + 1 : stop], depth + 1)))
        start, end = self.span(node)
        return _Compound("if", arms, start, end)

    def loop(self, node: Any, depth: int) -> _Compound:
        body_node = node.child_by_field_name("body")
        body = self.seq(body_node.children if body_node is not None else (), depth + 1)
        test: _Seq | None = None
        keyword = node.children[0].type if node.children else ""
        if node.type == "while_statement":
            parts = [c for c in node.children if c.type != "do_group"]
            test = self.seq(parts[1:], depth + 1)
        start, end = self.span(node)
        return _Compound("loop", [_Arm(test, body, negate=keyword == "until")], start, end)

    def case(self, node: Any, depth: int) -> _Compound:
        value = node.child_by_field_name("value")
        subject = self.text[slice(*self.span(value))] if value is not None else ""
        arms: list[_Arm] = []
        for item in node.children:
            if item.type != "case_item":
                continue
            patterns = [c for c in item.children_by_field_name("value")]
            close = next((i for i, c in enumerate(item.children) if c.type == ")"), -1)
            if patterns:
                pattern = self.text[self.span(patterns[0])[0] : self.span(patterns[-1])[1]]
            else:
                pattern = ""
            body = [c for c in item.children[close + 1 :] if c.type not in (";;", ";&", ";;&")]
            condition = Condition(f"case {subject} in {pattern})", _variables(subject))
            arms.append(_Arm(None, self.seq(body, depth + 1), condition))
        start, end = self.span(node)
        return _Compound("case", arms, start, end)

    def function(self, node: Any, depth: int) -> _Compound:
        name_node = node.child_by_field_name("name") or next(
            (c for c in node.named_children if c.type == "word"), None)
        name = self.text[slice(*self.span(name_node))] if name_node is not None else ""
        body = node.child_by_field_name("body")
        if body is None:
            seq = _Seq()
        elif body.type == "compound_statement":
            seq = self.seq(body.children, depth + 1)
        else:
            element = self.element(body, depth + 1)
            seq = _single(element) if element is not None else _Seq()
        start, end = self.span(node)
        return _Compound("function", [_Arm(None, seq)], start, end, name)


_TEST_OPERATORS = ("&&", "||", "(", ")", "<", ">", "|", "&", ";")


def _split_words(text: str, start: int, end: int) -> list[_Word]:
    """The words of a ``[ ... ]``/``[[ ... ]]`` test as written: quoted words whole, and
    ``&&``, ``||``, ``(``, ``)`` on their own."""
    words: list[_Word] = []
    i = start
    while i < end:
        char = text[i]
        if char in " \t\r\n" or (char == "\\" and text[i + 1 : i + 2] == "\n"):
            i += 1 if char != "\\" else 2
            continue
        op = next((o for o in _TEST_OPERATORS if text.startswith(o, i, end)), None)
        if op is not None:
            words.append(_Word(op, i, i + len(op)))
            i += len(op)
            continue
        value, after = _read_word(text, i, end)
        if after <= i:
            after = i + 1
            value = char
        words.append(_Word(value, i, after))
        i = after
    return words


def _word_value(text: str, start: int, end: int) -> str:
    """A word as the shell passes it on: quotes and escapes removed, expansions and
    substitutions kept as written."""
    value, _ = _read_word(text, start, end, stop_at_space=False)
    return value


# -- a word's value -----------------------------------------------------------------------------


_WORD_END = frozenset(" \t\r\n;&|()<>")


def _read_word(text: str, i: int, end: int, stop_at_space: bool = True) -> tuple[str, int]:
    """The value of the word at ``i`` and the offset after it."""
    start = i
    value: list[str] = []
    while i < end:
        char, following = text[i], text[i + 1 : i + 2]
        if char == "`" or (following == "(" and (char == "$" or (char in "<>" and i == start))):
            i = _substitution(text, i, end, value)
        elif char == "(" and value and value[-1].endswith("="):
            close = _matching(text, i, end)
            value.append(text[i : close + 1])
            i = close + 1
        elif stop_at_space and char in _WORD_END:
            break
        elif char == "'" or (char == "$" and following == "'"):
            i += char == "$"
            close = _closing(text, i + 1, end, "'", escapes=char == "$")
            value.append(text[i + 1 : close])
            i = close + 1
        elif char == "$" and following == "{":
            close = _matching(text, i + 1, end, "{", "}")
            value.append(text[i : close + 1])
            i = close + 1
        elif char == '"':
            i = _read_double(text, i + 1, end, value)
        elif char == "\\":
            value.append("" if following == "\n" else following)
            i += 2
        else:
            value.append(char)
            i += 1
    return "".join(value), min(i, end)


def _read_double(text: str, i: int, end: int, value: list[str]) -> int:
    while i < end:
        char, following = text[i], text[i + 1 : i + 2]
        if char == '"':
            return i + 1
        if char == "\\" and following:
            value.append(following if following in '$`"\\' else "" if following == "\n"
                         else char + following)
            i += 2
        elif char == "`" or (char == "$" and following == "("):
            i = _substitution(text, i, end, value)
        else:
            value.append(char)
            i += 1
    return end


def _substitution(text: str, i: int, end: int, value: list[str]) -> int:
    """A ``$(...)``, ``<(...)``, backtick or ``$((...))`` at ``i``, kept as written."""
    if text[i] == "`":
        close = _closing(text, i + 1, end, "`")
    else:
        close = _matching(text, i + 1, end)
    value.append(text[i : close + 1])
    return close + 1


def _closing(text: str, i: int, end: int, quote: str, escapes: bool = True) -> int:
    """Index of the closing ``quote`` from ``i`` (``end`` when unterminated)."""
    while i < end:
        if text[i] == "\\" and escapes:
            i += 2
        elif text[i] == quote:
            return i
        else:
            i += 1
    return end


def _matching(text: str, i: int, end: int, opening: str = "(", closing: str = ")") -> int:
    """Index of the bracket closing the one at ``i``, skipping quotes (``end`` if none)."""
    depth = 0
    while i < end:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char in "'\"":
            i = _closing(text, i + 1, end, char, escapes=char == '"') + 1
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return end


# -- Compose's own splitting ------------------------------------------------------------------


def _shellwords(text: str) -> list[tuple[str, int, int]] | None:
    """The words of mattn/go-shellwords ``Parse`` (what compose-go uses) with their spans;
    None where it reports an invalid command line."""
    words: list[tuple[str, int, int]] = []
    buf: list[str] = []
    got, start, last = False, -1, -1
    escaped = single = double = back = dollar = False
    for i, char in enumerate(text):
        if start < 0 and char not in " \t\r\n":
            start = i
        if escaped:
            buf.append(char)
            escaped, got, last = False, True, i
            continue
        if char == "\\":
            if single:
                buf.append(char)
            else:
                escaped = True
            last = i
            continue
        if char in " \t\r\n":
            if single or double or back or dollar:
                buf.append(char)
            elif got:
                words.append(("".join(buf), start, last + 1))
                buf, got, start = [], False, -1
            continue
        last = i
        if char == "`" and not (single or double or dollar):
            back = not back
        elif char == ")" and not (single or double or back):
            dollar = not dollar
        elif char == "(" and not (single or double or back):
            if dollar or not buf or buf[-1] != "$":
                return None
            dollar = True
            buf.append(char)
            continue
        elif char == '"' and not (single or dollar):
            got = got or double
            double = not double
            continue
        elif char == "'" and not (double or dollar):
            got = got or single
            single = not single
            continue
        elif char in ";&|<>" and not (single or double or back or dollar):
            if char == ">" and buf and buf[0].isdigit():
                got = False
            last = i - 1
            break
        got = True
        buf.append(char)
    if escaped or single or double or back or dollar:
        return None
    if got:
        words.append(("".join(buf), start, last + 1))
    return words
