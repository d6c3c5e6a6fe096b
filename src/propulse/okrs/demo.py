"""The demo quarter: three objectives, their key results and weeks of check-ins."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from propulse.okrs import service
from propulse.okrs.models import Period
from propulse.okrs.progress import quarter_name
from propulse.okrs.schemas import CheckInCreate, KeyResultCreate, ObjectiveCreate
from propulse.workspace.models import User

# (objective, why, [(key result, unit, start, target, direction, commitment, reached share)])
KeyResultRow = tuple[str, str, float, float, str, str, float]
QUARTER: list[tuple[str, str, list[KeyResultRow]]] = [
    (
        "Générer du pipeline enterprise en Allemagne",
        "Le test commercial a validé le marché : il faut maintenant un flux régulier de rendez-vous qualifiés.",
        [
            (
                "Opportunités enterprise créées en DACH",
                "opportunités",
                4,
                30,
                "increase",
                "committed",
                0.55,
            ),
            (
                "Participants aux webinaires en allemand",
                "participants",
                0,
                400,
                "increase",
                "committed",
                0.6,
            ),
            ("Coût par opportunité", "EUR", 2400, 1500, "decrease", "aspirational", 0.4),
        ],
    ),
    (
        "Faire convertir davantage la base de 35 000 contacts",
        "Le nurturing est encore manuel : scoring et séquences par secteur doivent produire plus de MQL.",
        [
            ("MQL issus du nurturing par mois", "MQL", 60, 150, "increase", "committed", 0.45),
            ("Taux de clic des séquences", "%", 1.8, 3.5, "increase", "aspirational", 0.5),
            ("Taux de désinscription par envoi", "%", 0.6, 0.3, "below", "committed", 1.0),
        ],
    ),
    (
        "Transformer chaque webinaire en bibliothèque de contenus",
        "Penser comme un média : un script de webinaire devient e-book, articles, posts et e-mails.",
        [
            (
                "E-books publiés à partir des webinaires",
                "e-books",
                0,
                3,
                "increase",
                "committed",
                0.34,
            ),
            ("Articles de blog issus des scripts", "articles", 0, 18, "increase", "committed", 0.5),
            (
                "Téléchargements d'e-books",
                "téléchargements",
                0,
                1200,
                "increase",
                "aspirational",
                0.35,
            ),
        ],
    ),
]

COMMENTS = [
    "Bonne semaine, le webinaire de mardi a bien converti.",
    "Retard sur la traduction, rattrapable.",
    "Stable. On attend les résultats de la séquence par secteur.",
    "Deux rendez-vous décalés à la semaine prochaine.",
    "",
]


def seed(session: Session, *, actor: User, owners: list[User], today: date) -> Period:
    """Create the current quarter's OKRs with weekly check-ins up to ``today``."""
    rng = random.Random(2027)
    period = service.ensure_period(session, actor=actor, name=quarter_name(today))
    elapsed = max(1, (today - period.starts_on).days)
    span = max(1, (period.ends_on - period.starts_on).days)
    for index, (title, why, key_results) in enumerate(QUARTER):
        objective = service.create_objective(
            session,
            actor=actor,
            period_id=period.id,
            data=ObjectiveCreate(
                title=title, description=why, owner_id=owners[index % len(owners)].id
            ),
        )
        for kr_title, unit, start, target, direction, commitment, reached in key_results:
            kr = service.add_key_result(
                session,
                actor=actor,
                objective_id=objective.id,
                data=KeyResultCreate(
                    title=kr_title,
                    unit=unit,
                    start_value=start,
                    target_value=target,
                    direction=direction,
                    commitment=commitment,
                    owner_id=owners[(index + 1) % len(owners)].id,
                ),
            )
            day = period.starts_on + timedelta(days=7)
            while day <= today:
                share = (
                    reached * min(1.0, (day - period.starts_on).days / elapsed) * elapsed / span * 2
                )
                noise = rng.uniform(-0.04, 0.04)
                if direction in ("above", "below"):
                    value = target - 0.05 if direction == "below" else target + 0.05
                else:
                    value = start + (target - start) * max(0.0, min(1.0, share + noise))
                service.check_in(
                    session,
                    actor=owners[(index + 1) % len(owners)],
                    key_result_id=kr.id,
                    data=CheckInCreate(
                        value=round(value, 1),
                        confidence=rng.randint(5, 9),
                        comment=rng.choice(COMMENTS),
                        checked_on=day,
                    ),
                    today=today,
                )
                day += timedelta(days=7)
    return period
