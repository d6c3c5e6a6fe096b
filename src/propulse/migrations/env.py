"""Alembic environment: the URL comes from the caller (``ops.migrate``) or the settings."""

from __future__ import annotations

from alembic import context

from propulse import models  # noqa: F401 - registers every table on the metadata
from propulse.config import get_settings
from propulse.db import Base, make_engine

config = context.config
url = config.attributes.get("database_url") or get_settings().effective_database_url
connection = config.attributes.get("connection")


def run(connection_to_use: object) -> None:
    context.configure(
        connection=connection_to_use,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    engine = make_engine(url)
    with engine.connect() as opened:
        run(opened)
    engine.dispose()
