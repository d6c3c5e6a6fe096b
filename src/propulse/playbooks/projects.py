"""Projects launched from playbooks: dated tasks, problems shown before launch, re-dating."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from propulse.audit import service as audit
from propulse.db import utcnow
from propulse.kit import workdays
from propulse.kit.errors import Conflict, FieldProblem, InvalidInput, NotFound
from propulse.kit.i18n import format_date
from propulse.kit.i18n import gettext as _
from propulse.okrs import service as okrs
from propulse.playbooks import schedule, service
from propulse.playbooks.content import PlaybookContent, StepContent
from propulse.playbooks.models import (
    PlaybookStatus,
    PlaybookVersion,
    Project,
    ProjectStatus,
    Task,
    TaskComment,
    TaskStatus,
)
from propulse.triage import service as triage
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

OPEN_STATUSES = (TaskStatus.todo, TaskStatus.doing)


@dataclass(frozen=True)
class LaunchProblem:
    kind: str  # overdue, anchor_holiday, anchor_weekend, over_capacity, unassigned
    message: str


@dataclass
class LaunchPlan:
    version: PlaybookVersion
    content: PlaybookContent
    dates: dict[str, schedule.PlannedTask]
    roles: dict[str, int | None]
    problems: list[LaunchProblem] = field(default_factory=list)

    def rows(self) -> list[tuple[StepContent, schedule.PlannedTask, int | None]]:
        return [
            (step, self.dates[step.key], self.roles.get(step.owner_role))
            for step in self.content.steps
        ]


def roles_of(content: PlaybookContent) -> list[str]:
    """Return the distinct owner roles of a playbook, in order of first appearance."""
    return list(dict.fromkeys(step.owner_role for step in content.steps))


def _check_country(country: str) -> str:
    code = country.strip().upper()
    try:
        workdays.public_holidays(code, 2027)
    except workdays.UnknownCountry as exc:
        raise InvalidInput.on_field(
            "country", _("Unknown country: %(code)s.", code=country)
        ) from exc
    return code


def plan_launch(
    session: Session,
    *,
    playbook_id: int,
    anchor: date,
    country: str,
    roles: dict[str, int | None],
    today: date,
) -> LaunchPlan:
    """Date every task of the playbook's newest version and list the problems to look at."""
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    version = service.latest_version(session, playbook_id=playbook.id)
    if playbook.status != PlaybookStatus.published or version is None:
        raise Conflict(_("Publish this playbook before launching it."))
    country = _check_country(country)
    content = PlaybookContent.from_snapshot(version.snapshot)
    dates = schedule.plan(content.steps, anchor=anchor, country=country)
    wanted = {role: roles.get(role) for role in roles_of(content)}
    plan = LaunchPlan(version=version, content=content, dates=dates, roles=wanted)
    plan.problems = _problems(session, plan, anchor=anchor, country=country, today=today)
    return plan


def _problems(
    session: Session, plan: LaunchPlan, *, anchor: date, country: str, today: date
) -> list[LaunchProblem]:
    problems: list[LaunchProblem] = []
    holiday = workdays.holiday_name(anchor, country)
    if holiday:
        problems.append(
            LaunchProblem(
                "anchor_holiday",
                _(
                    "The anchor date %(date)s is a public holiday in %(country)s: %(name)s.",
                    date=format_date(anchor, "full"),
                    country=country,
                    name=holiday,
                ),
            )
        )
    elif workdays.is_weekend(anchor):
        problems.append(
            LaunchProblem(
                "anchor_weekend",
                _("The anchor date %(date)s falls on a weekend.", date=format_date(anchor, "full")),
            )
        )
    for step, dates, _user in plan.rows():
        if dates.due_on < today:
            problems.append(
                LaunchProblem(
                    "overdue",
                    _(
                        "%(task)s would be due on %(date)s, already past.",
                        task=step.title,
                        date=format_date(dates.due_on),
                    ),
                )
            )
    for role, user_id in plan.roles.items():
        if user_id is None:
            problems.append(
                LaunchProblem("unassigned", _("Nobody plays the role %(role)s yet.", role=role))
            )
    loads = [
        schedule.Load(user_id, dates.start_on, dates.due_on, step.planned_effort_hours)
        for step, dates, user_id in plan.rows()
        if user_id is not None
    ]
    if loads:
        people = {user.id: user for user in workspace.all_users(session)}
        first = min(load.start_on for load in loads)
        last = max(load.due_on for load in loads)
        for overload in schedule.overloads(
            loads,
            existing_loads(
                session, user_ids={load.user_id for load in loads}, start=first, end=last
            ),
            weekly_capacity={uid: person.weekly_capacity_hours for uid, person in people.items()},
            country=country,
        ):
            name = people[overload.user_id].name if overload.user_id in people else "?"
            problems.append(
                LaunchProblem(
                    "over_capacity",
                    _(
                        "%(name)s would have %(hours)s hours of work on %(date)s "
                        "for a capacity of %(capacity)s.",
                        name=name,
                        hours=overload.hours,
                        date=format_date(overload.day, "full"),
                        capacity=overload.capacity,
                    ),
                )
            )
    return problems


