"""Shell text read the way a shell runs it: its simple commands, what a failure of each one
does to the rest, and the tests that gate them.

Rules ask "does this container seed on start?" and "is this migration's failure swallowed?".
Both need the commands a shell would run, wrappers seen through, the operators between them
understood, and each located on the line a person would edit. bashlex gives a real parse but
rejects much real-world shell (``case``, ``[[ ]]``, arithmetic, ``time``), so an offset-keeping
tokenizer and a forgiving recursive-descent reader take over there. Both build the same small
tree, and one walker turns it into :class:`Command` records.
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

    ``parser`` is ``bashlex``, ``tokens`` (the fallback read some of it) or ``argv`` (exec
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
    parser = TOO_LONG if TOO_LONG in parsers else "tokens" if "tokens" in parsers else "bashlex"
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
    try:
        tokens = _tokenize(text, 0, len(text))
        if text.strip() and _bashlex_safe(text, tokens, 0):
            try:
                seq = _from_bashlex(text)
                parsers.append("bashlex")
                return seq
            except Exception:  # noqa: BLE001, S110 - bashlex rejects much valid shell, many ways
                pass
        seq = _Reader(text, tokens, 0).seq(frozenset())
    except Exception:  # noqa: BLE001 - written not to raise; a bug must not reach a rule
        seq = _Seq()
    parsers.append("tokens")
    return seq


_BASHLEX_LACKS = frozenset({"case", "[[", "time", "select", "coproc"})


def _bashlex_safe(text: str, tokens: list[_Token], depth: int) -> bool:
    """Whether bashlex may see ``text``: not when it holds a construct bashlex rejects (it
    would parse a long script only to fail at its end), nor a word with ``${`` and no ``}``
    after it, on which bashlex loops forever (it expands even inside single quotes)."""
    if depth > _MAX_NESTING:
        return False
    previous: _Token | None = None
    for token in tokens:
        leading = previous is None or previous.kind == "op"
        previous = token
        if token.kind == "skip" or (leading and token.plain and token.value in _BASHLEX_LACKS):
            return False
        raw = text[token.start : token.end]
        if "$((" in raw or "$[" in raw or (token.kind == "word" and "=(" in raw):
            return False
        start = raw.find("${")
        while start >= 0:
            if raw.find("}", start) < 0:
                return False
            start = raw.find("${", start + 2)
        if not all(_bashlex_safe(text, _tokenize(text, s, e), depth + 1) for s, e in token.subs):
            return False
    return True


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


# -- bashlex ----------------------------------------------------------------------------------


def _from_bashlex(text: str) -> _Seq:
    from composeguard.lint.parse.bashlex_loader import load_bashlex

    return _bl_seq(load_bashlex().parse(text))


def _bl_seq(nodes: Sequence[Any]) -> _Seq:
    seq = _Seq()
    pipelines: list[_Pipeline] = []
    ops: list[tuple[str, int, int]] = []

    def close(sep: tuple[str, int, int] | None) -> None:
        nonlocal pipelines, ops
        if pipelines:
            seq.items.append(_AndOr(pipelines, ops[: len(pipelines) - 1]))
            seq.seps.append(sep)
            pipelines, ops = [], []
        elif sep is not None and seq.items and seq.seps[-1] is None:
            seq.seps[-1] = sep

    def handle(node: Any) -> None:
        kind = getattr(node, "kind", None)
        if kind == "list":
            for part in node.parts:
                handle(part)
        elif kind == "operator":
            op, (start, end) = node.op, node.pos
            if op in ("&&", "||") and pipelines:
                ops.append((op, start, end))
            elif op in (";", "&", "\n"):
                close((op, start, end))
        elif kind is not None:
            pipelines.append(_bl_pipeline(node))
            if len(ops) < len(pipelines) - 1:
                ops.append(("&&", node.pos[0], node.pos[0]))

    for node in nodes:
        handle(node)
        close(None)
    return seq


def _bl_pipeline(node: Any) -> _Pipeline:
    start = node.pos[0]
    if getattr(node, "kind", None) != "pipeline":
        return _Pipeline([_bl_element(node)], [], False, start)
    items: list[_Simple | _Compound] = []
    pipes: list[tuple[int, int]] = []
    negated = False
    for part in node.parts:
        if part.kind == "reservedword" and part.word == "!":
            negated = True
        elif part.kind == "pipe":
            pipes.append(tuple(part.pos))
        else:
            items.append(_bl_element(part))
    return _Pipeline(items or [_Simple([], [], start, start)], pipes, negated, start)


def _bl_element(node: Any) -> _Simple | _Compound:
    kind = getattr(node, "kind", None)
    start, end = node.pos
    if kind == "command":
        words = [p for p in node.parts if p.kind in ("word", "assignment")]
        subs = [_bl_seq([sub.command]) for word in words for sub in _bl_substitutions(word)]
        redirects = [(str(p.type), p.output.word) for p in node.parts
                     if p.kind == "redirect" and getattr(p.output, "kind", None) == "word"]
        return _Simple([_Word(w.word, *w.pos) for w in words], subs, start, end, redirects)
    if kind == "compound":
        inner = [p for p in node.list if p.kind != "reservedword"]
        if len(inner) == 1 and inner[0].kind in ("if", "while", "until", "for"):
            return _bl_element(inner[0])
        return _Compound("group", [_Arm(None, _bl_seq(inner))], start, end)
    if kind == "function":
        body = node.body
        inner = [p for p in getattr(body, "list", [body]) if p.kind != "reservedword"]
        name = getattr(getattr(node, "name", None), "word", "")
        return _Compound("function", [_Arm(None, _bl_seq(inner))], start, end,
                         name if isinstance(name, str) else "")
    if kind in ("if", "while", "until", "for"):
        arms: list[_Arm] = []
        test: _Seq | None = None
        for keyword, nodes in _bl_segments(node.parts):
            if keyword in ("if", "elif", "while", "until"):
                test = _bl_seq(nodes)
            elif keyword in ("then", "do"):
                arms.append(_Arm(test, _bl_seq(nodes), negate=keyword == "do" and kind == "until"))
                test = None
            elif keyword == "else":
                arms.append(_Arm(None, _bl_seq(nodes)))
        return _Compound("if" if kind == "if" else "loop", arms, start, end)
    if kind in ("pipeline", "list"):
        return _Compound("group", [_Arm(None, _bl_seq([node]))], start, end)
    return _Simple([], [], start, end)


def _bl_segments(parts: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    segments: list[tuple[str, list[Any]]] = [("", [])]
    for part in parts:
        if getattr(part, "kind", None) == "reservedword":
            segments.append((part.word, []))
        else:
            segments[-1][1].append(part)
    return segments


def _bl_substitutions(node: Any) -> list[Any]:
    found = []
    for part in getattr(node, "parts", None) or ():
        if part.kind in ("commandsubstitution", "processsubstitution"):
            found.append(part)
        else:
            found.extend(_bl_substitutions(part))
    return found


# -- the fallback: tokens and a forgiving reader ----------------------------------------------


@dataclass(slots=True)
class _Token:
    kind: str
    """``word``, ``op`` (separators, pipes, parentheses), ``redir`` or ``skip`` (arithmetic)."""
    value: str
    start: int
    end: int
    plain: bool = True
    subs: list[tuple[int, int]] = field(default_factory=list)


_OPERATORS = (";;&", "&>>", "<<-", "<<<", ";;", ";&", "&&", "||", "|&", "&>", ">>", ">&", "<&",
              "<<", "<>", ">|", ";", "&", "|", "(", ")", "<", ">")
_REDIRECTS = frozenset({"&>>", "<<-", "<<<", "&>", ">>", ">&", "<&", "<<", "<>", ">|", "<", ">"})
_WORD_END = frozenset(" \t\r\n;&|()<>")


def _tokenize(text: str, i: int, end: int) -> list[_Token]:
    tokens: list[_Token] = []
    heredocs: list[tuple[str, bool]] = []
    while i < end:
        char = text[i]
        if char in " \t\r":
            i += 1
        elif char == "\\" and text[i + 1 : i + 2] == "\n":
            i += 2
        elif char == "\n":
            tokens.append(_Token("op", "\n", i, i + 1))
            i = _skip_heredocs(text, i + 1, end, heredocs)
            heredocs = []
        elif char == "#":
            newline = text.find("\n", i, end)
            i = end if newline < 0 else newline
        elif char == "(" and text.startswith("(", i + 1):
            after = min(_matching(text, i, end) + 1, end)
            tokens.append(_Token("skip", text[i:after], i, after))
            i = after
        elif char in ";&|()" or (char in "<>" and not text.startswith("(", i + 1)):
            op = next(o for o in _OPERATORS if text.startswith(o, i, end))
            tokens.append(_Token("redir" if op in _REDIRECTS else "op", op, i, i + len(op)))
            i += len(op)
            if op in ("<<", "<<-"):
                while i < end and text[i] in " \t":
                    i += 1
                if i < end and text[i] not in _WORD_END:
                    word, i = _read_word(text, i, end)
                    tokens.append(word)
                    heredocs.append((word.value, op == "<<-"))
        else:
            word, i = _read_word(text, i, end)
            if not (word.plain and word.value.isdigit() and text[i : i + 1] in ("<", ">")):
                tokens.append(word)
    return tokens


def _read_word(text: str, i: int, end: int) -> tuple[_Token, int]:
    start, plain = i, True
    value: list[str] = []
    subs: list[tuple[int, int]] = []
    while i < end:
        char, following = text[i], text[i + 1 : i + 2]
        if char == "`" or (following == "(" and (char == "$" or (char in "<>" and i == start))):
            i = _substitution(text, i, end, value, subs)
        elif char == "(" and value and value[-1].endswith("="):
            close = _matching(text, i, end)
            value.append(text[i : close + 1])
            i = close + 1
        elif char in _WORD_END:
            break
        elif char == "'" or (char == "$" and following == "'"):
            i += char == "$"
            close = _closing(text, i + 1, end, "'", escapes=char == "$")
            value.append(text[i + 1 : close])
            i, plain = close + 1, False
        elif char == "$" and following == "{":
            close = _matching(text, i + 1, end, "{", "}")
            value.append(text[i : close + 1])
            i = close + 1
        elif char == '"':
            i, plain = _read_double(text, i + 1, end, value, subs), False
        elif char == "\\":
            value.append("" if following == "\n" else following)
            i, plain = i + 2, False
        else:
            value.append(char)
            i += 1
    i = min(i, end)
    return _Token("word", "".join(value), start, i, plain, subs), i


def _read_double(text: str, i: int, end: int, value: list[str],
                 subs: list[tuple[int, int]]) -> int:
    while i < end:
        char, following = text[i], text[i + 1 : i + 2]
        if char == '"':
            return i + 1
        if char == "\\" and following:
            value.append(following if following in '$`"\\' else "" if following == "\n"
                         else char + following)
            i += 2
        elif char == "`" or (char == "$" and following == "("):
            i = _substitution(text, i, end, value, subs)
        else:
            value.append(char)
            i += 1
    return end


def _substitution(text: str, i: int, end: int, value: list[str],
                  subs: list[tuple[int, int]]) -> int:
    """A ``$(...)``, ``<(...)`` or backtick command substitution (or ``$((...))``, not a
    command) at ``i``: kept as written in the word, its command's span noted."""
    if text[i] == "`":
        close = _closing(text, i + 1, end, "`")
        subs.append((i + 1, close))
    else:
        close = _matching(text, i + 1, end)
        if not text.startswith("((", i + 1):
            subs.append((i + 2, close))
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


