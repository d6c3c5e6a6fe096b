"""API of nurturing sequences: define, switch, enrol, list who is where, read the figures."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from propulse.kit.pagination import Page
from propulse.nurture import figures, service
from propulse.nurture.models import EnrolmentSource, Sequence
from propulse.nurture.schemas import (
    EnrolIn,
    EnrolmentRow,
    EnrolSummary,
    SequenceFigures,
    SequenceIn,
    SequenceOut,
    SequenceSummary,
)
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["sequences"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


def _out(session: Session, sequence: Sequence) -> SequenceOut:
    out = SequenceOut.model_validate(sequence)
    out.status, out.paused_reason = service.sequence_state(session, sequence_id=sequence.id)
    return out


@router.get("/sequences", response_model=Page[SequenceSummary])
def list_sequences(session: Session = Depends(get_db)) -> Page[SequenceSummary]:
    """List the sequences by name, with where their contacts are (one page: they are few)."""
    return Page(items=service.list_sequences(session), next_cursor=None)


@router.post("/sequences", response_model=SequenceOut, status_code=201)
def create_sequence(
    request: Request, data: SequenceIn, session: Session = Depends(get_db)
) -> SequenceOut:
    """Create a sequence (a draft: activate it to let its triggers enrol contacts)."""
    created = service.create_sequence(session, actor=_user(request), data=data)
    session.commit()
    return _out(session, created)


@router.get("/sequences/{sequence_id}", response_model=SequenceOut)
def read_sequence(sequence_id: int, session: Session = Depends(get_db)) -> SequenceOut:
    return _out(session, service.get_sequence(session, sequence_id=sequence_id))


@router.put("/sequences/{sequence_id}", response_model=SequenceOut)
def replace_sequence(
    request: Request, sequence_id: int, data: SequenceIn, session: Session = Depends(get_db)
) -> SequenceOut:
    """Replace a sequence's settings and steps; steps are matched by ``key``."""
    updated = service.update_sequence(
        session, actor=_user(request), sequence_id=sequence_id, data=data
    )
    session.commit()
    return _out(session, updated)


@router.post("/sequences/{sequence_id}/activate", response_model=SequenceOut)
def activate(request: Request, sequence_id: int, session: Session = Depends(get_db)) -> SequenceOut:
    done = service.activate_sequence(session, actor=_user(request), sequence_id=sequence_id)
    session.commit()
    return _out(session, done)


@router.post("/sequences/{sequence_id}/pause", response_model=SequenceOut)
def pause(request: Request, sequence_id: int, session: Session = Depends(get_db)) -> SequenceOut:
    done = service.pause_sequence(session, actor=_user(request), sequence_id=sequence_id)
    session.commit()
    return _out(session, done)


@router.post("/sequences/{sequence_id}/resume", response_model=SequenceOut)
def resume(request: Request, sequence_id: int, session: Session = Depends(get_db)) -> SequenceOut:
    done = service.resume_sequence(session, actor=_user(request), sequence_id=sequence_id)
    session.commit()
    return _out(session, done)


@router.get("/sequences/{sequence_id}/stats", response_model=SequenceFigures)
def stats(sequence_id: int, session: Session = Depends(get_db)) -> SequenceFigures:
    """Per-step figures (sent, delivered, opened, clicked...), the funnel and the totals."""
    service.get_sequence(session, sequence_id=sequence_id)
    return figures.sequence_figures(session, sequence_id=sequence_id)


@router.get("/sequences/{sequence_id}/enrolments", response_model=Page[EnrolmentRow])
def list_enrolments(
    sequence_id: int,
    step_id: int | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    session: Session = Depends(get_db),
) -> Page[EnrolmentRow]:
    """Who is in the sequence, newest first; filter by ``step_id`` and ``status``."""
    rows, next_cursor = service.list_enrolments(
        session,
        sequence_id=sequence_id,
        step_id=step_id,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=rows, next_cursor=next_cursor)


@router.post("/sequences/{sequence_id}/enrolments", response_model=EnrolSummary)
def enrol(
    request: Request, sequence_id: int, data: EnrolIn, session: Session = Depends(get_db)
) -> EnrolSummary:
    """Enrol contacts by e-mail (``emails``) or a segment's members (``segment_id``)."""
    actor = _user(request)
    if data.segment_id is not None:
        summary = service.enrol_segment(
            session,
            actor=actor,
            sequence_id=sequence_id,
            segment_id=data.segment_id,
            source=EnrolmentSource.api,
        )
    else:
        summary = service.enrol_emails(
            session,
            actor=actor,
            sequence_id=sequence_id,
            emails=data.emails,
            source=EnrolmentSource.api,
        )
    session.commit()
    return summary