def existing_loads(
    session: Session, *, user_ids: set[int], start: date, end: date
) -> list[schedule.Load]:
    """Return the open tasks of these people that overlap [start, end], as loads."""
    statement = select(Task).where(
        Task.assignee_id.in_(user_ids),
        Task.status.in_(OPEN_STATUSES),
        Task.start_on <= end,
        Task.due_on >= start,
    )
    return [
        schedule.Load(task.assignee_id or 0, task.start_on, task.due_on, task.effort_hours)
        for task in session.scalars(statement)
    ]


def launch(
    session: Session,
    *,
    actor: User,
    playbook_id: int,
    name: str,
    anchor: date,
    country: str,
    roles: dict[str, int | None],
    today: date,
    objective_id: int | None = None,
    key_result_id: int | None = None,
    request_id: int | None = None,
) -> Project:
    """Create the project and its dated tasks from the playbook's newest version."""
    ensure_role(actor, Role.member, action=_("launch projects"))
    if not name.strip():
        raise InvalidInput.on_field("name", _("Give the project a name."))
    for role, user_id in roles.items():
        if user_id is not None and session.get(User, user_id) is None:
            raise InvalidInput.on_field(f"role:{role}", _("This person does not exist."))
    if key_result_id is not None:
        objective_id = okrs.get_key_result(session, key_result_id=key_result_id).objective_id
    if objective_id is not None:
        okrs.get_objective(session, objective_id=objective_id)
    if request_id is not None:
        triage.get_request(session, request_id=request_id)
    plan = plan_launch(
        session, playbook_id=playbook_id, anchor=anchor, country=country, roles=roles, today=today
    )
    unmapped = [role for role, user_id in plan.roles.items() if user_id is None]
    if unmapped:
        raise InvalidInput(
            _("Give every role to someone first: %(roles)s.", roles=", ".join(unmapped)),
            [
                FieldProblem(f"role:{role}", _("Nobody plays the role %(role)s yet.", role=role))
                for role in unmapped
            ],
        )
    project = Project(
        name=name.strip()[:200],
        playbook_id=playbook_id,
        playbook_version_id=plan.version.id,
        anchor_on=anchor,
        country=country.strip().upper(),
        objective_id=objective_id,
        key_result_id=key_result_id,
        request_id=request_id,
        owner_id=actor.id,
        roles={role: user_id for role, user_id in plan.roles.items() if user_id is not None},
    )
    session.add(project)
    session.flush()
    for position, (step, dates, user_id) in enumerate(plan.rows(), start=1):
        session.add(
            Task(
                project_id=project.id,
                step_key=step.key,
                position=position,
                title=step.title,
                owner_role=step.owner_role,
                assignee_id=user_id,
                start_on=dates.start_on,
                due_on=dates.due_on,
                after_key=step.after_key,
                optional=step.optional,
                effort_hours=step.planned_effort_hours,
                checklist=[{"text": item, "done": False} for item in step.checklist],
                tutorial=step.tutorial,
                advice=step.advice,
                deliverables=list(step.deliverables),
            )
        )
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="project",
        object_id=project.id,
        summary=f"launched {project.name!r} from {plan.content.slug} v{plan.version.number}",
        details={"problems": [problem.kind for problem in plan.problems]},
    )
    session.flush()
    return project


def get_project(session: Session, *, project_id: int) -> Project:
    project = session.scalar(
        select(Project).where(Project.id == project_id).options(selectinload(Project.tasks))
    )
    if project is None:
        raise NotFound(_("This project does not exist."))
    return project


def list_projects(session: Session, *, status: str | None = "active") -> list[Project]:
    statement: Select[Project] = select(Project).order_by(Project.anchor_on.desc(), Project.id)
    if status:
        statement = statement.where(Project.status == status)
    return list(session.scalars(statement))


@dataclass(frozen=True)
class TaskMove:
    task: Task
    old_start: date
    old_due: date
    new_start: date
    new_due: date


def plan_anchor_move(session: Session, *, project_id: int, anchor: date) -> list[TaskMove]:
    """Return how the tasks nobody re-dated by hand would move with a new anchor."""
    project = get_project(session, project_id=project_id)
    if project.playbook_version is None:
        raise Conflict(
            _("The playbook version of this project is gone: its tasks cannot be re-dated.")
        )
    content = PlaybookContent.from_snapshot(project.playbook_version.snapshot)
    by_key = {task.step_key: task for task in project.tasks}
    fixed = {
        task.step_key: schedule.PlannedTask(task.step_key, task.start_on, task.due_on)
        for task in project.tasks
        if task.dates_set_by_hand
    }
    steps = [step for step in content.steps if step.key in by_key]
    dates = schedule.plan(steps, anchor=anchor, country=project.country, fixed=fixed)
    moves = []
    for key, planned in dates.items():
        task = by_key[key]
        if task.dates_set_by_hand:
            continue
        if (planned.start_on, planned.due_on) != (task.start_on, task.due_on):
            moves.append(
                TaskMove(task, task.start_on, task.due_on, planned.start_on, planned.due_on)
            )
    return moves


