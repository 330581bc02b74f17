"""How one argv runs another: the words between a command line and the program that does
the work.

``VAR=value`` prefixes; process wrappers (``exec``, ``env``, ``gosu USER``, ``timeout 5m``,
``sudo -u www``, ``tini --``); runners (``uv run``, ``bundle exec``, ``npx``, ``yarn dlx``);
interpreters (``php -d x=y``, ``python -m``, ``node -r``); Laravel Sail; and remote execution
(``docker compose exec -T app``, ``docker run --rm img``, ``kubectl exec pod --``), whose tail
runs elsewhere but still acts on the same data. Plain words, no shell: the shell parser hands
these functions argv (quotes removed) and the command table (:mod:`composeguard.lint.facts.commands`)
looks up what :func:`unwrap` leaves. One table of wrappers, :data:`WRAPPERS`, serves both.
"""

from __future__ import annotations

import posixpath
from collections.abc import Container, Sequence


def _opts(text: str) -> frozenset[str]:
    return frozenset(text.split())


DOCKER_GLOBALS = _opts("-H --host -c --context --config -l --log-level --tlscacert --tlscert "
                        "--tlskey -f --file -p --project-name --project-directory --env-file "
                        "--profile --ansi --progress --parallel")
"""Options of ``docker``/``docker compose`` placed before the subcommand that take a value."""
_EXEC_OPTS = _opts("-e --env --env-file -u --user -w --workdir --index --detach-keys")
_RUN_OPTS = _EXEC_OPTS | _opts(
    "-a --attach -c --cpu-shares -h --hostname -l --label -m --memory -p --publish -v --volume "
    "--name --network --net --entrypoint --mount --platform --restart --add-host --dns "
    "--log-driver --log-opt --volumes-from --link --pull --cpus --cap-add --cap-drop --device "
    "--gpus --ulimit --tmpfs --shm-size --label-file --network-alias --ip --expose "
    "--security-opt --pid --ipc --userns --runtime --stop-signal --stop-timeout --cidfile "
    "--memory-swap --sysctl --group-add --health-cmd --health-interval --health-retries")
_KUBECTL_OPTS = _opts("-n --namespace -c --container -f --filename --context --kubeconfig "
                      "--cluster --user -s --server --as --token --pod-running-timeout")
PM_GLOBALS = {"npm": _opts("--prefix -w --workspace"), "pnpm": _opts("--filter -F -C --dir"),
               "yarn": _opts("--cwd"), "bun": _opts("--cwd")}
_RUNNERS: dict[tuple[str, str | None], frozenset[str]] = {
    ("uv", "run"): _opts("--with --with-requirements --with-editable -p --python --package "
                         "--extra --group --only-group --env-file --directory --project --index"),
    ("poetry", "run"): _opts("-C --directory -P --project"), ("pipenv", "run"): frozenset(),
    ("pdm", "run"): _opts("-p --project"), ("hatch", "run"): frozenset(),
    ("rye", "run"): frozenset(), ("bundle", "exec"): frozenset(), ("bundler", "exec"): frozenset(),
    ("npx", None): _opts("-p --package -c --call"), ("pnpx", None): frozenset(),
    ("bunx", None): _opts("-p --package"), ("bun", "x"): frozenset(),
    ("npm", "exec"): _opts("-p --package -c --call"), ("npm", "x"): _opts("-p --package"),
    ("pnpm", "exec"): frozenset(), ("pnpm", "dlx"): _opts("--package"),
    ("yarn", "exec"): frozenset(), ("yarn", "dlx"): _opts("-p --package"),
    ("dotenv", None): _opts("-e -v -c"), ("dotenvx", "run"): _opts("-f --env-file -e --env"),
    ("env-cmd", None): _opts("-f --file -e --environments"), ("doppler", "run"): frozenset(),
    ("infisical", "run"): _opts("--env --path"), ("op", "run"): _opts("--env-file"),
}
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "exec": (_opts("-a"), 0),
    "env": (_opts("-u --unset -C --chdir -S --split-string"), 0),
    "cross-env": (frozenset(), 0),
    "command": (frozenset(), 0),
    "nohup": (frozenset(), 0),
    "time": (_opts("-f --format -o --output"), 0),
    "nice": (_opts("-n --adjustment"), 0),
    "ionice": (_opts("-c --class -n --classdata"), 0),
    "stdbuf": (_opts("-i -o -e"), 0),
    "timeout": (_opts("-s --signal -k --kill-after"), 1),
    "gosu": (frozenset(), 1),
    "su-exec": (frozenset(), 1),
    "s6-setuidgid": (frozenset(), 1),
    "setuidgid": (frozenset(), 1),
    "sudo": (_opts("-u --user -g --group -C -D -h -p -R -r -t -T -U"), 0),
    "runuser": (_opts("-u -g -G --user --group"), 0),
    "setpriv": (_opts("--reuid --regid --ruid --euid --rgid --egid --groups --inh-caps "
                      "--ambient-caps --bounding-set --securebits --pdeathsig --selinux-label "
                      "--apparmor-profile"), 0),
    "tini": (_opts("-p -e"), 0),
    "dumb-init": (_opts("-r --rewrite"), 0),
    "chpst": (_opts("-u -U -b -e -/ -n -l -L -m -d -o -p -f -c -r -t"), 0),
}
"""Process wrappers: a program that runs the rest of its argv in the same process tree, with
the options that take a value and how many operands come before the wrapped program."""
_ASSIGNING = frozenset({"env", "cross-env", "sudo"})
"""Wrappers after which ``VAR=value`` words are the environment, not the program."""


