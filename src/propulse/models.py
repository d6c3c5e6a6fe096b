"""Every table of every domain, imported in one place for Alembic and the tests."""

from propulse.audit.models import AuditEntry
from propulse.auth.models import ApiToken
from propulse.contacts.models import (
    Company,
    Consent,
    Contact,
    ContactEvent,
    ContactImport,
    CustomField,
    Suppression,
)
from propulse.content.models import BrandSettings, Package, Piece, PieceRevision, Source
from propulse.delivery.models import (
    DeliveryMessage,
    DeliveryMessageBody,
    DeliverySettings,
    DeliveryStream,
)
from propulse.email_templates.models import EmailTemplate, EmailTemplateVariant
from propulse.forms.models import FormSubmission, SignupForm
from propulse.notifications.models import Notification, OutboundEmail
from propulse.nurture.models import Enrolment, Sequence, SequenceStep, StepRun
from propulse.okrs.models import CheckIn, KeyResult, Objective, OkrLimits, Period
from propulse.playbooks.models import (
    CalendarFeed,
    Playbook,
    PlaybookSuggestion,
    PlaybookVersion,
    Project,
    Step,
    Task,
    TaskComment,
)
from propulse.scoring.models import ScoreChange, ScoreRun, ScoringRule, ScoringSettings
from propulse.segments.models import Segment, SegmentMember
from propulse.triage.models import Request, RequestTransition
from propulse.workspace.models import Team, User, Workspace, team_members

__all__ = [
    "ApiToken",
    "AuditEntry",
    "BrandSettings",
    "CalendarFeed",
    "CheckIn",
    "Company",
    "Consent",
    "Contact",
    "ContactEvent",
    "ContactImport",
    "CustomField",
    "DeliveryMessage",
    "DeliveryMessageBody",
    "DeliverySettings",
    "DeliveryStream",
    "EmailTemplate",
    "EmailTemplateVariant",
    "Enrolment",
    "FormSubmission",
    "KeyResult",
    "Notification",
    "Objective",
    "OkrLimits",
    "OutboundEmail",
    "Package",
    "Period",
    "Piece",
    "PieceRevision",
    "Playbook",
    "PlaybookSuggestion",
    "PlaybookVersion",
    "Project",
    "Request",
    "RequestTransition",
    "ScoreChange",
    "ScoreRun",
    "ScoringRule",
    "ScoringSettings",
    "Segment",
    "SegmentMember",
    "Sequence",
    "SequenceStep",
    "SignupForm",
    "Source",
    "Step",
    "StepRun",
    "Suppression",
    "Task",
    "TaskComment",
    "Team",
    "User",
    "Workspace",
    "team_members",
]
