"""The compose-spec schema check: what it reports, where, and in what words."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import time
from pathlib import Path

import pytest

from composeguard.lint.model import schema as schema_module
from composeguard.lint.model.schema import (
    MAX_VIOLATIONS_PER_FILE,
    SchemaViolation,
    compose_schema,
    compose_validator,
    format_path,
    has_interpolation,
    validate_compose,
)
from composeguard.lint.parse.nodes import from_ruamel
from composeguard.lint.parse.yamlio import YamlLoadError, parse_yaml

from ..conftest import CORPUS

PATH = Path("compose.yaml")


def violations(text: str) -> list[SchemaViolation]:
    return validate_compose(from_ruamel(parse_yaml(text, PATH), PATH, text))


def where(text: str) -> list[tuple[int, int, str]]:
    return [(v.location.line, v.location.column, v.message) for v in violations(text)]


def test_the_shipped_schema_is_the_pinned_copy_and_built_once() -> None:
    schema = compose_schema()
    assert schema["title"] == "Compose Specification"
    assert "services" in schema["properties"]
    assert compose_validator() is compose_validator()
    data = Path(schema_module.__file__).with_name("data")
    digest = hashlib.sha256((data / "compose-spec.json").read_bytes()).hexdigest()
    assert f"sha256:   {digest}" in (data / "compose-spec.SOURCE").read_text(encoding="utf-8")
    assert "Apache License" in (data / "compose-spec.LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "services:\n  db:\n    image: mysql\n",
        "version: '3.8'\nservices:\n  db:\n    image: mysql\n",
        ("x-base: &base\n  restart: always\nservices:\n  db:\n    <<: *base\n    image: mysql\n"
        "    x-note: ok\n"),
        "services:\n  db:\n    environment:\n      A: b\n",  # an override: no image needed
        ("services:\n  db:\n    image: mysql\n    ports: !reset []\n    environment: !override\n"
        "      A: b\n"),
        "services:\n  db:\n    image: mysql\n    ports: !reset 12\n",  # removed before validation
        "name: only\n",
        "services: {}\n",
        ("services:\n  db:\n    image: mysql\n    restart: no\n    environment:\n      EMPTY:\n"
        "volumes:\n  data:\nnetworks:\n  edge:\n    external: true\n"),
    ],
)
def test_valid_files_have_no_violations(text: str) -> None:
    assert violations(text) == []


def test_unknown_top_level_key_points_at_the_key() -> None:
    assert where("services:\n  db:\n    image: mysql\nfoo: 1\n") == [
        (4, 1, "unknown key 'foo' at the top level (not in the Compose specification)")
    ]


def test_unknown_service_key_suggests_the_close_one() -> None:
    ((line, column, message),) = where("services:\n  db:\n    image: mysql\n    volume: []\n")
    assert (line, column) == (4, 5)
    assert message == ("unknown key 'volume' in service 'db' (not in the Compose specification);"
                       " did you mean 'volumes'?")


def test_case_and_misplaced_key_suggestions() -> None:
    messages = [m for _, _, m in where(
        "services:\n  db:\n    image: mysql\n    DNS: 8.8.8.8\n    resources: {}\n")]
    assert messages[0].endswith("did you mean 'dns'?")
    assert messages[1].endswith("did you mean 'deploy.resources'?")


def test_wrong_type_points_at_the_list_item() -> None:
    assert where("services:\n  db:\n    image: mysql\n    volumes:\n      - 123\n") == [
        (5, 9, "services.db.volumes[0]: must be a string or a mapping, not an integer")
    ]


def test_wrong_type_of_a_keyed_value_points_at_the_key() -> None:
    assert where("version: 3\nservices: {}\n") == [
        (1, 1, "version: must be a string, not an integer")
    ]


def test_a_failing_branch_does_not_make_its_other_keys_unknown() -> None:
    # services use allOf + unevaluatedProperties: a bad `volumes` must not report `image`.
    messages = [m for _, _, m in where(
        "services:\n  db:\n    image: mysql\n    healthcheck:\n      intervall: 1s\n")]
    assert messages == [("unknown key 'intervall' in services.db.healthcheck (not in the Compose "
                        "specification); did you mean 'interval'?")]


def test_one_of_explains_the_branch_that_fits() -> None:
    messages = [m for _, _, m in where(
        "services:\n  app:\n    image: x\n    depends_on:\n      db:\n        condition: bogus\n")]
    assert len(messages) == 1
    assert messages[0].startswith("services.app.depends_on.db.condition: must be one of:")
    assert "bogus" not in messages[0]  # values are never quoted: one could be a password


def test_missing_required_key() -> None:
    assert where("services:\n  db:\n    image: x\n    volumes:\n      - target: /x\n") == [
        (5, 9, "services.db.volumes[0]: missing required key 'type'")
    ]


def test_invalid_service_name() -> None:
    assert where("services:\n  'd b':\n    image: x\n") == [
        (2, 3, "invalid service name 'd b': use only letters, digits, '.', '_' and '-'")
    ]


def test_null_and_non_mapping_values() -> None:
    assert where("services:\n  db:\n") == [(2, 3, "services.db: must be a mapping, not empty (null)")]
    assert where("- a\n") == [(1, 1, "the top level: must be a mapping, not a list")]


def test_value_from_a_merge_key_points_at_the_anchor() -> None:
    text = "x-base: &base\n  imagee: x\nservices:\n  db:\n    <<: *base\n    image: x\n"
    assert [(line, col) for line, col, _ in where(text)] == [(2, 3)]


def test_interpolated_values_are_not_judged_but_literal_dollars_are() -> None:
    assert violations("services:\n  db:\n    image: x\n    pull_policy: ${PP:-always}\n") == []
    assert violations("services:\n  db:\n    image: x\n    cpu_count: ${CPUS}\n") == []
    assert len(violations("services:\n  db:\n    image: x\n    pull_policy: $$bogus\n")) == 1
    assert has_interpolation("${A}") and has_interpolation("$A") and not has_interpolation("a$$b")


def test_violations_are_capped_per_file() -> None:
    keys = "".join(f"    bad{i:02}: 1\n" for i in range(MAX_VIOLATIONS_PER_FILE + 5))
    found = violations("services:\n  db:\n    image: x\n" + keys)
    assert len(found) == MAX_VIOLATIONS_PER_FILE + 1
    assert found[-1].message == "…and 5 more Compose specification violations in this file"
    assert found[-1].location.line == MAX_VIOLATIONS_PER_FILE + 4


def test_format_path() -> None:
    assert format_path([]) == "the top level"
    assert format_path(["services", "db", "volumes", 0]) == "services.db.volumes[0]"
    assert format_path(["services", "a b"]) == "services['a b']"


CORPUS_SCHEMA_VIOLATIONS = {
    # A Kubernetes-style `resources:` directly under a service; `docker compose config` says
    # "services.nginx additional properties 'resources' not allowed".
    ("crater-invoice__crater/uffizzi/docker-compose.uffizzi.yml", 50),
}


@pytest.mark.skipif(not (CORPUS / "real").is_dir(), reason="shared corpus not available")
def test_real_corpus_schema_violations_are_the_known_true_ones() -> None:
    from composeguard.lint.model.compose import is_compose_file_name
    from composeguard.lint.parse.yamlio import read_text

    roots = []
    for path in sorted((CORPUS / "real").rglob("*")):
        if not (path.is_file() and is_compose_file_name(path.name)):
            continue
        try:
            text = read_text(path)
            data = parse_yaml(text, path)
        except YamlLoadError:
            continue  # CG001's
        if data is not None:
            roots.append(from_ruamel(data, path, text))
    assert len(roots) > 250
    compose_validator()
    start = time.perf_counter()
    found = {
        (v.location.path.relative_to(CORPUS / "real").as_posix(), v.location.line)
        for root in roots
        for v in validate_compose(root)
    }
    elapsed = time.perf_counter() - start
    assert found == CORPUS_SCHEMA_VIOLATIONS
    assert elapsed < 2.0, f"validating {len(roots)} files took {elapsed:.2f}s"


def _yaml_values():  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    keys = st.sampled_from(["image", "ports", "volumes", "environment", "deploy", "x-a", "bad",
                            "services", "db", "healthcheck", "depends_on", "version", "${A}"])
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                        st.sampled_from(["${X}", "$$y", "80:80", "no"]))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


def test_no_document_makes_validation_raise() -> None:
    from hypothesis import assume, given, settings
    from ruamel.yaml import YAML

    @settings(max_examples=150, deadline=None)
    @given(_yaml_values())
    def check(value: object) -> None:
        stream = io.StringIO()
        YAML(typ="safe", pure=True).dump({"services": {"db": value}, "extra": value}, stream)
        text = stream.getvalue()
        try:
            found = violations(text)
        except YamlLoadError:  # ruamel's dumper writes some odd scalars (`?0`) it cannot read back
            assume(False)
        for violation in found:
            assert violation.location.path == PATH and violation.location.line >= 1
            assert "\n" not in violation.message

    check()


def test_every_invalid_document_is_explained() -> None:
    """One validator, jsonschema-rs, decides and its errors are described: every compose file
    the tests hold and 600 copies with one value replaced by a value of another type either
    validate or get at least one violation (a value with `${VAR}` excepted, which Compose
    judges after interpolation)."""
    import random

    from composeguard.lint.model.schema import _describe, _error
    from composeguard.lint.parse.nodes import Node, without_reset

    from .test_fastyaml import TEXTS

    gate = compose_validator()
    documents = []
    roots: list[Node] = []
    for name, text in TEXTS:
        try:
            data = parse_yaml(text, Path(name))
        except YamlLoadError:
            continue
        root = without_reset(from_ruamel(data, Path(name), text)) if data is not None else None
        if root is not None:
            documents.append(root.plain())
            roots.append(root)

    def paths(value: object, at: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        found = [at]
        if isinstance(value, dict):
            for key, child in value.items():
                found += paths(child, (*at, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                found += paths(child, (*at, index))
        return found

    rng = random.Random(5)
    mutated = []
    for _ in range(600):
        document = copy.deepcopy(rng.choice(documents))
        where = rng.choice(paths(document)[1:] or [()])
        if where:
            parent = document
            for step in where[:-1]:
                parent = parent[step]
            parent[where[-1]] = rng.choice([1, 2.5, True, None, "x", [], {}, ["a"], {"k": 1}])
        mutated.append(document)
    unexplained = []
    for document in documents + mutated:
        if gate.is_valid(document):
            continue
        errors = [_error(raw, document) for raw in gate.iter_errors(document)]
        described = [v for e in errors for v in _describe(e, roots[0])]
        if not described and not has_interpolation(json.dumps(document)):
            unexplained.append(document)
    assert unexplained == []
    assert sum(not gate.is_valid(d) for d in mutated) > 100
