"""Times and days as people read them in a transcript: ``14:02``, ``Today``, ``Tue 4 March``."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo


def local_datetime(millis: int, tz: tzinfo | None = None) -> datetime:
    """The wire timestamp (ms since the epoch, UTC) in the viewer's time zone."""
    return datetime.fromtimestamp(millis / 1000, tz=tz)


def clock(millis: int, tz: tzinfo | None = None) -> str:
    """``14:02``."""
    return local_datetime(millis, tz).strftime("%H:%M")


def day_label(day: date, today: date) -> str:
    """``Today``, ``Yesterday``, ``Monday 3 March`` in the current year, else with the year."""
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    label = f"{day:%A} {day.day} {day:%B}"
    return label if day.year == today.year else f"{label} {day.year}"


def short_when(millis: int, now: datetime) -> str:
    """For the sidebar: ``14:02`` today, ``Mon`` this week, ``3 Mar`` before, ``3 Mar 2023``."""
    moment = local_datetime(millis, now.tzinfo)
    if moment.date() == now.date():
        return moment.strftime("%H:%M")
    if now.date() - moment.date() < timedelta(days=7):
        return moment.strftime("%a")
    if moment.year == now.year:
        return f"{moment.day} {moment:%b}"
    return f"{moment.day} {moment:%b} {moment.year}"


def stamp(millis: int, now: datetime) -> str:
    """For lists of past events: ``6 Mar 14:02`` this year, ``6 Mar 2025 14:02`` before."""
    moment = local_datetime(millis, now.tzinfo)
    day = (
        f"{moment.day} {moment:%b}"
        if moment.year == now.year
        else f"{moment.day} {moment:%b} {moment.year}"
    )
    return f"{day} {moment:%H:%M}"
