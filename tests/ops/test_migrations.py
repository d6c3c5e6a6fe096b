"""Migrations from empty, on the database of the run (SQLite or PostgreSQL), with `alembic check`."""

from __future__ import annotations

import os
import secrets

from alembic import command
from sqlalchemy import create_engine, inspect

from propulse import models
from propulse.db import Base
from propulse.ops import migrate
from tests.support.databases import create_database, drop_database


def test_migrations_build_every_table_from_empty_and_alembic_check_is_clean(tmp_path):
    server = os.environ.get("PROPULSE_TEST_DATABASE_URL")
    if server:
        url = create_database(server, "propulse_migrations_" + secrets.token_hex(4))
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    try:
        migrate.upgrade(url)
        config = migrate.alembic_config(url)
        command.check(config)  # raises when the models and the migrations disagree
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        engine.dispose()
        migrate.downgrade_to_empty(url)
        migrate.upgrade(url)  # and back: downgrades work too
    finally:
        if server:
            drop_database(url)
    assert models.__all__
