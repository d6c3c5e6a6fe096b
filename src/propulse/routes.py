"""The modules of the web application, in navigation order; a module appears once it exists."""

from __future__ import annotations

from fastapi import APIRouter

from propulse.kit.i18n import lazy_gettext
from propulse.web import NavEntry, add_navigation
from propulse.workspace.models import Role


def page_routers() -> list[APIRouter]:
    """Return every page router and register the navigation entries."""
    from propulse.audit.views import router as audit_router
    from propulse.auth.views import private as auth_private
    from propulse.auth.views import public as auth_public
    from propulse.contacts.import_views import router as contact_imports_router
    from propulse.contacts.views import router as contacts_router
    from propulse.content.brand_views import router as brand_router
    from propulse.content.views import router as content_router
    from propulse.delivery.preference_views import router as preferences_router
    from propulse.delivery.settings_views import router as sending_settings_router
    from propulse.delivery.suppression_views import router as suppressions_router
    from propulse.delivery.tracking_views import router as tracking_router
    from propulse.delivery.unsubscribe import router as unsubscribe_router
    from propulse.delivery.views import router as sending_router
    from propulse.email_templates.views import router as email_templates_router
    from propulse.forms.public import router as forms_public_router
    from propulse.forms.views import router as forms_router
    from propulse.home.views import router as home_router
    from propulse.notifications.views import router as notifications_router
    from propulse.nurture.views import router as sequences_router
    from propulse.okrs.period_views import router as okr_periods_router
    from propulse.okrs.views import router as okrs_router
    from propulse.playbooks.calendar_views import public as calendars_public
    from propulse.playbooks.project_views import router as projects_router
    from propulse.playbooks.views import router as playbooks_router
    from propulse.scoring.views import router as scoring_router
    from propulse.segments.views import router as segments_router
    from propulse.triage.views import router as triage_router
    from propulse.workspace.views import router as workspace_router

    add_navigation(NavEntry(lazy_gettext("Home"), "/", order=0))
    add_navigation(NavEntry(lazy_gettext("Objectives"), "/okrs", order=10))
    add_navigation(NavEntry(lazy_gettext("Requests"), "/requests", order=20))
    add_navigation(NavEntry(lazy_gettext("Playbooks"), "/playbooks", order=30))
    add_navigation(NavEntry(lazy_gettext("Projects"), "/projects", order=31))
    add_navigation(NavEntry(lazy_gettext("Content"), "/content", order=40))
    add_navigation(NavEntry(lazy_gettext("Contacts"), "/contacts", order=50))
    add_navigation(NavEntry(lazy_gettext("Segments"), "/segments", order=51))
    add_navigation(NavEntry(lazy_gettext("Lead scoring"), "/scoring", order=52))
    add_navigation(NavEntry(lazy_gettext("E-mail templates"), "/email-templates", order=53))
    add_navigation(NavEntry(lazy_gettext("Sequences"), "/sequences", order=54))
    add_navigation(NavEntry(lazy_gettext("Forms"), "/forms", order=55))
    add_navigation(NavEntry(lazy_gettext("People"), "/people", order=80))
    add_navigation(NavEntry(lazy_gettext("Teams"), "/teams", order=81))
    add_navigation(NavEntry(lazy_gettext("Sending"), "/sending", Role.admin, order=85))
    add_navigation(NavEntry(lazy_gettext("Suppressions"), "/suppressions", Role.manager, order=86))
    add_navigation(NavEntry(lazy_gettext("Audit log"), "/audit", Role.admin, order=90))
    add_navigation(NavEntry(lazy_gettext("Settings"), "/settings", Role.admin, order=91))
    return [
        auth_public,
        calendars_public,
        unsubscribe_router,
        preferences_router,
        forms_public_router,
        tracking_router,
        auth_private,
        home_router,
        workspace_router,
        audit_router,
        notifications_router,
        okr_periods_router,
        okrs_router,
        triage_router,
        playbooks_router,
        projects_router,
        brand_router,
        content_router,
        contact_imports_router,
        contacts_router,
        segments_router,
        forms_router,
        scoring_router,
        email_templates_router,
        sequences_router,
        sending_router,
        sending_settings_router,
        suppressions_router,
    ]
