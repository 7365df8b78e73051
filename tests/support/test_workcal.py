"""SLA deadlines in working hours: nights, weekends, China's holidays, make-up working days, company days."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from support.models import CalendarDay
from support.workcal import WorkingCalendar, format_minutes, public_day_kind

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def cal():
    return WorkingCalendar(overrides={})


def test_within_one_day(cal):
    assert cal.add_working_time(at(2025, 3, 4, 9, 30), 120) == at(2025, 3, 4, 11, 30)


def test_lunch_break_is_not_counted(cal):
    assert cal.add_working_time(at(2025, 3, 4, 11, 0), 120) == at(2025, 3, 4, 14, 0)


def test_over_the_night(cal):
    # Tuesday 17:00 + 4 h: 1 h on Tuesday, 3 h on Wednesday morning
    assert cal.add_working_time(at(2025, 3, 4, 17, 0), 240) == at(2025, 3, 5, 12, 0)


def test_opened_at_night_starts_next_morning(cal):
    assert cal.add_working_time(at(2025, 3, 4, 22, 15), 60) == at(2025, 3, 5, 10, 0)


def test_over_the_weekend(cal):
    # Friday 16:00 + 4 h: 2 h on Friday, 2 h on Monday
    assert cal.add_working_time(at(2025, 3, 7, 16, 0), 240) == at(2025, 3, 10, 11, 0)


def test_over_the_national_day_holiday(cal):
    # Tuesday 30 Sep 2025 17:00 + 4 h: 1 Oct – 8 Oct are days off (National Day, Mid-Autumn, 调休)
    assert cal.add_working_time(at(2025, 9, 30, 17, 0), 240) == at(2025, 10, 9, 12, 0)


def test_make_up_working_day_counts(cal):
    # Sunday 28 Sep 2025 is a make-up working day (调休): Friday 17:00 + 4 h ends on that Sunday
    assert public_day_kind(date(2025, 9, 28)) == (True, "makeup")
    assert cal.add_working_time(at(2025, 9, 26, 17, 0), 240) == at(2025, 9, 28, 12, 0)


def test_spring_festival_2026(cal):
    # 15–23 Feb 2026 are days off; Saturday 14 Feb and 28 Feb are make-up working days
    assert cal.is_working_day(date(2026, 2, 14))
    assert not cal.is_working_day(date(2026, 2, 17))
    assert cal.add_working_time(at(2026, 2, 13, 18, 0), 480) == at(2026, 2, 14, 18, 0)
    assert cal.add_working_time(at(2026, 2, 14, 18, 0), 60) == at(2026, 2, 24, 10, 0)


@pytest.mark.django_db
def test_company_days_from_the_database():
    CalendarDay.objects.create(date=date(2025, 10, 9), is_workday=False, note="Company outing")
    CalendarDay.objects.create(date=date(2025, 10, 11), is_workday=False, note="No make-up day for us")
    cal = WorkingCalendar()
    assert cal.add_working_time(at(2025, 9, 30, 17, 0), 240) == at(2025, 10, 10, 12, 0)
    assert not cal.is_working_day(date(2025, 10, 11))


def test_working_minutes_between(cal):
    assert cal.working_minutes_between(at(2025, 3, 7, 16, 0), at(2025, 3, 10, 11, 0)) == 240
    assert cal.working_minutes_between(at(2025, 3, 10, 11, 0), at(2025, 3, 7, 16, 0)) == -240
    assert cal.working_minutes_between(at(2025, 3, 8, 10, 0), at(2025, 3, 9, 10, 0)) == 0


def test_format_minutes():
    assert format_minutes(0) == "0 min"
    assert format_minutes(75) == "1 h 15 min"
    assert format_minutes(480 + 60) == "1 d 1 h"
    assert format_minutes(-30) == "-30 min"
