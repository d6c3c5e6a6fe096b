"""Fixtures of the forms tests: a form factory and the delivery worker run inline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from propulse.forms import service
from propulse.forms.models import SignupForm
from propulse.forms.schemas import FieldSpec, FormIn


def make_form(session: Session, actor: Any, **overrides: Any) -> SignupForm:
    """Create an English e-book form asking the first name (required) and the company."""
    values: dict[str, Any] = {
        "name": "Cold chain e-book",
        "slug": "cold-chain-ebook",
        "language": "en",
        "title": "Download the cold chain e-book",
        "introduction": "Seven levers, from **40 sites**.",
        "fields": [
            FieldSpec(key="first_name", label="First name", required=True),
            FieldSpec(key="company", label="Company"),
        ],
        "consent_wording": "I agree to receive marketing e-mails from Alpinea.",
        "wording_version": "2026-11",
        "double_opt_in": True,
        "thank_you_message": "Thank you, here is your e-book.",
        "download_url": "https://alpinea.example/ebook.pdf",
    }
    values.update(overrides)
    form = service.create_form(session, actor=actor, data=FormIn(**values))
    session.commit()
    return form


@pytest.fixture
def deliver(session: Session) -> Callable[[], dict[str, int]]:
    """Send what is due on one connection, in this thread, as `propulse delivery run` does."""
    from propulse.config import get_settings
    from propulse.delivery.worker import DeliveryWorker

    def run() -> dict[str, int]:
        session.commit()
        worker = DeliveryWorker.from_settings(get_settings(), connections=1, until_idle=True)
        tally: dict[str, int] = worker.run().as_dict()
        session.expire_all()
        return tally

    return run
