"""Simulated months on the calendar. Month m spans (as_of + m − 1 months, as_of + m months]:
it ends on the scenario date's day of the month (the last day of a shorter month)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later (the month's last day if it is shorter)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_of(as_of: dt.date, day: dt.date) -> int:
    """The month (1-based) whose span holds ``day`` (month 1 for days up to its end)."""
    elapsed = (day.year - as_of.year) * 12 + day.month - as_of.month
    return max(1, elapsed + (1 if day.day > as_of.day else 0))


def month_start(as_of: dt.date, month: int) -> dt.date:
    """The first day of ``month`` (the day after the month before it ends)."""
    return add_months(as_of, month - 1) + dt.timedelta(days=1)


def first_open_month(as_of: dt.date, forecast_date: dt.date) -> int:
    """The first month that starts after ``forecast_date``: nothing of it is observed."""
    return 1 if forecast_date <= as_of else month_of(as_of, forecast_date) + 1


def full_months(as_of: dt.date, day: dt.date) -> int:
    """How many months from ``as_of`` have ended by ``day``."""
    elapsed = (day.year - as_of.year) * 12 + day.month - as_of.month
    return max(0, elapsed - (1 if day.day < as_of.day else 0))


@dataclass(frozen=True)
class Deadline:
    """Where a question's deadline falls: in ``month``, after ``share`` of that month's days."""

    month: int
    share: float

    @classmethod
    def of(cls, as_of: dt.date, deadline: dt.date) -> Deadline:
        month = month_of(as_of, deadline)
        start, end = add_months(as_of, month - 1), add_months(as_of, month)
        share = min(1.0, max(0.0, (deadline - start).days / (end - start).days))
        return cls(month, share)
