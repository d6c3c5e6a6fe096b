"""Templates for the tests, made through the service."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.email_templates import service
from propulse.email_templates.models import EmailTemplate
from propulse.email_templates.schemas import TemplateIn
from propulse.workspace.models import User

EN_BODY = 'Hello {{ contact.first_name | default("there") }},\n\nSee **our guide**.\n'
FR_BODY = 'Bonjour {{ contact.first_name | default("") }},\n\nVoici **notre guide**.\n'


def template_data(name: str = "Guide follow-up", **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "description": "After the guide",
        "default_language": "en",
        "variants": [
            {"language": "en", "subject": "Your guide, {{ contact.first_name }}", "body": EN_BODY},
            {
                "language": "fr",
                "subject": "Votre guide",
                "preheader": "Bonne lecture",
                "body": FR_BODY,
            },
        ],
    }
    data.update(values)
    return data


def make_template(
    session: Session, actor: User, name: str = "Guide follow-up", **values: Any
) -> EmailTemplate:
    return service.create_template(
        session, actor=actor, data=TemplateIn.model_validate(template_data(name, **values))
    )
