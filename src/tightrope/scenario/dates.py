"""Dates as files other than tightrope's own write them: event-data exports (ACLED's codebook
gives dd-mm-yyyy, its export tool "2 June 2025") and spreadsheets. Scenario and observation files
take ISO dates only; these forms are read from exports and named in messages about the others."""

from __future__ import annotations

import datetime as dt
import re

MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[- ]([A-Za-z]+|\d{1,2})[- ](\d{4})")
_DATE_FORMS = "YYYY-MM-DD, DD-MM-YYYY or 14 March 2025"
# Days as a question's text names them: 2025-09-30, 30 September 2025, September 30, 2025.
_DAYS_IN_TEXT = re.compile(
    r"\b(?:(\d{4})-(\d{2})-(\d{2})|(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+),? (\d{4})"
    r"|([A-Za-z]+) (\d{1,2})(?:st|nd|rd|th)?,? (\d{4}))\b"
)


def event_day(text: str) -> dt.date | str:
    """The day a row's date names, or why it names none.

    Exports write dates in more than one way: ISO dates, with or without a time (ACLED's API,
    UCDP GED); ACLED's codebook gives ``event_date`` as dd-mm-yyyy, and its export tool has
    written "14 March 2025". Month names are read in English whatever the machine's locale (as
    ACLED writes them; ``strptime``'s %B would follow the locale). A date with slashes is
    refused: 03/04/2025 is 3 April or 4 March, depending on who saved the file."""
    refusal = f"expected a date {_DATE_FORMS}, got {text!r}"
    if "/" in text:
        return (
            f"{refusal}: a date with slashes may be day/month or month/day; save the column "
            "as YYYY-MM-DD"
        )
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match is None:
        return refusal
    day, month, year = match.groups()
    number = int(month) if month.isdigit() else _month_number(month)
    if number is None:
        return refusal
    try:
        return dt.date(int(year), number, int(day))
    except ValueError:
        return f"{refusal}: no such day"


def day_in_words(day: dt.date) -> str:
    """2 June 2025, in English whatever the machine's locale (as ``%B`` would not be)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1].capitalize()} {day.year}"


def months_in_words(count: int | None) -> str:
    """'1 month', '3 months'."""
    return f"{count} month{'' if count == 1 else 's'}"


def days_named(text: str) -> list[dt.date]:
    """The days a text names in full (day, month and year), in the order it names them."""
    days = []
    for match in _DAYS_IN_TEXT.finditer(text):
        iso_year, iso_month, iso_day, day, month, year, month_first, day_after, year_after = (
            match.groups()
        )
        if iso_year is not None:
            year, month, day = iso_year, iso_month, iso_day
        elif day is None:
            year, month, day = year_after, month_first, day_after
        number = int(month) if month.isdigit() else _month_number(month)
        if number is None:  # "in Kashmir 2025": not a month's name
            continue
        try:
            days.append(dt.date(int(year), number, int(day)))
        except ValueError:  # no such day
            continue
    return days


def _month_number(word: str) -> int | None:
    """January's number from "January", "Jan" or "january" (and "Sept"), in English."""
    word = word.casefold()
    for number, name in enumerate(MONTH_NAMES, start=1):
        if word in (name, name[:3]) or (name == "september" and word == "sept"):
            return number
    return None
