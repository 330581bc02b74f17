from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composeguard.cli import main
from composeguard.lint.engine.baseline import (
    Baseline,
    BaselineEntry,
    BaselineError,
    entry_for,
    load_baseline,
    render_baseline,
    write_baseline,
)
from composeguard.lint.engine.finding import Finding, Severity
from composeguard.lint.engine.fingerprint import fingerprint, flagged_content
from composeguard.lint.parse.location import Location

ProjectDir = Callable[..., Path]

MYSQL = "services:\n  db:\n    image: mysql:8.4\n"
POSTGRES = "  pg:\n    image: postgres:16\n"


def finding(path: Path, line: int, code: str = "CG101", message: str = "m") -> Finding:
    return Finding(code, "rule", Severity.ERROR, Location(path, line, 3), message)


def reader(texts: dict[Path, str]) -> Callable[[Path], str | None]:
    return lambda path: texts.get(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-color", "--select", "CG101", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- fingerprint ---------------------------------------------------------------------------


def test_fingerprint_ignores_line_shifts_and_indentation_but_not_content(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    before = fingerprint(finding(path, 2), reader({path: MYSQL}), tmp_path)
    shifted = "# a comment\nx-common: &c\n  restart: always\n" + MYSQL.replace("  db:", "    db:")
    assert fingerprint(finding(path, 5), reader({path: shifted}), tmp_path) == before
    renamed = MYSQL.replace("db:", "database:")
    assert fingerprint(finding(path, 2), reader({path: renamed}), tmp_path) != before
    assert fingerprint(finding(path, 2, "CG102"), reader({path: MYSQL}), tmp_path) != before
    other = tmp_path / "deploy" / "compose.yaml"
    assert fingerprint(finding(other, 2), reader({other: MYSQL}), tmp_path) != before


def test_repeated_content_is_told_apart_by_its_occurrence(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    text = "a:\n  image: mysql\nb:\n  image: mysql\n"
    first = fingerprint(finding(path, 2), reader({path: text}), tmp_path)
    second = fingerprint(finding(path, 4), reader({path: text}), tmp_path)
    assert first != second
    assert flagged_content(text, 4) == ("image: mysql", 1)
    appended = text + "c:\n  image: mysql\n"
    assert fingerprint(finding(path, 2), reader({path: appended}), tmp_path) == first


def test_fingerprint_covers_every_flagged_line() -> None:
    text = "x:\n  command: >\n    php artisan db:seed\n"
    assert flagged_content(text, 2, 3) == ("command: >\nphp artisan db:seed", 0)
    assert flagged_content(text, 2, 3) != flagged_content(text.replace("seed", "wipe"), 2, 3)


def test_fingerprint_path_is_relative_to_the_root_whatever_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "app" / "compose.yaml"
    read = reader({path: MYSQL, Path("app/compose.yaml"): MYSQL})
    absolute = fingerprint(finding(path, 2), read, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert fingerprint(finding(Path("app/compose.yaml"), 2), read, tmp_path) == absolute


@given(text=st.text(max_size=200), line=st.integers(-3, 30), end=st.none() | st.integers(-3, 30))
def test_fingerprint_never_raises(text: str, line: int, end: int | None) -> None:
    path = Path("/nowhere/compose.yaml")
    f = Finding("CG001", "x", Severity.ERROR, Location(path, line, 1, end), "m")
    value = fingerprint(f, lambda _: text, Path("/nowhere"))
    assert len(value) == 32 and int(value, 16) >= 0


def test_unreadable_file_and_failing_reader_still_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"

    def broken(_: Path) -> str | None:
        raise OSError("boom")

    assert fingerprint(finding(path, 1, "CG401"), broken, tmp_path) == fingerprint(
        finding(path, 1, "CG401"), lambda _: None, tmp_path
    )


# -- the baseline file ---------------------------------------------------------------------


def test_baseline_is_sorted_stable_json_relative_to_its_directory(tmp_path: Path) -> None:
    b, a = tmp_path / "b" / "compose.yaml", tmp_path / "a" / "compose.yaml"
    read = reader({a: MYSQL, b: MYSQL})
    target = tmp_path / "baseline.json"
    write_baseline(target, [finding(b, 2), finding(a, 2, "CG602"), finding(a, 2)], read)
    first = target.read_text()
    document = json.loads(first)
    assert document["version"] == 1
    assert [(e["path"], e["code"]) for e in document["findings"]] == [
        ("a/compose.yaml", "CG101"), ("a/compose.yaml", "CG602"), ("b/compose.yaml", "CG101")]
    assert set(document["findings"][0]) == {"code", "path", "fingerprint", "message"}
    assert first.endswith("}\n") and first.count("\n") > 10
    write_baseline(target, [finding(a, 2), finding(b, 2), finding(a, 2, "CG602")], read)
    assert target.read_text() == first
    assert load_baseline(target).entries == tuple(
        sorted(entry_for(f, read, tmp_path) for f in
               [finding(a, 2), finding(b, 2), finding(a, 2, "CG602")]))


def test_baseline_hides_as_a_multiset(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    read = reader({path: MYSQL})
    one, same = finding(path, 2, message="first"), finding(path, 2, message="second")
    entry = entry_for(one, read, tmp_path)
    baseline = Baseline(tmp_path / "baseline.json", (entry, entry))
    new, hidden = baseline.filter([one, same, finding(path, 2, message="third")], read)
    assert hidden == [one, same]
    assert [f.message for f in new] == ["third"]
    new, hidden = Baseline(tmp_path / "baseline.json", (entry,)).filter([one, same], read)
    assert (len(new), len(hidden)) == (1, 1)


def test_message_changes_do_not_bring_recorded_findings_back(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    read = reader({path: MYSQL})
    baseline = Baseline(tmp_path / "b.json", (entry_for(finding(path, 2, message="old"), read,
                                                         tmp_path),))
    assert baseline.filter([finding(path, 2, message="reworded")], read)[0] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline file not found"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "cannot read baseline"),
        (b"[]", "not a composeguard baseline"),
        (b'{"version": 2, "findings": []}', "unsupported version 2"),
        (b'{"version": 1, "findings": [{"code": "CG101"}]}', r"findings\[0\]"),
        (b'{"version": 1, "findings": ["CG101"]}', r"findings\[0\]"),
        (b'{"version": 1, "findings": [{"code": "CG1", "path": 1, "fingerprint": "x"}]}',
         r"findings\[0\]"),
    ],
)
def test_bad_baseline_is_an_error_naming_the_file(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "old-findings.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BaselineError, match=message) as info:
        load_baseline(path)
    assert "old-findings.json" in str(info.value)


def test_entries_render_in_a_fixed_key_order() -> None:
    text = render_baseline([BaselineEntry("p", "CG101", "f" * 32)])
    assert list(json.loads(text)["findings"][0]) == ["code", "path", "fingerprint"]


# -- the command line, on a real project ---------------------------------------------------


def test_baseline_hides_old_findings_and_reports_new_ones(
    project_dir: ProjectDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_dir({"compose.yaml": MYSQL})
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "--write-baseline", "baseline.json")
    assert code == 0 and out == "" and "recorded 1 finding(s) in baseline.json" in err
    assert json.loads((root / "baseline.json").read_text())["findings"][0]["path"] == (
        "compose.yaml")
    assert run(capsys)[0] == 1
    assert run(capsys, "--baseline", "baseline.json")[0] == 0

    compose = root / "compose.yaml"
    compose.write_text("# the web tier\nservices:\n  web:\n    image: nginx:1.27\n"
                       + MYSQL.removeprefix("services:\n"))
    code, out, _ = run(capsys, "--baseline", "baseline.json")
    assert code == 0, out

    compose.write_text(compose.read_text() + POSTGRES)
    code, out, _ = run(capsys, "--baseline", "baseline.json")
    assert code == 1
    assert "service 'pg'" in out and "service 'db'" not in out

    compose.write_text(compose.read_text().replace("  db:", "  database:"))
    code, out, _ = run(capsys, "--baseline", "baseline.json", "--format", "json")
    assert code == 1
    assert sorted(f["line"] for f in json.loads(out)["findings"]) == [5, 7]


def test_baseline_works_from_another_directory(
    project_dir: ProjectDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_dir({"compose.prod.yaml": MYSQL, "deploy/compose.prod.yaml": MYSQL})
    monkeypatch.chdir(root)
    assert run(capsys, "--write-baseline", "baseline.json")[0] == 0
    recorded = json.loads((root / "baseline.json").read_text())["findings"]
    assert {e["path"] for e in recorded} >= {"compose.prod.yaml", "deploy/compose.prod.yaml"}

    monkeypatch.chdir(root.parent)
    code, out, _ = run(capsys, root.name, "--baseline", f"{root.name}/baseline.json")
    assert code == 0, out
    monkeypatch.chdir(root / "deploy")
    code, out, _ = run(capsys, "..", "--baseline", str(root / "baseline.json"))
    assert code == 0, out
    (root / "deploy" / "compose.prod.yaml").write_text(MYSQL + POSTGRES)
    code, out, _ = run(capsys, "..", "--baseline", "../baseline.json")
    assert code == 1 and "service 'pg'" in out and "service 'db'" not in out


def test_write_baseline_respects_selection_and_suppressions(
    project_dir: ProjectDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_dir({"compose.yaml": MYSQL + "  # composeguard: ignore[CG101] cache\n"
                                                "  pg:\n    image: postgres:16\n"})
    monkeypatch.chdir(root)
    code = main(["check", "--select", "CG101,CG602", "--ignore", "CG602",
                 "--write-baseline", "b.json"])
    assert code == 0
    recorded = json.loads((root / "b.json").read_text())["findings"]
    assert [(e["code"], e["message"].split("'")[1]) for e in recorded] == [("CG101", "db")]


@pytest.mark.parametrize("content", [None, "{}", "[1, 2"])
def test_cli_bad_baseline_is_a_usage_error(
    project_dir: ProjectDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    content: str | None,
) -> None:
    root = project_dir({"compose.yaml": MYSQL})
    if content is not None:
        (root / "known.json").write_text(content)
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "--baseline", "known.json")
    assert code == 2 and out == ""
    assert err.startswith("composeguard: error: ") and "known.json" in err
    assert "Traceback" not in err


def test_baseline_and_write_baseline_together_is_a_usage_error(
    project_dir: ProjectDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_dir({"compose.yaml": MYSQL}))
    code, _, err = run(capsys, "--baseline", "a.json", "--write-baseline", "b.json")
    assert code == 2 and "not both" in err
    assert not Path("b.json").exists()


def test_unwritable_baseline_is_a_usage_error(
    project_dir: ProjectDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_dir({"compose.yaml": MYSQL, "taken": "a file, not a directory"})
    monkeypatch.chdir(root)
    code, _, err = run(capsys, "--write-baseline", "taken/baseline.json")
    assert code == 2 and "taken/baseline.json" in err


def test_config_baseline_is_relative_to_the_config_file(
    project_dir: ProjectDir, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_dir({"compose.yaml": MYSQL,
                        ".composeguard.toml": 'baseline = "ci/baseline.json"\n'})
    monkeypatch.chdir(root)
    code, _, err = run(capsys)
    assert code == 2 and "ci/baseline.json" in err
    assert run(capsys, "--write-baseline", "ci/baseline.json")[0] == 0
    assert run(capsys)[0] == 0
    monkeypatch.chdir(root.parent)
    assert run(capsys, root.name)[0] == 0
    (root / "other.json").write_text('{"version": 1, "findings": []}')
    monkeypatch.chdir(root)
    assert run(capsys, "--baseline", "other.json")[0] == 1
