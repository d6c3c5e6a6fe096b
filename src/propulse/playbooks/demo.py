"""Demo projects: the webinar playbook launched for next month, a trade show under way."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from propulse.okrs.models import Objective
from propulse.playbooks import projects, service
from propulse.playbooks.content import PlaybookContent
from propulse.playbooks.models import TaskStatus
from propulse.workspace.models import User


def _launch(
    session: Session,
    *,
    slug: str,
    name: str,
    anchor: date,
    people: list[User],
    objective: Objective | None,
    today: date,
) -> None:
    playbook = service.find_playbook(session, slug=slug, language="fr")
    if playbook is None:
        return
    version = service.latest_version(session, playbook_id=playbook.id)
    if version is None:
        return
    roles = projects.roles_of(PlaybookContent.from_snapshot(version.snapshot))
    assignment: dict[str, int | None] = {
        role: people[index % len(people)].id for index, role in enumerate(roles)
    }
    project = projects.launch(
        session,
        actor=people[0],
        playbook_id=playbook.id,
        name=name,
        anchor=anchor,
        country="FR",
        roles=assignment,
        today=today,
        objective_id=objective.id if objective else None,
    )
    for task in projects.get_project(session, project_id=project.id).tasks:
        if task.due_on < today:
            projects.set_task_status(
                session, actor=people[0], task_id=task.id, status=TaskStatus.done
            )
        elif task.start_on <= today:
            projects.set_task_status(
                session, actor=people[0], task_id=task.id, status=TaskStatus.doing
            )


def seed(session: Session, *, people: list[User], objectives: list[Objective], today: date) -> None:
    """Launch two projects from the built-in library, as the team would have."""
    _launch(
        session,
        slug="webinar",
        name="Webinaire : la maintenance prédictive dans l'industrie",
        anchor=today + timedelta(days=24),
        people=people,
        objective=objectives[0] if objectives else None,
        today=today,
    )
    _launch(
        session,
        slug="trade-show",
        name="Salon Global Industrie Lyon",
        anchor=today + timedelta(days=75),
        people=list(reversed(people)),
        objective=objectives[0] if objectives else None,
        today=today,
    )
