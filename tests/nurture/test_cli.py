"""`propulse nurture`: list, enrol, pause, resume, stats and run, with --json."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from propulse.segments.models import Segment, SegmentKind, SegmentMember
from tests.nurture.factories import active_sequence, make_contact, make_template


def test_the_nurture_commands(run: Any, cast: Any, session: Session) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "hello", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "pause", "kind": "wait", "config": {"days": 3}},
        ],
        name="Welcome",
        sending_windows={"default": {"start": "00:00", "end": "24:00", "weekdays": list(range(7))}},
    )
    people = [make_contact(session) for _ in range(3)]
    segment = Segment(name="Readers", kind=SegmentKind.static)
    session.add(segment)
    session.flush()
    session.add_all([SegmentMember(segment_id=segment.id, contact_id=p.id) for p in people[:2]])
    session.commit()

    code, out, err = run(
        "nurture", "enrol", str(sequence.id), "--segment", str(segment.id), "--json"
    )
    assert code == 0, err
    assert json.loads(out)["enrolled"] == 2
    code, out, err = run("nurture", "enrol", str(sequence.id), "--contact", people[2].email)
    assert code == 0 and "Enrolled: 1" in out
    code, out, err = run("nurture", "enrol", str(sequence.id), "--contact", "ghost@example.org")
    assert code == 2 and "No contact has this address" in err
    code, out, err = run("nurture", "enrol", str(sequence.id))
    assert code == 2 and "--segment" in err

    code, out, err = run("nurture", "list", "--json")
    assert code == 0, err
    (listed,) = json.loads(out)
    assert (listed["name"], listed["active_enrolments"]) == ("Welcome", 3)

    code, out, err = run("nurture", "run", "--json")
    assert code == 0 and json.loads(out)["processed"] == 3

    code, out, err = run("nurture", "stats", str(sequence.id), "--json")
    stats = json.loads(out)
    assert stats["steps"][0]["key"] == "hello" and stats["steps"][1]["at_step"] == 3
    code, out, err = run("nurture", "stats", str(sequence.id))
    assert code == 0 and "3 enrolled" in out

    code, out, err = run("nurture", "pause", str(sequence.id), "--json")
    assert code == 0 and json.loads(out)["status"] == "paused"
    code, out, err = run("--as", cast.intern.email, "nurture", "resume", str(sequence.id))
    assert code == 2 and "manager" in err
    code, out, err = run("nurture", "resume", str(sequence.id), "--json")
    assert code == 0 and json.loads(out)["status"] == "active"
    code, out, err = run("nurture", "stats", "9999")
    assert code == 2 and "does not exist" in err
