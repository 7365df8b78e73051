"""The working calendar: China's public holidays and make-up working days (调休) from the
`holidays` package, company-specific days (`CalendarDay`), and the working hours of a day.

SLA targets count working time only: `add_working_time(start, minutes)` is the deadline,
`working_minutes_between(a, b)` the working time between two moments (negative when b < a).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

# Working hours of a working day, local time (Asia/Shanghai): morning and afternoon.
WORK_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0)))
MINUTES_PER_DAY = sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in WORK_PERIODS)
MAX_DAYS = 3660  # a deadline further than ten years away means the calendar has no working days


@lru_cache(maxsize=64)
def _china(year: int):
    return holidays.China(years=year)


def public_day_kind(day: date) -> tuple[bool, str]:
    """(is a working day, why) by the public calendar alone."""
    cal = _china(day.year)
    if day in cal.weekend_workdays:
        return True, "makeup"
    if day in cal:
        return False, cal.get(day)
    if day.weekday() >= 5:
        return False, "weekend"
    return True, ""


class WorkingCalendar:
    """One calendar for a computation; company days are read once (there are few)."""

    def __init__(self, overrides: dict | None = None):
        if overrides is None:
            from .models import CalendarDay

            overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
        self.overrides = overrides

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return public_day_kind(day)[0]

    def _periods(self, day: date, tz):
        if not self.is_working_day(day):
            return []
        return [(datetime.combine(day, s, tzinfo=tz), datetime.combine(day, e, tzinfo=tz)) for s, e in WORK_PERIODS]

    def add_working_time(self, start: datetime, minutes: float) -> datetime:
        """The moment `minutes` of working time after `start`."""
        tz = timezone.get_current_timezone()
        local = timezone.localtime(start, tz)
        remaining = timedelta(minutes=float(minutes))
        day = local.date()
        for _ in range(MAX_DAYS):
            for begin, end in self._periods(day, tz):
                if end <= local:
                    continue
                begin = max(begin, local)
                if begin + remaining <= end:
                    return begin + remaining
                remaining -= end - begin
            day += timedelta(days=1)
        raise ValueError("no working time in the calendar")

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes from a to b; negative when b is before a."""
        if b < a:
            return -self.working_minutes_between(b, a)
        tz = timezone.get_current_timezone()
        a, b = timezone.localtime(a, tz), timezone.localtime(b, tz)
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for begin, end in self._periods(day, tz):
                lo, hi = max(begin, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 60


def format_minutes(minutes: float) -> str:
    """'1 d 2 h 5 min' in working time (a working day is MINUTES_PER_DAY)."""
    from django.utils.translation import gettext as _

    sign = "-" if minutes < 0 else ""
    m = int(abs(minutes))
    days, m = divmod(m, MINUTES_PER_DAY)
    hours, m = divmod(m, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if m or not parts:
        parts.append(_("%(n)d min") % {"n": m})
    return sign + " ".join(parts)
