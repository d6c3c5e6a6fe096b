"""delivery message bodies apart

The preheader, HTML and text parts and extra headers of each outbox message move to
``delivery_message_bodies`` (one row per message, written once at enqueue): the claim and
the record of each answer then rewrite a small row instead of ~5 KB.

SQLite: the columns are dropped in place (``ALTER TABLE ... DROP COLUMN``, SQLite 3.35+),
never by copying ``delivery_messages``: with foreign keys on, dropping the old copy would
cascade to the new bodies and set ``step_runs.message_id`` to NULL.

Revision ID: 2d1c59d0af8f
Revises: d809ba807ef6
Create Date: 2026-11-27 19:58:10.043469
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2d1c59d0af8f"
down_revision = "d809ba807ef6"
branch_labels = None
depends_on = None

BODY_COLUMNS = ("preheader", "html_body", "text_body", "headers")


def upgrade() -> None:
    op.create_table(
        "delivery_message_bodies",
        sa.Column(
            "message_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("preheader", sa.String(length=300), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_pk"],
            ["delivery_messages.id"],
            name=op.f("fk_delivery_message_bodies_message_pk_delivery_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_pk", name=op.f("pk_delivery_message_bodies")),
    )
    op.execute(
        "INSERT INTO delivery_message_bodies (message_pk, preheader, html_body, text_body, headers)"
        " SELECT id, preheader, html_body, text_body, headers FROM delivery_messages"
    )
    # recreate="never": plain ALTER TABLE ... DROP COLUMN on SQLite too (see the docstring).
    with op.batch_alter_table("delivery_messages", recreate="never") as batch_op:
        for column in BODY_COLUMNS:
            batch_op.drop_column(column)


def downgrade() -> None:
    # Added in place (no copy of the table, see the docstring): the NOT NULL columns need a
    # server default for the rows already there.
    with op.batch_alter_table("delivery_messages", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("preheader", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("html_body", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("text_body", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=True))
    for column in BODY_COLUMNS:
        op.execute(
            f"UPDATE delivery_messages SET {column} = (SELECT b.{column}"  # noqa: S608 - constants
            " FROM delivery_message_bodies b WHERE b.message_pk = delivery_messages.id)"
            " WHERE EXISTS (SELECT 1 FROM delivery_message_bodies b"
            " WHERE b.message_pk = delivery_messages.id)"
        )
    op.drop_table("delivery_message_bodies")
