"""What the demo marketing team configured: custom fields, scoring rules, segments (data only)."""

# ruff: noqa: E501

from __future__ import annotations

from typing import Any

# (key, label, kind, choices): the sample fills these keys (see sample.CUSTOM_FIELDS).
FIELDS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("crm_id", "Identifiant CRM", "text", ()),
    ("budget_eur", "Budget (EUR)", "number", ()),
    ("renewal_date", "Date de renouvellement", "date", ()),
    ("tier", "Niveau de compte", "choice", ("Strategic", "Key", "Standard")),
)

TARGET_SECTORS = ["Industry", "Retail", "Banking & insurance", "Software", "Healthcare"]

# Fit: who the contact is. Engagement: what they did, fading with time.
RULES: list[dict[str, Any]] = [
    {"name": "Secteur cible", "kind": "fit", "group_name": "Profil", "points": 15,
     "condition": {"field": "sector", "op": "in", "value": TARGET_SECTORS}},
    {"name": "Entreprise de plus de 200 personnes", "kind": "fit", "group_name": "Profil", "points": 10,
     "condition": {"field": "company_size", "op": "in", "value": ["201-500", "501-1000", "1000+"]}},
    {"name": "Maturité marketing 3 ou plus", "kind": "fit", "group_name": "Profil", "points": 10,
     "condition": {"field": "maturity", "op": "gte", "value": 3}},
    {"name": "Fonction marketing", "kind": "fit", "points": 15,
     "condition": {"field": "job_title", "op": "contains", "value": "marketing"}},
    {"name": "Pays prioritaire", "kind": "fit", "points": 5,
     "condition": {"field": "country", "op": "in", "value": ["FR", "BE", "CH", "DE"]}},
    {"name": "A ouvert un e-mail", "kind": "engagement", "group_name": "E-mails", "points": 1,
     "event_type": "email_opened", "cap": 10, "decay": "half_life", "decay_days": 30},
    {"name": "A cliqué dans un e-mail", "kind": "engagement", "group_name": "E-mails", "points": 5,
     "event_type": "email_clicked", "cap": 20, "decay": "half_life", "decay_days": 30},
    {"name": "A assisté à un webinaire", "kind": "engagement", "points": 15,
     "event_type": "webinar_attended", "decay": "expiry", "decay_days": 180},
    {"name": "A téléchargé un contenu", "kind": "engagement", "points": 8, "cap": 24,
     "event_type": "content_downloaded", "decay": "half_life", "decay_days": 90},
    {"name": "A rempli un formulaire", "kind": "engagement", "points": 10, "cap": 20,
     "event_type": "form_submitted", "decay": "expiry", "decay_days": 180},
    {"name": "Rendez-vous", "kind": "engagement", "points": 25,
     "event_type": "meeting", "decay": "expiry", "decay_days": 365},
]  # fmt: skip
GROUP_CAPS = {"Profil": 35, "E-mails": 25}
MQL_THRESHOLD = 60

# (name, description, definition); None is a static list.
SEGMENTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("Engagés ce mois-ci", "Ont cliqué dans un e-mail ces 30 derniers jours.",
     {"event": "email_clicked", "within_days": 30}),
    ("Industrie — maturité 3+", "Le cœur de cible des webinaires sectoriels.",
     {"all": [{"field": "sector", "op": "eq", "value": "Industry"},
              {"field": "maturity", "op": "gte", "value": 3}]}),
    ("Participants webinaires — retail", "Ont assisté à un webinaire du secteur retail.",
     {"event": "webinar_attended", "where": {"sector": "Retail"}}),
    ("MQL pas encore SQL", "À passer aux commerciaux.",
     {"field": "lifecycle_stage", "op": "eq", "value": "mql"}),
    ("France, opt-in", "Contacts français ayant donné leur accord explicite.",
     {"all": [{"field": "country", "op": "eq", "value": "FR"},
              {"consent": "email", "in": ["opt_in"]}]}),
    ("Allemagne", "Pour la campagne DACH.", {"field": "country", "op": "eq", "value": "DE"}),
    ("Dormants 90 jours", "Aucune activité depuis 90 jours : campagne de réactivation.",
     {"any": [{"field": "last_activity_at", "op": "before_days", "value": 90},
              {"field": "last_activity_at", "op": "is_empty"}]}),
    ("Comptes VIP", "Liste tenue à la main par la direction commerciale.", None),
]  # fmt: skip
VIP_LIST = "Comptes VIP"
VIP_COUNT = 60
