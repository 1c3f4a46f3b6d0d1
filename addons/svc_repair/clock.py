# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
"""Working-time clock of the service deadlines, without the ORM

Instants are naive datetimes in UTC, as Tryton stores them. A calendar is
read in its own time zone. ``calendar=None`` means around the clock.
"""
import datetime as dt

UTC = dt.timezone.utc
ZERO = dt.timedelta(0)
HORIZON = 366 * 20


class Calendar:
    """Working hours by weekday with exceptions by date

    hours: {weekday: [(start, end), ...]} with Monday = 0 and datetime.time
        values; a shift whose end is at or before its start ends on the next
        day (overnight shift) and belongs to the day it starts on
    holidays: dates without working hours
    workdays: {date: weekday} extra working days with the hours of weekday
    timezone: tzinfo of the hours
    """

    def __init__(self, hours, holidays=(), workdays=None, timezone=UTC):
        self.hours = {
            w: sorted(shifts) for w, shifts in hours.items() if shifts}
        self.holidays = frozenset(holidays)
        self.workdays = dict(workdays or {})
        self.timezone = timezone

    def shifts(self, day):
        "Yield the UTC intervals of the shifts starting on the local day"
        if day in self.holidays:
            return
        weekday = self.workdays.get(day, day.weekday())
        for start, end in self.hours.get(weekday, []):
            end_day = day if end > start else day + dt.timedelta(days=1)
            yield (
                self._utc(dt.datetime.combine(day, start)),
                self._utc(dt.datetime.combine(end_day, end)))

    def _utc(self, local):
        return local.replace(tzinfo=self.timezone).astimezone(
            UTC).replace(tzinfo=None)

    def _last_day(self):
        if self.hours:
            return None
        return max(self.workdays, default=None)

    def intervals(self, start):
        "Yield the merged working intervals that end after start"
        local = start.replace(tzinfo=UTC).astimezone(self.timezone)
        day = local.date() - dt.timedelta(days=1)
        last_day = self._last_day()
        current = None
        for _ in range(HORIZON):
            if last_day is not None and day > last_day:
                break
            for begin, end in self.shifts(day):
                if current and begin <= current[1]:
                    current = (current[0], max(current[1], end))
                    continue
                if current and current[1] > start:
                    yield (max(current[0], start), current[1])
                current = (begin, end)
            day += dt.timedelta(days=1)
        if current and current[1] > start:
            yield (max(current[0], start), current[1])


def _merge(pauses):
    merged = []
    for start, end in sorted(
            pauses, key=lambda p: (p[0], p[1] is None, p[1])):
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            if last_end is not None and (end is None or end > last_end):
                merged[-1] = (last_start, end)
            continue
        merged.append((start, end))
    return merged


def _subtract(interval, pauses):
    "Yield the parts of interval outside the merged pauses"
    start, end = interval
    for pause_start, pause_end in pauses:
        if end is not None and pause_start >= end:
            break
        if pause_end is not None and pause_end <= start:
            continue
        if pause_start > start:
            yield (start, pause_start)
        if pause_end is None:
            return
        start = max(start, pause_end)
        if end is not None and start >= end:
            return
    yield (start, end)


def working_intervals(start, calendar=None, pauses=()):
    """Yield the working intervals after start, less the pauses

    pauses: (start, end) pairs; end None means not resumed yet
    An interval end None means working for ever.
    """
    pauses = _merge(pauses)
    if calendar is None:
        intervals = iter([(start, None)])
    else:
        intervals = calendar.intervals(start)
    for interval in intervals:
        yield from _subtract(interval, pauses)


def add_working_time(start, duration, calendar=None, pauses=()):
    """Return when duration of working time after start has elapsed

    Return None when the working time never suffices.
    """
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if duration == ZERO:
        return start
    remaining = duration
    for begin, end in working_intervals(start, calendar, pauses):
        if end is None or remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    return None


def elapsed_working_time(start, end, calendar=None, pauses=()):
    "Return the working time between start and end"
    elapsed = ZERO
    if end <= start:
        return elapsed
    for begin, finish in working_intervals(start, calendar, pauses):
        if begin >= end:
            break
        elapsed += min(finish or end, end) - begin
    return elapsed
