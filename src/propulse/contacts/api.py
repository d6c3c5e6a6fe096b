"""API of contacts and their events: list, create, edit, batches, consent, privacy, score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from propulse.contacts import listing, privacy, service
from propulse.contacts.company_api import router as companies_router
from propulse.contacts.field_api import router as fields_router
from propulse.contacts.merge import UpdateRule
from propulse.contacts.schemas import (
    CompanyOut,
    ConsentIn,
    ConsentOut,
    ContactBatchIn,
    ContactBatchOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    DoNotContactIn,
    EventBatchIn,
    EventBatchOut,
    EventIn,
    EventOut,
    ProblemOut,
    RejectedEventOut,
    RejectedItemOut,
)
from propulse.kit.errors import FieldProblem
from propulse.kit.forms import problems_from
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import Page, check_limit
from propulse.web import get_db, writes_on_get
from propulse.workspace.models import User

contacts_router = APIRouter(tags=["contacts"])
events_router = APIRouter(tags=["events"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


class ContactDetailOut(ContactOut):
    """A contact with its company."""

    company: CompanyOut | None


class ContributionOut(BaseModel):
    rule_id: int
    name: str
    kind: str
    group: str
    points: float
    raw_points: float
    capped: bool
    detail: str


class ScoreChangeOut(BaseModel):
    changed_at: datetime
    score: int
    fit_score: int
    engagement_score: int
    cause: str


class ScoreOut(BaseModel):
    """A contact's score, the rules it comes from ("why this score") and its history."""

    score: int
    fit_score: int
    engagement_score: int
    grade: str | None
    contributions: list[ContributionOut]
    capped_groups: list[str]
    total_limited: bool
    history: list[ScoreChangeOut]


@contacts_router.get("/contacts", response_model=Page[ContactOut])
def list_contacts(
    country: str | None = None,
    lifecycle_stage: str | None = None,
    grade: str | None = None,
    owner_id: int | None = None,
    segment_id: int | None = None,
    min_score: int | None = None,
    search: str | None = Query(None, description="A prefix of the e-mail or the name."),
    company_id: int | None = None,
    sort: str = Query("score", description="score (highest first), recent or created."),
    cursor: str | None = None,
    limit: int | None = Query(None, description="1 to 500, default 50."),
    session: Session = Depends(get_db),
) -> Page[ContactOut]:
    """List contacts, filtered and sorted, one page at a time."""
    filters = listing.ContactFilters(
        country=country,
        lifecycle_stage=lifecycle_stage,
        grade=grade,
        owner_id=owner_id,
        segment_id=segment_id,
        min_score=min_score,
        search=search,
        company_id=company_id,
    )
    found, next_cursor = listing.list_contacts(
        session, filters=filters, sort=sort, cursor=cursor, limit=check_limit(limit)
    )
    return Page(items=[ContactOut.model_validate(c) for c in found], next_cursor=next_cursor)


@contacts_router.post("/contacts", response_model=ContactOut, status_code=201)
def create_contact(
    request: Request, data: ContactIn, session: Session = Depends(get_db)
) -> ContactOut:
    """Create a contact (members and above); 409 when the address exists."""
    created = service.create_contact(session, actor=_user(request), data=data)
    session.commit()
    return ContactOut.model_validate(created)


def _validated(
    model: type[ContactIn] | type[EventIn], raw: Sequence[Any]
) -> tuple[list[tuple[int, Any]], list[tuple[int, list[FieldProblem]]]]:
    """Validate each item on its own: the valid ones with their index, and the problems."""
    valid: list[tuple[int, Any]] = []
    invalid: list[tuple[int, list[FieldProblem]]] = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            invalid.append((index, [FieldProblem("", _("Each item must be a JSON object."))]))
            continue
        try:
            valid.append((index, model.model_validate(item)))
        except ValidationError as error:
            invalid.append((index, problems_from(error)))
    return valid, invalid


@contacts_router.post("/contacts/batch", response_model=ContactBatchOut)
def upsert_contacts(
    request: Request,
    data: ContactBatchIn,
    update: UpdateRule = Query(
        UpdateRule.fill, description="fill: only set empty fields; overwrite: replace them."
    ),
    session: Session = Depends(get_db),
) -> ContactBatchOut:
    """Create or update up to 1,000 contacts by e-mail; a bad item never sinks the others."""
    valid, invalid = _validated(ContactIn, data.items)
    result = service.upsert_contacts(
        session, actor=_user(request), items=[item for _index, item in valid], rule=update
    )
    session.commit()
    ids: list[int | None] = [None] * len(data.items)
    rejected = dict(invalid)
    for position, (index, _item) in enumerate(valid):
        ids[index] = result.ids[position]
    for position, problems in result.rejected:
        rejected[valid[position][0]] = problems
    return ContactBatchOut(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=[
            RejectedItemOut(
                index=index,
                errors=[ProblemOut(field=p.field, message=p.message) for p in problems],
            )
            for index, problems in sorted(rejected.items())
        ],
        ids=ids,
    )


@contacts_router.get("/contacts/{contact_id}", response_model=ContactDetailOut)
def read_contact(contact_id: int, session: Session = Depends(get_db)) -> ContactDetailOut:
    return ContactDetailOut.model_validate(service.get_contact(session, contact_id=contact_id))