def strip_wrappers(words: Sequence[str]) -> tuple[int, tuple[tuple[str, str], ...]]:
    """How many leading words only wrap the real program (``VAR=value`` prefixes, ``exec``,
    ``env``, ``gosu USER``, ``timeout 5m``...), and the assignments they carried."""
    assignments: list[tuple[str, str]] = []
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        name = posixpath.basename(word)
        if is_assignment(word):
            key, _, value = word.partition("=")
            assignments.append((key, value))
            i += 1
        elif name in WRAPPERS:
            if name == "command" and i + 1 < n and words[i + 1] in ("-v", "-V"):
                break
            with_argument, positional = WRAPPERS[name]
            i = skip_options(words, i + 1, with_argument) + positional
            if name in _ASSIGNING:
                while i < n and is_assignment(words[i]):
                    key, _, value = words[i].partition("=")
                    assignments.append((key, value))
                    i += 1
        else:
            break
    return min(i, n), tuple(assignments)


_INTERPRETERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "php": (_opts("-d -c -z"), _opts("-r -R -B -E")),
    "node": (_opts("-r --require --import --loader --experimental-loader -C --conditions"),
             _opts("-e --eval -p --print")),
    "ts-node": (_opts("-r --require -P --project -O --compiler-options -C --compiler -I"),
                _opts("-e --eval -p --print")),
    "tsx": (_opts("-r --require --import --tsconfig"), _opts("-e --eval -p --print")),
    "ruby": (_opts("-I -r -C -E"), _opts("-e")),
    "python": (_opts("-W -X -Q"), _opts("-c")),
}
_SAIL_DIRECT = {"php", "composer", "npm", "npx", "yarn", "pnpm", "bun", "bunx", "node"}
"""Laravel Sail runs these in the app container; ``sail artisan`` too, the rest is compose."""
_ENTRY_FILES = {"cli.js", "cli.ts", "cli.mjs", "cli.cjs", "index.js"}


def program_name(word: str) -> str:
    """The name a word runs as: ``./node_modules/.bin/knex`` -> ``knex``, ``prisma@5`` -> ``prisma``,
    ``node_modules/typeorm/cli.js`` -> ``typeorm``, ``python3.12`` -> ``python``."""
    parts = [p for p in word.lower().split("/") if p]
    name = parts[-1] if parts else ""
    if "@" in name[1:]:
        name = name[: name.index("@", 1)]
    if name in _ENTRY_FILES:
        name = next((p for p in reversed(parts[:-1]) if p not in {"bin", "lib", "build", "dist",
                                                                    "src"}), name)
    if name.startswith("python") and all(c.isdigit() or c == "." for c in name[6:]):
        return "python"
    return "node" if name == "nodejs" else name


def is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq and name and name.isascii() and not name[0].isdigit()
                and name.replace("_", "a").isalnum())


def skip_options(args: Sequence[str], start: int, values: frozenset[str]) -> int:
    """Index of the first operand at or after ``start``, past options and the values they take."""
    i = start
    while i < len(args):
        word = args[i]
        if word == "--":
            return i + 1
        if not word.startswith("-") or word == "-":
            return i
        if word in values:
            i += 2
            continue
        if not word.startswith("--") and len(word) > 2:
            for char in word[1:-1]:
                if f"-{char}" in values:
                    break
            else:
                i += 1 + (f"-{word[-1]}" in values)
                continue
        i += 1
    return i


