"""About thirty demo requests from sales, executives and product, spread over every state."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from propulse.okrs.models import Objective
from propulse.triage import service
from propulse.triage.schemas import RequestCreate, TriageDecision
from propulse.workspace.models import User

# (title, description, department, objective index or None, decision)
REQUESTS = [
    ("Salon Hannover Messe", "Les clients industriels allemands y sont tous ; un stand partagé avec notre partenaire.", "Ventes", 0, "accept"),
    ("Webinaire en allemand sur la maintenance prédictive", "Nos prospects DACH demandent du contenu dans leur langue.", "Ventes", 0, "accept"),
    ("Séquence e-mail pour les leads industrie", "Les leads du secteur industrie reçoivent la même newsletter que tout le monde.", "Ventes", 1, "accept"),
    ("Scoring des contacts selon la maturité", "Distinguer les comptes matures des curieux avant de les passer aux SDR.", "Ventes", 1, "accept"),
    ("E-book à partir du webinaire sur l'IA", "Le webinaire de janvier a fait 300 inscrits : en faire un livre blanc.", "Direction", 2, "accept"),
    ("Articles de blog sur le ROI", "Trois articles reprenant les chiffres du dernier webinaire.", "Produit", 2, "accept"),
    ("Campagne ABM sur 20 comptes allemands", "Liste fournie par l'équipe commerciale de Munich.", "Ventes", 0, "accept"),
    ("Posts LinkedIn avec les citations du webinaire", "Les extraits vidéo marchent bien chez nos concurrents.", "Direction", 2, "accept"),
    ("Sponsoring du tournoi de golf régional", "Le DG connaît l'organisateur.", "Direction", None, "decline"),
    ("Goodies pour le nouveau bureau", "Des mugs et des sweats au logo pour l'inauguration.", "RH", None, "decline"),
    ("Challenge TikTok", "Une idée du stagiaire pour toucher les jeunes.", "Produit", None, "decline"),
    ("Stand au salon VivaTech", "Très visible, mais peu de décideurs industriels.", "Direction", None, "park"),
    ("Podcast mensuel", "Interviewer des clients chaque mois.", "Produit", None, "park"),
    ("Refonte complète du site", "Le site date de 2022.", "Direction", None, "park"),
    ("Événement clients à Lyon", "Réunir les clients de la région Rhône-Alpes.", "Succès client", None, "park"),
    ("Salon Hannover Messe (doublon)", "Un stand à Hanovre, demandé aussi par l'équipe de Munich.", "Ventes", None, "duplicate"),
    ("Webinaire DACH bis", "Même demande que le webinaire en allemand.", "Ventes", None, "duplicate"),
    ("Traduction des études de cas en allemand", "Nos trois meilleures études de cas, pour les commerciaux DACH.", "Ventes", None, "new"),
    ("Newsletter clients trimestrielle", "Informer les clients des nouveautés produit.", "Succès client", None, "new"),
    ("Webinaire sur la conformité RGPD", "Beaucoup de questions en rendez-vous sur le sujet.", "Ventes", None, "new"),
    ("Vidéo témoignage client", "Le client X est d'accord pour tourner une vidéo.", "Succès client", None, "new"),
    ("Campagne de réactivation des anciens leads", "10 000 contacts inactifs depuis un an.", "Ventes", None, "new"),
    ("Livre blanc sur l'industrie 4.0", "Pour les salons et les rendez-vous.", "Produit", None, "new"),
    ("Séminaire partenaires intégrateurs", "Nos intégrateurs veulent une journée de formation.", "Partenariats", None, "new"),
    ("Infographie sur les chiffres clés", "Un visuel pour les commerciaux.", "Ventes", None, "new"),
    ("Page de comparaison avec les concurrents", "Les prospects la demandent en fin de cycle.", "Ventes", None, "new"),
    ("Campagne Google Ads en Allemagne", "Tester les mots-clés en allemand.", "Ventes", None, "new"),
    ("Calendrier de l'Avent LinkedIn", "Un post par jour en décembre.", "Direction", None, "new"),
    ("Kit de démarrage pour les nouveaux clients", "Des e-mails d'accueil et un guide.", "Succès client", None, "new"),
    ("Programme d'ambassadeurs", "Récompenser les clients qui recommandent.", "Succès client", None, "new"),
]  # fmt: skip


def seed(
    session: Session,
    *,
    triager: User,
    requesters: list[User],
    objectives: list[Objective],
    today: date,
) -> None:
    """Submit the demo requests and triage them as the CMO would have."""
    rng = random.Random(400)
    created: dict[str, int] = {}
    for index, (title, description, department, objective_index, decision) in enumerate(REQUESTS):
        requester = requesters[index % len(requesters)]
        request = service.submit(
            session,
            actor=requester,
            data=RequestCreate(
                title=title,
                description=description,
                department=department,
                wished_on=today + timedelta(days=rng.randint(10, 90)),
                impact=rng.randint(3, 9),
                confidence=rng.randint(3, 9),
                ease=rng.randint(2, 9),
                effort_days=float(rng.choice([1, 2, 3, 5, 8, 10, 15])),
            ),
        )
        created[title] = request.id
        if decision == "new":
            continue
        values: dict[str, object] = {"action": decision}
        if decision == "accept" and objective_index is not None:
            values["objective_id"] = objectives[objective_index].id
        elif decision == "park":
            values.update(
                reason="Pas prioritaire ce trimestre : à revoir au prochain.",
                until=today + timedelta(days=45),
            )
        elif decision == "decline":
            values["reason"] = "Ne sert aucun de nos objectifs actuels."
        elif decision == "duplicate":
            original = (
                "Salon Hannover Messe"
                if "Hannover" in title
                else "Webinaire en allemand sur la maintenance prédictive"
            )
            values["duplicate_of_id"] = created[original]
        service.triage(
            session,
            actor=triager,
            request_id=request.id,
            decision=TriageDecision.model_validate(values),
            today=today,
        )
