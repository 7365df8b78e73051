"""Support services: every write of the helpdesk goes through here."""

import logging
from datetime import timedelta
from decimal import Decimal
from pathlib import PurePath

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.links import site_url
from hardware_erp.core.services import lazy_format, notify, users_with_perm
from hardware_erp.core.signals import business_event
from hardware_erp.core.states import StateMachine, Transition

from . import banners
from .choices import TicketPriority, TicketStatus
from .models import (
    AssignmentRule,
    CalendarDay,
    Checklist,
    Incident,
    IncidentUpdate,
    Inspection,
    InspectionResult,
    MaintenanceWindow,
    SLAPolicy,
    Suggestion,
    System,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    Vote,
)
from .models.tickets import IT_PERMISSION
from .workcal import WorkingCalendar

log = logging.getLogger(__name__)
User = get_user_model()

# Used when IT has not set a policy for a priority: (first response, resolution) in working hours.
DEFAULT_SLA = {
    TicketPriority.URGENT: (Decimal("1"), Decimal("4")),
    TicketPriority.HIGH: (Decimal("2"), Decimal("8")),
    TicketPriority.NORMAL: (Decimal("4"), Decimal("16")),
    TicketPriority.LOW: (Decimal("8"), Decimal("40")),
}
S = TicketStatus
# The ticket state machine (one Transition per target, in the order of the statuses); IT staff make every move.
MACHINE = StateMachine([
    Transition({S.NEW, S.IN_PROGRESS, S.REOPENED}, S.ASSIGNED, IT_PERMISSION, S.ASSIGNED.label),
    Transition({S.NEW, S.ASSIGNED, S.WAITING, S.REOPENED}, S.IN_PROGRESS, IT_PERMISSION, S.IN_PROGRESS.label),
    Transition({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED}, S.WAITING, IT_PERMISSION, S.WAITING.label),
    Transition({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.WAITING, S.REOPENED}, S.RESOLVED, IT_PERMISSION,
               S.RESOLVED.label),
    Transition({S.NEW, S.ASSIGNED, S.WAITING, S.RESOLVED}, S.CLOSED, IT_PERMISSION, S.CLOSED.label),
    Transition({S.RESOLVED, S.CLOSED}, S.REOPENED, IT_PERMISSION, S.REOPENED.label),
])
# What the requester may do on their own ticket (IT staff may do every allowed transition).
REQUESTER_TRANSITIONS = {(S.RESOLVED, S.CLOSED), (S.RESOLVED, S.REOPENED), (S.CLOSED, S.REOPENED),
                         (S.WAITING, S.IN_PROGRESS)}



def targets(ticket) -> list:
    """The statuses a ticket may move to from its current one, in the order of the statuses."""
    return [t.target for t in MACHINE.transitions if ticket.status in t.sources]


def is_it_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(IT_PERMISSION))


def it_staff():
    return users_with_perm(IT_PERMISSION, include_superusers=True).order_by("username")


def sla_targets(priority) -> tuple[Decimal, Decimal, int]:
    """(first response hours, resolution hours, warn percent) of a priority."""
    policy = SLAPolicy.objects.filter(priority=priority).first()
    if policy:
        return policy.response_hours, policy.resolution_hours, policy.warn_percent
    response, resolution = DEFAULT_SLA[TicketPriority(priority)]
    return response, resolution, 75


def compute_deadlines(ticket, calendar=None):
    calendar = calendar or WorkingCalendar()
    response_h, resolution_h, _warn = sla_targets(ticket.priority)
    start = ticket.created_at or timezone.now()
    ticket.response_due = calendar.add_working_time(start, float(response_h) * 60)
    ticket.resolution_due = calendar.add_working_time(start, float(resolution_h) * 60)


def _event(ticket, from_status, to_status, actor, note="", code="", params=None):
    """The ticket's history row: a person's note as typed, the system's own words as a code and parameters."""
    event = TicketEvent.objects.create(ticket=ticket, from_status=from_status or "", to_status=to_status or "",
                                       actor=actor, note=str(note)[:500], code=code, params=params or {})
    business_event.send(sender="support", event="ticket.updated", instance=ticket, code=code or "status")
    return event


