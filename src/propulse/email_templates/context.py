"""What a template may print: the contact, the workspace, the sender and the link markers.

Empty values are left out, so ``{{ contact.first_name | default("there") }}`` falls back on
an empty first name as well as on a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from propulse.contacts.models import Contact
from propulse.delivery.placeholders import PREFERENCES_URL, UNSUBSCRIBE_URL


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None and value != ""}


def contact_values(contact: Contact) -> dict[str, Any]:
    """Return the contact as templates see it (``company`` is the company's name)."""
    return _present(
        {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "name": f"{contact.first_name} {contact.last_name}".strip(),
            "email": contact.email,
            "title": contact.job_title,
            "company": contact.company.name if contact.company is not None else None,
            "country": contact.country,
            "language": contact.language,
            "lifecycle_stage": contact.lifecycle_stage,
            "score": contact.score,
            "fields": _present(contact.custom or {}),
        }
    )


def sample_contact_values(language: str) -> dict[str, Any]:
    """Return a made-up contact to check and preview a template without a real one."""
    french = language == "fr"
    return {
        "first_name": "Camille",
        "last_name": "Martin",
        "name": "Camille Martin",
        "email": "camille.martin@example.com",
        "title": "Directrice des opérations" if french else "Head of Operations",
        "company": "Exemple Industrie" if french else "Example Industries",
        "country": "FR" if french else "GB",
        "language": language,
        "lifecycle_stage": "lead",
        "score": 42,
        "fields": {},
    }


def sender_values(mail_from: str, workspace_name: str) -> dict[str, Any]:
    name, address = parseaddr(mail_from)
    return _present({"name": name or workspace_name, "email": address})


def template_context(
    *, contact: Mapping[str, Any], workspace_name: str, mail_from: str
) -> dict[str, Any]:
    """Return the whole context of one message."""
    return {
        "contact": contact,
        "workspace": {"name": workspace_name},
        "sender": sender_values(mail_from, workspace_name),
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "preferences_url": PREFERENCES_URL,
    }
