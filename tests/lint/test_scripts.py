"""Where commands live: each fragment's shell text, context and file location."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composeguard.lint.facts.scripts import (
    ImageStart,
    MappedOrigin,
    ShellFragment,
    dockerfile_start,
    image_path_to_context,
    makefile_fragments,
    package_scripts,
    script_fragments,
    workflow_fragments,
)

MAKEFILE = Path("Makefile")
DOCKERFILE = Path("Dockerfile")
GITHUB = Path(".github/workflows/deploy.yml")
GITLAB = Path(".gitlab-ci.yml")


def line_of(fragment: ShellFragment, needle: str) -> int:
    return fragment.origin.locate(fragment.text.index(needle)).line


def texts(fragments: list[ShellFragment]) -> list[str]:
    return [f.text for f in fragments]


# -- shell scripts ---------------------------------------------------------------------------


def test_a_script_is_one_fragment_located_verbatim() -> None:
    text = "#!/bin/sh\nset -e\ndocker compose down -v\n"
    (fragment,) = script_fragments(Path("deploy.sh"), text)
    assert (fragment.text, fragment.kind, fragment.context) == (text, "script", "")
    location = fragment.origin.locate(text.index("down -v"))
    assert (location.line, location.column) == (3, 16)


# -- Makefiles -------------------------------------------------------------------------------


def test_make_variables_are_expanded_and_point_at_the_reference() -> None:
    text = (
        "DC = docker compose\n"
        "PROJECT := shop\n"
        "FLAGS ?= -v\n"
        "\n"
        "reset:\n"
        "\t$(DC) -p ${PROJECT} down $(FLAGS)\n"
    )
    (fragment,) = makefile_fragments(MAKEFILE, text)
    assert fragment.text == "docker compose -p shop down -v"
    assert (fragment.kind, fragment.context) == ("makefile", "reset")
    start = fragment.origin.locate(0)
    assert (start.line, start.column) == (6, 2)
    down = fragment.origin.locate(fragment.text.index("down"))
    assert (down.line, down.column) == (6, 22)


def test_continuation_lines_are_joined_and_each_part_keeps_its_line() -> None:
    text = (
        "# Stop everything\n"
        ".PHONY: down\n"
        "down: ## stop the stack\n"
        "\t@docker compose down \\\n"
        "\t\t--volumes --remove-orphans\n"
        "\t-rm -rf tmp\n"
    )
    first, second = makefile_fragments(MAKEFILE, text)
    assert first.text == "docker compose down \t--volumes --remove-orphans"
    assert line_of(first, "docker") == 4
    assert line_of(first, "--volumes") == 5
    assert first.origin.locate(first.text.index("--volumes")).column == 3
    assert (second.text, line_of(second, "rm")) == ("rm -rf tmp", 6)
    assert {first.context, second.context} == {"down"}


def test_dollar_dollar_undefined_and_function_references() -> None:
    text = "x:\n\techo $$HOME $(UNDEFINED) $(shell date) $@ $(LATER)\nLATER = defined below\n"
    (fragment,) = makefile_fragments(MAKEFILE, text)
    assert fragment.text == "echo $HOME $(UNDEFINED) $(shell date) $@ defined below"


def test_recursive_and_simple_variables_expand_like_make() -> None:
    text = (
        "A = one\n"
        "RECURSIVE = $(A)\n"
        "SIMPLE := $(A)\n"
        "A = two\n"
        "A += three\n"
        "LOOP = $(LOOP) x\n"
        "t:\n"
        "\techo $(RECURSIVE) $(SIMPLE) $(LOOP)\n"
    )
    (fragment,) = makefile_fragments(MAKEFILE, text)
    assert fragment.text == "echo two three one $(LOOP) x"


def test_inline_recipes_targets_and_what_is_not_a_recipe() -> None:
    text = (
        "\techo before any rule\n"
        "DC = docker compose\n"
        "up build &: ; $(DC) up -d\n"
        "define HELP\n"
        "\techo inside define\n"
        "endef\n"
        "clean:\n"
        "\n"
        "# a comment between recipe lines\n"
        "ifeq ($(CI),1)\n"
        "\techo ci\n"
        "endif\n"
        "\techo done\n"
        "VAR = x\n"
        "\techo after a variable\n"
    )
    fragments = makefile_fragments(MAKEFILE, text)
    assert [(f.text, f.context) for f in fragments] == [
        ("docker compose up -d", "up build"),
        ("echo ci", "clean"),
        ("echo done", "clean"),
    ]
    assert line_of(fragments[0], "up -d") == 3


def test_an_exponential_variable_does_not_blow_up() -> None:
    lines = ["V0 = " + "x" * 50]
    lines += [f"V{i} = $(V{i - 1})$(V{i - 1})$(V{i - 1})" for i in range(1, 30)]
    text = "\n".join(lines) + "\nt:\n\techo $(V29)\n"
    (fragment,) = makefile_fragments(MAKEFILE, text)
    assert len(fragment.text) < 100_000
    assert fragment.text.startswith("echo ")


# -- CI workflows ----------------------------------------------------------------------------

WORKFLOW = """\
name: deploy
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Reset the stack
        run: |  # careful: destroys everything
          echo resetting
          docker compose down -v
      - run: Remove-Item -Recurse data
        shell: pwsh
      - run: print("hi")
        shell: python
      - run: docker volume prune -f
        shell: bash -e {0}
  windows:
    runs-on: windows-latest
    steps:
      - run: docker compose down -v
  scripted:
    runs-on: ubuntu-latest
    defaults:
      run:
        shell: pwsh
    steps:
      - run: docker system prune --volumes