def _peel_remote(args: Sequence[str], prog: str) -> list[str] | None:
    """The tail of ``docker compose exec/run``, ``docker exec/run`` or ``kubectl exec``."""
    i = skip_options(args, 1, DOCKER_GLOBALS if prog != "kubectl" else _KUBECTL_OPTS)
    sub = args[i] if i < len(args) else ""
    if prog == "kubectl":
        if sub != "exec":
            return None
        if "--" in args[i:]:
            return list(args[args.index("--", i) + 1:])
        pod = skip_options(args, i + 1, _KUBECTL_OPTS)
        return list(args[pod + 1:])
    if prog in {"docker", "podman"} and sub in {"compose", "container"}:
        i = skip_options(args, i + 1, DOCKER_GLOBALS)
        sub = args[i] if i < len(args) else ""
    if sub not in {"exec", "run"}:
        return None
    target = skip_options(args, i + 1, _EXEC_OPTS if sub == "exec" else _RUN_OPTS)
    return list(args[target + 1:])


def _peel_interpreter(args: Sequence[str], prog: str) -> list[str]:
    values, code = _INTERPRETERS[prog]
    i = 1
    while i < len(args) and args[i].startswith("-") and args[i] != "-":
        word = args[i]
        if word == "--":
            return list(args[i + 1:])
        if word in code:
            return []
        if prog == "python" and word.startswith("-m"):
            return [word[2:], *args[i + 1:]] if len(word) > 2 else list(args[i + 1:])
        if prog == "php" and word == "-f":
            return list(args[i + 1:])
        i += 2 if word in values else 1
    return list(args[i:])


def _peel(args: Sequence[str], tools: Container[str]) -> list[str] | None:
    """One layer less between ``args`` and the program that does the work, or None."""
    if is_assignment(args[0]):
        return list(args[1:])
    prog = program_name(args[0])
    if prog in _INTERPRETERS:
        return _peel_interpreter(args, prog)
    if prog in WRAPPERS:
        skip = strip_wrappers(args)[0]
        return list(args[skip:]) if skip else None
    if prog == "sail":
        sub = args[1] if len(args) > 1 else ""
        if sub in {"artisan", "art", "a"}:
            return ["artisan", *args[2:]]
        if sub == "bin" or sub in _SAIL_DIRECT:
            return list(args[2:] if sub == "bin" else args[1:])
        return ["docker", "compose", *args[1:]] if sub else []
    if prog in {"docker", "podman", "docker-compose", "podman-compose", "kubectl", "oc"}:
        return _peel_remote(args, "kubectl" if prog == "oc" else prog)
    i = skip_options(args, 1, PM_GLOBALS.get(prog, frozenset()))
    subcommand = args[i] if i < len(args) else None
    for key in ((prog, subcommand), (prog, None)):
        if key in _RUNNERS:
            tail = list(args[skip_options(args, i + 1 if key[1] else 1, _RUNNERS[key]):])
            if prog == "hatch" and tail and ":" in tail[0] and "/" not in tail[0]:
                tail[0] = tail[0].split(":", 1)[1]
            return tail
    if subcommand is None:
        return None
    if prog == "yarn" and subcommand == "workspace":
        return ["yarn", *args[i + 2:]]
    if prog in {"yarn", "bun"} and subcommand == "run" and i + 1 < len(args) \
            and program_name(args[i + 1]) in tools:
        return list(args[i + 1:])
    if prog in {"yarn", "pnpm"} and program_name(subcommand) in tools:
        return list(args[i:])
    return None


def unwrap(words: Sequence[str], tools: Container[str] = frozenset()) -> tuple[str, ...]:
    """The argv that finally does the work, runners, interpreters and remote wrappers peeled off.

    ``tools`` are program names a package manager runs directly (``yarn knex``, ``bun run
    prisma``): the command table's. When this ends in ``sh -c BODY`` (``docker compose exec db
    sh -c '...'``), BODY is shell text for the shell parser; this module never parses shell.
    """
    args = [w for w in words if isinstance(w, str)]
    for _ in range(2 * len(args) + 2):  # every layer but `sail` shortens argv
        if not args:
            break
        inner = _peel(args, tools)
        if inner is None:
            break
        args = inner
    return tuple(args)
