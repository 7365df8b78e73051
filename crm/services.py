"""Every CRM write that matters. Keyword-only, `actor` last, return the object, raise BusinessRuleError."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.services import lazy_format, notify
from hardware_erp.core.signals import business_event

from . import customer_fields
from .choices import (
    OPEN_STAGES,
    STAGE_PROBABILITY,
    CustomerEventKind,
    StageChoices,
    TaskStatusChoices,
)
from .models import Contact, ContactRecord, Customer, CustomerEvent, DeliveryAddress, FollowUpTask, Opportunity
from .signals import customers_merged
from .validators import normalize_mobile

log = logging.getLogger(__name__)



User = get_user_model()

CUSTOMER_FIELDS = customer_fields.FIELDS  # the fields a customer's services accept: declared once, with the form
CONTACT_FIELDS = ("name", "position", "mobile", "landline", "email", "wechat", "is_primary", "notes")
ADDRESS_FIELDS = ("label", "recipient", "phone", "province", "city", "district", "address", "is_default")


class DuplicateCustomerError(BusinessRuleError):
    """Likely duplicates exist; the caller shows them and asks the user to confirm."""

    def __init__(self, duplicates):
        self.duplicates = duplicates
        super().__init__(_("This customer may already exist. Check the possible duplicates and confirm to save "
                           "anyway."), code="duplicate")


def _clean(instance, exclude=()):
    """Model validation with every error at once; BusinessRuleError keeps the field messages."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        raise BusinessRuleError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


def _event(customer, kind, *, actor, **kwargs):
    return CustomerEvent.objects.create(customer=customer, kind=kind, actor=actor, **kwargs)


def _set_contact_fields(contact, data):
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field] if data[field] is not None else "")
    try:
        contact.mobile = normalize_mobile(contact.mobile)
    except ValidationError as exc:
        raise BusinessRuleError({"mobile": exc.messages})


# ---------------------------------------------------------------- customers

