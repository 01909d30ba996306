"""The schema the migrations build is the schema the models describe.

The suite's database is built by `flask db upgrade` (see conftest); here Alembic compares it
with the models. A model changed without a migration makes this fail.
"""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, Index, MetaData, String, create_engine, inspect, text

from app import create_app
from app.extensions import db


def differences(connection, metadata):
    """What Alembic's autogenerate would write for this database, with the app's own options."""
    opts = {"compare_type": True, "render_as_batch": True}
    return compare_metadata(MigrationContext.configure(connection, opts=opts), metadata)


def copy_of(metadata):
    copy = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(copy)
    return copy


def test_migrated_schema_matches_the_models():
    diff = differences(db.session.connection(), db.metadata)
    assert diff == [], "models and migrations disagree; write a migration (flask db migrate -m ...):\n" + \
        "\n".join(map(repr, diff))


def test_the_comparison_notices_a_model_change():
    """The check above is not blind: a column, an index or a type change is reported."""
    conn = db.session.connection()

    added = copy_of(db.metadata)
    added.tables["households"].append_column(Column("nickname", String(20)))
    assert any(d[0] == "add_column" and d[3].name == "nickname" for d in differences(conn, added))

    indexed = copy_of(db.metadata)
    Index("ix_households_phone", indexed.tables["households"].c.phone)
    assert any(d[0] == "add_index" for d in differences(conn, indexed))

    retyped = copy_of(db.metadata)
    retyped.tables["users"].c.name.type = String(99)
    assert any(isinstance(d, list) and d[0][0] == "modify_type" for d in differences(conn, retyped))


def test_one_head():
    directory = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


@pytest.fixture
def committing():
    """This test builds and drops its own database; it does not share the suite's connection."""


@pytest.fixture
def empty_database(tmp_path, database_url, committing):
    """A database of its own: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if not database_url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3"), {}
        return
    schema = f"m_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield database_url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_downgrade_upgrade(empty_database):
    url, options = empty_database
    fresh = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": url,
                        "SQLALCHEMY_ENGINE_OPTIONS": options, "RATELIMIT_STORAGE_URI": "memory://"})
    with fresh.app_context():
        try:
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables
            with db.engine.connect() as conn:
                assert differences(conn, db.metadata) == []
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            with db.engine.connect() as conn:
                assert differences(conn, db.metadata) == []
        finally:
            db.session.remove()
            db.engine.dispose()
