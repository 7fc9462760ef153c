"""The metadata questions of a submission (contract section 2): kommunkod, ar and inlamnad, their
text parsed, and the rejection each gives when it cannot be.

`inlamnad` with a UTC offset ("2016-11-20T09:15Z", "…+01:00") is converted to Swedish local time
(Europe/Stockholm) and stored naive, so that it orders correctly against the usual offset-less
timestamps, which are taken as Swedish local time as written. `normalize_kommunkod` is shared
with the grant register.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from schemas.catalog import municipality_codes

SWEDISH_LOCAL_TIME = ZoneInfo("Europe/Stockholm")

_KOMMUNKOD = re.compile(r"([0-9]{1,4})(?:\.0+)?", re.ASCII)
_AR = re.compile(r"([0-9]{4})(?:\.0+)?", re.ASCII)
# The forms of `inlamnad` the contract accepts (section 2): a calendar date, extended or basic;
# then, after T or a space, a time of at least hours and minutes, extended or basic, seconds with
# a fraction after . or ,; then Z or an offset. Letters in either case.
_ISO_TIMESTAMP = re.compile(
    r"(?P<year>[0-9]{4})(?P<dash>-?)(?P<month>[0-9]{2})(?P=dash)(?P<day>[0-9]{2})"
    r"(?:[Tt ](?P<hour>[0-9]{2})(?P<colon>:?)(?P<minute>[0-9]{2})"
    r"(?:(?P=colon)(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r"(?P<zone>[Zz]|(?P<sign>[+-])(?P<offset_hours>[0-9]{2})(?::?(?P<offset_minutes>[0-9]{2}))?)?)?",
    re.ASCII,
)


def normalize_kommunkod(text: str) -> str | None:
    """The kommunkod as four digits: "0180", "180" or "180.0" (Excel drops the leading
    zero) → "0180". None if it is not one of the 290 municipality codes."""
    match = _KOMMUNKOD.fullmatch(text.strip())
    if match is None:
        return None
    kommunkod = match.group(1).zfill(4)
    return kommunkod if kommunkod in municipality_codes() else None


def parse_ar(text: str) -> int | None:
    """The year: "2016" or "2016.0" (an Excel number) → 2016. None unless four digits."""
    match = _AR.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def parse_inlamnad(text: str) -> datetime | None:
    """An ISO 8601 calendar date, or date and time, in a form the contract accepts (see
    `_ISO_TIMESTAMP`) → naive Swedish local time; None if not such a timestamp. A time without
    an offset is Swedish local time as written; one made ambiguous by the change from summer
    time is the first of the two (fold 0), which is what naive local time orders as."""
    match = _ISO_TIMESTAMP.fullmatch(text.strip())
    if match is None:
        return None
    part = match.groupdict()
    seconds = Decimal(part["second"] or 0) + Decimal("0." + (part["fraction"] or "0"))
    offset_minutes = int(part["offset_hours"] or 0) * 60 + int(part["offset_minutes"] or 0)
    try:
        timestamp = datetime(
            int(part["year"]),
            int(part["month"]),
            int(part["day"]),
            int(part["hour"] or 0),
            int(part["minute"] or 0),
        ) + timedelta(microseconds=int((seconds * 1_000_000).to_integral_value(ROUND_DOWN)))
        if part["hour"] is not None and (int(part["hour"]) > 23 or seconds >= 60):
            return None
        if offset_minutes >= 24 * 60:
            return None
        if part["zone"] is not None:
            sign = -1 if part["sign"] == "-" else 1
            zone = timezone(sign * timedelta(minutes=offset_minutes))
            timestamp = (
                timestamp.replace(tzinfo=zone).astimezone(SWEDISH_LOCAL_TIME).replace(tzinfo=None)
            )
    except (ValueError, OverflowError):  # the right shape but no such date, e.g. 2016-02-30
        return None
    return timestamp


@dataclass(frozen=True)
class _MetadataRule:
    parse: Callable[[str], str | int | datetime | None]  # None: not parseable
    reason_code: str  # the file's rejection when the answer is there but cannot be parsed
    # The Swedish message, of where the answer is ("'9999' på rad 4", schemas.quoting.answer_at)
    unparseable_message: Callable[[str], str]


# The metadata questions (contract section 2), in the order a missing one is named.
METADATA = {
    "kommunkod": _MetadataRule(
        normalize_kommunkod,
        "unknown_municipality",
        lambda written: (
            f"Kommunkoden {written} är inte en av landets 290 kommunkoder. Ange "
            "kommunens fyrsiffriga kod, till exempel 0180 för Stockholm."
        ),
    ),
    "ar": _MetadataRule(
        parse_ar,
        "bad_year",
        lambda written: f"Året {written} är inte ett år med fyra siffror. Ange till exempel 2016.",
    ),
    "inlamnad": _MetadataRule(
        parse_inlamnad,
        "bad_timestamp",
        lambda written: (
            f"Inlämningsdatumet {written} går inte att tolka. Ange det som "
            "ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DD TT:MM (ISO 8601), till exempel 2016-11-20."
        ),
    ),
}
