"""Read-side queries: a learner's overview, team and department progress, and the KPI evidence
read by `performance` (see docs/developing.md, "KPI evidence selectors")."""

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Enrollment, PlanAssignment, QuizAttempt

User = get_user_model()


def _fmt(dt):
    return timezone.localtime(dt).strftime("%m-%d %H:%M") if dt else "—"


def kpi_required_courses_on_time(user, start, end) -> list[dict]:
    """Required courses due in [start, end): ok when completed by the end of the due day."""
    rows = (Enrollment.objects.filter(user=user, required=True, due_date__gte=timezone.localtime(start).date(),
                                      due_date__lt=timezone.localtime(end).date())
            .select_related("course").order_by("due_date", "pk"))
    out = []
    for e in rows:
        done_day = timezone.localtime(e.completed_at).date() if e.completed_at else None
        out.append({"model": "training.enrollment", "id": e.pk, "label": str(e.course),
                    "url": reverse("training:course", args=[e.course_id]),
                    "ok": bool(done_day and done_day <= e.due_date), "value": None,
                    "detail": _("due %(due)s, done %(done)s") % {"due": f"{e.due_date:%m-%d}",
                                                                   "done": _fmt(e.completed_at)}})
    return out


def kpi_quiz_average(user, start, end) -> list[dict]:
    """Submitted quiz attempts in [start, end): value = score %, ok = passed."""
    rows = (QuizAttempt.objects.filter(user=user, submitted_at__gte=start, submitted_at__lt=end)
            .select_related("quiz__lesson__course").order_by("submitted_at", "pk"))
    return [{"model": "training.quizattempt", "id": a.pk, "label": f"{a.quiz.lesson} #{a.number}",
             "url": reverse("training:attempt", args=[a.pk]), "ok": a.passed,
             "value": float(a.score or 0),
             "detail": _("%(score)s%% on %(at)s") % {"score": a.score, "at": _fmt(a.submitted_at)}}
            for a in rows]


def learner_summary(user) -> dict:
    """Counts for a learner: enrolled, completed, in progress, overdue, average quiz score."""
    today = timezone.localdate()
    agg = Enrollment.objects.filter(user=user).aggregate(
        enrolled=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)),
        overdue=Count("pk", filter=Q(completed_at__isnull=True, due_date__lt=today)),
        started=Count("pk", filter=Q(completed_at__isnull=True, started_at__isnull=False)))
    agg["average"] = QuizAttempt.objects.filter(user=user, submitted_at__isnull=False).aggregate(
        a=Avg("score"))["a"]
    return agg


def _progress_annotations(today):
    return {
        "enrolled": Count("training_enrollments", distinct=True),
        "completed": Count("training_enrollments", filter=Q(training_enrollments__completed_at__isnull=False),
                           distinct=True),
        "in_progress": Count("training_enrollments", filter=Q(training_enrollments__completed_at__isnull=True,
                                                              training_enrollments__started_at__isnull=False),
                             distinct=True),
        "overdue": Count("training_enrollments", filter=Q(training_enrollments__completed_at__isnull=True,
                                                          training_enrollments__due_date__lt=today), distinct=True),
        "last_activity": Max("training_enrollments__updated_at"),
    }


def team_progress(*, department=None, q="", state=""):
    """One row per active employee with enrolments: counts and average quiz score (two queries)."""
    today = timezone.localdate()
    users = (User.objects.filter(is_active=True, training_enrollments__isnull=False)
             .select_related("employee__department").annotate(**_progress_annotations(today)))
    if department:
        users = users.filter(employee__department=department)
    if q:
        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    if state == "overdue":
        users = users.filter(overdue__gt=0)
    elif state == "completed":
        users = users.filter(completed=F("enrolled"))
    elif state == "open":
        users = users.filter(completed__lt=F("enrolled"))
    users = users.order_by("-overdue", "username")
    return users


def quiz_averages(user_ids) -> dict:
    return dict(QuizAttempt.objects.filter(user_id__in=list(user_ids), submitted_at__isnull=False)
                .values_list("user_id").annotate(a=Avg("score")).values_list("user_id", "a"))


def department_progress():
    """Per department: people, enrolments, completed, overdue, completion % and average score."""
    today = timezone.localdate()
    rows = (Enrollment.objects.filter(user__is_active=True)
            .values("user__employee__department__pk", "user__employee__department__name_zh",
                    "user__employee__department__name_en")
            .annotate(people=Count("user", distinct=True), enrolled=Count("pk"),
                      completed=Count("pk", filter=Q(completed_at__isnull=False)),
                      overdue=Count("pk", filter=Q(completed_at__isnull=True, due_date__lt=today)))
            .order_by("user__employee__department__name_en"))
    averages = dict(QuizAttempt.objects.filter(submitted_at__isnull=False)
                    .values_list("user__employee__department__pk").annotate(a=Avg("score"))
                    .values_list("user__employee__department__pk", "a"))
    out = []
    for r in rows:
        pk = r["user__employee__department__pk"]
        out.append({"pk": pk, "name_zh": r["user__employee__department__name_zh"] or "",
                    "name_en": r["user__employee__department__name_en"] or "", "people": r["people"],
                    "enrolled": r["enrolled"], "completed": r["completed"], "overdue": r["overdue"],
                    "rate": round(r["completed"] * 100 / r["enrolled"]) if r["enrolled"] else 0,
                    "average": averages.get(pk)})
    return out


def mentees_of(user):
    return (PlanAssignment.objects.filter(mentor=user).select_related("user", "plan")
            .annotate(total=Count("enrollments", distinct=True),
                      done=Count("enrollments", filter=Q(enrollments__completed_at__isnull=False), distinct=True))
            .order_by("completed_at", "-start_date"))
