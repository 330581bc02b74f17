"""Every real-world project of the shared corpus: nothing raises, every finding is well located.

The corpus (``../shared/corpus`` beside the clone, see its README) holds the compose files of 53
public repositories and a folder of files derived from public sources. This test does not judge
whether a finding is right; it holds composeguard to what must be true of every finding on every
file: a path inside the project that exists, a line inside the file, a column of at least 1, and
CG001 only on files that really are not YAML.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from composeguard.lint.engine.finding import Finding
from composeguard.lint.parse.yamlio import MAX_EXPANDED_NODES, MAX_FILE_BYTES, expanded_size
from composeguard.lint.project import Project
from composeguard.runner import run

from .conftest import CORPUS

REAL = CORPUS / "real"
DERIVED = CORPUS / "derived"


def corpus_projects() -> list[object]:
    if not REAL.is_dir():
        return [pytest.param(None, id="no-corpus", marks=pytest.mark.skip(
            reason=f"the shared corpus is not at {REAL} (it lives in ../shared beside the clone)"
        ))]
    params = [pytest.param(p, id=p.name) for p in sorted(REAL.iterdir()) if p.is_dir()]
    if DERIVED.is_dir():
        params.append(pytest.param(DERIVED, id="derived"))
    return params


@cache
def plain_yaml_load_error(path: Path) -> str | None:
    """Why a plain YAML 1.2 safe load fails on ``path``, or None when it loads."""
    from ruamel.yaml import YAML

    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        return "over the size limit"
    try:
        data = YAML(typ="safe", pure=True).load(raw.decode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not plain YAML"
        return f"{type(exc).__name__}: {exc}"
    if expanded_size(data) > MAX_EXPANDED_NODES:
        return "alias bomb"
    return None


def assert_well_located(finding: Finding, root: Path) -> None:
    path = Path(finding.location.path)
    assert path.exists(), f"{finding}: path does not exist"
    resolved = path.resolve()
    assert resolved.is_relative_to(root.resolve()), f"{finding}: outside {root}"
    line, column = finding.location.line, finding.location.column
    assert column >= 1, f"{finding}: column {column}"
    if path.is_file():
        lines = path.read_bytes().splitlines()
        # a parser error at the end of the stream sits one line past the last one
        limit = max(1, len(lines)) + (1 if finding.code == "CG001" else 0)
        assert 1 <= line <= limit, f"{finding}: line {line} of a {len(lines)}-line file"
        end_line, _ = finding.location.end
        assert line <= end_line <= limit, f"{finding}: end line {end_line}"
    else:
        assert line == 1, f"{finding}: line {line} on a directory"


@pytest.mark.parametrize("root", corpus_projects())
def test_corpus_project(root: Path) -> None:
    result = run(Project([root]))
    assert not result.errors, "\n".join(result.errors)
    for finding in result.findings:
        assert_well_located(finding, root)
        if finding.code == "CG001":
            reason = plain_yaml_load_error(Path(finding.location.path))
            assert reason is not None, (
                f"CG001 on a file that plain YAML 1.2 loads fine: {finding.location.path}:"
                f"{finding.location.line}: {finding.message}"
            )


# -- the benchmark's generated corpus --------------------------------------------------------


def load_corpus_generator():
    import importlib.util
    import sys

    name = "composeguard_bench_make_corpus"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().parents[1] / "bench" / "make_corpus.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_corpus_generator_writes_valid_compose_files(tmp_path: Path) -> None:
    import time

    from ruamel.yaml import YAML

    generator = load_corpus_generator()
    started = time.perf_counter()
    files = generator.generate(tmp_path / "a", count=60, seed=3, broken_ratio=0.0)
    assert time.perf_counter() - started < 5
    assert len(files) == 60 and all(p.is_file() for p in files)
    again = generator.generate(tmp_path / "b", count=60, seed=3, broken_ratio=0.0)
    assert [p.read_bytes() for p in files] == [p.read_bytes() for p in again], "not deterministic"

    yaml = YAML(typ="rt", pure=True)  # round-trip: keeps Compose's !reset tag
    for path in files:
        assert isinstance(yaml.load(path.read_text(encoding="utf-8")), dict), path
    result = run(Project([tmp_path / "a"]))
    assert not result.errors, result.errors
    assert not [f for f in result.findings if f.code in ("CG001", "CG002", "CG003")], [
        f"{f.location.path}:{f.location.line} {f.code} {f.message}" for f in result.findings
        if f.code in ("CG001", "CG002", "CG003")
    ]
