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


def _month_number(word: str) -> int | None:
    """January's number from "January", "Jan" or "january" (and "Sept"), in English."""
    word = word.casefold()
    for number, name in enumerate(MONTH_NAMES, start=1):
        if word in (name, name[:3]) or (name == "september" and word == "sept"):
            return number
    return None
