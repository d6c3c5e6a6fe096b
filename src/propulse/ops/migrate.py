"""Alembic, driven from code so that ``propulse init`` works from an installed package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from propulse.config import get_settings
from propulse.db import get_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    url = database_url or get_settings().effective_database_url
    config.attributes["database_url"] = url
    return config


def upgrade(database_url: str | None = None) -> None:
    """Create or migrate the database to the newest revision (idempotent)."""
    command.upgrade(alembic_config(database_url), "head")


def downgrade_to_empty(database_url: str | None = None) -> None:
    command.downgrade(alembic_config(database_url), "base")


def is_initialised() -> bool:
    return inspect(get_engine()).has_table("alembic_version")
