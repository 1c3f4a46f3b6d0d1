# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

from . import clock

TIMEZONES = [(None, "")] + [(z, z) for z in sorted(tz.available_timezones())]
WEEKDAYS = [
    ('0', "Monday"),
    ('1', "Tuesday"),
    ('2', "Wednesday"),
    ('3', "Thursday"),
    ('4', "Friday"),
    ('5', "Saturday"),
    ('6', "Sunday"),
    ]


class Calendar(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'svc.repair.calendar'
    __string__ = "Working Calendar"
    name = fields.Char("Name", required=True, translate=True)
    timezone = fields.Selection(
        TIMEZONES, "Timezone", translate=False,
        help="The time zone of the working hours.\n"
        "Leave empty to use the time zone of the ticket's company.")
    hours = fields.One2Many(
        'svc.repair.calendar.hours', 'calendar', "Working Hours",
        help="The working hours of each weekday.")
    exceptions = fields.One2Many(
        'svc.repair.calendar.exception', 'calendar', "Exceptions",
        help="Holidays and extra working days.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_timezone(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            return Company(company_id).timezone

    def get_clock(self, timezone=None):
        "Return the working-time clock of the calendar"
        hours = {}
        for line in self.hours:
            hours.setdefault(int(line.weekday), []).append(
                (line.start, line.end))
        holidays = {e.date for e in self.exceptions if e.kind == 'holiday'}
        workdays = {
            e.date: int(e.as_weekday or '0')
            for e in self.exceptions if e.kind == 'workday'}
        return clock.Calendar(
            hours, holidays=holidays, workdays=workdays,
            timezone=tz.get_tzinfo(self.timezone or timezone or 'UTC'))


class Hours(ModelSQL, ModelView):
    __name__ = 'svc.repair.calendar.hours'
    __string__ = "Working Hours"
    calendar = fields.Many2One(
        'svc.repair.calendar', "Calendar", required=True,
        ondelete='CASCADE')
    weekday = fields.Selection(
        WEEKDAYS, "Weekday", required=True, sort=False)
    start = fields.Time("From", required=True)
    end = fields.Time(
        "To", required=True,
        help="A time at or before the start ends on the next day "
        "(overnight shift).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('calendar')
        cls._order = [
            ('calendar', 'ASC'),
            ('weekday', 'ASC'),
            ('start', 'ASC'),
            ('id', 'ASC'),
            ]


class Exception_(ModelSQL, ModelView):
    __name__ = 'svc.repair.calendar.exception'
    __string__ = "Calendar Exception"
    calendar = fields.Many2One(
        'svc.repair.calendar', "Calendar", required=True,
        ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('holiday', "Holiday"),
            ('workday', "Extra Working Day"),
            ], "Kind", required=True, sort=False,
        help="A holiday has no working hours; an extra working day "
        "(for example a weekend day moved around a public holiday) has "
        "the hours of another weekday.")
    as_weekday = fields.Selection(
        [(None, "")] + WEEKDAYS, "Hours as on", sort=False,
        states={
            'invisible': Eval('kind') != 'workday',
            'required': Eval('kind') == 'workday',
            },
        help="The weekday whose working hours apply.")
    name = fields.Char("Name", help="For example the public holiday.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('calendar')
        t = cls.__table__()
        cls._sql_constraints += [
            ('calendar_date_unique', Unique(t, t.calendar, t.date),
                'svc_repair.msg_calendar_exception_date_unique'),
            ]
        cls._order = [
            ('calendar', 'ASC'),
            ('date', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_kind(cls):
        return 'holiday'

    @fields.depends('kind', 'as_weekday')
    def on_change_kind(self):
        if self.kind == 'workday' and not self.as_weekday:
            self.as_weekday = '0'
        elif self.kind != 'workday':
            self.as_weekday = None
