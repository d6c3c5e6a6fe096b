"""Pages of lead scoring: the rules, the settings, grades and scores at a glance, rescoring."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from propulse.contacts.labels import event_label
from propulse.contacts.models import EventType, FieldKind
from propulse.kit.charts import Bar, bar_chart
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import format_number, lazy_gettext
from propulse.kit.i18n import gettext as _
from propulse.scoring import config, figures, forms, rules
from propulse.scoring.models import Decay, RuleKind, ScoringRule
from propulse.scoring.schemas import RuleIn, RulePatch, SettingsIn
from propulse.web import current_user, flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import has_role

router = html_router()

DECAY_LABELS = {
    Decay.none: lazy_gettext("Never fades"),
    Decay.half_life: lazy_gettext("Halves every N days (half-life)"),
    Decay.expiry: lazy_gettext("Counts for N days, then expires"),
}
SETTINGS_FIELDS = (
    "total_limit",
    "fit_grade_a",
    "fit_grade_b",
    "engagement_grade_1",
    "engagement_grade_2",
    "mql_threshold",
    "mql_segment_id",
    "version",
)
SETTINGS_FLAGS = ("mql_notify_owner", "mql_set_stage")
THRESHOLDS = (
    "fit_grade_a",
    "fit_grade_b",
    "engagement_grade_1",
    "engagement_grade_2",
    "mql_threshold",
)


def _field_catalog(session: Session) -> list[dict[str, str]]:
    """Fields a fit rule may test, with their kinds (the score itself excluded)."""
    from propulse.contacts.fields import list_fields
    from propulse.segments.fields import BUILT_IN_FIELDS, CUSTOM_KINDS

    found = [
        {"name": name, "label": _(spec.label), "kind": spec.kind.value}
        for name, spec in BUILT_IN_FIELDS.items()
        if name not in rules.SCORE_FIELDS
    ]
    found += [
        {
            "name": f"custom.{field.key}",
            "label": field.label,
            "kind": CUSTOM_KINDS[FieldKind(field.kind)].value,
        }
        for field in list_fields(session)
    ]
    return found


def _operators() -> list[tuple[str, str]]:
    from propulse.segments.builder import OPERATOR_LABELS

    return [(op, _(label)) for op, label in OPERATOR_LABELS.items()]


def _describe_fit(rule: ScoringRule, labels: dict[str, str]) -> str:
    from propulse.segments.definition import parse_condition
    from propulse.segments.describe import Describer

    try:
        return Describer(custom_labels=labels)(parse_condition(rule.condition))
    except InvalidInput:
        return _("invalid condition")


def _describe_engagement(rule: ScoringRule) -> str:
    text = event_label(rule.event_type or "")
    where = (rule.condition or {}).get("where") or {}
    if where:
        pairs = ", ".join(f"{key} = {value}" for key, value in where.items())
        text = _("%(event)s where %(pairs)s", event=text, pairs=pairs)
    return text


def _decay_text(rule: ScoringRule) -> str:
    if rule.decay == Decay.half_life:
        return _("half-life %(n)s days", n=rule.decay_days)
    if rule.decay == Decay.expiry:
        return _("expires after %(n)s days", n=rule.decay_days)
    return ""


def _distribution_chart(found: figures.Overview) -> Markup:
    return bar_chart(
        title=_("Contacts by score"),
        description=_("How many contacts have a score in each band of 10 points."),
        bars=[Bar(label, float(count)) for label, count in found.bucket_rows()],
        value_format=lambda value: format_number(value),
        empty_text=_("No contacts yet"),
    )


def _static_lists(session: Session) -> list[tuple[int, str]]:
    from propulse.segments import service as segments
    from propulse.segments.models import SegmentKind

    return [(s.id, s.name) for s in segments.list_segments(session) if s.kind == SegmentKind.static]


def _settings_values(session: Session) -> dict[str, Any]:
    settings = config.get_settings(session)
    values = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    values.update({name: getattr(settings, name) for name in SETTINGS_FLAGS})
    values["group_caps"] = "\n".join(f"{k} = {v}" for k, v in settings.group_caps.items())
    return values


def _page_context(
    session: Session,
    user: User,
    *,
    form_kind: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    settings_values: dict[str, Any] | None = None,
    settings_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    from propulse.contacts.fields import list_fields

    labels = {field.key: field.label for field in list_fields(session)}
    all_rules = rules.list_rules(session)
    found = figures.overview(session)
    settings = config.get_settings(session)
    return {
        "fit_rules": [r for r in all_rules if r.kind == RuleKind.fit],
        "engagement_rules": [r for r in all_rules if r.kind == RuleKind.engagement],
        "describe_fit": lambda rule: _describe_fit(rule, labels),
        "describe_engagement": _describe_engagement,
        "decay_text": _decay_text,
        "may_edit": has_role(user, Role.manager),
        "settings": settings,
        "rescore_pending": settings.rescored_version != settings.rules_version,
        "overview": found,
        "matrix": figures.grade_matrix(found),
        "chart": _distribution_chart(found),
        "form_kind": form_kind,
        "values": values or {},
        "errors": errors or {},
        "settings_values": settings_values or _settings_values(session),
        "settings_errors": settings_errors or {},
        "options": _form_options(session),
        "static_lists_options": _static_lists(session),
    }


def _form_options(session: Session) -> dict[str, Any]:
    return {
        "fields": _field_catalog(session),
        "operators": _operators(),
        "event_types": [(kind.value, event_label(kind.value)) for kind in EventType],
        "custom_event": forms.CUSTOM_EVENT,
        "decays": [(decay.value, _(label)) for decay, label in DECAY_LABELS.items()],
        "fit_rows": forms.FIT_ROWS,
        "where_rows": forms.WHERE_ROWS,
    }


@router.get("/scoring")
def scoring_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    return render(request, "scoring/page.html", _page_context(session, user))


def _kinds(session: Session) -> dict[str, str]:
    return {field["name"]: field["kind"] for field in _field_catalog(session)}


def _form_dict(form: FormData) -> dict[str, Any]:
    return {key: form.get(key) for key in form}


@router.post("/scoring/rules")
async def create_rule(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    raw = _form_dict(await request.form())
    kind = RuleKind.fit if raw.get("kind") == "fit" else RuleKind.engagement
    try:
        data = validate(RuleIn, forms.rule_data(raw, kind=kind, kinds=_kinds(session)))
        created = rules.create_rule(session, actor=user, data=data)
    except InvalidInput as error:
        session.rollback()
        context = _page_context(
            session, user, form_kind=kind, values=raw, errors=errors_by_field(error.problems)
        )
        return render(request, "scoring/page.html", context, status_code=422)
    session.commit()
    flash(request, _("Rule %(name)s added: every contact is being rescored.", name=created.name))
    return redirect(f"/scoring#{kind.value}-rules")


def _edit_context(
    session: Session, rule: ScoringRule, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    return {"rule": rule, "values": values, "errors": errors, "options": _form_options(session)}


@router.get("/scoring/rules/{rule_id}")
def edit_rule_page(
    request: Request,
    rule_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(require_role(Role.manager, "manage lead scoring")),
) -> Response:
    rule = rules.get_rule(session, rule_id=rule_id)
    known = [kind.value for kind in EventType]
    context = _edit_context(session, rule, forms.rule_values(rule, known), {})
    return render(request, "scoring/rule.html", context)


@router.post("/scoring/rules/{rule_id}")
async def update_rule(
    request: Request,
    rule_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    raw = _form_dict(await request.form())
    rule = rules.get_rule(session, rule_id=rule_id)
    try:
        data = forms.rule_data(raw, kind=rule.kind, kinds=_kinds(session))
        data.pop("kind")
        patch = validate(RulePatch, data)
        rules.update_rule(session, actor=user, rule_id=rule_id, data=patch)
    except InvalidInput as error:
        session.rollback()
        rule = rules.get_rule(session, rule_id=rule_id)
        context = _edit_context(session, rule, raw, errors_by_field(error.problems))
        return render(request, "scoring/rule.html", context, status_code=422)
    session.commit()
    flash(request, _("Rule %(name)s saved: every contact is being rescored.", name=rule.name))
    return redirect(f"/scoring#{rule.kind}-rules")


@router.post("/scoring/rules/{rule_id}/delete")
def delete_rule(
    request: Request,
    rule_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    rule = rules.get_rule(session, rule_id=rule_id)
    name, kind = rule.name, rule.kind
    rules.delete_rule(session, actor=user, rule_id=rule_id)
    session.commit()
    flash(request, _("Rule %(name)s deleted: every contact is being rescored.", name=name))
    return redirect(f"/scoring#{kind}-rules")


def _group_caps(raw: str) -> dict[str, Any]:
    """Read "group = cap" lines; a malformed line is refused on the field."""
    caps: dict[str, Any] = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        name, sign, cap = line.partition("=")
        if not sign or not name.strip():
            raise InvalidInput.on_field(
                "group_caps", _('Write one group per line as "group = points".')
            )
        caps[name.strip()] = cap.strip()
    return caps


@router.post("/scoring/settings")
async def save_settings(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    form = await request.form()
    raw = {key: str(form.get(key, "")).strip() for key in SETTINGS_FIELDS}
    shown: dict[str, Any] = {**raw, "group_caps": str(form.get("group_caps", ""))}
    for flag in SETTINGS_FLAGS:
        shown[flag] = form.get(flag) == "on"
    try:
        # Blank thresholds are refused (not defaulted); a blank limit or list means none.
        data: dict[str, Any] = {key: raw[key] for key in THRESHOLDS}
        data["total_limit"] = raw["total_limit"] or None
        data["mql_segment_id"] = raw["mql_segment_id"] or None
        if raw["version"]:
            data["version"] = raw["version"]
        data.update({flag: shown[flag] for flag in SETTINGS_FLAGS})
        data["group_caps"] = _group_caps(shown["group_caps"])
        rules.update_settings(session, actor=user, data=validate(SettingsIn, data))
    except InvalidInput as error:
        session.rollback()
        problems = errors_by_field(error.problems)
        # A bad cap reads "group_caps.<name>": show it beside the caps.
        for key in [k for k in problems if k.startswith("group_caps.")]:
            problems.setdefault("group_caps", f"{key.split('.', 1)[1]}: {problems.pop(key)}")
        context = _page_context(session, user, settings_values=shown, settings_errors=problems)
        return render(request, "scoring/page.html", context, status_code=422)
    session.commit()
    flash(request, _("Settings saved: every contact is being rescored."))
    return redirect("/scoring#settings")


@router.post("/scoring/rescore")
def rescore_now(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    rules.request_rescore(session, actor=user)
    session.commit()
    flash(request, _("Every contact is being rescored; the scores update within minutes."))
    return redirect("/scoring")
