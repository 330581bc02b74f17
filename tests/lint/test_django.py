"""Django settings as CG301/CG302 need them: which modules run, the default database, DEBUG."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composeguard.lint.facts.django import (
    DatabaseDefault,
    DjangoSettings,
    debug_literal,
    default_database,
    find_settings,
)
from composeguard.lint.parse.location import Location

from ..conftest import FIXTURES, read, span

MakeProject = Callable[..., Path]
MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', '{}')\n"




def in_memory(files: Mapping[str, str]) -> Callable[[Path], str | None]:
    return lambda path: files.get(Path(path).as_posix())


def database(source: str) -> DatabaseDefault | None:
    return default_database(DjangoSettings("mysite.settings", Path("s.py"), "single"),
                            in_memory({"s.py": source}))


def debug(source: str) -> Location | None:
    return debug_literal(DjangoSettings("mysite.settings", Path("s.py"), "single"),
                         in_memory({"s.py": source}))


# -- fixtures -----------------------------------------------------------------------------------


def test_startproject_settings_default_to_sqlite_with_debug_on() -> None:
    root = FIXTURES / "django_single_settings"
    (found,) = find_settings(root, read)
    assert (found.module, found.role) == ("mysite.settings", "single")
    assert found.path == root / "mysite" / "settings.py"
    text = found.path.read_text()
    db = default_database(found, read)
    assert db is not None
    assert (db.engine, db.overridable, db.inherited, db.is_sqlite) == (
        "django.db.backends.sqlite3", False, False, True)
    assert span(text, db.location) == "'django.db.backends.sqlite3'"
    where = debug_literal(found, read)
    assert where is not None and span(text, where) == "DEBUG = True"


def test_split_environ_settings_lists_every_module_with_its_role() -> None:
    root = FIXTURES / "django_split_environ"
    found = find_settings(root, read)
    assert [(s.module, s.role) for s in found] == [
        ("config.settings.local", "development"),
        ("config.settings.base", "base"),
        ("config.settings.production", "production"),
    ]


def test_split_environ_production_reads_the_database_from_the_environment() -> None:
    root = FIXTURES / "django_split_environ"
    environment = {"DJANGO_SETTINGS_MODULE": "config.settings.production"}
    found = find_settings(root, read, environment)
    assert found[0].module == "config.settings.production"
    production = found[0]
    db = default_database(production, read)
    assert db is not None
    assert (db.engine, db.overridable, db.inherited, db.is_sqlite) == ("", True, True, False)
    assert db.location.path == root / "config" / "settings" / "base.py"
    assert span(db.location.path.read_text(), db.location) == 'env.db("DATABASE_URL")'
    assert debug_literal(production, read) is None
    local = next(s for s in found if s.role == "development")
    assert debug_literal(local, read) is not None


# -- finding settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["", "src/", "backend/", "apps/api/"])
def test_manage_py_is_found_below_the_root(project_dir: MakeProject, where: str) -> None:
    root = project_dir({f"{where}manage.py": MANAGE.format("shop.settings"),
                        f"{where}shop/__init__.py": "", f"{where}shop/settings.py": ""})
    (found,) = find_settings(root, read)
    assert (found.module, found.path) == ("shop.settings", root / f"{where}shop/settings.py")


def test_the_environment_wins_over_manage_py(project_dir: MakeProject) -> None:
    root = project_dir({"manage.py": MANAGE.format("shop.settings"), "shop/__init__.py": "",
                        "shop/settings.py": "", "shop/settings_prod.py": ""})
    found = find_settings(root, read, {"DJANGO_SETTINGS_MODULE": "shop.settings_prod"})
    assert [(s.module, s.role) for s in found] == [("shop.settings_prod", "production")]
    missing = find_settings(root, read, {"DJANGO_SETTINGS_MODULE": "shop.nowhere"})
    assert [s.module for s in missing] == ["shop.settings"]


def test_wsgi_names_the_module_without_manage_py(project_dir: MakeProject) -> None:
    root = project_dir({
        "site/__init__.py": "",
        "site/wsgi.py": "from os import environ\nenviron['DJANGO_SETTINGS_MODULE'] = 'site.conf'\n",
        "site/conf.py": "",
    })
    assert [s.module for s in find_settings(root, read)] == ["site.conf"]


def test_a_settings_package_lists_its_modules(project_dir: MakeProject) -> None:
    root = project_dir({
        "manage.py": MANAGE.format("proj.settings"), "proj/__init__.py": "",
        "proj/settings/__init__.py": "from .prod import *\n",
        **{f"proj/settings/{n}.py": "" for n in ("common", "prod", "live", "staging", "dev",
                                                    "ci", "testing", "extra")},
    })
    roles = {s.module.rpartition(".")[2]: s.role for s in find_settings(root, read)}
    assert roles == {"settings": "other", "common": "base", "prod": "production",
                     "live": "production", "staging": "production", "dev": "development",
                     "ci": "test", "testing": "test", "extra": "other"}


def test_unreadable_manage_py_falls_back_to_the_settings_beside_it(
    project_dir: MakeProject,
) -> None:
    root = project_dir({"manage.py": "def broken(:\n", "blog/__init__.py": "",
                        "blog/settings.py": ""})
    assert [s.module for s in find_settings(root, read)] == ["blog.settings"]


def test_no_django_project_is_no_settings(project_dir: MakeProject) -> None:
    root = project_dir({"app.py": "print('hi')\n", "node_modules/x/manage.py": MANAGE.format("x.s"),
                        "node_modules/x/x/s.py": ""})
    assert find_settings(root, read) == []
    assert find_settings(root / "missing", read) == []


# -- the default database ------------------------------------------------------------------------

SQLITE = "django.db.backends.sqlite3"
POSTGRES = "django.db.backends.postgresql"


def code(*lines: str) -> str:
    return "\n".join(lines)


DJ = "import dj_database_url"
SQLITE_DICT = "{'default': {'ENGINE': 'django.db.backends.sqlite3'}}"
ENV = "import environ\nenv = environ.Env()"
FORMS = [
    (f"DATABASES = {SQLITE_DICT}", SQLITE, False),
    ("DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}", POSTGRES, False),
    (code("DATABASES = {}", "DATABASES['default'] = {'ENGINE': 'django.db.backends.sqlite3'}"),
     SQLITE, False),
    (code("DATABASES = {}", f"DATABASES.update({SQLITE_DICT})"), SQLITE, False),
    (code("DATABASES = {}", "DATABASES.update(default={'ENGINE': 'django.db.backends.mysql'})"),
     "django.db.backends.mysql", False),
    (code(DJ, "DATABASES = {'default': dj_database_url.config(default='sqlite:///db.sqlite3')}"),
     SQLITE, True),
    (code(DJ, "DATABASES = {'default': dj_database_url.config()}"), "", True),
    (code("import dj_database_url as dburl",
          "URL = f'sqlite:///{BASE_DIR / \"x\"}'",
          "DATABASES = {'default': dburl.config(conn_max_age=600, default=URL)}"), SQLITE, True),
    (code("import os, dj_database_url",
          "URL = os.environ.get('DATABASE_URL', 'sqlite:///db.sqlite3')",
          "DATABASES = {'default': dj_database_url.parse(URL)}"), SQLITE, True),
    (code("import os, dj_database_url",
          "DATABASES = {'default': dj_database_url.parse(os.getenv('DATABASE_URL', 'mysql://db'))}"),
     "django.db.backends.mysql", True),
    (code(DJ, "DATABASES = {'default': dj_database_url.parse('postgres://u:p@db/app')}"),
     POSTGRES, False),
    (code(DJ, "DATABASES = {'default': dj_database_url.parse('postgis://db/app', "
              "engine='django.db.backends.sqlite3')}"), SQLITE, False),
    (code("from os import environ", "from dj_database_url import parse",
          "URL = environ.get('DATABASE_URL', 'sqlite:///x')",
          "DATABASES = {'default': parse(URL)}"), SQLITE, True),
    (code("import os, dj_database_url",
          "DATABASES = {'default': dj_database_url.parse(os.environ['DATABASE_URL'])}"), "", True),
    (code(ENV, "DATABASES = {'default': env.db()}"), "", True),
    (code(ENV, "DATABASES = {'default': env.db('DATABASE_URL', default='sqlite:////tmp/x.db')}"),
     SQLITE, True),
    (code("import environ", "env = environ.Env(DATABASE_URL=(str, 'sqlite:///db.sqlite3'))",
          "DATABASES = {'default': env.db()}"), SQLITE, True),
    (code("import environ",
          "DATABASES = {'default': environ.Env().db_url('DATABASE_URL', 'postgres://db/x')}"),
     POSTGRES, True),
    (code("import environ",
          "DATABASES = {'default': environ.Env.db_url_config('sqlite:///x.db')}"), SQLITE, False),
    (code("from decouple import config", "from dj_database_url import parse as db_url",
          "DATABASES = {'default': config('DATABASE_URL', default='sqlite:///db', cast=db_url)}"),
     SQLITE, True),
    (code("import os",
          "ENGINE = os.environ.get('DB_ENGINE', 'django.db.backends.sqlite3')",
          "DATABASES = {'default': {'ENGINE': ENGINE}}"), SQLITE, True),
    (code("import os", "DATABASES = {'default': {'ENGINE': os.environ['DB_ENGINE']}}"), "", True),
    ("DATABASES = {'default': {'ENGINE': 'django.db.backends.' + 'sqlite3'}}", SQLITE, False),
    (code(DJ, "DATABASES = {'default': {**dj_database_url.config(default='postgres://db/x'), "
              "'CONN_MAX_AGE': 60}}"), POSTGRES, True),
    (code(f"DATABASES = {SQLITE_DICT}", DJ,
          "db_from_env = dj_database_url.config(conn_max_age=500)",
          "DATABASES['default'].update(db_from_env)"), SQLITE, True),
    (code(f"DATABASES = {SQLITE_DICT}",
          "DATABASES['default']['ENGINE'] = 'django.db.backends.postgresql'"), POSTGRES, False),
    (code("import os", "if os.environ.get('DATABASE_URL'):",
          "    DATABASES = {'default': dj_database_url.config()}",
          "else:", f"    DATABASES = {SQLITE_DICT}"), SQLITE, True),
    (code("import sys", "if 'test' in sys.argv:",
          "    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ''}}",
          "else:", f"    DATABASES = {SQLITE_DICT}"), SQLITE, False),
    (code(f"DATABASES = {SQLITE_DICT}", "try:", "    from .local_settings import *",
          "except ImportError:", "    pass"), SQLITE, False),
    ("DATABASES = {'default': {'NAME': 'x'}}", "", False),
]


@pytest.mark.parametrize(("source", "engine", "overridable"), FORMS)
def test_default_database_forms(source: str, engine: str, overridable: bool) -> None:
    db = database(source)
    assert db is not None
    assert (db.engine, db.overridable) == (engine, overridable)


@pytest.mark.parametrize(
    "source",
    ["", "DATABASES = build_databases()", "DATABASES = {'replica': {}}", "def broken(:\n",
     "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\nif 1 +:\n"],
)
def test_unknown_or_broken_settings_give_no_database(source: str) -> None:
    assert database(source) is None


def test_missing_module_gives_nothing() -> None:
    gone = DjangoSettings("x.settings", Path("gone.py"), "single")
    assert default_database(gone, in_memory({})) is None
    assert debug_literal(gone, in_memory({})) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}",
         "'django.db.backends.sqlite3'"),
        (("import dj_database_url\nDATABASES = {'default': dj_database_url.config(\n"
         "    conn_max_age=600, default='sqlite:///db.sqlite3')}"), "default='sqlite:///db.sqlite3'"),
        (("import os, dj_database_url\nDATABASES = {'default': dj_database_url.parse("
         "os.environ.get('DATABASE_URL', 'sqlite:///db'))}"), "'sqlite:///db'"),
        ("import environ\nenv = environ.Env()\nDATABASES = {'default': env.db()}", "env.db()"),
    ],
)
def test_locations_point_at_what_to_edit(source: str, expected: str) -> None:
    db = database(source)
    assert db is not None and span(source, db.location) == expected


def production_settings(base: str, production: str) -> tuple[DjangoSettings, Callable]:
    files = {"config/settings/base.py": base, "config/settings/production.py": production}
    settings_ = DjangoSettings("config.settings.production",
                               Path("config/settings/production.py"), "production")
    return settings_, in_memory(files)


@pytest.mark.parametrize("star", ["from .base import *", "from config.settings.base import *"])
def test_production_inherits_the_base_database(star: str) -> None:
    base = "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\nDEBUG = True\n"
    settings_, reader = production_settings(base, f"{star}\nALLOWED_HOSTS = ['x']\n")
    db = default_database(settings_, reader)
    assert db is not None and (db.engine, db.inherited) == (SQLITE, True)
    assert db.location.path == Path("config/settings/base.py")
    where = debug_literal(settings_, reader)
    assert where is not None and (where.path, where.line) == (Path("config/settings/base.py"), 2)


def test_production_that_reassigns_does_not_inherit() -> None:
    base = "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\nDEBUG = True\n"
    production = ("from .base import *\nimport dj_database_url\n"
                  "DATABASES['default'] = dj_database_url.config()\nDEBUG = False\n")
    settings_, reader = production_settings(base, production)
    db = default_database(settings_, reader)
    assert db is not None and (db.engine, db.overridable, db.inherited) == ("", True, False)
    assert debug_literal(settings_, reader) is None


def test_star_import_cycles_end() -> None:
    base = "from .production import *\nDATABASES = {'default': {'ENGINE': 'x.sqlite3'}}\n"
    settings_, reader = production_settings(base, "from .base import *\n")
    db = default_database(settings_, reader)
    assert db is not None and db.engine == "x.sqlite3"


# -- DEBUG ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("DEBUG = True", "DEBUG = True"),
        ("DEBUG: bool = True", "DEBUG: bool = True"),
        ("DEBUG = TEMPLATE_DEBUG = True", "DEBUG = TEMPLATE_DEBUG = True"),
        ("DEBUG = 1", "DEBUG = 1"),
        ("DEBUG = False\nDEBUG = True", "DEBUG = True"),
        ("import sys\nDEBUG = True\nif 'test' in sys.argv:\n    DEBUG = False", "DEBUG = True"),
    ],
)
def test_literal_debug_true(source: str, expected: str) -> None:
    where = debug(source)
    assert where is not None and span(source, where) == expected


@pytest.mark.parametrize(
    "source",
    [
        "DEBUG = False",
        "DEBUG = True\nDEBUG = False",
        "import environ\nenv = environ.Env()\nDEBUG = env.bool('DEBUG', default=False)",
        "import os\nDEBUG = os.environ.get('DEBUG', 'False') == 'True'",
        "import os\nDEBUG = bool(int(os.getenv('DEBUG', '1')))",
        "import os\nDEBUG = False\nif os.environ.get('DEV'):\n    DEBUG = True",
        "import os\nDEBUG = True\nif os.environ.get('PROD'):\n    DEBUG = False",
        "def configure():\n    DEBUG = True",
        "DEBUG = True\nif x:\n  y(",
    ],
)
def test_debug_that_is_not_a_literal_true(source: str) -> None:
    assert debug(source) is None


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("DEBUG=Tru ABSe{}[]()'\":.\n*#fimportx_,")),
               max_size=120))
def test_no_input_raises(source: str) -> None:
    database(source)
    debug(source)
    database("DATABASES = {'default': " + source)
