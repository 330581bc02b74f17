"""Files no one should feed a linter, fed to the real command line.

Each hostile file sits in a project beside a file with a plain syntax error and a valid compose
file. Whatever the hostile file is, composeguard must report it (``CG001``, or ``CG002`` for YAML
that parses but is no compose file) at a real position, still check its neighbours, exit 1
(never 2, which is for usage errors and crashes), print no traceback, and stay small in memory.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composeguard.cli import main

from .conftest import write_tree

FINDING_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): .*?\b(?P<code>CG\d{3})\b")

SYNTAX_ERROR = "services:\n  db:\n    image: [mysql\n"
VALID_WITH_DATA_STORE = "services:\n  db:\n    image: mysql:8.0\n"
NOT_A_COMPOSE_FILE = {"CG001", "CG002"}
"""A file that is not YAML is CG001; YAML that is not a compose mapping may be either."""


def alias_bomb(levels: int = 10, width: int = 10) -> str:
    """The "billion laughs": ``width ** levels`` (10 billion) nodes once expanded."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\nservices:\n  bomb:\n    image: alpine\n    command: *l{levels - 1}\n"


def ten_megabytes() -> str:
    """A valid, absurdly large compose file (10 MB of services)."""
    service = "  svc{i:06d}:\n    image: nginx:1.27\n    environment:\n      KEY: '{pad}'\n"
    pad = "x" * 60
    parts = ["services:\n"]
    size, i = 0, 0
    while size < 10 * 1024 * 1024:
        chunk = service.format(i=i, pad=pad)
        parts.append(chunk)
        size += len(chunk)
        i += 1
    return "".join(parts)


HOSTILE_FILES: dict[str, bytes] = {
    "malformed-yaml": b"services:\n  app:\n    image: nginx\n   ports: ['80:80'\n",
    "top-level-list": b"- services\n- app\n",
    "top-level-scalar": b"just a string\n",
    "empty-file": b"",
    "only-comments": b"# nothing here yet\n",
    "invalid-utf8": b"services:\n  app:\n    image: caf\xe9\n",
    "binary": bytes(range(256)) * 16,
    "alias-bomb": alias_bomb().encode(),
    "tab-indentation": b"services:\n\tapp:\n\t\timage: nginx\n",
    "duplicate-keys": b"services:\n  app:\n    image: nginx\n  app:\n    image: httpd\n",
    "deep-nesting": (b"services: " + b"[" * 1200 + b"]" * 1200 + b"\n"),
    "bad-float-tag": b"services:\n  app:\n    image: !!float abc\n",
    "bad-int-tag": b"services:\n  app:\n    image: !!int 0x\n",
    "bad-timestamp-tag": b"services:\n  app:\n    image: !!timestamp 2020-13-45\n",
    "self-merging-anchor": b"x: &a {<<: *a}\nservices:\n  app:\n    image: nginx\n",
}


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", *args])
    return code, out.getvalue(), err.getvalue()


def findings_in(output: str, cwd: Path) -> set[tuple[Path, str]]:
    found = set()
    for line in output.splitlines():
        match = FINDING_LINE.match(line)
        if match:
            path = Path(match["path"])
            path = path if path.is_absolute() else cwd / path
            assert int(match["line"]) >= 1 and int(match["column"]) >= 1, line
            found.add((Path(os.path.abspath(path)), match["code"]))
    return found


def codes_for(found: set[tuple[Path, str]], path: Path) -> set[str]:
    path = Path(os.path.abspath(path))
    return {code for p, code in found if p == path}


