"""composeguard keeps what maintainers would act on and drops what they would call noise.

Every corpus folder that ``JUDGED.tsv`` names is checked as a git repository of its own
(see :mod:`tests.judged`): every TRUE row must still be reported, and at least 90% of the
NOISE rows must be gone. The corpus is not part of the repository (it holds other projects'
files): like tests/test_corpus.py, this is skipped when ``../shared/corpus`` is not beside
the clone, and runs wherever it is (every development machine of this project).
"""

from __future__ import annotations

import pytest

from .judged import JUDGED, check_folders, judged_rows

pytestmark = pytest.mark.skipif(not JUDGED.is_file(),
                                reason=f"the judged corpus is not at {JUDGED} (it lives in "
                                       "../shared beside the clone)")


@pytest.fixture(scope="module")
def reported() -> set[tuple[str, str, int, str]]:
    folders = sorted({row.key[0] for row in judged_rows()})
    return {key for _, findings, _ in check_folders(folders) for key in findings}


def test_every_true_finding_is_still_reported(reported: set[tuple[str, str, int, str]]) -> None:
    missed = [row for row in judged_rows() if row.verdict == "TRUE" and row.key not in reported]
    assert not missed, "\n".join(f"{r.key}: {r.reason}" for r in missed)


def test_nine_in_ten_noise_findings_are_gone(reported: set[tuple[str, str, int, str]]) -> None:
    noise = [row for row in judged_rows() if row.verdict == "NOISE"]
    left = [row for row in noise if row.key in reported]
    assert noise
    assert len(left) <= len(noise) // 10, "\n".join(f"{r.key}: {r.reason}" for r in left)
