"""Support models: helpdesk tickets and SLAs, incidents, maintenance, system status, feedback."""

from .calendar import CalendarDay  # noqa: F401
from .feedback import Suggestion, Vote  # noqa: F401
from .incidents import Incident, IncidentUpdate, MaintenanceWindow, System  # noqa: F401
from .inspections import Checklist, ChecklistItem, Inspection, InspectionResult  # noqa: F401
from .status import RequestRecord  # noqa: F401
from .tickets import (  # noqa: F401
    AssignmentRule,
    SLAPolicy,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
)