def assert_clean_run(code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err, out + err
    assert code == 1, f"exit code {code}, expected 1 (findings)\n{out}{err}"


def assert_neighbours_checked(found: set[tuple[Path, str]], root: Path) -> None:
    assert "CG001" in codes_for(found, root / "broken" / "compose.yaml")
    assert "CG101" in codes_for(found, root / "ok" / "compose.yaml")


@pytest.fixture
def neighbourhood(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Path]:
    """A project with a syntax error and a valid file, cwd set to it."""

    def make() -> Path:
        root = write_tree(tmp_path / "project", {
            "broken/compose.yaml": SYNTAX_ERROR,
            "ok/compose.yaml": VALID_WITH_DATA_STORE,
        })
        monkeypatch.chdir(root)
        return root

    return make


@pytest.mark.parametrize("explicit", [False, True], ids=["walked", "named"])
@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_hostile_compose_file(kind: str, explicit: bool, neighbourhood: Callable[[], Path]) -> None:
    root = neighbourhood()
    target = root / "hostile" / "compose.yaml"
    target.parent.mkdir()
    target.write_bytes(HOSTILE_FILES[kind])
    args = ("hostile/compose.yaml", "broken", "ok") if explicit else (".",)
    code, out, err = run_cli(*args)
    assert_clean_run(code, out, err)
    found = findings_in(out, root)
    assert codes_for(found, target) & NOT_A_COMPOSE_FILE, (
        f"no CG001/CG002 for the {kind} file:\n{out}{err}"
    )
    assert_neighbours_checked(found, root)


def test_ten_megabyte_compose_file(neighbourhood: Callable[[], Path]) -> None:
    root = neighbourhood()
    target = root / "huge" / "compose.yaml"
    target.parent.mkdir()
    target.write_text(ten_megabytes(), encoding="utf-8")
    code, out, err = run_cli(".")
    assert_clean_run(code, out, err)
    found = findings_in(out, root)
    assert "CG001" in codes_for(found, target), out + err
    assert "over the 8 MiB limit" in out, out
    assert_neighbours_checked(found, root)


def test_a_large_file_without_aliases_is_not_taken_for_an_alias_bomb(
        neighbourhood: Callable[[], Path]) -> None:
    """250,000 nodes, more than the 200,000 an alias bomb is first suspected at, in 0.5 MB of
    text that has no alias: it is read, and its database is checked."""
    root = neighbourhood()
    target = root / "dense" / "compose.yaml"
    target.parent.mkdir()
    items = ",".join(["a"] * 250_000)
    target.write_text(f"x-hosts: [{items}]\nservices:\n  db:\n    image: mysql:8.0\n",
                      encoding="utf-8")
    code, out, err = run_cli(".")
    assert_clean_run(code, out, err)
    found = findings_in(out, root)
    assert "CG001" not in codes_for(found, target), out
    assert "CG101" in codes_for(found, target), out
    assert_neighbours_checked(found, root)


@pytest.mark.parametrize("explicit", [False, True], ids=["walked", "named"])
def test_symlink_to_itself(explicit: bool, neighbourhood: Callable[[], Path]) -> None:
    root = neighbourhood()
    (root / "loop").mkdir()
    target = root / "loop" / "compose.yaml"
    target.symlink_to("compose.yaml")
    code, out, err = run_cli(*(("loop/compose.yaml", "broken", "ok") if explicit else (".",)))
    assert_clean_run(code, out, err)
    found = findings_in(out, root)
    assert "CG001" in codes_for(found, target), out + err
    assert_neighbours_checked(found, root)


def test_two_file_symlink_loop(neighbourhood: Callable[[], Path]) -> None:
    root = neighbourhood()
    (root / "loop").mkdir()
    a, b = root / "loop" / "compose.yaml", root / "loop" / "compose.override.yaml"
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    code, out, err = run_cli(".")
    assert_clean_run(code, out, err)
    found = findings_in(out, root)
    assert "CG001" in codes_for(found, a), out + err
    assert "CG001" in codes_for(found, b), out + err
    assert_neighbours_checked(found, root)


def test_directory_symlink_loop(neighbourhood: Callable[[], Path]) -> None:
    """``up -> ..`` and ``x -> y -> x``: the walk must end and see each real file once."""
    root = neighbourhood()
    (root / "ok" / "up").symlink_to("..", target_is_directory=True)
    (root / "x").symlink_to("y", target_is_directory=True)
    (root / "y").symlink_to("x", target_is_directory=True)
    code, out, err = run_cli(".")
    assert_clean_run(code, out, err)
    found = findings_in(out, root)
    assert_neighbours_checked(found, root)
    assert not any("/up/" in p.as_posix() for p, _ in found), out
    lines = [line for line in out.splitlines() if FINDING_LINE.match(line)]
    assert len(lines) == len(set(lines)), out


def test_directory_symlink_loop_named_explicitly(neighbourhood: Callable[[], Path]) -> None:
    root = neighbourhood()
    (root / "x").symlink_to("y", target_is_directory=True)
    (root / "y").symlink_to("x", target_is_directory=True)
    code, out, err = run_cli("x", "broken", "ok")
    assert "Traceback" not in out + err, out + err
    assert code == 1, out + err
    found = findings_in(out, root)
    assert_neighbours_checked(found, root)


def test_alias_bomb_memory_is_bounded(tmp_path: Path) -> None:
    """In a fresh process: a naive expansion would need hundreds of GB; allow 300 MB."""
    root = write_tree(tmp_path / "project", {
        "compose.yaml": alias_bomb(),
        "ok/compose.yaml": VALID_WITH_DATA_STORE,
    })
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'composeguard', 'check', '.'],"
        " capture_output=True, text=True, timeout=120)\n"
        "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'code': r.returncode, 'out': r.stdout, 'err': r.stderr, 'kb': kb}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + probe],
        cwd=root, capture_output=True, text=True, timeout=180, check=True,
    )
    report = json.loads(done.stdout)
    assert_clean_run(report["code"], report["out"], report["err"])
    assert "CG001" in codes_for(findings_in(report["out"], root), root / "compose.yaml")
    assert report["kb"] < 300 * 1024, f"peak RSS {report['kb'] / 1024:.0f} MB"