"""


def test_github_run_steps_with_block_locations_and_shells() -> None:
    fragments = workflow_fragments(GITHUB, WORKFLOW)
    assert [f.context for f in fragments] == [
        "job deploy / step Reset the stack",
        "job deploy / step #5",
    ]
    block = fragments[0]
    assert block.text == "echo resetting\ndocker compose down -v\n"
    assert block.kind == "ci"
    location = block.origin.locate(block.text.index("docker compose down"))
    assert (location.line, location.column) == (11, 11)
    assert line_of(block, "echo") == 10
    assert line_of(fragments[1], "docker volume prune") == 16


def test_gitlab_scripts_with_anchors_references_and_templates() -> None:
    text = """\
.setup: &setup
  - echo preparing
  - docker compose pull
variables:
  SCRIPT: not a job
default:
  before_script:
    - echo default
.cleanup:
  script:
    - docker volume prune -f
.defaults: &defaults
  after_script:
    - docker compose logs
deploy:
  <<: *defaults
  before_script: *setup
  script:
    - !reference [.cleanup, script]
    - |
      echo deploying
      docker compose down -v
  tags: [!unknown thing]
lint:
  script: ruff check .
"""
    fragments = workflow_fragments(GITLAB, text)
    assert [(f.text.strip(), f.context) for f in fragments] == [
        ("echo preparing", "job deploy"),
        ("docker compose pull", "job deploy"),
        ("echo default", "default"),
        ("docker volume prune -f", "job deploy"),
        ("docker compose logs", "job deploy"),
        ("echo deploying\ndocker compose down -v", "job deploy"),
        ("ruff check .", "job lint"),
    ]
    by_text = {f.text.strip(): f for f in fragments}
    assert line_of(by_text["docker compose pull"], "docker") == 3
    assert line_of(by_text["docker compose logs"], "docker") == 14
    block = by_text["echo deploying\ndocker compose down -v"]
    assert line_of(block, "docker compose down") == 22


def test_global_before_script_and_hidden_jobs_used_by_nobody() -> None:
    text = "before_script:\n  - echo global\n.unused:\n  script:\n    - make reset\n"
    fragments = workflow_fragments(Path("ci/deploy.gitlab-ci.yml"), text)
    assert [(f.text, f.context) for f in fragments] == [
        ("echo global", "default"),
        ("make reset", "job .unused"),
    ]


@pytest.mark.parametrize(
    "text",
    ["jobs: [unclosed", "", "just a string", "- a\n- b\n", "a: *undefined\n", "jobs: 3\n"],
)
def test_a_workflow_that_does_not_parse_or_has_no_jobs_gives_nothing(text: str) -> None:
    assert workflow_fragments(GITHUB, text) == []
    assert workflow_fragments(GITLAB, text) == []


# -- package.json ----------------------------------------------------------------------------


def test_package_scripts_are_located_at_their_value() -> None:
    text = (
        "{\n"
        '  "name": "shop",\n'
        '  "scripts": {\n'
        '    "start": "node server.js",\n'
        '    "seed": "knex seed:run && echo \\"done\\"",\n'
        '    "weird": 3\n'
        "  }\n"
        "}\n"
    )
    scripts = package_scripts(Path("package.json"), text)
    assert sorted(scripts) == ["seed", "start"]
    seed = scripts["seed"]
    assert (seed.text, seed.kind, seed.context) == ('knex seed:run && echo "done"', "package.json",
                                                    "seed")
    location = seed.origin.locate(seed.text.index("seed:run"))
    assert (location.line, location.column) == (5, 19)


@pytest.mark.parametrize("text", ["{", '{"scripts": []}', "[1, 2]", '{"a": 1, "a": 2}', ""])
def test_package_json_without_usable_scripts(text: str) -> None:
    assert package_scripts(Path("package.json"), text) == {}


# -- Dockerfiles -----------------------------------------------------------------------------

MULTI_STAGE = """\
# syntax=docker/dockerfile:1
FROM php:8.3-fpm AS base
WORKDIR /var/www
ENV APP_HOME=/var/www/html
COPY docker/entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh", \\
    "php-fpm"]
