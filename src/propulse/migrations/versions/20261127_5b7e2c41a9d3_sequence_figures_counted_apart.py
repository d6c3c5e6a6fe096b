"""sequence figures counted apart

``sequence_figures`` keeps the last count of a big sequence's figures (the figures job writes
it, the pages read it), and three indexes answer "who is in this sequence (at this step, in
this state), newest first" with one range of an index however big the sequence.

Revision ID: 5b7e2c41a9d3
Revises: 2d1c59d0af8f
Create Date: 2026-11-27 21:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import propulse.db

revision = "5b7e2c41a9d3"
down_revision = "2d1c59d0af8f"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_sequence_enrolments_newest": ["sequence_id", "id"],
    "ix_sequence_enrolments_at_step": ["sequence_id", "current_step_id", "id"],
    "ix_sequence_enrolments_by_status": ["sequence_id", "status", "id"],
}


def upgrade() -> None:
    op.create_table(
        "sequence_figures",
        sa.Column("sequence_id", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("rows_counted", sa.Integer(), nullable=False),
        sa.Column("counted_at", propulse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("counting_ms", sa.Integer(), nullable=False),
        sa.Column("due", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sequence_id"],
            ["sequences.id"],
            name=op.f("fk_sequence_figures_sequence_id_sequences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sequence_id", name=op.f("pk_sequence_figures")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "sequence_enrolments", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="sequence_enrolments")
    op.drop_table("sequence_figures")
