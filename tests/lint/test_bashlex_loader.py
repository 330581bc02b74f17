"""bashlex imported with its parser tables from the cache parses exactly as bashlex does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPTS = [
    "php artisan migrate --force && php artisan db:seed --force && php-fpm",
    "set -e; if [ -f .env ]; then cp .env.example .env; fi; exec \"$@\"",
    "for f in *.sql; do mysql < \"$f\" || true; done | tee log",
    "echo $(date) `whoami` ${HOME:-/root} > /tmp/x 2>&1 &",
    "while true; do sleep 1; done",
    "a=1 b=2 env | grep -v x; { echo a; echo b; } && (cd /; ls)",
]

DUMP = (
    "import json, sys\n"
    "{load}\n"
    "print(json.dumps([bashlex.parse(s)[0].dump() for s in json.loads(sys.argv[1])]))\n"
)
CACHED = "from composeguard.lint.parse.bashlex_loader import load_bashlex; bashlex = load_bashlex()"
PLAIN = "import bashlex"


def dump(load: str, cache: Path, note: str = "") -> list[str]:
    """What bashlex makes of SCRIPTS; ``note``: what stderr must say of the cache folder."""
    env = {**os.environ, "COMPOSEGUARD_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", DUMP.format(load=load), json.dumps(SCRIPTS)],
                          env=env, capture_output=True, text=True, check=True, timeout=120)
    assert (note in done.stderr and done.stderr.count("\n") == 1) if note \
        else done.stderr == ""
    return json.loads(done.stdout)


def test_cold_and_warm_cache_parse_as_bashlex_does(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = dump(PLAIN, cache)
    assert not cache.exists()
    assert dump(CACHED, cache) == plain
    tables = list(cache.glob("bashlex-tables-*.json"))
    assert len(tables) == 1
    assert dump(CACHED, cache) == plain
    assert list(cache.glob("*")) == tables


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = dump(PLAIN, cache)
    dump(CACHED, cache)
    (table,) = cache.glob("bashlex-tables-*.json")
    table.write_text('{"action": {"0": [1, 2', encoding="utf-8")
    assert dump(CACHED, cache) == plain
    assert json.loads(table.read_text(encoding="utf-8"))["action"]


def test_a_cache_folder_that_cannot_be_made_changes_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert dump(CACHED, blocker / "cache") == dump(PLAIN, tmp_path / "unused")


def test_a_symlinked_cache_folder_is_not_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    assert dump(CACHED, link, "is a symbolic link") == dump(PLAIN, tmp_path / "unused")
    assert list(real.iterdir()) == []


def test_tables_others_could_have_written_are_not_read(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = dump(PLAIN, tmp_path / "unused")
    dump(CACHED, cache)
    (table,) = cache.glob("bashlex-tables-*.json")
    table.write_text('{"action": {}, "goto": {}}', encoding="utf-8")
    table.chmod(0o666)
    assert dump(CACHED, cache) == plain, "the planted tables were not used"
    cache.chmod(0o777)
    assert dump(CACHED, cache, "can be written by other users") == plain