CMD ["--nodaemonize"]

FROM base AS production
# production settings
workdir html
COPY --chown=www-data . $APP_HOME
COPY --from=assets /build/public public/
RUN --mount=type=cache,target=/root/.composer composer install && \\
    # the comment line is dropped
    php artisan config:cache
run <<EOF
php artisan migrate --force
FROM not-an-instruction
EOF
cmd php-fpm --nodaemonize

FROM base AS worker
ENTRYPOINT /usr/local/bin/worker.sh
"""


def test_a_target_stage_inherits_the_entrypoint_of_the_stage_it_is_built_from() -> None:
    start = dockerfile_start(DOCKERFILE, MULTI_STAGE, "production")
    assert start is not None
    assert start.entrypoint is not None and start.entrypoint.exec_form is not None
    words = start.entrypoint.exec_form
    assert [w for w, _ in words] == ["docker-entrypoint.sh", "php-fpm"]
    assert [(o.locate(0).line, o.locate(0).column) for _, o in words] == [(6, 14), (7, 6)]
    assert start.entrypoint.location.line == 6
    assert start.cmd is not None and start.cmd.shell_form is not None
    assert (start.cmd.shell_form.text, start.cmd.shell_form.context) == ("php-fpm --nodaemonize",
                                                                         "CMD")
    assert start.cmd.location.line == 22
    assert start.workdir == "/var/www/html"
    assert start.copies == (
        ("docker/entrypoint.sh", "/usr/local/bin/"),
        (".", "/var/www/html"),
    )


def test_runs_are_shell_text_with_flags_comments_and_heredocs_handled() -> None:
    start = dockerfile_start(DOCKERFILE, MULTI_STAGE, "production")
    assert start is not None
    first, heredoc = start.runs
    assert first.text == "composer install &&     php artisan config:cache"
    assert line_of(first, "composer") == 15
    assert line_of(first, "php artisan") == 17
    assert heredoc.text == "php artisan migrate --force\nFROM not-an-instruction"
    assert line_of(heredoc, "migrate") == 19


def test_a_later_entrypoint_resets_the_inherited_cmd_and_the_last_stage_is_the_default() -> None:
    start = dockerfile_start(DOCKERFILE, MULTI_STAGE)
    assert start is not None
    assert start.cmd is None
    assert start.entrypoint is not None and start.entrypoint.shell_form is not None
    assert start.entrypoint.shell_form.text == "/usr/local/bin/worker.sh"
    assert start.runs == ()
    assert start.workdir == "/var/www"


def test_a_cmd_set_in_the_same_stage_survives_entrypoint() -> None:
    text = 'FROM alpine\nCMD ["serve"]\nENTRYPOINT ["/start.sh"]\n'
    start = dockerfile_start(DOCKERFILE, text)
    assert start is not None and start.cmd is not None and start.cmd.exec_form is not None
    assert [w for w, _ in start.cmd.exec_form] == ["serve"]


def test_escape_directive_invalid_json_and_no_from() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows\nCMD [\"a\", 'b'] `\n  && echo done\n"
    start = dockerfile_start(DOCKERFILE, text)
    assert start is not None and start.cmd is not None
    assert start.cmd.exec_form is None and start.cmd.shell_form is not None
    assert start.cmd.shell_form.text == "[\"a\", 'b']   && echo done"
    assert line_of(start.cmd.shell_form, "&&") == 4
    assert dockerfile_start(DOCKERFILE, "# only a comment\nRUN echo\n") is None
    assert dockerfile_start(DOCKERFILE, MULTI_STAGE, "no-such-stage") is None


def test_heredoc_with_a_command_keeps_the_body_as_shell_heredoc() -> None:
    text = "FROM alpine\nRUN cat <<-CONF > /etc/app.conf\n\tkey=value\n\tCONF\nRUN echo after\n"
    start = dockerfile_start(DOCKERFILE, text)
    assert start is not None
    assert texts(list(start.runs)) == [
        "cat <<-CONF > /etc/app.conf\n\tkey=value\n\tCONF",
        "echo after",
    ]
    assert line_of(start.runs[1], "echo") == 5


def _start(copies: tuple[tuple[str, str], ...], workdir: str = "/") -> ImageStart:
    return ImageStart(None, None, workdir, copies, ())


@pytest.mark.parametrize(
    ("copies", "workdir", "path", "expected"),
    [
        ((("docker/entrypoint.sh", "/usr/local/bin/"),), "/", "/usr/local/bin/entrypoint.sh",
         "docker/entrypoint.sh"),
        (((".", "/var/www/html"),), "/", "/var/www/html/scripts/start.sh", "scripts/start.sh"),
        (((".", "/var/www/html"),), "/var/www/html", "scripts/start.sh", "scripts/start.sh"),
        (((".", "/app"),), "/app", "./bin/../start.sh", "start.sh"),
        ((("start.sh", "/start"),), "/", "/start", "start.sh"),
        ((("ops/", "/opt/ops/"),), "/", "/opt/ops/run.sh", "ops/run.sh"),
        ((("a.sh", "/bin/"), ("b.sh", "/bin/")), "/", "/bin/b.sh", "b.sh"),
        ((("scripts/*.sh", "/usr/bin/"),), "/", "/usr/bin/seed.sh", "scripts/seed.sh"),
        (((".", "/app"), ("docker/start.sh", "/app/start.sh")), "/", "/app/start.sh",
         "docker/start.sh"),
        (((".", "/app"),), "/", "/etc/passwd", None),
        ((("nginx/conf.d", "/etc/nginx/conf.d/"),), "/", "/etc/nginx/conf.d/site.conf",
         "nginx/conf.d/site.conf"),
        ((("scripts/*.sh", "/usr/bin/"),), "/", "/usr/bin/lib/x.sh", None),
        ((), "/", "/start.sh", None),
    ],
)
def test_image_path_to_context(
    copies: tuple[tuple[str, str], ...], workdir: str, path: str, expected: str | None
) -> None:
    assert image_path_to_context(path, _start(copies, workdir)) == expected


def test_image_path_through_a_parsed_dockerfile() -> None:
    text = (
        "FROM python:3.12\nARG HOME_DIR=/srv\nENV APP=${HOME_DIR}/app\nWORKDIR $APP\n"
        "COPY requirements.txt scripts/ ./\nCOPY docker/start.sh /usr/local/bin/start\n"
    )
    start = dockerfile_start(DOCKERFILE, text)
    assert start is not None
    assert start.workdir == "/srv/app"
    assert image_path_to_context("/srv/app/seed.sh", start) == "scripts/seed.sh"
    assert image_path_to_context("requirements.txt", start) == "requirements.txt"
    assert image_path_to_context("/usr/local/bin/start", start) == "docker/start.sh"


# -- nothing raises, every character is located --------------------------------------------

_PIECES = st.sampled_from(
    list("ab$(){}:=?+!#;\\\t\n \"'[],-<>@.*/`") + [
        "RUN ", "FROM ", "FROM a AS b\n", "CMD ", "COPY ", "<<EOF", "\nEOF\n", "WORKDIR ",
        "ENTRYPOINT ", "ENV ", "ARG ", "# escape=`\n", "jobs:", "steps:", "- run: ", "script:",
        "!reference [a, b]", "&x ", "*x", "<<: ", "\r\n", "$$", "$(A)", "A = $(A)$(A)\n", "|\n",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=50).map("".join), st.sampled_from([None, "a", "b"]))
def test_no_input_raises_and_offsets_cover_the_text(text: str, target: str | None) -> None:
    for fragment in makefile_fragments(MAKEFILE, text):
        assert isinstance(fragment.origin, MappedOrigin)
        assert len(fragment.origin.offsets) == len(fragment.text)
        if "=" not in text:
            assert all(text[o] == c for c, o in zip(fragment.text, fragment.origin.offsets,
                                                     strict=True))
    for path in (GITHUB, GITLAB):
        for fragment in workflow_fragments(path, text):
            fragment.origin.locate(0, len(fragment.text))
    for fragment in package_scripts(Path("package.json"), text).values():
        fragment.origin.locate(0, len(fragment.text))
    start = dockerfile_start(DOCKERFILE, text, target)
    if start is not None:
        for run in start.runs:
            assert run.text == "".join(text[o] for o in run.origin.offsets)  # type: ignore[attr-defined]
        for command in (start.entrypoint, start.cmd):
            for _, origin in command.exec_form or () if command else ():
                origin.locate(0, 1)
        for path_text in ("/a", "a/b", "", ".", "/"):
            image_path_to_context(path_text, start)
