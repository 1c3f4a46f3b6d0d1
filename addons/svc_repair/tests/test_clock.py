# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
import unittest
from zoneinfo import ZoneInfo

from trytond.modules.svc_repair.clock import (
    Calendar, add_working_time, elapsed_working_time, working_intervals)

SHANGHAI = ZoneInfo('Asia/Shanghai')
H = dt.timedelta(hours=1)
OFFICE = [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(18))]


def utc(*args):
    "Return the naive UTC of the Shanghai local time"
    return dt.datetime(*args, tzinfo=SHANGHAI).astimezone(
        dt.timezone.utc).replace(tzinfo=None)


def office(**kwargs):
    "Monday to Friday 9:00-12:00 and 13:00-18:00 in Shanghai"
    return Calendar(
        {w: OFFICE for w in range(5)}, timezone=SHANGHAI, **kwargs)


class ClockTestCase(unittest.TestCase):
    "Test the working-time clock"

    def test_around_the_clock(self):
        "Test around the clock counts every hour"
        start = dt.datetime(2026, 9, 25, 9, 30)
        self.assertEqual(
            add_working_time(start, 4 * H), dt.datetime(2026, 9, 25, 13, 30))
        self.assertEqual(
            elapsed_working_time(start, start + 30 * H), 30 * H)

    def test_within_working_day(self):
        "Test a delay that ends the same working day"
        self.assertEqual(
            add_working_time(utc(2026, 9, 23, 9, 30), 2 * H, office()),
            utc(2026, 9, 23, 11, 30))
        self.assertEqual(
            add_working_time(utc(2026, 9, 23, 11, 0), 2 * H, office()),
            utc(2026, 9, 23, 14, 0))

    def test_weekend(self):
        "Test Friday evening continues on Monday morning"
        friday = utc(2026, 9, 25, 17, 30)
        self.assertEqual(
            add_working_time(friday, H, office()), utc(2026, 9, 28, 9, 30))
        self.assertEqual(
            elapsed_working_time(friday, utc(2026, 9, 28, 9, 30), office()),
            H)

    def test_start_outside_hours(self):
        "Test a start at night counts from the next opening"
        self.assertEqual(
            add_working_time(utc(2026, 9, 22, 22, 0), H, office()),
            utc(2026, 9, 23, 10, 0))
        self.assertEqual(
            add_working_time(utc(2026, 9, 23, 12, 30), H, office()),
            utc(2026, 9, 23, 14, 0))

    def test_ends_at_closing(self):
        "Test a delay ending at closing time ends that day"
        self.assertEqual(
            add_working_time(utc(2026, 9, 23, 17, 0), H, office()),
            utc(2026, 9, 23, 18, 0))

    def test_holidays(self):
        "Test holidays have no working hours"
        calendar = office(holidays={
                dt.date(2026, 10, d) for d in range(1, 8)})
        self.assertEqual(
            add_working_time(utc(2026, 9, 30, 17, 0), 2 * H, calendar),
            utc(2026, 10, 8, 10, 0))
        self.assertEqual(
            elapsed_working_time(
                utc(2026, 9, 30, 0, 0), utc(2026, 10, 9, 0, 0), calendar),
            16 * H)

    def test_extra_working_day(self):
        "Test a weekend day moved to work has the hours of its weekday"
        calendar = office(
            holidays={dt.date(2026, 10, 8)},
            workdays={dt.date(2026, 10, 10): 3})
        # Wednesday 7 October 17:00, Thursday 8 is a holiday, Friday 9
        # works, Saturday 10 works as a Thursday
        self.assertEqual(
            add_working_time(utc(2026, 10, 7, 17, 0), 10 * H, calendar),
            utc(2026, 10, 10, 10, 0))
        calendar = Calendar(
            {3: [(dt.time(8), dt.time(10))]}, timezone=SHANGHAI,
            workdays={dt.date(2026, 10, 10): 3})
        self.assertEqual(
            add_working_time(utc(2026, 10, 9, 12, 0), H, calendar),
            utc(2026, 10, 10, 9, 0))

    def test_overnight_shift(self):
        "Test a shift from 22:00 to 06:00 belongs to the day it starts"
        calendar = Calendar(
            {w: [(dt.time(22), dt.time(6))] for w in range(5)},
            timezone=SHANGHAI)
        self.assertEqual(
            add_working_time(utc(2026, 9, 23, 20, 0), 3 * H, calendar),
            utc(2026, 9, 24, 1, 0))
        # Friday night runs into Saturday, then nothing until Monday 22:00
        self.assertEqual(
            add_working_time(utc(2026, 9, 26, 5, 0), 2 * H, calendar),
            utc(2026, 9, 28, 23, 0))
        self.assertEqual(
            elapsed_working_time(
                utc(2026, 9, 25, 12, 0), utc(2026, 9, 29, 12, 0), calendar),
            16 * H)

    def test_overnight_holiday(self):
        "Test a holiday cancels the night shift starting on it only"
        calendar = Calendar(
            {w: [(dt.time(22), dt.time(6))] for w in range(7)},
            timezone=SHANGHAI, holidays={dt.date(2026, 10, 1)})
        self.assertEqual(
            elapsed_working_time(
                utc(2026, 9, 30, 12, 0), utc(2026, 10, 2, 12, 0), calendar),
            8 * H)
        # 3 hours until Thursday 06:00, none on the holiday night, then
        # Friday night
        self.assertEqual(
            add_working_time(utc(2026, 10, 1, 3, 0), 4 * H, calendar),
            utc(2026, 10, 2, 23, 0))

    def test_whole_day_and_overlapping_shifts(self):
        "Test a 00:00-00:00 shift lasts 24 hours and overlaps are merged"
        calendar = Calendar(
            {0: [(dt.time(0), dt.time(0)), (dt.time(8), dt.time(20))]},
            timezone=SHANGHAI)
        self.assertEqual(
            elapsed_working_time(
                utc(2026, 9, 20, 0, 0), utc(2026, 9, 27, 0, 0), calendar),
            24 * H)
        intervals = working_intervals(utc(2026, 9, 21, 0, 0), calendar)
        self.assertEqual(
            next(intervals), (utc(2026, 9, 21, 0, 0), utc(2026, 9, 22, 0, 0)))

    def test_timezone(self):
        "Test the hours are local to the calendar (Shanghai is UTC+8)"
        self.assertEqual(
            add_working_time(
                dt.datetime(2026, 9, 23, 0, 0), H, office()),
            dt.datetime(2026, 9, 23, 2, 0))
        utc_office = Calendar({w: OFFICE for w in range(5)})
        self.assertEqual(
            add_working_time(
                dt.datetime(2026, 9, 23, 0, 0), H, utc_office),
            dt.datetime(2026, 9, 23, 10, 0))

    def test_pause(self):
        "Test a pause moves the deadline by the working time it covers"
        start = utc(2026, 9, 23, 9, 0)
        pause = (utc(2026, 9, 23, 10, 0), utc(2026, 9, 23, 11, 0))
        self.assertEqual(
            add_working_time(start, 2 * H, office(), [pause]),
            utc(2026, 9, 23, 12, 0))
        self.assertEqual(
            add_working_time(start, 2 * H, None, [pause]),
            utc(2026, 9, 23, 12, 0))
        self.assertEqual(
            elapsed_working_time(
                start, utc(2026, 9, 23, 12, 0), office(), [pause]),
            2 * H)

    def test_pause_over_non_working_time(self):
        "Test the part of a pause outside working hours changes nothing"
        start = utc(2026, 9, 25, 17, 0)
        # From Friday 17:30 to Monday 10:00 pauses 1.5 working hours
        pause = (utc(2026, 9, 25, 17, 30), utc(2026, 9, 28, 10, 0))
        self.assertEqual(
            add_working_time(start, 2 * H, office(), [pause]),
            utc(2026, 9, 28, 11, 30))
        night = (utc(2026, 9, 25, 19, 0), utc(2026, 9, 28, 8, 0))
        self.assertEqual(
            add_working_time(start, 2 * H, office(), [night]),
            add_working_time(start, 2 * H, office()))

    def test_overlapping_pauses(self):
        "Test overlapping pauses count once"
        start = utc(2026, 9, 23, 9, 0)
        pauses = [
            (utc(2026, 9, 23, 10, 0), utc(2026, 9, 23, 11, 0)),
            (utc(2026, 9, 23, 9, 30), utc(2026, 9, 23, 10, 30)),
            (utc(2026, 9, 23, 10, 15), utc(2026, 9, 23, 10, 45)),
            ]
        self.assertEqual(
            add_working_time(start, H, office(), pauses),
            utc(2026, 9, 23, 11, 30))

    def test_pause_before_start(self):
        "Test a pause before the start changes nothing"
        pause = (utc(2026, 9, 22, 9, 0), utc(2026, 9, 22, 18, 0))
        self.assertEqual(
            add_working_time(utc(2026, 9, 23, 9, 0), H, office(), [pause]),
            utc(2026, 9, 23, 10, 0))

    def test_open_pause(self):
        "Test a pause not resumed stops the clock for ever"
        start = utc(2026, 9, 23, 9, 0)
        pause = (utc(2026, 9, 23, 9, 30), None)
        self.assertIsNone(add_working_time(start, H, office(), [pause]))
        self.assertIsNone(add_working_time(start, H, None, [pause]))
        self.assertEqual(
            elapsed_working_time(
                start, utc(2026, 9, 24, 9, 0), office(), [pause]),
            H / 2)

    def test_zero(self):
        "Test zero-length delays, periods and pauses"
        start = utc(2026, 9, 26, 3, 0)
        self.assertEqual(
            add_working_time(start, dt.timedelta(0), office()), start)
        self.assertEqual(elapsed_working_time(start, start, office()),
            dt.timedelta(0))
        self.assertEqual(
            elapsed_working_time(start, start - H, office()),
            dt.timedelta(0))
        empty = (utc(2026, 9, 23, 10, 0), utc(2026, 9, 23, 10, 0))
        self.assertEqual(
            add_working_time(utc(2026, 9, 23, 9, 0), 2 * H, office(), [empty]),
            utc(2026, 9, 23, 11, 0))
        with self.assertRaises(ValueError):
            add_working_time(start, -H, office())

    def test_no_working_hours(self):
        "Test a calendar without working hours gives no deadline"
        self.assertIsNone(
            add_working_time(utc(2026, 9, 23, 9, 0), H, Calendar({})))
        calendar = Calendar({0: []}, workdays={dt.date(2026, 9, 27): 0})
        self.assertIsNone(
            add_working_time(dt.datetime(2026, 9, 23, 9, 0), H, calendar))
