"""Companies: found again by their normalised name, so "ACME  sas" and "Acme SAS" are one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts.models import Company, company_key
from propulse.contacts.schemas import CompanyIn, CompanyPatch
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, paginate
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

COMPANY_ATTRIBUTES = ("domain", "sector", "size", "country")


def get_company(session: Session, *, company_id: int) -> Company:
    found = session.get(Company, company_id)
    if found is None:
        raise NotFound(_("This company does not exist."))
    return found


def find_company(session: Session, *, name: str) -> Company | None:
    return session.scalar(select(Company).where(Company.name_key == company_key(name)))


def find_or_create_company(session: Session, *, name: str, **attributes: Any) -> Company:
    """Return the company of this name, creating it with ``attributes`` when it is new."""
    key = company_key(name)
    if not key:
        raise InvalidInput.on_field("company", _("This field is required."))
    found = session.scalar(select(Company).where(Company.name_key == key))
    if found is not None:
        return found
    created = Company(
        name=" ".join(name.split())[:200],
        name_key=key[:200],
        **{k: v for k, v in attributes.items() if k in COMPANY_ATTRIBUTES and v is not None},
    )
    # A savepoint: an import running at the same time may create the same company first.
    try:
        with session.begin_nested():
            session.add(created)
    except IntegrityError:
        again = session.scalar(select(Company).where(Company.name_key == key))
        if again is None:
            raise
        return again
    return created


def list_companies(
    session: Session,
    *,
    search: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[Company], str | None]:
    """Return companies by name, those whose name contains ``search``, one page at a time."""
    statement: Select[Any] = select(Company)
    if search and company_key(search):
        pattern = company_key(search).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Company.name_key.like(f"%{pattern}%", escape="\\"))
    keys = [SortKey(Company.name_key), SortKey(Company.id)]
    return paginate(session, statement, keys=keys, cursor=cursor, limit=limit)


def _check_name_free(session: Session, *, key: str, company_id: int | None = None) -> None:
    statement = select(Company.id).where(Company.name_key == key)
    if company_id is not None:
        statement = statement.where(Company.id != company_id)
    if session.scalar(statement) is not None:
        raise Conflict(_("A company with this name already exists."))


def create_company(session: Session, *, actor: User, data: CompanyIn) -> Company:
    """Create a company; its name must be new once normalised."""
    ensure_role(actor, Role.member, action=_("edit companies"))
    key = company_key(data.name)
    _check_name_free(session, key=key)
    created = Company(
        name=" ".join(data.name.split()),
        name_key=key,
        **data.model_dump(include=set(COMPANY_ATTRIBUTES)),
    )
    session.add(created)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="company",
        object_id=created.id,
        summary=f"company {created.name!r}",
    )
    return created


def update_company(
    session: Session, *, actor: User, company_id: int, data: CompanyIn | CompanyPatch
) -> Company:
    """Change a company; with a CompanyPatch only the fields sent change."""
    ensure_role(actor, Role.member, action=_("edit companies"))
    company = get_company(session, company_id=company_id)
    if isinstance(data, CompanyPatch):
        workspace.check_version(company, data.version)
        sent = data.model_fields_set - {"version"}
    else:
        sent = set(COMPANY_ATTRIBUTES) | {"name"}
    changed: list[str] = []
    if "name" in sent and data.name:
        key = company_key(data.name)
        _check_name_free(session, key=key, company_id=company.id)
        if data.name != company.name:
            company.name, company.name_key = " ".join(data.name.split()), key
            changed.append("name")
    for name in COMPANY_ATTRIBUTES:
        if name in sent and getattr(data, name) != getattr(company, name):
            setattr(company, name, getattr(data, name))
            changed.append(name)
    if changed:
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="updated",
            object_type="company",
            object_id=company.id,
            summary=f"company {company.name!r}",
            details={"changed": changed},
        )
    return company
