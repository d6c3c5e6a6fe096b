"""Pages of companies: the list with a search, and a company with its contacts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.contacts import labels
from propulse.contacts import service as contacts
from propulse.contacts.contact_page import RowId
from propulse.contacts.listing import ContactFilters, contact_counts, list_contacts
from propulse.web import current_user, get_db, html_router, render
from propulse.workspace.models import User

router = html_router()
PAGE_SIZE = 50


@router.get("/companies")
def companies_page(
    request: Request,
    search: str = "",
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    search = search.strip()
    found, next_cursor = contacts.list_companies(
        session, search=search or None, cursor=cursor or None, limit=PAGE_SIZE
    )
    context: dict[str, Any] = {
        "companies": found,
        "counts": contact_counts(session, company_ids=[company.id for company in found]),
        "search": search,
        "next_cursor": next_cursor,
        "pager_base": "?" + (urlencode({"search": search}) + "&" if search else ""),
    }
    return render(request, "contacts/companies.html", context)


@router.get("/companies/{company_id:int}")
def company_page(
    request: Request,
    company_id: RowId,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    company = contacts.get_company(session, company_id=company_id)
    people, next_cursor = list_contacts(
        session,
        filters=ContactFilters(company_id=company.id),
        sort="score",
        cursor=cursor or None,
        limit=PAGE_SIZE,
    )
    context: dict[str, Any] = {
        "company": company,
        "contacts": people,
        "next_cursor": next_cursor,
        "pager_base": "?",
        "labels": labels,
    }
    return render(request, "contacts/company.html", context)