@transaction.atomic
def create_customer(*, data: dict, contacts=(), owner=None, actor, confirm_duplicates=False,
                    event_kind=CustomerEventKind.CREATED) -> Customer:
    """Create a customer with its first contacts. Refuses likely duplicates unless confirmed.

    Key values the actor may not approve (a credit limit, payment terms: governance's CREATE_DEFAULTS) are not
    saved at once: the customer starts with the safe defaults and `customer.pending_change` is the change
    request holding the values entered (None when nothing waits)."""
    from governance.services import hold_key_values_on_create, submit_change

    from .selectors import find_duplicates

    customer = Customer(**{k: v for k, v in data.items() if k in CUSTOMER_FIELDS})
    customer.owner = owner if owner is not None else actor
    customer.created_by = actor
    customer.refresh_search_fields()
    errors = {}
    try:
        _clean(customer, exclude=["owner", "created_by", "merged_into"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    contact_objs = []
    for i, cdata in enumerate(contacts):
        contact = Contact(customer=customer, is_primary=(i == 0))
        try:
            _set_contact_fields(contact, cdata)
            _clean(contact, exclude=["customer"])
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                errors.setdefault(field, []).extend(msgs)
        contact_objs.append(contact)
    if errors:
        raise BusinessRuleError(errors)
    if not confirm_duplicates:
        phones = [customer.phone] + [c.mobile for c in contact_objs]
        dups = find_duplicates(name=customer.name, city=customer.city, credit_code=customer.credit_code,
                               phones=phones)
        if dups:
            raise DuplicateCustomerError(dups)
    entered = {name: getattr(customer, name) for name in CUSTOMER_FIELDS}
    safe, held = hold_key_values_on_create(Customer, entered, actor=actor)
    for name in held:
        setattr(customer, name, safe[name])
    customer._history_user = actor
    customer.save()
    for contact in contact_objs:
        contact.customer = customer
        contact.save()
    _event(customer, event_kind, actor=actor, to_user=customer.owner)
    customer.pending_change = submit_change(customer, held, actor=actor) if held else None
    return customer


@transaction.atomic
def update_customer(customer, changes: dict, *, actor, reason: str = ""):
    """The one way a customer's profile is edited. Returns (customer, pending change request or None).

    Goes through governance's `submit_change` (key fields such as the credit code, credit limit or bank
    account then wait for approval).
    """
    from governance.services import submit_change

    changes = {k: v for k, v in changes.items() if k in CUSTOMER_FIELDS and getattr(customer, k) != v}
    if not changes:
        return customer, None
    probe = Customer.objects.get(pk=customer.pk)
    for k, v in changes.items():
        setattr(probe, k, v)
    _clean(probe, exclude=["owner", "created_by", "merged_into"])
    pending = submit_change(customer, changes, actor=actor, reason=reason)
    customer.refresh_from_db()
    data = {"fields": sorted(changes)}
    if pending is not None:
        data["pending"] = pending.pk
    _event(customer, CustomerEventKind.UPDATED, actor=actor, note=reason[:255], data=data)
    business_event.send(sender="crm", event="customer.changed", instance=customer, fields=sorted(changes),
                        pending=pending is not None)
    return customer, pending


@transaction.atomic
def reassign_customer(customer, *, to_user, actor, note: str = "") -> Customer:
    """Give the customer another owner; the open opportunities and tasks of the old owner go along."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if to_user is None or not to_user.has_perm("core.access_crm"):
        raise BusinessRuleError(_("Choose an active user who works with customers."))
    old = customer.owner
    if old == to_user:
        raise BusinessRuleError(_("%(user)s is the owner already.") % {"user": to_user})
    customer.owner = to_user
    customer.save(update_fields=["owner", "updated_at"])
    customer.shared_with.remove(to_user)
    if old is not None:
        customer.opportunities.filter(owner=old, stage__in=OPEN_STAGES).update(owner=to_user)
        customer.tasks.filter(assignee=old, status=TaskStatusChoices.OPEN).update(assignee=to_user)
    event = _event(customer, CustomerEventKind.REASSIGNED, actor=actor, from_user=old, to_user=to_user,
                   note=note[:255])
    notify([to_user], lazy_format(_("%(customer)s is now your customer."), customer=customer.name),
           customer.get_absolute_url(), key=f"crm.customer:{customer.pk}:reassigned:{event.pk}")
    return customer


@transaction.atomic
def share_customer(customer, *, users, actor) -> Customer:
    """Set who else may see and edit the customer; each added or removed user is recorded."""
    wanted = {u for u in users if u is not None and u != customer.owner}
    current = set(customer.shared_with.all())
    for u in wanted - current:
        customer.shared_with.add(u)
        _event(customer, CustomerEventKind.SHARED, actor=actor, to_user=u)
    for u in current - wanted:
        customer.shared_with.remove(u)
        _event(customer, CustomerEventKind.UNSHARED, actor=actor, from_user=u)
    return customer


# ---------------------------------------------------------------- contacts and addresses

@transaction.atomic
def save_contact(*, customer, data: dict, actor, contact=None) -> Contact:
    contact = contact or Contact(customer=customer)
    _set_contact_fields(contact, data)
    _clean(contact, exclude=["customer"])
    contact.save()
    if contact.is_primary:
        customer.contacts.exclude(pk=contact.pk).update(is_primary=False)
    return contact


@transaction.atomic
def save_address(*, customer, data: dict, actor, address=None) -> DeliveryAddress:
    address = address or DeliveryAddress(customer=customer)
    for field in ADDRESS_FIELDS:
        if field in data:
            setattr(address, field, data[field])
    _clean(address, exclude=["customer"])
    address.save()
    if address.is_default:
        customer.addresses.exclude(pk=address.pk).update(is_default=False)
    return address


# ---------------------------------------------------------------- contact history

@transaction.atomic
def log_contact(*, customer, channel, summary, actor, occurred_at=None, contact=None, opportunity=None,
                next_step: str = "", next_due_at=None) -> ContactRecord:
    """Record a call, visit, message...; with a next step and a due time, also a follow-up task."""
    now = timezone.now()
    occurred_at = occurred_at or now
    if not (summary or "").strip():
        raise BusinessRuleError({"summary": [_("Write what was said or done.")]})
    if occurred_at > now + timedelta(minutes=5):
        raise BusinessRuleError({"occurred_at": [_("A contact cannot happen in the future.")]})
    if contact is not None and contact.customer_id != customer.pk:
        raise BusinessRuleError({"contact": [_("This contact belongs to another customer.")]})
    if opportunity is not None and opportunity.customer_id != customer.pk:
        raise BusinessRuleError({"opportunity": [_("This opportunity belongs to another customer.")]})
    if next_due_at and not next_step.strip():
        raise BusinessRuleError({"next_step": [_("Say what the next step is, or leave its due time empty.")]})
    record = ContactRecord.objects.create(customer=customer, channel=channel, summary=summary.strip(),
                                          occurred_at=occurred_at, contact=contact, opportunity=opportunity,
                                          next_step=next_step.strip(), created_by=actor)
    Customer.objects.filter(pk=customer.pk).update(
        last_contact_at=Greatest("last_contact_at", occurred_at) if customer.last_contact_at else occurred_at)
    if opportunity is not None:
        Opportunity.objects.filter(pk=opportunity.pk).update(last_activity_at=now)
    if next_due_at:
        create_task(customer=customer, title=next_step.strip(), due_at=next_due_at, assignee=actor,
                    opportunity=opportunity, actor=actor)
    return record


# ---------------------------------------------------------------- opportunities

# Allowed moves: from every open stage to any stage; a lost one may be reopened; won is final.
TRANSITIONS = {
    **{s: {st for st in StageChoices.values if st != s} for s in OPEN_STAGES},
    StageChoices.LOST: {StageChoices.LEAD, StageChoices.QUALIFIED, StageChoices.QUOTED, StageChoices.NEGOTIATING},
    StageChoices.WON: set(),
}


@transaction.atomic
def save_opportunity(*, customer, data: dict, actor, opportunity=None) -> Opportunity:
    """Create or edit an opportunity (not its stage once created: that goes through move_opportunity)."""
    creating = opportunity is None
    opp = opportunity or Opportunity(customer=customer, owner=customer.owner or actor)
    fields = ("title", "amount", "expected_close", "probability", "products_of_interest", "owner")
    if creating:
        fields += ("stage", "lost_reason")
    for f in fields:
        if f in data and data[f] is not None:
            setattr(opp, f, data[f])
    if creating and "probability" not in data:
        opp.probability = STAGE_PROBABILITY[opp.stage]
    if opp.stage == StageChoices.LOST and not opp.lost_reason.strip():
        raise BusinessRuleError({"lost_reason": [_("Say why the opportunity was lost.")]})
    if creating and opp.stage in (StageChoices.WON, StageChoices.LOST):
        opp.closed_at = timezone.now()
    opp.last_activity_at = timezone.now()
    _clean(opp, exclude=["customer"])
    opp.save()
    return opp


@transaction.atomic
def move_opportunity(opportunity, *, stage, actor, lost_reason: str = "") -> Opportunity:
    """The pipeline's one state transition (kanban drag, stage buttons)."""
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if stage == opp.stage:
        return opp
    if stage not in StageChoices.values:
        raise BusinessRuleError(_("Unknown stage."))
    if stage not in TRANSITIONS[opp.stage]:
        raise BusinessRuleError(_("A %(from)s opportunity cannot move to %(to)s.") % {
            "from": opp.get_stage_display(), "to": StageChoices(stage).label})
    if stage == StageChoices.LOST and not (lost_reason or "").strip():
        raise BusinessRuleError({"lost_reason": [_("Say why the opportunity was lost.")]})
    now = timezone.now()
    old = opp.stage
    opp.stage = stage
    opp.stage_changed_at = now
    opp.last_activity_at = now
    opp.probability = STAGE_PROBABILITY[stage] if stage in (StageChoices.WON, StageChoices.LOST) or \
        opp.probability == STAGE_PROBABILITY.get(old) else opp.probability
    if stage in (StageChoices.WON, StageChoices.LOST):
        opp.closed_at = now
        opp.lost_reason = lost_reason.strip() if stage == StageChoices.LOST else ""
    else:
        opp.closed_at = None
        opp.lost_reason = ""
    opp._change_reason = f"{old} -> {stage}"
    opp.save()
    return opp


# ---------------------------------------------------------------- follow-up tasks

@transaction.atomic
def create_task(*, customer, title, due_at, assignee, actor, opportunity=None) -> FollowUpTask:
    if not (title or "").strip():
        raise BusinessRuleError({"title": [_("Say what is to be done.")]})
    if assignee is None or not assignee.is_active:
        raise BusinessRuleError({"assignee": [_("Choose who does it.")]})
    if opportunity is not None and opportunity.customer_id != customer.pk:
        raise BusinessRuleError({"opportunity": [_("This opportunity belongs to another customer.")]})
    return FollowUpTask.objects.create(customer=customer, opportunity=opportunity, title=title.strip()[:200],
                                       due_at=due_at, assignee=assignee, created_by=actor)


@transaction.atomic
def complete_task(task, *, outcome: str, actor) -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatusChoices.OPEN:
        raise BusinessRuleError(_("This task is closed already."))
    if not (outcome or "").strip():
        raise BusinessRuleError({"outcome": [_("Write the outcome.")]})
    task.status = TaskStatusChoices.DONE
    task.done_at = timezone.now()
    task.outcome = outcome.strip()
    task.save()
    if task.opportunity_id:
        Opportunity.objects.filter(pk=task.opportunity_id).update(last_activity_at=task.done_at)
    return task


@transaction.atomic
def cancel_task(task, *, actor, reason: str = "") -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatusChoices.OPEN:
        raise BusinessRuleError(_("This task is closed already."))
    task.status = TaskStatusChoices.CANCELLED
    task.outcome = reason.strip()
    task.save()
    return task


# ---------------------------------------------------------------- merge

# the survivor's own, never taken from the merged customer (tags and notes are joined below)
MERGE_KEEP_FIELDS = ("kind", "name", "customer_type", "level", "source", "credit_limit", "payment_terms_days", "tags",
                     "notes")
# every other field the survivor has empty is filled from the merged customer
MERGE_FILL_FIELDS = tuple(f for f in CUSTOMER_FIELDS if f not in MERGE_KEEP_FIELDS)


@transaction.atomic
def merge_customers(*, survivor, merged, actor) -> Customer:
    """Move everything of `merged` to `survivor`, keep `merged` as an inactive pointer, record it, tell others."""
    if survivor.pk == merged.pk:
        raise BusinessRuleError(_("Choose two different customers."))
    first, second = sorted([survivor.pk, merged.pk])
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if survivor.merged_into_id or merged.merged_into_id:
        raise BusinessRuleError(_("One of these customers was merged already."))
    moved = {
        "contacts": Contact.objects.filter(customer=merged).update(customer=survivor, is_primary=False),
        "records": ContactRecord.objects.filter(customer=merged).update(customer=survivor),
        "opportunities": Opportunity.objects.filter(customer=merged).update(customer=survivor),
        "tasks": FollowUpTask.objects.filter(customer=merged).update(customer=survivor),
        "addresses": DeliveryAddress.objects.filter(customer=merged).update(customer=survivor, is_default=False),
    }
    filled = []
    for f in MERGE_FILL_FIELDS:
        if not getattr(survivor, f) and getattr(merged, f):
            setattr(survivor, f, getattr(merged, f))
            filled.append(f)
    if merged.notes:
        survivor.notes = (survivor.notes + "\n" if survivor.notes else "") + merged.notes
    tags = survivor.tag_list + [t for t in merged.tag_list if t not in survivor.tag_list]
    survivor.tags = ", ".join(tags)[:200]
    if merged.last_contact_at and (not survivor.last_contact_at or merged.last_contact_at > survivor.last_contact_at):
        survivor.last_contact_at = merged.last_contact_at
    if merged.last_order_date and (not survivor.last_order_date or merged.last_order_date > survivor.last_order_date):
        survivor.last_order_date = merged.last_order_date
    survivor.save()
    extra = set(merged.shared_with.all())
    if merged.owner:
        extra.add(merged.owner)
    extra.discard(survivor.owner)
    survivor.shared_with.add(*extra)
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    data = {"moved": moved, "filled": filled, "merged_name": merged.name}
    _event(survivor, CustomerEventKind.MERGED, actor=actor, other_customer=merged, data={**data, "role": "survivor"})
    _event(merged, CustomerEventKind.MERGED, actor=actor, other_customer=survivor, data={**data, "role": "merged"})
    customers_merged.send(sender=Customer, survivor=survivor, merged=merged, actor=actor)
    log.info("customer %s merged into %s by %s: %s", merged.pk, survivor.pk, actor, moved)
    return survivor


def set_last_order_dates(value, *, customer_ids=None) -> int:
    """Store customers' last order date (the orders app owns orders and calls this when it changes).

    `value` is a date, None, or an expression over the customer row (a subquery correlated on
    `OuterRef("pk")`), so that every customer is refreshed in one UPDATE. `customer_ids=None` means all.
    Returns the number of customers updated.
    """
    qs = Customer.objects.all() if customer_ids is None else Customer.objects.filter(pk__in=list(customer_ids))
    return qs.update(last_order_date=value)


# ---------------------------------------------------------------- reminders

def _task_link(task):
    return task.customer.get_absolute_url() + f"#task-{task.pk}"


def send_followup_reminders(now=None) -> dict:
    """Before a follow-up is due (CRM_REMINDER_LEAD_MINUTES) and once it is overdue: one notice per task per state.

    The notification key carries the due time, so a task moved to a new time is reminded again.
    """
    now = now or timezone.now()
    lead = timedelta(minutes=settings.CRM_REMINDER_LEAD_MINUTES)
    sent = {"due": 0, "overdue": 0}
    open_tasks = FollowUpTask.objects.filter(status=TaskStatusChoices.OPEN).select_related("customer", "assignee")
    for task in open_tasks.filter(due_at__gt=now, due_at__lte=now + lead):
        sent["due"] += len(notify(
            [task.assignee],
            lazy_format(_("Follow-up due at %(time)s: %(title)s · %(customer)s"),
                        time=timezone.localtime(task.due_at).strftime("%H:%M"), title=task.title,
                        customer=task.customer.name),
            _task_link(task), level="info", key=f"crm.task:{task.pk}:due:{task.due_at:%Y%m%d%H%M}"))
    for task in open_tasks.filter(due_at__lte=now, due_at__gt=now - timedelta(days=30)):
        sent["overdue"] += len(notify(
            [task.assignee],
            lazy_format(_("Follow-up overdue since %(time)s: %(title)s · %(customer)s"),
                        time=timezone.localtime(task.due_at).strftime("%m-%d %H:%M"), title=task.title,
                        customer=task.customer.name),
            _task_link(task), level="warning", key=f"crm.task:{task.pk}:overdue:{task.due_at:%Y%m%d%H%M}"))
    return sent


def send_morning_digest(now=None) -> int:
    """Each user's follow-ups for today, once a day, from CRM_DIGEST_HOUR local time on."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < settings.CRM_DIGEST_HOUR:
        return 0
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    rows = (FollowUpTask.objects.filter(status=TaskStatusChoices.OPEN, due_at__lt=end)
            .values_list("assignee_id").order_by())
    from django.db.models import Count

    counts = rows.annotate(today=Count("pk", filter=Q(due_at__gte=start)),
                           overdue=Count("pk", filter=Q(due_at__lt=start)))
    users = User.objects.in_bulk([r[0] for r in counts])
    sent = 0
    from django.urls import reverse

    link = reverse("crm:task_list") + "?mine=1"
    for assignee_id, today, overdue in counts:
        user = users.get(assignee_id)
        if user is None or not (today or overdue):
            continue
        sent += len(notify([user], lazy_format(_("Today: %(today)d follow-ups due, %(overdue)d overdue."),
                                               today=today, overdue=overdue),
                           link, key=f"crm.digest:{start:%Y-%m-%d}"))
    return sent


def flag_stale_opportunities(now=None) -> int:
    """Open opportunities without activity for CRM_STALE_DAYS: tell the owner and the owner's manager once."""
    now = now or timezone.now()
    days = settings.CRM_STALE_DAYS
    stale = (Opportunity.objects.filter(stage__in=OPEN_STAGES, last_activity_at__lt=now - timedelta(days=days))
             .select_related("owner__employee__manager", "customer"))
    sent = 0
    for opp in stale.iterator(chunk_size=500):
        recipients = [opp.owner]
        employee = getattr(opp.owner, "employee", None) if opp.owner else None
        if employee and employee.manager:
            recipients.append(employee.manager)
        sent += len(notify(recipients, lazy_format(_("No activity for %(days)d days: %(title)s · %(customer)s"),
                                                   days=(now - opp.last_activity_at).days, title=opp.title,
                                                   customer=opp.customer.name),
            opp.get_absolute_url(), level="warning",
            key=f"crm.opp:{opp.pk}:stale:{opp.last_activity_at:%Y%m%d%H%M}"))
    return sent
