"""Rails facts for CG301/CG501: is it Rails, what production's database.yml connects to, and
whether production turns the database environment check off."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composeguard.lint.facts.rails import (
    RailsDatabase,
    database_config,
    disables_environment_check,
    is_rails_app,
    neutralise_erb,
)

from ..conftest import FIXTURES, read, span

MakeProject = Callable[..., Path]
DB_YML = Path("config/database.yml")
APPLICATION = "module Shop\n  class Application < Rails::Application\n  end\nend\n"




def config(text: str, environment: str = "production") -> RailsDatabase | None:
    return database_config(DB_YML, text, environment)


# -- fixtures -----------------------------------------------------------------------------------


def test_rails_new_defaults_to_sqlite_through_the_default_anchor() -> None:
    root = FIXTURES / "rails7_default"
    assert is_rails_app(root, read)
    text = (root / DB_YML).read_text()
    db = database_config(root / DB_YML, text)
    assert db is not None
    assert (db.environment, db.adapter, db.from_url_env, db.via_merge, db.is_sqlite) == (
        "production", "sqlite3", False, True, True)
    assert (db.location.line, span(text, db.location)) == (8, "sqlite3")
    assert disables_environment_check(root, read) is None


def test_rails_on_postgres_takes_its_url_from_the_environment() -> None:
    root = FIXTURES / "rails_postgres"
    assert is_rails_app(root, read)
    text = (root / DB_YML).read_text()
    db = database_config(root / DB_YML, text)
    assert db is not None
    assert (db.adapter, db.from_url_env, db.via_merge, db.is_sqlite) == (
        "postgresql", True, True, False)
    assert span(text, db.location) == "postgresql"
    development = database_config(root / DB_YML, text, "development")
    assert development is not None and not development.from_url_env


# -- is it Rails ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"config/application.rb": APPLICATION, "Gemfile": 'gem "rails", "~> 7.1"\n'}, True),
        ({"config/application.rb": APPLICATION, "Gemfile": "gem('railties')\n"}, True),
        ({"config/application.rb": APPLICATION,
          "Gemfile": '# gem "rails", github: "rails/rails"\ngem "sinatra"\n'}, False),
        ({"config/application.rb": APPLICATION, "Gemfile": 'gem "rails-html-sanitizer"\n'}, False),
        ({"config/application.rb": "# class Application < Rails::Application\n",
          "Gemfile": 'gem "rails"\n'}, False),
        ({"Gemfile": 'gem "rails"\n'}, False),
        ({"config/application.rb": APPLICATION}, False),
    ],
)
def test_is_rails_app_reads_both_files(project_dir: MakeProject, files: dict[str, str],
                                       expected: bool) -> None:
    assert is_rails_app(project_dir(files), read) is expected


def test_a_django_project_is_not_rails() -> None:
    assert not is_rails_app(FIXTURES / "django_single_settings", read)


# -- ERB -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n',
        "a: 1\n<% if ENV['X'] %>\nb: 2\n<% end %>\n",
        "a: <%= [1,\n 2].sum %>\nb: <%# a comment %>\n",
        "a: '<%% literal %>'\n",
        "a: <%= unterminated\n",
        "  <%- if x -%>\n",
    ],
)
def test_neutralised_text_keeps_every_position(text: str) -> None:
    neutral, tags = neutralise_erb(text)
    assert len(neutral) == len(text)
    assert [i for i, c in enumerate(neutral) if c == "\n"] == [
        i for i, c in enumerate(text) if c == "\n"]
    assert "<%=" not in neutral and "<% " not in neutral
    for tag in tags:
        assert text[tag.start : tag.end] == tag.text


def test_output_tags_become_scalars_and_control_lines_blank() -> None:
    neutral, tags = neutralise_erb("pool: <%= 5 %>\n<% if x %>\n  <%= extra_yaml %>\n")
    blank = " " * len("<% if x %>")
    assert neutral.splitlines() == [
        "pool: " + "x" * len("<%= 5 %>"), blank, " " * len("  <%= extra_yaml %>")]
    assert [(t.text, t.output) for t in tags] == [
        ("<%= 5 %>", True), ("<% if x %>", False), ("<%= extra_yaml %>", True)]
    assert neutralise_erb("a: '<%% x %>'")[1] == []


# -- database.yml forms --------------------------------------------------------------------------

RAILS8_SQLITE = """\
default: &default
  adapter: sqlite3
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
  timeout: 5000

production:
  primary:
    <<: *default
    database: storage/production.sqlite3
  cache:
    <<: *default
    database: storage/production_cache.sqlite3
    migrations_paths: db/cache_migrate
"""

RAILS8_POSTGRES = """\
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
  <% if ENV["DB_HOST"] %>
  host: <%= ENV["DB_HOST"] %>
  username: postgres
  <% end %>

production:
  primary: &primary_production
    <<: *default
    database: shop_production
    password: "<%= ENV['SHOP_DATABASE_PASSWORD'] %>"
  cache:
    <<: *primary_production
    database: shop_production_cache
