# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, Id

from .exceptions import ResponseDelayValidationError

URGENCIES = ['urgent', 'general', 'complex']


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
    response_delay_urgent = fields.TimeDelta(
        "Response Delay Urgent", required=True,
        help="Time allowed to start work on an urgent ticket.")
    response_delay_general = fields.TimeDelta(
        "Response Delay General", required=True,
        help="Time allowed to start work on a general ticket.")
    response_delay_complex = fields.TimeDelta(
        "Response Delay Complex", required=True,
        help="Time allowed to start work on a complex ticket.")

    @classmethod
    def default_ticket_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('svc_repair', 'sequence_ticket')
        except KeyError:
            return None

    @classmethod
    def default_response_delay_urgent(cls):
        return dt.timedelta(hours=1)

    @classmethod
    def default_response_delay_general(cls):
        return dt.timedelta(hours=24)

    @classmethod
    def default_response_delay_complex(cls):
        return dt.timedelta(days=7)

    @property
    def response_delays(self):
        "Return the response delay of each urgency"
        return {
            u: getattr(self, f'response_delay_{u}') for u in URGENCIES}

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        cls.check_response_delays(configurations, field_names)

    @classmethod
    def check_response_delays(cls, configurations, field_names=None):
        names = {f'response_delay_{u}' for u in URGENCIES}
        if field_names and not (names & set(field_names)):
            return
        for configuration in configurations:
            for name in sorted(names):
                delay = getattr(configuration, name)
                if delay is not None and delay <= dt.timedelta(0):
                    raise ResponseDelayValidationError(gettext(
                            'svc_repair.msg_configuration_response_delay',
                            field=cls.__names__(name)['field']))
