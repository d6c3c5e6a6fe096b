"""API of companies (included by the contacts API)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from propulse.contacts import service
from propulse.contacts.schemas import CompanyIn, CompanyOut, CompanyPatch
from propulse.kit.pagination import Page, check_limit
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["companies"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


@router.get("/companies", response_model=Page[CompanyOut])
def list_companies(
    search: str | None = Query(None, description="A part of the name, any case."),
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[CompanyOut]:
    """List companies by name, one page at a time."""
    found, next_cursor = service.list_companies(
        session, search=search, cursor=cursor, limit=check_limit(limit)
    )
    return Page(items=[CompanyOut.model_validate(c) for c in found], next_cursor=next_cursor)


@router.post("/companies", response_model=CompanyOut, status_code=201)
def create_company(
    request: Request, data: CompanyIn, session: Session = Depends(get_db)
) -> CompanyOut:
    """Create a company; 409 when one has the same name (case and spaces aside)."""
    created = service.create_company(session, actor=_user(request), data=data)
    session.commit()
    return CompanyOut.model_validate(created)


@router.get("/companies/{company_id}", response_model=CompanyOut)
def read_company(company_id: int, session: Session = Depends(get_db)) -> CompanyOut:
    return CompanyOut.model_validate(service.get_company(session, company_id=company_id))


@router.patch("/companies/{company_id}", response_model=CompanyOut)
def update_company(
    request: Request, company_id: int, data: CompanyPatch, session: Session = Depends(get_db)
) -> CompanyOut:
    """Change the fields sent; send the ``version`` you read to refuse a stale edit (409)."""
    updated = service.update_company(
        session, actor=_user(request), company_id=company_id, data=data
    )
    session.commit()
    return CompanyOut.model_validate(updated)
