# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval, Id

from .exceptions import EscalationValidationError, SLAValidationError

URGENCIES = [
    ('urgent', "Urgent"),
    ('general', "General"),
    ('complex', "Complex"),
    ]


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'svc.repair.configuration'
    __string__ = "Repair Configuration"
    ticket_sequence = fields.Many2One(
        'ir.sequence', "Ticket Sequence", required=True,
        domain=[
            ('company', 'in',
                [Eval('context', {}).get('company', -1), None]),
            ('sequence_type', '=',
                Id('svc_repair', 'sequence_type_ticket')),
            ],
        help="Used to number the repair tickets.")
    slas = fields.One2Many(
        'svc.repair.sla', 'configuration', "Service Deadlines",
        help="The response and resolution deadlines of each urgency.")
    escalation_percent = fields.Integer(
        "Escalation at (%)", required=True,
        help="Share of the time allowed after which the dispatchers are "
        "warned that a deadline is approaching.")
    escalation_lead_time = fields.TimeDelta(
        "Escalation Lead Time",
        help="Also warn the dispatchers when no more than this working "
        "time is left before a deadline.")
    escalation_email = fields.Boolean(
        "Escalation Emails",
        help="Also send the escalations by email to the users who have an "
        "email address (needs the [email] section of the server "
        "configuration).")

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        table_h = cls.__table_handler__(module)
        # Migration from 8.0.0 pre-release: delays moved to svc.repair.sla
        for urgency, _ in URGENCIES:
            column = f'response_delay_{urgency}'
            if table_h.column_exist(column):
                table_h.not_null_action(column, 'remove')

    @classmethod
    def default_ticket_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('svc_repair', 'sequence_ticket')
        except KeyError:
            return None

    @classmethod
    def default_escalation_percent(cls):
        return 80

    @classmethod
    def default_escalation_email(cls):
        return False

    def get_sla(self, urgency):
        "Return the service deadlines of the urgency"
        for sla in self.slas:
            if sla.urgency == urgency:
                return sla

    def escalation_margin(self, delay):
        "Return the working time left when a deadline is approaching"
        margin = delay * (100 - self.escalation_percent) / 100
        if self.escalation_lead_time:
            margin = max(margin, self.escalation_lead_time)
        return min(margin, delay)

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        cls.check_escalation(configurations, field_names)

    @classmethod
    def check_escalation(cls, configurations, field_names=None):
        names = {'escalation_percent', 'escalation_lead_time'}
        if field_names and not (names & set(field_names)):
            return
        for configuration in configurations:
            if not (0 < (configuration.escalation_percent or 0) <= 100):
                raise EscalationValidationError(gettext(
                        'svc_repair.msg_configuration_escalation_percent'))
            lead_time = configuration.escalation_lead_time
            if lead_time is not None and lead_time < dt.timedelta(0):
                raise EscalationValidationError(gettext(
                        'svc_repair.msg_configuration_escalation_lead_time'))


class SLA(ModelSQL, ModelView):
    __name__ = 'svc.repair.sla'
    __string__ = "Service Deadline"
    configuration = fields.Many2One(
        'svc.repair.configuration', "Configuration", required=True,
        ondelete='CASCADE')
    urgency = fields.Selection(URGENCIES, "Urgency", required=True, sort=False)
    urgency_string = urgency.translated('urgency')
    response_delay = fields.TimeDelta(
        "Response Delay", required=True,
        help="Working time allowed to start work.")
    resolution_delay = fields.TimeDelta(
        "Resolution Delay", required=True,
        help="Working time allowed to finish the work.")
    clock = fields.Selection([
            ('always', "Around the Clock"),
            ('calendar', "Working Time"),
            ], "Clock", required=True, sort=False,
        help="Around the clock counts every hour (7x24); working time "
        "counts only the hours of the working calendar.")
    calendar = fields.Many2One(
        'svc.repair.calendar', "Working Calendar", ondelete='RESTRICT',
        states={
            'required': Eval('clock') == 'calendar',
            'invisible': Eval('clock') != 'calendar',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('configuration')
        t = cls.__table__()
        cls._sql_constraints += [
            ('configuration_urgency_unique',
                Unique(t, t.configuration, t.urgency),
                'svc_repair.msg_sla_urgency_unique'),
            ]

    @classmethod
    def default_clock(cls):
        return 'always'

    @fields.depends('clock', 'calendar')
    def on_change_clock(self):
        if self.clock != 'calendar':
            self.calendar = None

    def get_clock(self, timezone=None):
        "Return the working-time calendar of the clock, None around the clock"
        if self.clock == 'calendar' and self.calendar:
            return self.calendar.get_clock(timezone=timezone)

    @classmethod
    def validate_fields(cls, slas, field_names):
        super().validate_fields(slas, field_names)
        cls.check_delays(slas, field_names)

    @classmethod
    def check_delays(cls, slas, field_names=None):
        names = {'response_delay', 'resolution_delay'}
        if field_names and not (names & set(field_names)):
            return
        for sla in slas:
            for name in sorted(names):
                delay = getattr(sla, name)
                if delay is not None and delay <= dt.timedelta(0):
                    raise SLAValidationError(gettext(
                            'svc_repair.msg_sla_delay',
                            field=cls.__names__(name)['field'],
                            urgency=sla.urgency_string))