def _save_attachments(ticket, files, *, actor, message=None):
    from hardware_erp.core.uploads import check_upload

    from .uploads import ATTACHMENT_KINDS

    for upload in files or ():
        content_type = check_upload(upload, ATTACHMENT_KINDS).content_type
        name = get_valid_filename(PurePath(upload.name).name)[:150] or "file"
        TicketAttachment.objects.create(ticket=ticket, message=message, file=_named(upload, name),
                                        original_name=upload.name[:200], content_type=content_type,
                                        size=upload.size, uploaded_by=actor)


def _named(upload, name):
    upload.name = name
    return upload


@transaction.atomic
def open_ticket(*, requester, subject, description, category, priority=TicketPriority.NORMAL, page_url="",
                files=(), actor=None) -> Ticket:
    """Open a ticket: deadlines from the SLA policy, assignment by the category's rule, IT told."""
    actor = actor or requester
    if not (description or "").strip():
        raise BusinessRuleError(_("Describe the problem: the description is required."))
    ticket = Ticket(requester=requester, subject=subject.strip()[:200] or description.strip()[:80],
                    description=description.strip(), category=category, priority=priority,
                    page_url=site_url(page_url)[:500])  # a page of this site or nothing (never javascript:)
    ticket.created_at = timezone.now()
    compute_deadlines(ticket)
    ticket.save()
    _event(ticket, "", S.NEW, actor, code="opened")
    _save_attachments(ticket, files, actor=actor)
    rule = AssignmentRule.objects.select_related("assignee").filter(category=category).first()
    if rule and rule.assignee.is_active:
        ticket = assign_ticket(ticket, rule.assignee, actor=None, code="assigned_by_rule")
    else:
        notify(list(it_staff()), lazy_format(_("New ticket %(number)s: %(subject)s"), number=ticket.number,
                                             subject=ticket.subject),
               ticket.get_absolute_url(), key=f"ticket:{ticket.pk}:new")
    log.info("ticket %s opened by %s", ticket.pk, requester)
    return ticket


