"""API of lead scoring: rules, settings, and a full rescore on demand.

A contact's score and its reasons are at ``GET /contacts/{id}/score`` (the contacts API).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from propulse.kit.pagination import Page
from propulse.scoring import config, rules
from propulse.scoring.schemas import RescoreOut, RuleIn, RuleOut, RulePatch, SettingsIn, SettingsOut
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["scoring"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


@router.get("/scoring-rules", response_model=Page[RuleOut])
def list_rules(
    kind: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[RuleOut]:
    """List the scoring rules by id; ``kind`` is fit or engagement."""
    found, next_cursor = rules.list_rules_page(session, kind=kind, cursor=cursor, limit=limit)
    return Page(items=[RuleOut.model_validate(rule) for rule in found], next_cursor=next_cursor)


@router.post("/scoring-rules", response_model=RuleOut, status_code=201)
def create_rule(request: Request, data: RuleIn, session: Session = Depends(get_db)) -> RuleOut:
    """Add a rule (managers); every contact is rescored in the background."""
    created = rules.create_rule(session, actor=_user(request), data=data)
    session.commit()
    return RuleOut.model_validate(created)


@router.get("/scoring-rules/{rule_id}", response_model=RuleOut)
def read_rule(rule_id: int, session: Session = Depends(get_db)) -> RuleOut:
    return RuleOut.model_validate(rules.get_rule(session, rule_id=rule_id))


@router.patch("/scoring-rules/{rule_id}", response_model=RuleOut)
def update_rule(
    request: Request, rule_id: int, data: RulePatch, session: Session = Depends(get_db)
) -> RuleOut:
    """Change the fields sent (``null`` clears an optional one); send ``version`` to be safe."""
    changed = rules.update_rule(session, actor=_user(request), rule_id=rule_id, data=data)
    session.commit()
    return RuleOut.model_validate(changed)


@router.delete("/scoring-rules/{rule_id}", status_code=204, response_class=Response)
def delete_rule(request: Request, rule_id: int, session: Session = Depends(get_db)) -> Response:
    rules.delete_rule(session, actor=_user(request), rule_id=rule_id)
    session.commit()
    return Response(status_code=204)


@router.get("/scoring-settings", response_model=SettingsOut)
def read_settings(session: Session = Depends(get_db)) -> SettingsOut:
    return SettingsOut.model_validate(config.get_settings(session))  # defaults until saved


@router.put("/scoring-settings", response_model=SettingsOut)
def replace_settings(
    request: Request, data: SettingsIn, session: Session = Depends(get_db)
) -> SettingsOut:
    """Replace the settings (managers); omitted fields take their defaults."""
    settings = rules.update_settings(session, actor=_user(request), data=data)
    session.commit()
    return SettingsOut.model_validate(settings)


@router.post("/scoring/rescore", response_model=RescoreOut, status_code=202)
def rescore(request: Request, session: Session = Depends(get_db)) -> RescoreOut:
    """Queue a full rescore of every contact (managers); it runs in the background."""
    version = rules.request_rescore(session, actor=_user(request))
    session.commit()
    return RescoreOut(queued=True, rules_version=version)
