"""Two schedulers at once on a database of their own: each enrolment runs once, no e-mail twice.

PostgreSQL: the batches lock their rows FOR UPDATE SKIP LOCKED, so the two workers share the
due enrolments; SQLite: the batches take turns (BEGIN IMMEDIATE). Either way nothing is done
twice.
"""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from propulse.contacts.models import Contact
from propulse.db import make_engine, utcnow
from propulse.delivery.models import DeliveryMessage
from propulse.email_templates.models import EmailTemplate, EmailTemplateVariant
from propulse.nurture.models import Enrolment, Sequence, SequenceStep, StepRun
from propulse.nurture.scheduler import run_batch

CONTACTS = 300
ALWAYS = {
    "default": {
        "start": "00:00",
        "end": "24:00",
        "weekdays": list(range(7)),
        "skip_holidays": False,
    }
}


def seed(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        template = EmailTemplate(name="Hello", default_language="en")
        template.variants = [
            EmailTemplateVariant(language="en", subject="Hello {{ contact.first_name }}", body="Hi")
        ]
        session.add(template)
        session.flush()
        sequence = Sequence(name="Race", status="active", sending_windows=ALWAYS)
        sequence.steps = [
            SequenceStep(
                key="hello", position=0, kind="send_email", config={"template_id": template.id}
            ),
            SequenceStep(key="end", position=1, kind="end", config={}),
        ]
        session.add(sequence)
        people = [
            Contact(email=f"racer{n}@example.org", first_name=f"R{n}", email_consent="opt_in")
            for n in range(CONTACTS)
        ]
        session.add_all(people)
        session.flush()
        now = utcnow()
        session.add_all(
            [
                Enrolment(
                    sequence_id=sequence.id,
                    contact_id=person.id,
                    current_step_id=sequence.steps[0].id,
                    next_run_at=now,
                )
                for person in people
            ]
        )
        session.commit()
        return sequence.id


def test_two_workers_never_run_an_enrolment_twice(committed_database: str) -> None:
    engine = make_engine(committed_database)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    seed(factory)
    moment = utcnow()
    processed: Counter[str] = Counter()
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            while True:
                with factory() as session:
                    done, failed = run_batch(session, now=moment, limit=10)
                    session.commit()
                assert failed == 0
                processed[name] += done
                if done == 0:
                    return
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(processed.values()) == CONTACTS
    with factory() as session:
        per_contact = Counter(session.scalars(select(DeliveryMessage.contact_id)))
        assert len(per_contact) == CONTACTS and set(per_contact.values()) == {1}
        runs = session.scalar(select(func.count()).select_from(StepRun))
        assert runs == 2 * CONTACTS  # the e-mail and the end, once each
        statuses = Counter(session.scalars(select(Enrolment.status)))
        assert statuses == {"completed": CONTACTS}
    engine.dispose()
