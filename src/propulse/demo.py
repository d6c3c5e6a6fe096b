"""The demo workspace: a French B2B scale-up, its marketing team and a few colleagues."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.contacts import demo as contacts_demo
from propulse.contacts.models import ConsentBasis, Contact
from propulse.content import demo as content_demo
from propulse.email_templates.demo import seed_demo_templates
from propulse.forms.demo import seed_demo_forms
from propulse.kit.security import hash_password
from propulse.notifications import service as notifications
from propulse.nurture import demo as nurture_demo
from propulse.okrs import demo as okrs_demo
from propulse.okrs import service as okrs
from propulse.playbooks import demo as playbooks_demo
from propulse.playbooks import service as playbooks
from propulse.segments import lists as segment_lists
from propulse.triage import demo as triage_demo
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.schemas import TeamCreate, UserCreate

CMO_EMAIL = "claire.martin@alpinea.example"
DEMO_PASSWORD = "propulse-demo"  # noqa: S105 - the documented demo sign-in

# (email, name, role, country, languages, capacity, manager email, teams)
PEOPLE = [
    (CMO_EMAIL, "Claire Martin", Role.admin, "FR", ["fr", "en"], 40, None, ["Marketing"]),
    ("julien.moreau@alpinea.example", "Julien Moreau", Role.manager, "FR", ["fr", "en"], 38, CMO_EMAIL, ["Marketing"]),
    ("sofia.garcia@alpinea.example", "Sofía García", Role.manager, "ES", ["es", "en", "fr"], 38, CMO_EMAIL, ["Marketing"]),
    ("thomas.bernard@alpinea.example", "Thomas Bernard", Role.member, "FR", ["fr"], 35, "julien.moreau@alpinea.example", ["Marketing"]),
    ("lea.dubois@alpinea.example", "Léa Dubois", Role.member, "FR", ["fr", "en"], 35, "julien.moreau@alpinea.example", ["Marketing"]),
    ("lukas.schneider@alpinea.example", "Lukas Schneider", Role.member, "DE", ["de", "en"], 35, "sofia.garcia@alpinea.example", ["Marketing"]),
    ("emma.rossi@alpinea.example", "Emma Rossi", Role.member, "IT", ["it", "en"], 35, "sofia.garcia@alpinea.example", ["Marketing"]),
    ("hugo.petit@alpinea.example", "Hugo Petit", Role.member, "FR", ["fr"], 35, "julien.moreau@alpinea.example", ["Marketing"]),
    ("marc.lefevre@alpinea.example", "Marc Lefèvre", Role.viewer, "FR", ["fr"], 0, None, ["Sales"]),
    ("anna.kowalska@alpinea.example", "Anna Kowalska", Role.viewer, "DE", ["de", "pl", "en"], 0, "marc.lefevre@alpinea.example", ["Sales"]),
    ("pierre.durand@alpinea.example", "Pierre Durand", Role.viewer, "FR", ["fr", "en"], 0, None, ["Executive"]),
]  # fmt: skip


def seed(session: Session) -> bool:
    """Seed the demo workspace once; return False when people already exist."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return False
    workspace.ensure_workspace(
        session, name="Alpinea", country="FR", language="fr", timezone="Europe/Paris"
    )
    by_email: dict[str, User] = {}
    actor: User | None = None
    for email, name, role, country, languages, capacity, manager, _teams in PEOPLE:
        data = UserCreate(
            email=email,
            name=name,
            role=role,
            country=country,
            languages=languages,
            weekly_capacity_hours=capacity,
            manager_id=by_email[manager].id if manager else None,
        )
        user = workspace.create_user(
            session, actor=actor, data=data, password_hash=hash_password(DEMO_PASSWORD)
        )
        by_email[email] = user
        actor = actor or user
    assert actor is not None
    for team_name, description in (
        ("Sales", "Account executives and SDRs: they submit requests."),
        ("Executive", "The leadership team."),
    ):
        workspace.create_team(
            session, actor=actor, data=TeamCreate(name=team_name, description=description)
        )
    teams = {team.name: team for team in workspace.list_teams(session)}
    for email, *_rest, team_names in PEOPLE:
        for team_name in team_names:
            if team_name != "Marketing":
                workspace.set_team_membership(
                    session,
                    actor=actor,
                    team_id=teams[team_name].id,
                    user_id=by_email[email].id,
                    member=True,
                )
    auth.create_token(session, actor=actor, owner=actor, name="demo", scope=TokenScope.read)
    today = date.today()
    marketing = [
        by_email[email] for email, _n, role, *_r in PEOPLE if role in (Role.admin, Role.manager)
    ]
    period = okrs_demo.seed(session, actor=actor, owners=marketing, today=today)
    objectives = okrs.active_objectives(session, period_id=period.id)
    sales = [user for user in by_email.values() if user.role == Role.viewer]
    triage_demo.seed(session, triager=actor, requesters=sales, objectives=objectives, today=today)
    playbooks.load_library(session)
    members = [user for user in by_email.values() if user.role in (Role.manager, Role.member)]
    playbooks_demo.seed(session, people=members, objectives=objectives, today=today)
    content_demo.seed(session, actor=by_email["lea.dubois@alpinea.example"], today=today)
    contacts_demo.seed(session, owners=marketing + sales, today=today)
    seed_nurturing(session, actor=actor)
    notifications.notify(
        session,
        user=actor,
        title="Bienvenue dans Propulse",
        body="Votre espace de démonstration est prêt : l'équipe marketing, les ventes et la direction y sont.",
        link="/people",
        email=False,
    )
    session.flush()
    return True


E_BOOK_DOWNLOADERS = 150


def seed_nurturing(session: Session, *, actor: User) -> None:
    """Templates, the e-book forms and the follow-up sequence, with its first downloaders.

    The downloaders join the sequence's trigger list, so the sequence enrols them as it would
    any new one; the worker of `make demo` then queues their first e-mail (sent once an SMTP
    server is configured).
    """
    templates = seed_demo_templates(session, actor=actor)
    seed_demo_forms(session, actor=actor)
    nurture_demo.seed_demo_sequences(
        session, actor=actor, template_ids=[template.id for template in templates]
    )
    list_id = nurture_demo.trigger_list_id(session, actor=actor)
    downloaders = session.scalars(
        select(Contact.id)
        .where(Contact.email_consent == ConsentBasis.opt_in, Contact.do_not_contact.is_(False))
        .order_by(Contact.id)
        .limit(E_BOOK_DOWNLOADERS)
    ).all()
    segment_lists.add_members(session, actor=actor, segment_id=list_id, contact_ids=downloaders)