def _skip_heredocs(text: str, i: int, end: int, heredocs: list[tuple[str, bool]]) -> int:
    for delimiter, strip_tabs in heredocs:
        while i < end:
            newline = text.find("\n", i, end)
            stop = end if newline < 0 else newline
            line = text[i:stop].rstrip("\r")
            i = stop + 1 if newline >= 0 else end
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                break
    return i


_CLOSERS = frozenset({"then", "do", "done", "fi", "else", "elif", "esac", "}", "in"})
_CASE_END = frozenset({";;", ";&", ";;&", "esac"})


class _Reader:
    """Recursive descent over tokens that never fails: a token it cannot place is skipped."""

    def __init__(self, text: str, tokens: list[_Token], nesting: int) -> None:
        self.text, self.tokens, self.pos, self.nesting = text, tokens, 0, nesting

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def last_end(self) -> int:
        return self.tokens[self.pos - 1].end if self.pos else 0

    def at(self, kind: str, *values: str) -> bool:
        token = self.peek()
        return (token is not None and token.kind == kind and token.value in values
                and token.plain)

    def take(self, kind: str, value: str) -> bool:
        if self.at(kind, value):
            self.pos += 1
            return True
        return False

    def skip_word(self) -> None:
        token = self.peek()
        if token is not None and token.kind == "word":
            self.pos += 1

    def skip_separators(self) -> None:
        while self.at("op", "\n", ";"):
            self.pos += 1

    def seq(self, stops: frozenset[str]) -> _Seq:
        seq = _Seq()
        while (token := self.peek()) is not None:
            if token.kind == "op" and token.value in (";", "&", "\n"):
                if seq.items and seq.seps[-1] is None:
                    seq.seps[-1] = (token.value, token.start, token.end)
                self.pos += 1
                continue
            if token.value in stops and token.kind in ("op", "word") and token.plain:
                break
            before = self.pos
            item = self.andor()
            if item is not None:
                seq.items.append(item)
                seq.seps.append(None)
            elif self.pos == before:
                self.pos += 1
        return seq

    def andor(self) -> _AndOr | None:
        first = self.pipeline()
        if first is None:
            return None
        item = _AndOr([first], [])
        while (token := self.peek()) is not None and token.kind == "op" and token.value in (
                "&&", "||"):
            self.pos += 1
            while self.at("op", "\n"):
                self.pos += 1
            following = self.pipeline()
            if following is None:
                break
            item.pipelines.append(following)
            item.ops.append((token.value, token.start, token.end))
        return item

    def pipeline(self) -> _Pipeline | None:
        token = self.peek()
        start = token.start if token is not None else 0
        negated = self.take("word", "!")
        first = self.command()
        if first is None:
            return None
        pipeline = _Pipeline([first], [], negated, start)
        while (token := self.peek()) is not None and token.kind == "op" and token.value in (
                "|", "|&"):
            self.pos += 1
            while self.at("op", "\n"):
                self.pos += 1
            following = self.command()
            if following is None:
                break
            pipeline.items.append(following)
            pipeline.pipes.append((token.start, token.end))
        return pipeline

    def command(self) -> _Simple | _Compound | None:
        token = self.peek()
        if token is None or (token.kind == "op" and token.value != "("):
            return None
        deep = self.nesting >= _MAX_NESTING
        if token.kind == "op":
            node: _Simple | _Compound | None = None if deep else self.block("(", ")", "group")
        elif token.kind != "word" or not token.plain or deep:
            return self.simple()
        elif token.value in _CLOSERS:
            return None
        elif token.value in ("if", "while", "until", "for", "select", "case", "{", "function"):
            self.nesting += 1
            node = self.compound(token)
            self.nesting -= 1
        elif (self.pos + 2 < len(self.tokens) and self.tokens[self.pos + 1].value == "("
              and self.tokens[self.pos + 2].value == ")"
              and self.tokens[self.pos + 1].kind == "op"):
            self.pos += 3
            node = self.function(token.start, token.value)
        else:
            return self.simple()
        while (token := self.peek()) is not None and token.kind == "redir":
            self.pos += 1
            self.skip_word()
        return node

    def compound(self, token: _Token) -> _Compound:
        keyword, start = token.value, token.start
        if keyword == "{":
            return self.block("{", "}", "group")
        if keyword == "function":
            self.pos += 1
            name = self.peek()
            self.skip_word()
            if self.take("op", "("):
                self.take("op", ")")
            return self.function(start, name.value if name is not None
                                 and name.kind == "word" else "")
        self.pos += 1
        if keyword == "if":
            arms = []
            while True:
                condition = self.seq(frozenset({"then"}))
                self.take("word", "then")
                arms.append(_Arm(condition, self.seq(frozenset({"elif", "else", "fi"}))))
                if not self.take("word", "elif"):
                    break
            if self.take("word", "else"):
                arms.append(_Arm(None, self.seq(frozenset({"fi"}))))
            self.take("word", "fi")
            return _Compound("if", arms, start, self.last_end())
        if keyword == "case":
            return self.case(start)
        test: _Seq | None = None
        if keyword in ("while", "until"):
            test = self.seq(frozenset({"do"}))
        else:
            while (skipped := self.peek()) is not None and not self.at("word", "do"):
                self.pos += 1
                if skipped.kind == "op" and skipped.value in (";", "\n"):
                    break
            self.skip_separators()
        self.take("word", "do")
        body = self.seq(frozenset({"done"}))
        self.take("word", "done")
        return _Compound("loop", [_Arm(test, body, negate=keyword == "until")], start,
                         self.last_end())

    def block(self, opening: str, closing: str, kind: str) -> _Compound:
        start = self.tokens[self.pos].start
        self.pos += 1
        self.nesting += 1
        body = self.seq(frozenset({closing}))
        self.nesting -= 1
        self.take("op" if closing == ")" else "word", closing)
        return _Compound(kind, [_Arm(None, body)], start, self.last_end())

    def function(self, start: int, name: str) -> _Compound:
        while self.at("op", "\n"):
            self.pos += 1
        self.nesting += 1
        body = self.command()
        self.nesting -= 1
        return _Compound("function", [_Arm(None, _single(body) if body else _Seq())], start,
                         self.last_end(), name)

    def case(self, start: int) -> _Compound:
        subject = ""
        if (token := self.peek()) is not None and token.kind == "word":
            subject = self.text[token.start : token.end]
            self.pos += 1
        self.skip_separators()
        self.take("word", "in")
        arms = []
        while (token := self.peek()) is not None:
            if token.kind == "op" and token.value in ("\n", ";", ";;", ";&", ";;&"):
                self.pos += 1
                continue
            if self.take("word", "esac"):
                break
            self.take("op", "(")
            pattern_start = pattern_end = token.end if token.value == "(" else token.start
            while (token := self.peek()) is not None and not self.at("op", ")"):
                pattern_end = token.end
                self.pos += 1
            self.take("op", ")")
            pattern = self.text[pattern_start:pattern_end]
            condition = Condition(f"case {subject} in {pattern})", _variables(subject))
            arms.append(_Arm(None, self.seq(_CASE_END), condition))
        return _Compound("case", arms, start, self.last_end())

    def simple(self) -> _Simple:
        start = self.tokens[self.pos].start
        words: list[_Word] = []
        subs: list[_Seq] = []
        redirects: list[tuple[str, str]] = []
        while (token := self.peek()) is not None and token.kind != "op":
            self.pos += 1
            if token.kind == "redir":
                target = self.peek()
                if target is not None and target.kind == "word":
                    redirects.append((token.value, target.value))
                self.skip_word()
                continue
            if token.kind == "word":
                words.append(_Word(token.value, token.start, token.end))
                subs.extend(self.substitution(s, e) for s, e in token.subs)
                if token.value == "]]" and words[0].text == "[[":
                    break
            if words and words[0].text == "[[" and token.plain:
                while self.at("op", "&&", "||", "(", ")", "|"):
                    op = self.tokens[self.pos]
                    words.append(_Word(op.value, op.start, op.end))
                    self.pos += 1
        return _Simple(words, subs, start, self.last_end(), redirects)

    def substitution(self, start: int, end: int) -> _Seq:
        if self.nesting >= _MAX_NESTING:
            return _Seq()
        return _Reader(self.text, _tokenize(self.text, start, end), self.nesting + 1).seq(
            frozenset())


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