@contacts_router.patch("/contacts/{contact_id}", response_model=ContactOut)
def update_contact(
    request: Request, contact_id: int, data: ContactPatch, session: Session = Depends(get_db)
) -> ContactOut:
    """Change the fields sent; send the ``version`` you read to refuse a stale edit (409)."""
    updated = service.update_contact(
        session, actor=_user(request), contact_id=contact_id, data=data
    )
    session.commit()
    return ContactOut.model_validate(updated)


@contacts_router.delete("/contacts/{contact_id}", status_code=204, response_class=Response)
def erase_contact(request: Request, contact_id: int, session: Session = Depends(get_db)) -> None:
    """Erase a contact and all its activity (admins); its address stays suppressed."""
    privacy.erase_contact(session, actor=_user(request), contact_id=contact_id)
    session.commit()


@contacts_router.get("/contacts/{contact_id}/events", response_model=Page[EventOut])
def contact_events(
    contact_id: int,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[EventOut]:
    """List a contact's events, newest first."""
    service.get_contact(session, contact_id=contact_id)
    found, next_cursor = service.timeline(
        session, contact_id=contact_id, cursor=cursor, limit=check_limit(limit)
    )
    return Page(items=[EventOut.model_validate(e) for e in found], next_cursor=next_cursor)


@contacts_router.get("/contacts/{contact_id}/consents", response_model=Page[ConsentOut])
def contact_consents(contact_id: int, session: Session = Depends(get_db)) -> Page[ConsentOut]:
    """List a contact's consent records, newest first (the whole history, one page)."""
    service.get_contact(session, contact_id=contact_id)
    history = service.consent_history(session, contact_id=contact_id)
    return Page(items=[ConsentOut.model_validate(c) for c in history], next_cursor=None)


@contacts_router.post("/contacts/{contact_id}/consents", response_model=ConsentOut, status_code=201)
def record_consent(
    request: Request, contact_id: int, data: ConsentIn, session: Session = Depends(get_db)
) -> ConsentOut:
    """Record consent (or its withdrawal); the latest e-mail record sets ``email_consent``."""
    consent = service.record_consent(
        session, actor=_user(request), contact_id=contact_id, data=data
    )
    session.commit()
    return ConsentOut.model_validate(consent)


@contacts_router.put("/contacts/{contact_id}/do-not-contact", response_model=ContactOut)
def set_do_not_contact(
    request: Request, contact_id: int, data: DoNotContactIn, session: Session = Depends(get_db)
) -> ContactOut:
    """Mark a contact do-not-contact, with the reason."""
    contact = service.set_do_not_contact(
        session, actor=_user(request), contact_id=contact_id, reason=data.reason
    )
    session.commit()
    return ContactOut.model_validate(contact)


@contacts_router.delete("/contacts/{contact_id}/do-not-contact", response_model=ContactOut)
def lift_do_not_contact(
    request: Request, contact_id: int, session: Session = Depends(get_db)
) -> ContactOut:
    """Lift do-not-contact."""
    contact = service.set_do_not_contact(
        session, actor=_user(request), contact_id=contact_id, reason=None
    )
    session.commit()
    return ContactOut.model_validate(contact)


@contacts_router.get("/contacts/{contact_id}/export", response_model=dict[str, Any])
@writes_on_get
def export_contact(
    request: Request, contact_id: int, session: Session = Depends(get_db)
) -> dict[str, Any]:
    """Everything held about a contact, as JSON (managers): the right of access."""
    exported = privacy.export_contact(session, actor=_user(request), contact_id=contact_id)
    session.commit()  # the audit entry of the export
    return exported


@contacts_router.get("/contacts/{contact_id}/score", response_model=ScoreOut)
def contact_score(contact_id: int, session: Session = Depends(get_db)) -> ScoreOut:
    """Why this score: each contributing rule with its points, and the score's history."""
    from propulse.scoring import service as scoring

    service.get_contact(session, contact_id=contact_id)
    explanation = scoring.explain(session, contact_id=contact_id)
    history = scoring.score_history(session, contact_id=contact_id)
    return ScoreOut(
        score=explanation.score,
        fit_score=explanation.fit_score,
        engagement_score=explanation.engagement_score,
        grade=explanation.grade,
        contributions=[
            ContributionOut.model_validate(part, from_attributes=True)
            for part in explanation.contributions
        ],
        capped_groups=list(explanation.capped_groups),
        total_limited=explanation.total_limited,
        history=[ScoreChangeOut.model_validate(c, from_attributes=True) for c in history],
    )


@events_router.post("/events/batch", response_model=EventBatchOut)
def record_events(
    request: Request, data: EventBatchIn, session: Session = Depends(get_db)
) -> EventBatchOut:
    """Record up to 1,000 events; an ``id`` already recorded is counted as a duplicate."""
    valid, invalid = _validated(EventIn, data.items)
    result = service.record_events(
        session, actor=_user(request), events=[event for _index, event in valid]
    )
    session.commit()
    rejected = [
        (index, "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems))
        for index, problems in invalid
    ]
    rejected += [(valid[position][0], reason) for position, reason in result.rejected]
    return EventBatchOut(
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=[RejectedEventOut(index=i, reason=reason) for i, reason in sorted(rejected)],
    )


# The parts of the contacts API, each under its own OpenAPI tag.
router = APIRouter()
for part in (contacts_router, events_router, companies_router, fields_router):
    router.include_router(part)