def move_anchor(
    session: Session, *, actor: User, project_id: int, anchor: date, version: int | None = None
) -> list[TaskMove]:
    """Move the project's anchor and re-date the tasks nobody changed by hand."""
    ensure_role(actor, Role.member, action=_("re-date projects"))
    project = get_project(session, project_id=project_id)
    workspace.check_version(project, version)
    moves = plan_anchor_move(session, project_id=project_id, anchor=anchor)
    for move in moves:
        move.task.start_on, move.task.due_on = move.new_start, move.new_due
    old = project.anchor_on
    project.anchor_on = anchor
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="project",
        object_id=project.id,
        summary=f"anchor {old} -> {anchor}; {len(moves)} task(s) re-dated",
    )
    session.flush()
    return moves


def get_task(session: Session, *, task_id: int) -> Task:
    task = session.scalar(
        select(Task).where(Task.id == task_id).options(selectinload(Task.comments))
    )
    if task is None:
        raise NotFound(_("This task does not exist."))
    return task


def set_task_status(session: Session, *, actor: User, task_id: int, status: TaskStatus) -> Task:
    ensure_role(actor, Role.member, action=_("work on tasks"))
    task = get_task(session, task_id=task_id)
    task.status = status
    task.completed_at = utcnow() if status in (TaskStatus.done, TaskStatus.skipped) else None
    _close_project_when_done(session, task.project_id)
    session.flush()
    return task


def _close_project_when_done(session: Session, project_id: int) -> None:
    project = get_project(session, project_id=project_id)
    session.flush()
    open_tasks = [task for task in project.tasks if task.status in OPEN_STATUSES]
    project.status = ProjectStatus.active if open_tasks else ProjectStatus.done


def set_task_dates(
    session: Session,
    *,
    actor: User,
    task_id: int,
    start_on: date,
    due_on: date,
    version: int | None = None,
) -> Task:
    """Re-date a task by hand: moving the anchor will leave it where it is."""
    ensure_role(actor, Role.member, action=_("re-date tasks"))
    task = get_task(session, task_id=task_id)
    workspace.check_version(task, version)
    if due_on < start_on:
        raise InvalidInput.on_field("due_on", _("The task must end after it starts."))
    task.start_on, task.due_on, task.dates_set_by_hand = start_on, due_on, True
    session.flush()
    return task


def assign_task(session: Session, *, actor: User, task_id: int, user_id: int | None) -> Task:
    ensure_role(actor, Role.member, action=_("assign tasks"))
    task = get_task(session, task_id=task_id)
    # The relationship, not only the column: what the session shows next is the new assignee.
    task.assignee = workspace.get_user(session, user_id=user_id) if user_id is not None else None
    session.flush()
    return task


def toggle_checklist_item(session: Session, *, actor: User, task_id: int, index: int) -> Task:
    ensure_role(actor, Role.member, action=_("work on tasks"))
    task = get_task(session, task_id=task_id)
    if not 0 <= index < len(task.checklist):
        raise InvalidInput.on_field("index", _("This checklist item does not exist."))
    items = [dict(item) for item in task.checklist]
    items[index]["done"] = not items[index]["done"]
    task.checklist = items  # a new list, so the JSON column sees the change
    session.flush()
    return task


def add_comment(session: Session, *, actor: User, task_id: int, body: str) -> TaskComment:
    ensure_role(actor, Role.member, action=_("comment on tasks"))
    if not body.strip():
        raise InvalidInput.on_field("body", _("Write something first."))
    task = get_task(session, task_id=task_id)
    comment = TaskComment(task_id=task.id, author_id=actor.id, body=body.strip()[:10000])
    session.add(comment)
    session.flush()
    return comment


def my_tasks(session: Session, *, user: User, include_done: bool = False) -> list[Task]:
    statement = select(Task).where(Task.assignee_id == user.id).order_by(Task.due_on, Task.position)
    if not include_done:
        statement = statement.where(Task.status.in_(OPEN_STATUSES))
    return list(session.scalars(statement))


def overdue_tasks(session: Session, *, today: date) -> list[Task]:
    statement = (
        select(Task)
        .where(Task.status.in_(OPEN_STATUSES), Task.due_on < today)
        .order_by(Task.due_on, Task.id)
    )
    return list(session.scalars(statement))


def due_this_week(session: Session, *, today: date) -> list[Task]:
    """Return the open tasks due from today to the coming Sunday."""
    sunday = today + timedelta(days=6 - today.weekday())
    statement = (
        select(Task)
        .where(Task.status.in_(OPEN_STATUSES), Task.due_on >= today, Task.due_on <= sunday)
        .order_by(Task.due_on, Task.id)
    )
    return list(session.scalars(statement))