"""


def test_multi_database_production_is_judged_on_primary() -> None:
    db = config(RAILS8_SQLITE)
    assert db is not None and (db.adapter, db.via_merge, db.location.line) == ("sqlite3", True, 2)
    db = config(RAILS8_POSTGRES)
    assert db is not None and (db.adapter, db.from_url_env) == ("postgresql", False)


def test_multi_database_without_primary_uses_the_first() -> None:
    text = "production:\n  main:\n    adapter: mysql2\n  cache:\n    adapter: sqlite3\n"
    db = config(text)
    assert db is not None and (db.adapter, db.via_merge, db.location.line) == ("mysql2", False, 3)


@pytest.mark.parametrize(
    ("text", "adapter", "from_env", "where"),
    [
        ("production:\n  adapter: trilogy\n  url: <%= ENV['DATABASE_URL'] %>\n", "trilogy", True,
         "trilogy"),
        ('production:\n  adapter: postgresql\n  url: "<%= ENV.fetch("DATABASE_URL") { nil } %>"\n',
         "postgresql", True, "postgresql"),
        ("production:\n  url: <%= ENV['DATABASE_URL'] %>\n", None, True,
         "x" * len("<%= ENV['DATABASE_URL'] %>")),
        ("production:\n  url: postgres://u@db/app\n", "postgresql", False,
         "postgres://u@db/app"),
        ("production:\n  adapter: mysql2\n  url: sqlite3:storage/production.sqlite3\n", "sqlite3",
         False, "sqlite3:storage/production.sqlite3"),
        ("production:\n  adapter: <%= ENV.fetch('DB_ADAPTER', 'sqlite3') %>\n", None, False, None),
        ("production:\n  adapter:\n  database: x\n", None, False, None),
        ("production:\n  adapter: sqlite3 # <%= comment %>\n", "sqlite3", False, "sqlite3"),
        ("production:\n  adapter: postgresql\n  url: <%= Rails.application.credentials.db %>\n",
         "postgresql", False, "postgresql"),
        ("production:\n  database: shop\n", None, False, None),
    ],
)
def test_database_yml_forms(text: str, adapter: str | None, from_env: bool,
                            where: str | None) -> None:
    db = config(text)
    assert db is not None and (db.adapter, db.from_url_env) == (adapter, from_env)
    assert db.location.line >= 1
    if where is not None:
        assert span(neutralise_erb(text)[0], db.location) == where


def test_other_environments_are_read_on_request() -> None:
    text = "staging:\n  adapter: sqlite3\nproduction:\n  adapter: postgresql\n"
    staging = config(text, "staging")
    assert staging is not None and (staging.environment, staging.adapter) == ("staging", "sqlite3")


@pytest.mark.parametrize(
    "text",
    [
        "production: [\n",
        "production:\n  adapter: sqlite3\n  adapter: postgresql\n",
        "<% if x %>\nproduction:\n  adapter: a\n<% else %>\nproduction:\n  adapter: b\n<% end %>\n",
        "development:\n  adapter: sqlite3\n",
        "production: sqlite3\n",
        "- just\n- a list\n",
        "",
        "\t\x00",
        "production: !!timestamp 2020-13-45\n",
        "production:\n  adapter: !!float abc\n",
        "production: &a\n  <<: *a\n",
    ],
)
def test_unusable_database_yml_is_none(text: str) -> None:
    assert config(text) is None


# -- DISABLE_DATABASE_ENVIRONMENT_CHECK ---------------------------------------------------------


@pytest.mark.parametrize(
    ("production_rb", "line"),
    [
        ('Rails.application.configure do\n  ENV["DISABLE_DATABASE_ENVIRONMENT_CHECK"] = "1"\nend\n',
         2),
        ("ENV['DISABLE_DATABASE_ENVIRONMENT_CHECK'] ||= '1'\n", 1),
        ('ENV.store("DISABLE_DATABASE_ENVIRONMENT_CHECK", "true")\n', 1),
        ('# ENV["DISABLE_DATABASE_ENVIRONMENT_CHECK"] = "1"\n', None),
        ('x = "#" ; ENV["DISABLE_DATABASE_ENVIRONMENT_CHECK"] = "1"\n', 1),
        ('puts "# ENV[\\"x\\"]" # ENV["DISABLE_DATABASE_ENVIRONMENT_CHECK"] = "1"\n', None),
        ('if ENV["DISABLE_DATABASE_ENVIRONMENT_CHECK"] == "1"\n  warn "x"\nend\n', None),
        ('=begin\nENV["DISABLE_DATABASE_ENVIRONMENT_CHECK"] = "1"\n=end\n', None),
        ('ENV.fetch("DISABLE_DATABASE_ENVIRONMENT_CHECK", nil)\n', None),
    ],
)
def test_production_disabling_the_environment_check(project_dir: MakeProject, production_rb: str,
                                                    line: int | None) -> None:
    root = project_dir({"config/environments/production.rb": production_rb})
    where = disables_environment_check(root, read)
    if line is None:
        assert where is None
    else:
        assert where is not None and where.line == line
        assert where.path == root / "config/environments/production.rb"
        assert span(production_rb, where).startswith("ENV")


def test_no_production_rb_is_no_finding(tmp_path: Path) -> None:
    assert disables_environment_check(tmp_path, read) is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<%=-#>: \n\tproduction&*adapter'\"[]{}|ENV")),
               max_size=150))
def test_no_input_raises(text: str) -> None:
    neutral, _ = neutralise_erb(text)
    assert len(neutral) == len(text)
    config(text)
    config("production:\n  " + text)