def test_module_entry_point_reports_instead_of_crashing(tmp_path: Path) -> None:
    """``python -m composeguard`` end to end, as pre-commit and CI run it."""
    root = write_tree(tmp_path / "project", {
        "compose.yaml": b"\xff\xfe\x00garbage".decode("latin-1"),
        "broken/compose.yaml": SYNTAX_ERROR,
    })
    done = subprocess.run(
        [sys.executable, "-m", "composeguard", "check", "."],
        cwd=root, capture_output=True, text=True, timeout=120, check=False,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    found = findings_in(done.stdout, root)
    assert "CG001" in codes_for(found, root / "broken" / "compose.yaml")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.one_of(
    st.binary(max_size=400),
    st.text(alphabet=st.sampled_from("services:image- &*[]{}'\"#\n\t !|>\\?,abc0123"),
            max_size=300).map(str.encode),
))
def test_no_input_makes_the_cli_raise(content: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "compose.yaml").write_bytes(content)
        code, out, err = run_cli(str(root))
    assert "Traceback" not in out + err, out + err
    assert code in (0, 1), f"exit {code} for {content!r}\n{out}{err}"


@pytest.mark.parametrize("opening, closing", [("(", ")"), ("[", "]"), ("{'a': ", "}")])
def test_python_nested_beyond_what_libcst_survives_is_named_not_parsed(
        tmp_path: Path, opening: str, closing: str) -> None:
    """libcst's native parser kills the process (SIGSEGV) near 1,500 levels; the file must be
    refused before it gets there, in a separate process so a crash cannot take pytest down."""
    root = write_tree(tmp_path / "site", {
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
        "mysite/__init__.py": "",
        "mysite/settings.py": "X = " + opening * 1500 + "1" + closing * 1500 + "\n",
        "compose.yaml": "services:\n  web:\n    build: .\n",
    })
    done = subprocess.run([sys.executable, "-m", "composeguard", "check", str(root)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert "mysite/settings.py: nested more than 100 levels deep (line 1): not parsed" in done.stderr


def test_a_config_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": VALID_WITH_DATA_STORE})
    (root / ".composeguard.toml").write_bytes(b'select = ["CG1"]\n# caf\xe9\n')
    code, _, err = run_cli(str(root))
    assert code == 2
    assert ".composeguard.toml: not UTF-8 (byte 0xe9 at offset 22)" in err
    assert "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["check", "fix", "setups"])
def test_a_pyproject_that_is_not_toml_is_a_users_mistake(tmp_path: Path, command: str,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    """Found while looking for [tool.composeguard]: a one-line error naming the file and the
    line, exit 2, as for every other config mistake."""
    from composeguard.cli import main

    root = write_tree(tmp_path / "p", {"compose.yaml": VALID_WITH_DATA_STORE,
                                       "pyproject.toml": "[project]\nname = 'x'\n[tool.composeguard\n"})
    code = main([command, str(root)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{root / 'pyproject.toml'}: invalid TOML: " in err and "line 3" in err
    assert "internal error" not in err and "Traceback" not in err


def test_a_folder_that_cannot_be_read_is_named(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Permissions cannot stop root (CI runs as root), so the refusal is the OS call's own."""
    from composeguard.lint.model import discover

    root = write_tree(tmp_path / "p", {"compose.yaml": VALID_WITH_DATA_STORE,
                                       "locked/compose.yaml": VALID_WITH_DATA_STORE})
    real_scandir = os.scandir

    def scandir(path: str):  # type: ignore[no-untyped-def]
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    code, out, err = run_cli("--no-color", str(root))
    assert "locked: cannot be read (Permission denied): not checked" in err
    assert "compose.yaml:2:3: CG101" in out and code == 1


def test_a_folder_named_like_a_compose_file_is_named(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"docker-compose.yml": VALID_WITH_DATA_STORE,
                                       "compose.yaml/notes.txt": "not a compose file\n"})
    _, out, err = run_cli("--no-color", str(root))
    assert "compose.yaml: is a folder named like a compose file, not a file: not checked" in err
    assert "docker-compose.yml:2:3: CG101" in out


@pytest.mark.parametrize("text", [
    "services: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "services:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 150)) + "  " * 150 + "v: 1\n",
])
def test_yaml_nested_past_the_limit_is_refused_where_it_passes_it(tmp_path: Path,
                                                                 text: str) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": text,
                                       "docker-compose.yml": VALID_WITH_DATA_STORE})
    code, out, err = run_cli("--no-color", str(root))
    [deep] = [line for line in out.splitlines() if line.startswith(str(root / "compose.yaml"))]
    assert "CG001" in deep and "YAML nested more than 100 levels deep; not parsed" in deep
    line = int(deep.split(":")[1])
    assert line == (1 if text.startswith("services: [") else 101)
    assert "docker-compose.yml:2:3: CG101" in out and code == 1 and "Traceback" not in err


def test_a_shell_command_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    from composeguard.lint.parse.origin import TextOrigin
    from composeguard.lint.parse.shell import MAX_SCRIPT_CHARS, TOO_LONG, parse_script

    text = " && ".join(["php artisan migrate:fresh --force"] * (MAX_SCRIPT_CHARS // 30))
    script = parse_script(text, TextOrigin(tmp_path / "run.sh", text))
    assert script.parser == TOO_LONG and script.commands == ()
    one = "php artisan migrate:fresh --force"
    short = parse_script(one, TextOrigin(tmp_path / "a.sh", one))
    assert short.parser != TOO_LONG and short.commands


FIFO_NAMES = ("compose.yaml", "docker-compose.override.yml", "Dockerfile", "Makefile",
              "start.sh", "src/data-source.ts", "src/main/resources/application.properties",
              "src/main/resources/application-prod.yml", ".github/workflows/ci.yml",
              "ormconfig.json", "package.json", "composer.json", ".env", ".env.example",
              ".gitignore", "pyproject.toml", "README.md", "db/dump.sql")


@pytest.mark.parametrize("in_git", [False, True], ids=["folder", "git, tracked link"])
def test_a_fifo_under_any_name_never_blocks_the_check(in_git: bool, tmp_path: Path) -> None:
    """Every file composeguard opens is opened without blocking and read only when it is a
    regular file: FIFOs named like what it reads are refused (a compose file with CG001)."""
    root = write_tree(tmp_path / "app", {"docker-compose.yml": "services:\n  app:\n"
                                                               "    build: .\n"})
    pipes = tmp_path / "pipes"
    for name in FIFO_NAMES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if in_git:
            (pipes / name).parent.mkdir(parents=True, exist_ok=True)
            os.mkfifo(pipes / name)
            (root / name).symlink_to(pipes / name)
        else:
            os.mkfifo(root / name)
    if in_git:
        from .conftest import make_git_repo

        make_git_repo(root)
    done = subprocess.run([sys.executable, "-m", "composeguard", "check", "--no-cache",
                           "--no-color", "."], cwd=root, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    if not in_git:  # (links out of the tree are not followed at all)
        refused = [line for line in done.stdout.splitlines() if "not a regular file" in line]
        assert any(line.startswith(("compose.yaml:", "docker-compose.override.yml:"))
                   for line in refused), done.stdout


def _bounded(root: Path) -> subprocess.CompletedProcess[str]:
    """composeguard check in a process of its own, with the README's bounds: 1 GiB of
    address space (the limit it runs far below) and 30 s."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "composeguard", "check", "--no-cache", "."],
                          cwd=root, capture_output=True, text=True, timeout=30, check=False,
                          preexec_fn=limit)


HOSTILE_BUILD_FILES = {
    "a chain of 350 Makefile variables": ("Makefile", "V0 := x\n" + "".join(
        f"V{i} = $(V{i - 1})\n" for i in range(1, 351)) + "\nup:\n\tdocker compose up $(V350)\n"),
    "60,000 unclosed $( in a recipe": ("Makefile", "up:\n\techo " + "$(" * 60_000 + "\n"),
    "a Dockerfile whose ENV doubles 40 times": ("Dockerfile", "FROM php:8.3\nENV A0=ab\n" + "".join(
        f"ENV A{i}=${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 41))
        + 'CMD ["sh", "-c", "echo $A40"]\n'),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_BUILD_FILES))
def test_hostile_makefiles_and_dockerfiles_are_bounded(kind: str, tmp_path: Path) -> None:
    name, text = HOSTILE_BUILD_FILES[kind]
    root = write_tree(tmp_path / "app", {"compose.yaml": "services:\n  app:\n    build: .\n",
                                         name: text})
    done = _bounded(root)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_masking_many_secrets_is_linear(tmp_path: Path) -> None:
    """3,000 services, each with its own password (145 s when every finding was matched
    against every secret): bounded, and no password is printed."""
    import random
    import string

    rng = random.Random(7)
    passwords = ["".join(rng.choice(string.ascii_letters + string.digits) for _ in range(16))
                 for _ in range(3000)]
    text = "services:\n" + "".join(
        f"  db{i}:\n    image: mysql:8.0\n    environment:\n"
        f"      MYSQL_ROOT_PASSWORD: {pw}\n    command: mysqld --password={pw}\n"
        for i, pw in enumerate(passwords))
    root = write_tree(tmp_path / "app", {"compose.yaml": text})
    done = _bounded(root)
    assert done.returncode == 1, done.stderr
    printed = done.stdout + done.stderr
    assert "MYSQL_ROOT_PASSWORD" in printed
    assert not any(pw in printed for pw in passwords)


def _spring_app(root: Path, files: dict[str, bytes]) -> Path:
    write_tree(root, {"compose.yaml": "services:\n  app:\n    build: .\n"
                                      "    restart: unless-stopped\n",
                      "Dockerfile": 'FROM eclipse-temurin:21\nCMD ["java", "-jar", "app.jar"]\n'})
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def test_settings_are_decoded_as_their_format_says(tmp_path: Path) -> None:
    """A Latin-1 comment in application.properties (ISO-8859-1 by definition), a UTF-16
    application-prod.yml with its byte order mark, one invalid byte in data-source.ts: each
    is read, and what it sets is reported."""
    root = _spring_app(tmp_path / "app", {
        "src/main/resources/application.properties":
            "# Café\nspring.jpa.hibernate.ddl-auto=create\n".encode("latin-1"),
        "src/main/resources/application-prod.yml":
            "spring:\n  jpa:\n    hibernate:\n      ddl-auto: create-drop\n".encode("utf-16"),
        "src/db/data-source.ts": b"// \xff\nimport { DataSource } from 'typeorm';\n"
                                 b"export const source = new DataSource({ type: "
                                 b"'postgres', synchronize: true });\n",
    })
    done = _bounded(root)
    reported = {line.split(":")[0] for line in done.stdout.splitlines() if " CG206 " in line}
    assert reported == {"src/main/resources/application.properties",
                        "src/main/resources/application-prod.yml", "src/db/data-source.ts"}


def test_a_settings_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    root = _spring_app(tmp_path / "app", {})
    (root / "src" / "db").mkdir(parents=True)
    os.mkfifo(root / "src" / "db" / "data-source.ts")
    done = _bounded(root)
    assert "src/db/data-source.ts: is not a regular file" in done.stderr


def test_properties_full_of_continuations_are_read_in_linear_time(tmp_path: Path) -> None:
    """120 KB of backslash continuations took javaproperties 40 s."""
    text = "a.key = " + "x\\\n " * 30_000 + "end\nspring.jpa.hibernate.ddl-auto=create\n"
    root = _spring_app(tmp_path / "app", {
        "src/main/resources/application.properties": text.encode("latin-1")})
    done = _bounded(root)
    assert " CG206 " in done.stdout


def test_deeply_nested_typescript_is_read_in_linear_time(tmp_path: Path) -> None:
    """60,000 nested objects around `synchronize: true` (240 KB; over two minutes when each
    node asked tree-sitter for its parents): bounded, and still reported."""
    depth = 60_000
    text = ("import { DataSource } from 'typeorm';\nexport default new DataSource("
            + "{a:" * depth + "{synchronize: true}" + "}" * depth + ");\n")
    root = write_tree(tmp_path / "app", {
        "compose.yaml": "services:\n  api:\n    build: .\n    restart: unless-stopped\n",
        "Dockerfile": 'FROM node:22\nCMD ["node", "dist/main.js"]\n',
        "src/data-source.ts": text})
    done = _bounded(root)
    assert " CG206 " in done.stdout, done.stdout + done.stderr
