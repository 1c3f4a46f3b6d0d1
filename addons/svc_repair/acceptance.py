# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
"Acceptance with signature and photos, satisfaction scores and revisit"
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.report import Report
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

from . import repair
from .exceptions import (
    FollowUpDoneError, ImageValidationError, SatisfactionValidationError,
    TicketRevisitError, TicketSignatureError)

SCORES = ['satisfaction_response', 'satisfaction_ability',
    'satisfaction_attitude']
REVISIT_FIELDS = ['revisit_satisfaction', 'revisit_remark', 'revisit_method']
DEFAULTS = {
    'signature_max_size': 512,
    'photo_max_size': 1024,
    'revisit_days': 3,
    'satisfaction_low_score': 2,
    'satisfaction_low_average': 3.0,
    }


def image_type(data):
    "Return the MIME type of the image bytes, None if not a known image"
    data = bytes(data[:12])
    if data.startswith(b'\x89PNG\r\n\x1a\n'):
        return 'image/png'
    if data.startswith(b'\xff\xd8\xff'):
        return 'image/jpeg'
    if data[:6] in {b'GIF87a', b'GIF89a'}:
        return 'image/gif'
    if data[:4] == b'RIFF' and data[8:12] == b'WEBP':
        return 'image/webp'


def check_image(data, max_kb, field):
    "Raise ImageValidationError unless data is an image within max_kb"
    if not data:
        return
    if not image_type(data):
        raise ImageValidationError(gettext(
                'svc_repair.msg_image_type', field=field))
    if max_kb and len(data) > max_kb * 1024:
        raise ImageValidationError(gettext(
                'svc_repair.msg_image_size', field=field,
                size=round(len(data) / 1024), limit=max_kb))


def config_value(configuration, name):
    value = getattr(configuration, name)
    return DEFAULTS[name] if value is None else value


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.repair.configuration'

    signature_required = fields.Boolean(
        "Signature Required",
        help="The customer's signature is needed to accept the work.")
    signature_max_size = fields.Integer(
        "Signature Size Limit (KB)", required=True,
        domain=[('signature_max_size', '>', 0)],
        help="The largest signature image accepted.")
    photo_max_size = fields.Integer(
        "Photo Size Limit (KB)", required=True,
        domain=[('photo_max_size', '>', 0)],
        help="The largest repair photo accepted; the web client shows "
        "images up to 1 MB.")
    revisit_days = fields.Integer(
        "Revisit within (Days)", required=True,
        domain=[('revisit_days', '>=', 0)],
        help="The reporter is called back within these days after the work "
        "is done.")
    satisfaction_low_score = fields.Integer(
        "Low Score", required=True,
        domain=[
            ('satisfaction_low_score', '>=', 1),
            ('satisfaction_low_score', '<=', 5),
            ],
        help="A satisfaction score at or below it opens a follow-up.")
    satisfaction_low_average = fields.Float(
        "Low Average", required=True, digits=(1, 1),
        help="An average satisfaction below it opens a follow-up.")

    @classmethod
    def default_signature_required(cls):
        return False

    @classmethod
    def default_signature_max_size(cls):
        return DEFAULTS['signature_max_size']

    @classmethod
    def default_photo_max_size(cls):
        return DEFAULTS['photo_max_size']

    @classmethod
    def default_revisit_days(cls):
        return DEFAULTS['revisit_days']

    @classmethod
    def default_satisfaction_low_score(cls):
        return DEFAULTS['satisfaction_low_score']

    @classmethod
    def default_satisfaction_low_average(cls):
        return DEFAULTS['satisfaction_low_average']

    def is_low_satisfaction(self, scores):
        "Whether the scores (None for not given) call for a follow-up"
        scores = [s for s in scores if s is not None]
        if not scores:
            return False
        low = config_value(self, 'satisfaction_low_score')
        average = config_value(self, 'satisfaction_low_average')
        return (min(scores) <= low
            or sum(scores) / len(scores) < average)


