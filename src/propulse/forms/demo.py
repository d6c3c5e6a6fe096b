"""Demo forms: an e-book download form in French and one in English."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.forms import service
from propulse.forms.models import SignupForm
from propulse.forms.schemas import FieldSpec, FormIn
from propulse.workspace.models import User

DEMO_FORMS = (
    FormIn(
        name="Livre blanc chaîne du froid (FR)",
        slug="livre-blanc-chaine-du-froid",
        language="fr",
        title="Téléchargez le livre blanc : 7 leviers pour fiabiliser la chaîne du froid",
        introduction=(
            "Retours d'expérience de 40 sites logistiques : capteurs, alertes, audits. "
            "Recevez le PDF après avoir confirmé votre adresse."
        ),
        fields=[
            FieldSpec(key="first_name", label="Prénom", required=True),
            FieldSpec(key="last_name", label="Nom"),
            FieldSpec(key="company", label="Entreprise", required=True),
            FieldSpec(key="job_title", label="Fonction"),
            FieldSpec(key="country", label="Pays"),
        ],
        consent_wording=(
            "J'accepte de recevoir les e-mails marketing d'Alpinea (conseils, invitations, "
            "nouveautés). Je peux me désinscrire à tout moment par le lien de chaque e-mail."
        ),
        wording_version="2026-11",
        double_opt_in=True,
        thank_you_message="Merci ! Votre livre blanc est prêt.",
        download_url="https://alpinea.example/ressources/livre-blanc-chaine-du-froid.pdf",
    ),
    FormIn(
        name="Cold chain e-book (EN)",
        slug="cold-chain-ebook",
        language="en",
        title="Download the e-book: 7 levers for a reliable cold chain",
        introduction=(
            "Lessons from 40 logistics sites: sensors, alerts, audits. "
            "Get the PDF once you have confirmed your address."
        ),
        fields=[
            FieldSpec(key="first_name", label="First name", required=True),
            FieldSpec(key="company", label="Company", required=True),
            FieldSpec(key="job_title", label="Job title"),
        ],
        consent_wording=(
            "I agree to receive marketing e-mails from Alpinea (advice, invitations, news). "
            "I can unsubscribe at any time with the link in each e-mail."
        ),
        wording_version="2026-11",
        double_opt_in=True,
        thank_you_message="Thank you! Your e-book is ready.",
        download_url="https://alpinea.example/resources/cold-chain-ebook.pdf",
    ),
)


def seed_demo_forms(session: Session, *, actor: User) -> list[SignupForm]:
    """Create the demo forms (those already there are kept as they are)."""
    forms: list[SignupForm] = []
    for data in DEMO_FORMS:
        existing = session.scalar(select(SignupForm).where(SignupForm.slug == data.slug))
        forms.append(existing or service.create_form(session, actor=actor, data=data))
    return forms
