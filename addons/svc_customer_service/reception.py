# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSingleton, ModelSQL, ModelView, Workflow, fields)
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.modules.svc_repair import repair
from trytond.pool import Pool
from trytond.pyson import Eval, Id, If
from trytond.transaction import Transaction

from .exceptions import CancelError, CloseError, CreateTicketError


class Configuration(
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    __name__ = 'svc.reception.configuration'
    __string__ = "Reception Configuration"
    reception_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Reception Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('svc_customer_service', 'sequence_type_reception')),
                ]))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'reception_sequence':
            return pool.get('svc.reception.configuration.sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_reception_sequence(cls, **pattern):
        return cls.multivalue_model(
            'reception_sequence').default_reception_sequence()


class ConfigurationSequence(ModelSQL, CompanyValueMixin):
    __name__ = 'svc.reception.configuration.sequence'
    __string__ = "Reception Configuration Sequence"
    reception_sequence = fields.Many2One(
        'ir.sequence', "Reception Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('svc_customer_service', 'sequence_type_reception')),
            ])

    @classmethod
    def default_reception_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'svc_customer_service', 'sequence_reception')
        except KeyError:
            return None


class NumberedMixin(repair.NumberedMixin):
    "Number new records from a sequence of the customer service configuration"
    __slots__ = ()
    # The configuration field of the sequence, per company
    _number_sequence = None

    @classmethod
    def get_number_sequence(cls, values):
        pool = Pool()
        Configuration = pool.get('svc.reception.configuration')
        company_id = values.get('company', cls.default_company())
        if company_id is not None:
            return Configuration(1).get_multivalue(
                cls._number_sequence, company=company_id)


class Reception(
        repair.ClockDefaultMixin, repair.IdSearchMixin, NumberedMixin,
        Workflow, ModelSQL, ModelView):
    __name__ = 'svc.reception'
    __string__ = "Reception"
    _number_sequence = 'reception_sequence'
    _rec_name = 'number'
    _states = {
        'readonly': Eval('state') != 'open',
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    channel = fields.Selection([
            ('phone', "Phone Call"),
            ('visit', "Visit"),
            ('letter', "Letter"),
            ('online', "Online Message"),
            ('email', "Email"),
            ], "Channel", required=True, states=_states)
    caller = fields.Many2One(
        'party.party', "Caller", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends=['company'],
        help="The person who makes the request.")
    contact_phone = fields.Char("Contact Phone", states=_states)
    address = fields.Char(
        "Address", states=_states,
        help="Where the service is requested.")
    kind = fields.Selection([
            ('repair', "Repair"),
            ('special_service', "Other Special Service"),
            ('complaint', "Complaint"),
            ('consultation', "Consultation"),
            ('suggestion', "Suggestion"),
            ], "Kind", required=True, states=_states,
        help="Only repair requests become repair work orders.")
    content = fields.Text("Content", required=True, states=_states)
    received_at = fields.DateTime(
        "Received at", required=True, states=_states)
    received_by = fields.Many2One("res.user", "Received by", readonly=True)
    reply = fields.Text(
        "Reply",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="The answer given to the caller.")
    ticket = fields.Many2One(
        'svc.repair.ticket', "Work Order", readonly=True,
        ondelete='RESTRICT')
    ticket_state = fields.Function(fields.Selection(
            'get_ticket_states', "Work Order State"),
        'on_change_with_ticket_state', searcher='search_ticket_state')
    closed_by = fields.Many2One('res.user', "Closed by", readonly=True)
    closed_at = fields.DateTime("Closed at", readonly=True)
    state = fields.Selection([
            ('open', "Open"),
            ('processing', "Processing"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        # PostgreSQL full-text search takes a run of Chinese characters as
        # one word, so searching 漏水 would not find 厨房水管漏水
        cls.content.search_full_text = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(
                t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(['open', 'processing'])))
        cls._order = [
            ('received_at', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('open', 'processing'),
            ('open', 'closed'),
            ('processing', 'closed'),
            ('open', 'cancelled'),
            ('processing', 'cancelled'),
            ('cancelled', 'open'),
            }
        cls._buttons.update({
                'create_ticket': {
                    'invisible': (
                        (Eval('state') != 'open')
                        | (Eval('kind') != 'repair')),
                    'depends': ['state', 'kind'],
                    },
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_channel(cls):
        return 'phone'

    @classmethod
    def default_kind(cls):
        return 'repair'

    @classmethod
    def default_received_at(cls):
        # The client keeps whole seconds (see svc.repair.ticket)
        return dt.datetime.now().replace(microsecond=0)

    @classmethod
    def default_received_by(cls):
        return Transaction().user or None

    @classmethod
    def default_state(cls):
        return 'open'

    @fields.depends('caller', 'contact_phone', 'address')
    def on_change_caller(self):
        if not self.caller:
            return
        mechanism = self.caller.contact_mechanism_get({'mobile', 'phone'})
        if mechanism:
            self.contact_phone = mechanism.value
        if not self.address:
            address = self.caller.address_get()
            if address and address.full_address:
                self.address = ' '.join(address.full_address.splitlines())

    @classmethod
    def get_ticket_states(cls):
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        selection = Ticket.fields_get(['state'])['state']['selection']
        return [(None, '')] + selection

    @fields.depends('ticket', '_parent_ticket.state')
    def on_change_with_ticket_state(self, name=None):
        if self.ticket:
            return self.ticket.state

    @classmethod
    def search_ticket_state(cls, name, clause):
        return [('ticket.state',) + tuple(clause[1:])]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'cancelled', 'muted', '')),
            ]

    @classmethod
    def copy(cls, receptions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('received_at', dt.datetime.now())
        default.setdefault('received_by', Transaction().user or None)
        default.setdefault('reply', None)
        default.setdefault('ticket', None)
        default.setdefault('closed_by', None)
        default.setdefault('closed_at', None)
        return super().copy(receptions, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('processing')
    def create_ticket(cls, receptions):
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        for reception in receptions:
            if reception.kind != 'repair':
                raise CreateTicketError(gettext(
                        'svc_customer_service'
                        '.msg_reception_create_ticket_kind',
                        reception=reception.rec_name))
        tickets = [r.get_ticket() for r in receptions]
        Ticket.save(tickets)
        for reception, ticket in zip(receptions, tickets):
            reception.ticket = ticket
        cls.save(receptions)

    def get_ticket(self):
        "Return a new repair work order for the reception"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        return Ticket(
            company=self.company,
            reporter=self.caller,
            contact_phone=self.contact_phone,
            address=self.address,
            description=self.content,
            reported_at=self.received_at,
            )

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, receptions):
        for reception in receptions:
            reception.check_close()
        cls.write(receptions, {
                'closed_by': Transaction().user or None,
                'closed_at': dt.datetime.now(),
                })

    def check_close(self):
        if self.ticket and self.ticket.state != 'cancelled':
            if self.ticket.state != 'closed':
                raise CloseError(gettext(
                        'svc_customer_service.msg_reception_close_ticket',
                        reception=self.rec_name,
                        ticket=self.ticket.rec_name))
        elif not self.reply:
            raise CloseError(gettext(
                    'svc_customer_service.msg_reception_close_reply',
                    reception=self.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, receptions):
        for reception in receptions:
            if reception.ticket and reception.ticket.state != 'cancelled':
                raise CancelError(gettext(
                        'svc_customer_service.msg_reception_cancel_ticket',
                        reception=reception.rec_name,
                        ticket=reception.ticket.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, receptions):
        pass

    @classmethod
    @Workflow.transition('processing')
    def proceed(cls, receptions):
        pass