def score_field(string, help):
    return fields.Integer(
        string, help=help + " From 1 (very poor) to 5 (very good).",
        states={
            'readonly': ~Eval('state').in_(['done', 'accepted']),
            })


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'

    customer_signature = fields.Binary(
        "Customer Signature",
        states={
            'readonly': ~Eval('state').in_(['running', 'done']),
            },
        help="The image of the customer's signature at acceptance.")
    signed_by_name = fields.Char(
        "Signed by",
        states={
            'readonly': ~Eval('state').in_(['running', 'done']),
            },
        help="The name of the person who signed.")
    photos = fields.One2Many(
        'svc.repair.ticket.photo', 'ticket', "Photos",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    satisfaction_response = score_field(
        "Response Speed", "How fast the service came.")
    satisfaction_ability = score_field(
        "Ability to Fix", "Whether the problem was solved.")
    satisfaction_attitude = score_field(
        "Service Attitude", "How the technician behaved.")
    satisfaction_average = fields.Function(fields.Float(
            "Satisfaction", digits=(1, 2),
            help="The average of the satisfaction scores."),
        'get_satisfaction_average')
    revisit_due = fields.Date(
        "Revisit Due", readonly=True,
        help="The reporter is to be called back by this date.")
    revisit_method = fields.Selection([
            (None, ""),
            ('phone', "Phone"),
            ('visit', "Visit"),
            ], "Revisit Method", sort=False,
        states={
            'readonly': Eval('state') != 'accepted',
            })
    revisited_by, revisited_at = repair.stamp_fields(
        "Revisited by", "Revisited at")
    follow_ups = fields.One2Many(
        'svc.repair.follow_up', 'ticket', "Follow-ups", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'revisit': {
                    'invisible': ((Eval('state') != 'accepted')
                        | Bool(Eval('revisited_at'))),
                    'depends': ['state', 'revisited_at'],
                    },
                })

    @classmethod
    def get_satisfaction_average(cls, tickets, name):
        result = {}
        for ticket in tickets:
            scores = [s for s in ticket.satisfaction_scores if s is not None]
            result[ticket.id] = (
                round(sum(scores) / len(scores), 2) if scores else None)
        return result

    @property
    def satisfaction_scores(self):
        return [getattr(self, n) for n in SCORES]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        values = super().preprocess_values(mode, values)
        if values.get('customer_signature'):
            # Before the write so nothing is stored when refused
            check_image(
                values['customer_signature'],
                config_value(Configuration(1), 'signature_max_size'),
                cls.__names__('customer_signature')['field'])
        return values

    @classmethod
    def validate_fields(cls, tickets, field_names):
        super().validate_fields(tickets, field_names)
        cls.check_scores(tickets, field_names)

    @classmethod
    def check_scores(cls, tickets, field_names=None):
        if field_names and not (set(SCORES) & set(field_names)):
            return
        for ticket in tickets:
            for name in SCORES:
                score = getattr(ticket, name)
                if score is not None and not (1 <= score <= 5):
                    raise SatisfactionValidationError(gettext(
                            'svc_repair.msg_satisfaction_score',
                            ticket=cls.__names__(record=ticket)['record'],
                            field=cls.__names__(name)['field'],
                            score=score))

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        for name in SCORES + [
                'customer_signature', 'signed_by_name', 'photos',
                'revisit_due', 'revisit_method', 'revisited_by',
                'revisited_at', 'follow_ups']:
            default.setdefault(name, None)
        return super().copy(tickets, default=default)

    @classmethod
    @ModelView.button
    def finish(cls, tickets):
        super().finish(tickets)
        cls.plan_revisit([t for t in tickets if t.state == 'done'])

    @classmethod
    def plan_revisit(cls, tickets):
        "Set the revisit due date from the finish date"
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        days = config_value(Configuration(1), 'revisit_days')
        to_write = []
        for ticket in tickets:
            timezone = tz.get_tzinfo(ticket.company.timezone or 'UTC')
            done = (ticket.done_at or repair.now()).replace(
                tzinfo=dt.timezone.utc).astimezone(timezone).date()
            to_write.extend(([ticket], {
                        'revisit_due': done + dt.timedelta(days=days),
                        }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    def accept(cls, tickets):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        if Configuration(1).signature_required:
            for ticket in tickets:
                if ticket.state == 'done' and not ticket.customer_signature:
                    raise TicketSignatureError(gettext(
                            'svc_repair.msg_ticket_accept_signature',
                            ticket=ticket.rec_name))
        super().accept(tickets)
        cls.follow_up_low_satisfaction(tickets, 'acceptance')

    @classmethod
    @ModelView.button
    def revisit(cls, tickets):
        "Record that the reporter was called back"
        for ticket in tickets:
            if ticket.state != 'accepted':
                raise TicketRevisitError(gettext(
                        'svc_repair.msg_ticket_revisit_accepted',
                        ticket=ticket.rec_name,
                        state=ticket.state_string))
            if not ticket.revisit_satisfaction:
                raise TicketRevisitError(gettext(
                        'svc_repair.msg_ticket_revisit_satisfaction',
                        ticket=ticket.rec_name))
        cls.stamp_revisit(tickets)

    @classmethod
    @ModelView.button
    def close(cls, tickets):
        super().close(tickets)
        # Closing records the revisit when it was not recorded on its own
        cls.stamp_revisit(tickets)

    @classmethod
    def stamp_revisit(cls, tickets):
        tickets = [t for t in tickets if not t.revisited_at]
        if not tickets:
            return
        cls.write(tickets, {
                'revisited_by': Transaction().user or None,
                'revisited_at': repair.now(),
                })
        cls.follow_up_low_satisfaction(tickets, 'revisit')

    @classmethod
    def follow_up_low_satisfaction(cls, tickets, origin):
        "Open a follow-up for the tickets with a low satisfaction"
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        FollowUp = pool.get('svc.repair.follow_up')
        configuration = Configuration(1)
        follow_ups = []
        for ticket in cls.browse(tickets):
            if any(f.state == 'open' for f in ticket.follow_ups):
                continue
            low = configuration.is_low_satisfaction(
                ticket.satisfaction_scores)
            unsatisfied = (origin == 'revisit'
                and ticket.revisit_satisfaction == 'unsatisfied')
            if low or unsatisfied:
                follow_ups.append(FollowUp(
                        ticket=ticket, origin=origin,
                        reason=ticket.get_follow_up_reason(origin)))
        FollowUp.save(follow_ups)
        return follow_ups

    def get_follow_up_reason(self, origin):
        names = self.__names__
        scores = '，'.join(
            f"{names(n)['field']} {getattr(self, n)}"
            for n in SCORES if getattr(self, n) is not None)
        remark = (self.revisit_remark if origin == 'revisit'
            else self.acceptance_remark)
        return '\n'.join(filter(None, [scores, remark]))


class Photo(repair.ClockDefaultMixin, ModelSQL, ModelView):
    __name__ = 'svc.repair.ticket.photo'
    __string__ = "Repair Photo"

    ticket = fields.Many2One(
        'svc.repair.ticket', "Ticket", required=True, ondelete='CASCADE')
    kind = fields.Selection([
            ('before', "Before Repair"),
            ('after', "After Repair"),
            ], "Kind", required=True, sort=False)
    image = fields.Binary("Image", required=True, filename='image_name')
    image_name = fields.Char("Image Name")
    taken_at = fields.DateTime("Taken at", required=True)
    taken_by = fields.Many2One('res.user', "Taken by", readonly=True)
    remark = fields.Char("Remark")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('ticket')
        cls._order = [
            ('ticket', 'ASC'),
            ('taken_at', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_kind(cls):
        return 'before'

    @classmethod
    def default_taken_at(cls):
        return repair.now().replace(microsecond=0)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values.setdefault('taken_by', Transaction().user or None)
        if values.get('image'):
            check_image(
                values['image'],
                config_value(Configuration(1), 'photo_max_size'),
                cls.__names__('image')['field'])
        return values


class FollowUp(Workflow, ModelSQL, ModelView):
    "Follow-up of an unsatisfied customer by the service manager"
    __name__ = 'svc.repair.follow_up'
    __string__ = "Satisfaction Follow-up"
    _states = {
        'readonly': Eval('state') != 'open',
        }

    ticket = fields.Many2One(
        'svc.repair.ticket', "Ticket", required=True, readonly=True,
        ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    reporter = fields.Function(
        fields.Many2One('party.party', "Reporter"), 'get_ticket_field')
    technician = fields.Function(
        fields.Many2One('company.employee', "Technician"),
        'get_ticket_field')
    satisfaction_average = fields.Function(fields.Float(
            "Satisfaction", digits=(1, 2)), 'get_ticket_field')
    origin = fields.Selection([
            ('acceptance', "Acceptance"),
            ('revisit', "Revisit"),
            ], "Origin", readonly=True, required=True)
    reason = fields.Text("Reason", states=_states)
    assigned_to = fields.Many2One(
        'res.user', "Assigned to", states=_states,
        help="The service manager in charge.")
    result = fields.Text(
        "Result",
        states={
            'readonly': _states['readonly'],
            'required': Eval('state') == 'done',
            },
        help="What was done for the customer. Required to finish.")
    done_by, done_at = repair.stamp_fields("Done by", "Done at")
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        # PostgreSQL full-text search takes a run of Chinese characters as
        # one word
        cls.reason.search_full_text = False
        cls.result.search_full_text = False
        super().__setup__()
        # No __access__ on ticket: the technician may write his tickets but
        # must not see the complaints about him
        cls._order = [
            ('create_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {('open', 'done')}
        cls._buttons.update({
                'done': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @fields.depends('ticket', '_parent_ticket.company')
    def on_change_with_company(self, name=None):
        return self.ticket.company if self.ticket else None

    @classmethod
    def search_company(cls, name, clause):
        return [('ticket.company',) + tuple(clause[1:])]

    @classmethod
    def get_ticket_field(cls, follow_ups, name):
        result = {}
        for follow_up in follow_ups:
            value = getattr(follow_up.ticket, name)
            if isinstance(value, ModelSQL):
                value = value.id
            result[follow_up.id] = value
        return result

    def get_rec_name(self, name):
        return self.ticket.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('ticket.rec_name',) + tuple(clause[1:])]

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @repair.stamp('done')
    def done(cls, follow_ups):
        for follow_up in follow_ups:
            if not follow_up.result:
                raise FollowUpDoneError(gettext(
                        'svc_repair.msg_follow_up_result',
                        ticket=follow_up.ticket.rec_name))


class ServiceFileMixin:
    "Ticket count and satisfaction average of a customer service file"
    __slots__ = ()

    @classmethod
    def get_service_file(cls, records, names, field):
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        ModelAccess = pool.get('ir.model.access')
        result = {n: {r.id: None for r in records} for n in names}
        if not ModelAccess.check(
                'svc.repair.ticket', 'read', raise_exception=False):
            return result
        tickets = Ticket.search([
                (field, 'in', [r.id for r in records]),
                ('state', '!=', 'cancelled'),
                ])
        by_record = {}
        for ticket in tickets:
            by_record.setdefault(getattr(ticket, field).id, []).append(ticket)
        for record in records:
            tickets = by_record.get(record.id, [])
            if 'repair_ticket_count' in result:
                result['repair_ticket_count'][record.id] = len(tickets)
            if 'repair_satisfaction' in result:
                averages = [t.satisfaction_average for t in tickets
                    if t.satisfaction_average is not None]
                if averages:
                    result['repair_satisfaction'][record.id] = round(
                        sum(averages) / len(averages), 2)
        return result


def service_file_fields():
    return (
        fields.Function(fields.Integer(
                "Repair Tickets",
                help="The number of repair tickets, cancelled excluded."),
            'get_repair_service_file'),
        fields.Function(fields.Float(
                "Repair Satisfaction", digits=(1, 2),
                help="The average satisfaction over the rated tickets."),
            'get_repair_service_file'))


class Equipment(ServiceFileMixin, metaclass=PoolMeta):
    __name__ = 'svc.repair.equipment'
    repair_ticket_count, repair_satisfaction = service_file_fields()

    @classmethod
    def get_repair_service_file(cls, equipments, names):
        return cls.get_service_file(equipments, names, 'equipment')


class Party(ServiceFileMixin, metaclass=PoolMeta):
    __name__ = 'party.party'
    repair_ticket_count, repair_satisfaction = service_file_fields()

    @classmethod
    def get_repair_service_file(cls, parties, names):
        return cls.get_service_file(parties, names, 'reporter')


class DispatchOrder(Report):
    "Service dispatch order (服务派工单)"
    __name__ = 'svc.repair.ticket.dispatch_order'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['selection'] = cls.selection
        context['local'] = cls.local
        context['score'] = cls.score
        context['equipment'] = cls.equipment
        context['signature'] = lambda t: (
            t.customer_signature, image_type(t.customer_signature))
        return context

    @staticmethod
    def selection(record, name):
        "The translated label of the selection value"
        value = getattr(record, name)
        if not value:
            return ''
        labels = dict(record.fields_get([name])[name]['selection'])
        return labels.get(value, value)

    @staticmethod
    def local(ticket, value, date=False):
        "The naive UTC value in the company time zone"
        if not value:
            return ''
        value = value.replace(tzinfo=dt.timezone.utc).astimezone(
            tz.get_tzinfo(ticket.company.timezone or 'UTC'))
        return value.strftime('%Y-%m-%d' if date else '%Y-%m-%d %H:%M')

    @staticmethod
    def score(value):
        return '%s/5' % value if value else '-'

    @staticmethod
    def equipment(ticket):
        equipment = getattr(ticket, 'equipment', None)
        return equipment.rec_name if equipment else ''
