"""Three demo templates in English and French, for the nurture demo's sequences."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.email_templates import service
from propulse.email_templates.models import BodyFormat, EmailTemplate
from propulse.email_templates.schemas import TemplateIn, VariantIn
from propulse.workspace.models import User

EBOOK_EN = """Hello {{ contact.first_name | default("there") }},

Thank you for downloading **"Predictive maintenance: a field guide"**. Here are three ideas
to get the most out of it at {{ contact.company | default("your plant") }}:

1. Start with the machine that stops most often.
2. Measure the downtime for a month before changing anything.
3. Share the figures with the maintenance team every week.

[Read the guide again](https://www.example.com/ebook/predictive-maintenance)

Speak soon,
{{ sender.name }}
"""

EBOOK_FR = """Bonjour {{ contact.first_name | default("") }},

Merci d'avoir téléchargé **« La maintenance prédictive sur le terrain »**. Trois idées
pour en tirer le meilleur chez {{ contact.company | default("vous") }} :

1. Commencez par la machine qui s'arrête le plus souvent.
2. Mesurez les arrêts pendant un mois avant de changer quoi que ce soit.
3. Partagez les chiffres avec l'équipe de maintenance chaque semaine.

[Relire le guide](https://www.example.com/fr/ebook/maintenance-predictive)

À bientôt,
{{ sender.name }}
"""

WEBINAR_EN = """Hello {{ contact.first_name | default("there") }},

Join our live webinar **"Cutting unplanned downtime by 30%"** next Thursday at 11:00.
In 45 minutes, a plant manager shows how they did it, and answers your questions.

[Save my seat](https://www.example.com/webinars/downtime)

{{ sender.name }}, {{ workspace.name }}
"""

WEBINAR_FR = """Bonjour {{ contact.first_name | default("") }},

Rejoignez notre webinaire en direct **« Réduire de 30 % les arrêts imprévus »** jeudi
prochain à 11 h. En 45 minutes, un directeur d'usine raconte comment il y est parvenu et
répond à vos questions.

[Je m'inscris](https://www.example.com/fr/webinaires/arrets)

{{ sender.name }}, {{ workspace.name }}
"""

CASE_EN = """<p>Hello {{ contact.first_name | default("there") }},</p>
<p>How did a mid-sized food plant cut its unplanned stops by a third in six months?</p>
<table role="presentation" width="100%"><tr>
<td style="background-color: #eef2ff; padding: 16px; border-radius: 8px;">
<strong>-32%</strong> unplanned downtime<br><strong>6 months</strong> to payback</td>
</tr></table>
<p><a href="https://www.example.com/customers/food-plant">Read the case study</a></p>
<p>{{ sender.name }}</p>
"""

CASE_FR = """<p>Bonjour {{ contact.first_name | default("") }},</p>
<p>Comment une usine agroalimentaire a-t-elle réduit d'un tiers ses arrêts imprévus en six mois ?</p>
<table role="presentation" width="100%"><tr>
<td style="background-color: #eef2ff; padding: 16px; border-radius: 8px;">
<strong>-32 %</strong> d'arrêts imprévus<br><strong>6 mois</strong> de retour sur investissement</td>
</tr></table>
<p><a href="https://www.example.com/fr/clients/usine-agroalimentaire">Lire le témoignage</a></p>
<p>{{ sender.name }}</p>
"""

DEMO_TEMPLATES = (
    TemplateIn(
        name="E-book follow-up",
        description="Sent the day after someone downloads the predictive maintenance e-book.",
        default_language="en",
        variants=[
            VariantIn(
                language="en",
                subject="Your e-book, {{ contact.first_name | default('and three ideas') }}",
                preheader="Three ideas to put it to work this month.",
                body=EBOOK_EN,
            ),
            VariantIn(
                language="fr",
                subject="Votre e-book{{ ', ' ~ contact.first_name if contact.first_name }}",
                preheader="Trois idées pour le mettre en pratique ce mois-ci.",
                body=EBOOK_FR,
            ),
        ],
    ),
    TemplateIn(
        name="Webinar invitation",
        description="Invites engaged leads to the next live webinar.",
        default_language="en",
        variants=[
            VariantIn(
                language="en",
                subject="Live: cutting unplanned downtime by 30%",
                preheader="Thursday, 11:00, 45 minutes with a plant manager.",
                body=WEBINAR_EN,
            ),
            VariantIn(
                language="fr",
                subject="En direct : réduire de 30 % les arrêts imprévus",
                preheader="Jeudi, 11 h, 45 minutes avec un directeur d'usine.",
                body=WEBINAR_FR,
            ),
        ],
    ),
    TemplateIn(
        name="Case study",
        description="A customer story with figures, written in HTML.",
        default_language="en",
        variants=[
            VariantIn(
                language="en",
                subject="How a food plant cut its stops by a third",
                preheader="-32% unplanned downtime in six months.",
                body_format=BodyFormat.html,
                body=CASE_EN,
            ),
            VariantIn(
                language="fr",
                subject="Comment une usine a réduit ses arrêts d'un tiers",
                preheader="-32 % d'arrêts imprévus en six mois.",
                body_format=BodyFormat.html,
                body=CASE_FR,
            ),
        ],
    ),
)


def seed_demo_templates(session: Session, *, actor: User) -> list[EmailTemplate]:
    """Create the demo templates, or return those already there (by name)."""
    seeded: list[EmailTemplate] = []
    for data in DEMO_TEMPLATES:
        existing = session.scalar(select(EmailTemplate).where(EmailTemplate.name == data.name))
        if existing is None:
            existing = service.create_template(session, actor=actor, data=data)
        seeded.append(existing)
    return seeded