def _lock(ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


@transaction.atomic
def transition(ticket, to, *, actor, note="", system=False, code="", params=None) -> Ticket:
    """Move a ticket to another status: checks the transitions table and who may do it; writes the event."""
    ticket = _lock(ticket)
    to = TicketStatus(to)
    current = TicketStatus(ticket.status)
    if MACHINE.find(ticket, to) is None:
        raise BusinessRuleError(_("A ticket that is %(from)s cannot become %(to)s.")
                                % {"from": current.label, "to": to.label})
    requester_may = actor is not None and actor.pk == ticket.requester_id and (current, to) in REQUESTER_TRANSITIONS
    if not system and not is_it_staff(actor) and not requester_may:
        raise BusinessRuleError(_("Only IT staff may change this ticket to %(to)s.") % {"to": to.label})
    now = timezone.now()
    ticket.status = to
    fields = ["status", "updated_at"]
    if to == S.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif to == S.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif to == S.REOPENED:
        ticket.resolved_at = ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
    ticket.save(update_fields=fields)
    _event(ticket, current, to, actor, note, code, params)
    link = ticket.get_absolute_url()
    if to in (S.RESOLVED, S.WAITING) and actor and actor.pk != ticket.requester_id:
        msg = (_("Your ticket %(number)s is resolved: please confirm and rate it.") if to == S.RESOLVED
               else _("IT needs your answer on ticket %(number)s."))
        notify(ticket.requester, lazy_format(msg, number=ticket.number), link)
    if to == S.REOPENED and ticket.assignee_id:
        notify(ticket.assignee, lazy_format(_("Ticket %(number)s was reopened."), number=ticket.number), link,
               level="warning")
    return ticket


@transaction.atomic
def assign_ticket(ticket, assignee, *, actor, note="", code="") -> Ticket:
    """Give a ticket to an IT person (by hand or by rule); a new or reopened ticket becomes assigned."""
    if actor is not None and not is_it_staff(actor):
        raise BusinessRuleError(_("Only IT staff may assign tickets."))
    if assignee is not None and not is_it_staff(assignee):
        raise BusinessRuleError(_("%(user)s is not IT staff.") % {"user": assignee})
    ticket = _lock(ticket)
    previous = ticket.assignee
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    if not (code or note):
        code = "assigned" if assignee else "unassigned"
    params = {"user": assignee.get_full_name() or assignee.username} if code == "assigned" else None
    if assignee and ticket.status in (S.NEW, S.REOPENED):
        ticket = transition(ticket, S.ASSIGNED, actor=actor, note=note, system=True, code=code, params=params)
    else:
        _event(ticket, ticket.status, ticket.status, actor, note, code, params)
    if assignee and assignee != previous:
        notify(assignee, lazy_format(_("Ticket %(number)s is assigned to you: %(subject)s"),
                                     number=ticket.number, subject=ticket.subject), ticket.get_absolute_url())
    return ticket


@transaction.atomic
def post_message(ticket, *, actor, body, internal=False, files=()) -> TicketMessage:
    """Add to the conversation. IT's first public answer is the first response; the requester's answer
    to a ticket waiting for them puts it back in progress."""
    body = (body or "").strip()
    if not body:
        raise BusinessRuleError(_("Write a message."))
    it = is_it_staff(actor)
    if not it and actor.pk != ticket.requester_id:
        raise BusinessRuleError(_("You may not write on this ticket."))
    if internal and not it:
        raise BusinessRuleError(_("Only IT staff may write internal notes."))
    ticket = _lock(ticket)
    if ticket.status == S.CLOSED:
        raise BusinessRuleError(_("This ticket is closed: reopen it to write."))
    message = TicketMessage.objects.create(ticket=ticket, author=actor, body=body, internal=internal)
    _save_attachments(ticket, files, actor=actor, message=message)
    link = ticket.get_absolute_url()
    if it and not internal:
        if ticket.first_response_at is None and actor.pk != ticket.requester_id:
            ticket.first_response_at = message.created_at
            ticket.save(update_fields=["first_response_at", "updated_at"])
        notify(ticket.requester, lazy_format(_("IT answered on ticket %(number)s."), number=ticket.number), link)
    elif not it:
        if ticket.status == S.WAITING:
            transition(ticket, S.IN_PROGRESS, actor=actor, system=True, code="requester_answered")
        recipients = [ticket.assignee] if ticket.assignee_id else list(it_staff())
        notify(recipients, lazy_format(_("%(user)s wrote on ticket %(number)s."),
                                       user=actor.get_full_name() or actor.username, number=ticket.number), link)
    return message


@transaction.atomic
def rate_ticket(ticket, *, rating, comment="", actor) -> Ticket:
    """The requester rates a resolved ticket (1–5); the rating closes it."""
    ticket = _lock(ticket)
    if actor.pk != ticket.requester_id:
        raise BusinessRuleError(_("Only the person who opened the ticket may rate it."))
    if ticket.status not in (S.RESOLVED, S.CLOSED):
        raise BusinessRuleError(_("A ticket can be rated once it is resolved."))
    if ticket.rating is not None:
        raise BusinessRuleError(_("This ticket has been rated already."))
    if not 1 <= int(rating) <= 5:
        raise BusinessRuleError(_("Choose a rating from 1 to 5."))
    ticket.rating = int(rating)
    ticket.rating_comment = (comment or "")[:500]
    ticket.save(update_fields=["rating", "rating_comment", "updated_at"])
    if ticket.status == S.RESOLVED:
        ticket = transition(ticket, S.CLOSED, actor=actor, code="rated", params={"n": ticket.rating})
    else:
        _event(ticket, ticket.status, ticket.status, actor, code="rated", params={"n": ticket.rating})
    return ticket


@transaction.atomic
def change_priority(ticket, priority, *, actor) -> Ticket:
    """IT changes the priority: the deadlines are counted again from the ticket's opening."""
    if not is_it_staff(actor):
        raise BusinessRuleError(_("Only IT staff may change the priority."))
    ticket = _lock(ticket)
    old = ticket.priority
    ticket.priority = priority
    compute_deadlines(ticket)
    ticket.save(update_fields=["priority", "response_due", "resolution_due", "updated_at"])
    _event(ticket, ticket.status, ticket.status, actor, code="priority", params={"old": old, "new": ticket.priority})
    return ticket


@transaction.atomic
def save_helpdesk_settings(*, policies, rules: dict, actor):
    """Save the SLA policies (unsaved or changed instances) and the assignment rule of each category."""
    if not (actor.has_perm("support.change_slapolicy") and actor.has_perm("support.change_assignmentrule")):
        raise BusinessRuleError(_("Only IT staff may change the helpdesk settings."))
    for policy in policies:
        policy.save()
    for category, assignee in rules.items():
        if assignee is None:
            AssignmentRule.objects.filter(category=category).delete()
        else:
            AssignmentRule.objects.update_or_create(category=category, defaults={"assignee": assignee})


def sla_lead_users():
    return list(users_with_perm("support.lead_helpdesk", include_superusers=True))


def check_slas(now=None) -> dict:
    """Warn the assignee before a target is breached and escalate to the IT lead when it is, once each
    (the notification key makes a second run harmless). Returns counts of what was sent."""
    now = now or timezone.now()
    calendar = WorkingCalendar()
    counts = {"warned": 0, "escalated": 0}
    leads = None
    tickets = (Ticket.objects.open().filter(Q(first_response_at__isnull=True) | Q(resolution_due__isnull=False))
               .select_related("assignee", "requester"))
    policies = {p.priority: p.warn_percent for p in SLAPolicy.objects.all()}
    for t in tickets.iterator(chunk_size=500):
        warn_percent = policies.get(t.priority, 75)
        targets = [("resolution", t.resolution_due, _("resolution"))]
        if t.first_response_at is None:
            targets.insert(0, ("response", t.response_due, _("first response")))
        for kind, due, label in targets:
            if due is None:
                continue
            link = t.get_absolute_url()
            if now >= due:
                if leads is None:
                    leads = sla_lead_users()
                recipients = leads + ([t.assignee] if t.assignee_id else [])
                sent = notify(recipients, lazy_format(
                    _("Ticket %(number)s missed its %(target)s target (due %(due)s)."), number=t.number,
                    target=label, due=timezone.localtime(due).strftime("%Y-%m-%d %H:%M")), link, level="danger",
                    key=f"ticket:{t.pk}:{kind}:breach")
                if sent:
                    counts["escalated"] += 1
                    _event(t, t.status, t.status, None, code="escalated", params={"target": kind})
                continue
            total = calendar.working_minutes_between(t.created_at, due)
            used = calendar.working_minutes_between(t.created_at, now)
            if t.assignee_id and total > 0 and used >= total * warn_percent / 100:
                left = calendar.working_minutes_between(now, due)
                from .workcal import format_minutes

                sent = notify(t.assignee, lazy_format(
                    _("Ticket %(number)s: %(left)s of working time left for the %(target)s target."),
                    number=t.number, left=format_minutes(left), target=label), link, level="warning",
                    key=f"ticket:{t.pk}:{kind}:warn")
                counts["warned"] += bool(sent)
    log.info("SLA check: %(warned)d warnings, %(escalated)d escalations", counts)
    return counts


# --- incidents and maintenance --------------------------------------------------------------------------

def _incident_audience(incident):
    """The employees of the affected departments (everyone when none is named)."""
    users = User.objects.filter(is_active=True)
    dept_ids = list(incident.departments.values_list("pk", flat=True))
    if dept_ids:
        users = users.filter(employee__department__in=dept_ids)
    return list(users)


def _tell_incident(incident, message, key, level="danger"):
    notify(_incident_audience(incident), message, incident.get_absolute_url(), level=level, key=key)


@transaction.atomic
def declare_incident(*, title, severity, actor, description="", systems=(), departments=(), started_at=None,
                     estimated_recovery_at=None, draft=False, source_check="") -> Incident:
    """Declare an outage: the banner shows at once and the affected departments are told (unless a draft,
    which waits for IT to confirm it)."""

    incident = Incident.objects.create(
        title=title, severity=severity, description=description, declared_by=actor,
        started_at=started_at or timezone.now(), estimated_recovery_at=estimated_recovery_at,
        status=Incident.Status.DRAFT if draft else Incident.Status.OPEN, source_check=source_check)
    incident.systems.set(systems)
    incident.departments.set(departments)
    if not draft:
        _announce(incident)
    transaction.on_commit(banners.clear)
    return incident


def _announce(incident):
    eta = (timezone.localtime(incident.estimated_recovery_at).strftime("%m-%d %H:%M")
           if incident.estimated_recovery_at else "—")
    _tell_incident(incident, lazy_format(_("Incident: %(title)s. Estimated recovery: %(eta)s."),
                                         title=incident.title, eta=eta), key=f"incident:{incident.pk}:declared")


@transaction.atomic
def confirm_incident(incident, *, actor) -> Incident:
    """IT confirms a draft (opened by a failing check): it becomes an ongoing incident."""

    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != Incident.Status.DRAFT:
        raise BusinessRuleError(_("Only a draft incident can be confirmed."))
    incident.status = Incident.Status.OPEN
    incident.declared_by = actor
    incident.save(update_fields=["status", "declared_by", "updated_at"])
    _announce(incident)
    transaction.on_commit(banners.clear)
    return incident


@transaction.atomic
def post_incident_update(incident, *, body, actor, estimated_recovery_at=None) -> IncidentUpdate:
    """A timeline entry (progress, a new estimate); the affected departments are told."""

    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != Incident.Status.OPEN:
        raise BusinessRuleError(_("Updates can be posted only while the incident is ongoing."))
    if not (body or "").strip():
        raise BusinessRuleError(_("Write what has changed."))
    update = IncidentUpdate.objects.create(incident=incident, author=actor, body=body.strip(),
                                           estimated_recovery_at=estimated_recovery_at)
    if estimated_recovery_at:
        incident.estimated_recovery_at = estimated_recovery_at
        incident.save(update_fields=["estimated_recovery_at", "updated_at"])
    _tell_incident(incident, lazy_format(_("Update on the incident %(title)s: %(body)s"), title=incident.title,
                                         body=body.strip()[:200]),
                   key=f"incident:{incident.pk}:update:{update.pk}", level="warning")
    transaction.on_commit(banners.clear)
    return update


@transaction.atomic
def resolve_incident(incident, *, body, actor, resolved_at=None) -> Incident:
    """Service is back: the banner clears and everyone affected is told. A second resolution is refused."""

    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == Incident.Status.RESOLVED:
        raise BusinessRuleError(_("This incident was resolved already at %(when)s.")
                                % {"when": timezone.localtime(incident.resolved_at).strftime("%Y-%m-%d %H:%M")})
    if incident.status == Incident.Status.DRAFT:
        raise BusinessRuleError(_("Confirm or discard the draft first."))
    incident.status = Incident.Status.RESOLVED
    incident.resolved_at = resolved_at or timezone.now()
    incident.save(update_fields=["status", "resolved_at", "updated_at"])
    IncidentUpdate.objects.create(incident=incident, author=actor, is_resolution=True,
                                  body=(body or "").strip() or _("The service is back to normal."))
    _tell_incident(incident, lazy_format(_("Resolved: %(title)s. The service is back to normal."),
                                         title=incident.title), key=f"incident:{incident.pk}:resolved",
                   level="success")
    transaction.on_commit(banners.clear)
    return incident


@transaction.atomic
def discard_incident_draft(incident, *, actor):
    if incident.status != Incident.Status.DRAFT:
        raise BusinessRuleError(_("Only a draft incident can be discarded."))
    Incident.objects.filter(pk=incident.pk).delete()
    transaction.on_commit(banners.clear)


@transaction.atomic
def record_incident_review(incident, *, cause, actions, actor) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != Incident.Status.RESOLVED:
        raise BusinessRuleError(_("The review is written once the incident is resolved."))
    if not (cause or "").strip() or not (actions or "").strip():
        raise BusinessRuleError(_("Write both the cause and the actions."))
    incident.review_cause, incident.review_actions = cause.strip(), actions.strip()
    incident.reviewed_at, incident.reviewed_by = timezone.now(), actor
    incident.save(update_fields=["review_cause", "review_actions", "reviewed_at", "reviewed_by", "updated_at"])
    return incident


@transaction.atomic
def plan_maintenance(*, title, starts_at, ends_at, actor, announce_from=None, description="", systems=()):
    if ends_at <= starts_at:
        raise BusinessRuleError(_("The window must end after it starts."))
    announce_from = announce_from or starts_at - timedelta(days=2)
    if announce_from > starts_at:
        raise BusinessRuleError(_("Announce the window before it starts."))
    window = MaintenanceWindow.objects.create(title=title, description=description, starts_at=starts_at,
                                              ends_at=ends_at, announce_from=announce_from, created_by=actor)
    window.systems.set(systems)
    transaction.on_commit(banners.clear)
    return window


@transaction.atomic
def cancel_maintenance(window, *, actor):
    window.cancelled = True
    window.save(update_fields=["cancelled", "updated_at"])
    transaction.on_commit(banners.clear)
    return window


# --- systems and the working calendar -------------------------------------------------------------------

SYSTEM_FIELDS = ("code", "name", "description", "owner", "plan_contacts", "plan_steps", "plan_reviewed_at")


@transaction.atomic
def save_system(system: System | None = None, *, actor, **fields) -> System:
    """Create or edit a system and its emergency plan (field history kept by simple-history)."""
    if not actor.has_perm("support.change_system" if system else "support.add_system"):
        raise BusinessRuleError(_("Only IT staff may edit systems."))
    code = (fields.get("code") or "").strip()
    clash = System.objects.filter(code=code)
    if system is not None:
        clash = clash.exclude(pk=system.pk)
    if clash.exists():
        raise ValidationError({"code": _("Another system has the code %(code)s.") % {"code": code}})
    system = System.objects.select_for_update().get(pk=system.pk) if system else System()
    for name in SYSTEM_FIELDS:
        if name in fields:
            setattr(system, name, fields[name])
    system.save()
    return system


@transaction.atomic
def add_calendar_day(*, date, is_workday, note, actor) -> CalendarDay:
    """A company day off or extra working day; new deadlines count with it."""
    if not actor.has_perm("support.add_calendarday"):
        raise BusinessRuleError(_("Only IT staff may change the working calendar."))
    if CalendarDay.objects.filter(date=date).exists():
        raise ValidationError({"date": _("%(date)s is in the calendar already.") % {"date": date}})
    return CalendarDay.objects.create(date=date, is_workday=is_workday, note=note, created_by=actor)


@transaction.atomic
def remove_calendar_day(day: CalendarDay, *, actor):
    if not actor.has_perm("support.delete_calendarday"):
        raise BusinessRuleError(_("Only IT staff may change the working calendar."))
    CalendarDay.objects.filter(pk=day.pk).delete()


# --- feedback ------------------------------------------------------------------------------------------

@transaction.atomic
def submit_suggestion(*, actor, title, body, area="erp") -> Suggestion:
    if not (body or "").strip():
        raise BusinessRuleError(_("Describe your suggestion."))
    suggestion = Suggestion.objects.create(author=actor, title=title.strip()[:200], body=body.strip(), area=area)
    toggle_vote(suggestion, actor=actor)
    return suggestion


@transaction.atomic
def toggle_vote(suggestion, *, actor) -> bool:
    """One vote per person: voting again takes the vote back. Returns whether the user now votes for it."""
    deleted, _rows = Vote.objects.filter(suggestion=suggestion, user=actor).delete()
    if deleted:
        Suggestion.objects.filter(pk=suggestion.pk).update(vote_count=F("vote_count") - 1)
        return False
    try:
        with transaction.atomic():
            Vote.objects.create(suggestion=suggestion, user=actor)
    except IntegrityError:  # a double click raced us: the vote is there already
        return True
    Suggestion.objects.filter(pk=suggestion.pk).update(vote_count=F("vote_count") + 1)
    return True


@transaction.atomic
def answer_suggestion(suggestion, *, status, answer, actor) -> Suggestion:
    if not actor.has_perm("support.answer_suggestion"):
        raise BusinessRuleError(_("Only IT staff may answer suggestions."))
    if status != Suggestion.Status.REVIEW and not (answer or "").strip():
        raise BusinessRuleError(_("Tell the employees why: write an answer."))
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    old = suggestion.status
    suggestion.status, suggestion.answer = status, (answer or "").strip()
    suggestion.answered_by, suggestion.answered_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    if old != status:
        voters = User.objects.filter(pk__in=Vote.objects.filter(suggestion=suggestion).values("user"))
        notify(list(voters) + [suggestion.author], lazy_format(
            _("Your suggestion “%(title)s” is now: %(status)s."), title=suggestion.title,
            status=Suggestion.Status(status).label), suggestion.get_absolute_url(),
            key=f"suggestion:{suggestion.pk}:{status}")
    return suggestion


# --- inspections ---------------------------------------------------------------------------------------

CHECKLIST_CATEGORY = {"server": "hardware", "backup": "other", "network": "network", "printer": "printer",
                      "scanner": "printer"}


def create_due_inspections(today=None) -> list[Inspection]:
    """One inspection per active checklist whose interval has passed since its last one (safe to run twice)."""
    today = today or timezone.localdate()
    created = []
    for checklist in Checklist.objects.filter(active=True).select_related("assignee"):
        last = checklist.inspections.order_by("-due_date").values_list("due_date", flat=True).first()
        if last is not None and (today - last).days < checklist.interval_days:
            continue
        with transaction.atomic():
            inspection, made = Inspection.objects.get_or_create(checklist=checklist, due_date=today)
        if made:
            created.append(inspection)
            recipients = [checklist.assignee] if checklist.assignee_id else list(it_staff())
            notify(recipients, lazy_format(_("Inspection due today: %(name)s."), name=checklist.name),
                   inspection.get_absolute_url(), key=f"inspection:{inspection.pk}:due")
    return created


@transaction.atomic
def record_inspection(inspection, *, results: dict, actor) -> Inspection:
    """Record each item's result ({item_id: (result, note)}); every failed item opens a ticket."""
    if not is_it_staff(actor):
        raise BusinessRuleError(_("Only IT staff record inspections."))
    inspection = Inspection.objects.select_for_update().select_related("checklist").get(pk=inspection.pk)
    if inspection.status == Inspection.Status.DONE:
        raise BusinessRuleError(_("This inspection was recorded already."))
    items = list(inspection.checklist.items.all())
    missing = [i.text for i in items if i.pk not in results]
    if missing:
        raise BusinessRuleError(_("Give a result for every item: %(items)s.") % {"items": ", ".join(missing)})
    failed = 0
    for item in items:
        result, note = results[item.pk]
        row = InspectionResult(inspection=inspection, item=item, result=result, note=(note or "")[:300])
        if result == InspectionResult.Result.FAILED:
            failed += 1
            row.ticket = open_ticket(
                requester=actor, subject=f"{inspection.checklist.name}: {item.text}"[:200],
                description=_("Failed in the inspection of %(date)s: %(item)s. %(note)s")
                % {"date": inspection.due_date, "item": item.text, "note": note or ""},
                category=CHECKLIST_CATEGORY.get(inspection.checklist.kind, "other"), priority="high")
        row.save()
    inspection.status, inspection.done_by, inspection.done_at = Inspection.Status.DONE, actor, timezone.now()
    inspection.failed_count = failed
    inspection.save(update_fields=["status", "done_by", "done_at", "failed_count", "updated_at"])
    return inspection
