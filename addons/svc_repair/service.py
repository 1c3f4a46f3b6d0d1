# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.modules.currency.fields import Monetary
from trytond.modules.product import price_digits, round_price
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import (
    CashValidationError, ContractValidationError, QuotationError,
    ServiceCategoryValidationError, TicketLineValidationError,
    TicketStartQuotationError)
from .repair import ClockDefaultMixin, NumberedMixin

SERVICE_CATEGORIES = [
    ('A', "A Paid Service"),
    ('B', "B Contract Service"),
    ('C', "C Free Service"),
    ('D', "D Internal Administrative Work"),
    ]
LINE_STATES = ['draft', 'assigned', 'running', 'waiting']


def now():
    "Return the current time, naive UTC, in whole seconds"
    return dt.datetime.now().replace(microsecond=0)


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.repair.configuration'

    quotation_threshold = fields.Numeric(
        "Quotation Threshold", digits=(16, 2),
        domain=['OR',
            ('quotation_threshold', '=', None),
            ('quotation_threshold', '>=', 0),
            ],
        help="Paid work estimated above this amount can start only once "
        "the customer has confirmed the quotation. Leave empty to never "
        "require a quotation.")


class Contract(NumberedMixin, Workflow, ModelSQL, ModelView):
    "A maintenance contract: the covered work is contract service (B)"
    __name__ = 'svc.repair.contract'
    __string__ = "Maintenance Contract"
    _rec_name = 'number'
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Customer", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    start_date = fields.Date(
        "Start Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date", required=True, states=_states)
    products = fields.Many2Many(
        'svc.repair.contract-product.product', 'contract', 'product',
        "Covered Products", states=_states,
        help="Any equipment of these products is covered.")
    equipments = fields.Many2Many(
        'svc.repair.contract-svc.repair.equipment', 'contract', 'equipment',
        "Covered Equipment", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="These serial numbers are covered. Leave both lists empty to "
        "cover all the work for the customer.")
    billing = fields.Selection([
            ('none', "Nothing"),
            ('parts', "Parts Only"),
            ('all', "Parts and Labour"),
            ], "Billed", required=True, sort=False, states=_states,
        help="What is invoiced for the covered work.")
    note = fields.Text("Note")
    state = fields.Selection([
            ('draft', "Draft"),
            ('running', "Running"),
            ('closed', "Closed"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.party, Index.Range()),
                where=t.state == 'running'))
        cls._order = [
            ('start_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'running'),
            ('running', 'closed'),
            ('running', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'run': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_billing(cls):
        return 'parts'

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def get_number_sequence(cls, values):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        return Sequence(ModelData.get_id('svc_repair', 'sequence_contract'))

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        return super().copy(contracts, default=default)

    @classmethod
    def validate_fields(cls, contracts, field_names):
        super().validate_fields(contracts, field_names)
        if field_names and not ({'start_date', 'end_date'} & field_names):
            return
        for contract in contracts:
            if contract.end_date < contract.start_date:
                raise ContractValidationError(gettext(
                        'svc_repair.msg_contract_dates',
                        contract=cls.__names__(record=contract)['record']))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, contracts):
        pass

    def covers(self, date, equipment=None):
        "Whether the contract covers the work on the equipment at the date"
        if (self.state != 'running'
                or not (self.start_date <= date <= self.end_date)):
            return False
        if not self.products and not self.equipments:
            return True
        if not equipment:
            return False
        return (equipment in self.equipments
            or equipment.product in self.products)

    @classmethod
    def find(cls, party, date, equipment=None):
        "Return the running contract of the party covering the work"
        contracts = cls.search([
                ('party', '=', party.id),
                ('state', '=', 'running'),
                ('start_date', '<=', date),
                ('end_date', '>=', date),
                ], order=[('start_date', 'DESC'), ('id', 'DESC')])
        for contract in contracts:
            if contract.covers(date, equipment):
                return contract


class Contract_Product(ModelSQL):
    __name__ = 'svc.repair.contract-product.product'
    __string__ = "Maintenance Contract - Product"
    contract = fields.Many2One(
        'svc.repair.contract', "Contract", required=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='CASCADE')


class Contract_Equipment(ModelSQL):
    __name__ = 'svc.repair.contract-svc.repair.equipment'
    __string__ = "Maintenance Contract - Equipment"
    contract = fields.Many2One(
        'svc.repair.contract', "Contract", required=True, ondelete='CASCADE')
    equipment = fields.Many2One(
        'svc.repair.equipment', "Equipment", required=True,
        ondelete='CASCADE')


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'
    _line_states = {
        'readonly': ~Eval('state').in_(LINE_STATES),
        }

    service_category = fields.Selection(
        [(None, "")] + SERVICE_CATEGORIES, "Service Category", sort=False,
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned']),
            },
        help="Proposed from the contract and the warranty when the ticket "
        "is created; a different choice needs a reason.")
    proposed_category = fields.Function(fields.Selection(
            [(None, "")] + SERVICE_CATEGORIES, "Proposed Category",
            help="What the contract and the warranty say."),
        'on_change_with_proposed_category')
    category_reason = fields.Char(
        "Category Reason",
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned']),
            },
        help="Why the service category differs from the proposed one.")
    contract = fields.Many2One(
        'svc.repair.contract', "Maintenance Contract",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('reporter', -1)),
            ('state', '=', 'running'),
            ],
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned']),
            },
        help="Found from the reporter and the equipment when the ticket "
        "is created.")
    lines = fields.One2Many(
        'svc.repair.ticket.line', 'ticket', "Parts and Labour",
        states=_line_states)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    total_amount = fields.Function(Monetary(
            "Total", currency='currency', digits='currency'),
        'get_total_amount')
    quotation_plan = fields.Text(
        "Service Plan",
        states={
            'readonly': ~Eval('quotation_state').in_(['none', 'refused']),
            },
        help="The method, schedule and cost estimate proposed to the "
        "customer.")
    quotation_amount = Monetary(
        "Quotation Amount", currency='currency', digits='currency',
        domain=['OR',
            ('quotation_amount', '=', None),
            ('quotation_amount', '>=', 0),
            ],
        states={
            'readonly': ~Eval('quotation_state').in_(['none', 'refused']),
            },
        help="The cost estimate; empty means the total of the lines.")
    quotation_state = fields.Selection([
            ('none', "None"),
            ('to_confirm', "To Confirm"),
            ('confirmed', "Confirmed"),
            ('refused', "Refused"),
            ], "Quotation State", readonly=True, required=True, sort=False)
    quotation_required = fields.Function(fields.Boolean(
            "Quotation Required",
            help="Paid work estimated above the configured threshold must "
            "have a confirmed quotation before it starts."),
        'get_quotation_required')
    quotation_by = fields.Many2One(
        'res.user', "Quotation Answered by", readonly=True)
    quotation_at = fields.DateTime("Quotation Answered at", readonly=True)
    cash = fields.One2Many(
        'svc.repair.cash', 'ticket', "Cash Received",
        states={
            'readonly': ~Eval('state').in_(
                ['running', 'waiting', 'done', 'accepted']),
            })

    del _line_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.contract, Index.Range()),
                where=t.contract != Null))
        cls._buttons.update({
                'quote': {
                    'invisible': (~Eval('quotation_state').in_(
                            ['none', 'refused'])
                        | ~Eval('state').in_(LINE_STATES)),
                    'depends': ['quotation_state', 'state'],
                    },
                'confirm_quotation': {
                    'invisible': Eval('quotation_state') != 'to_confirm',
                    'depends': ['quotation_state'],
                    },
                'refuse_quotation': {
                    'invisible': Eval('quotation_state') != 'to_confirm',
                    'depends': ['quotation_state'],
                    },
                })

    @classmethod
    def default_quotation_state(cls):
        return 'none'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends(
        'contract', 'equipment', 'reported_at', 'reporter', 'company')
    def on_change_with_proposed_category(self, name=None):
        return self.propose_category()

    @fields.depends(
        'contract', 'equipment', 'reported_at', 'reporter', 'company')
    def propose_category(self):
        "Return the service category from the contract and the warranty"
        date = self.service_date
        if self.contract and self.contract.covers(date, self.equipment):
            return 'B'
        if self.equipment and self.equipment.in_warranty(date):
            return 'C'
        return 'A'

    @fields.depends(
        'contract', 'equipment', 'reported_at', 'reporter', 'company',
        'service_category', 'category_reason')
    def on_change_equipment(self):
        super().on_change_equipment()
        self.propose()

    @fields.depends(
        'contract', 'equipment', 'reported_at', 'reporter', 'company',
        'service_category', 'category_reason')
    def on_change_contract(self):
        self.propose()

    @fields.depends(
        'contract', 'equipment', 'reported_at', 'reporter', 'company',
        'service_category', 'category_reason', 'contact_phone')
    def on_change_reporter(self):
        super().on_change_reporter()
        self.propose()

    @fields.depends(
        'contract', 'equipment', 'reported_at', 'reporter', 'company',
        'service_category', 'category_reason')
    def propose(self):
        "Fill the contract and the category that the facts propose"
        pool = Pool()
        Contract = pool.get('svc.repair.contract')
        date = self.service_date
        if self.contract and not self.contract.covers(date, self.equipment):
            self.contract = None
        if (not self.contract and self.reporter
                and (self.reporter.id or -1) >= 0):
            self.contract = Contract.find(self.reporter, date, self.equipment)
        if not self.category_reason:
            self.service_category = self.propose_category()

    @property
    def service_date(self):
        pool = Pool()
        Date = pool.get('ir.date')
        if self.reported_at:
            return self.reported_at.date()
        return Date.today()

    @classmethod
    def get_total_amount(cls, tickets, name):
        return {
            t.id: t.currency.round(
                sum((l.amount or Decimal(0) for l in t.lines), Decimal(0)))
            if t.currency else None
            for t in tickets}

    @property
    def estimate(self):
        "Return the amount the customer is to confirm"
        if self.quotation_amount is not None:
            return self.quotation_amount
        return sum(
            (l.amount or Decimal(0) for l in self.lines), Decimal(0))

    def get_quotation_required(self, name):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        threshold = Configuration(1).quotation_threshold
        return bool(
            self.service_category == 'A'
            and threshold is not None
            and self.estimate > threshold)

    @classmethod
    def create(cls, vlist):
        tickets = super().create(vlist)
        to_save = []
        for ticket in tickets:
            if not ticket.contract or not ticket.service_category:
                category = ticket.service_category
                if not ticket.contract:
                    ticket.propose()
                ticket.service_category = (
                    category or ticket.propose_category())
                to_save.append(ticket)
        cls.save(to_save)
        return tickets

    @classmethod
    def validate_fields(cls, tickets, field_names):
        super().validate_fields(tickets, field_names)
        cls.check_service_category(tickets, field_names)

    @classmethod
    def check_service_category(cls, tickets, field_names=None):
        if field_names and not (
                {'service_category', 'category_reason'} & field_names):
            return
        for ticket in tickets:
            if (ticket.service_category
                    and ticket.service_category != ticket.proposed_category
                    and not ticket.category_reason):
                raise ServiceCategoryValidationError(gettext(
                        'svc_repair.msg_ticket_category_reason',
                        ticket=cls.__names__(record=ticket)['record'],
                        category=ticket.service_category_string,
                        proposed=ticket.proposed_category_string))

    @property
    def service_category_string(self):
        return dict(self.fields_get(['service_category'])[
                'service_category']['selection']).get(
            self.service_category, '')

    @property
    def proposed_category_string(self):
        return dict(self.fields_get(['service_category'])[
                'service_category']['selection']).get(
            self.proposed_category, '')

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        for name in ['quotation_by', 'quotation_at', 'cash']:
            default.setdefault(name, None)
        default.setdefault('quotation_state', 'none')
        return super().copy(tickets, default=default)

    @classmethod
    def start(cls, tickets):
        for ticket in tickets:
            if (ticket.state == 'assigned'
                    and ticket.quotation_required
                    and ticket.quotation_state != 'confirmed'):
                raise TicketStartQuotationError(gettext(
                        'svc_repair.msg_ticket_start_quotation',
                        ticket=ticket.rec_name,
                        amount=ticket.currency.round(ticket.estimate)))
        super().start(tickets)

    @classmethod
    @ModelView.button
    def quote(cls, tickets):
        for ticket in tickets:
            if (ticket.quotation_state not in {'none', 'refused'}
                    or not ticket.quotation_plan
                    or not ticket.estimate):
                raise QuotationError(gettext(
                        'svc_repair.msg_ticket_quote',
                        ticket=ticket.rec_name))
        for ticket in tickets:
            ticket.quotation_amount = ticket.estimate
            ticket.quotation_state = 'to_confirm'
            ticket.quotation_by = ticket.quotation_at = None
        cls.save(tickets)

    @classmethod
    @ModelView.button
    def confirm_quotation(cls, tickets):
        cls.answer_quotation(tickets, 'confirmed')

    @classmethod
    @ModelView.button
    def refuse_quotation(cls, tickets):
        cls.answer_quotation(tickets, 'refused')

    @classmethod
    def answer_quotation(cls, tickets, answer):
        for ticket in tickets:
            if ticket.quotation_state != 'to_confirm':
                raise QuotationError(gettext(
                        'svc_repair.msg_ticket_quotation_answer',
                        ticket=ticket.rec_name))
        cls.write(tickets, {
                'quotation_state': answer,
                'quotation_by': Transaction().user or None,
                'quotation_at': now(),
                })


class Line(sequence_ordered(), ModelSQL, ModelView):
    "A part used or removed, or labour hours, on a repair ticket"
    __name__ = 'svc.repair.ticket.line'
    __string__ = "Repair Ticket Line"
    _states = {
        'readonly': ~Eval('ticket_state').in_(LINE_STATES),
        }

    ticket = fields.Many2One(
        'svc.repair.ticket', "Ticket", required=True, ondelete='CASCADE',
        states={
            'readonly': _states['readonly'] & Bool(Eval('ticket')),
            })
    ticket_state = fields.Function(fields.Selection(
            'get_ticket_states', "Ticket State"),
        'on_change_with_ticket_state')
    kind = fields.Selection([
            ('part', "Part"),
            ('labour', "Labour"),
            ], "Kind", required=True, states=_states)
    removed = fields.Boolean(
        "Removed Part",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('kind') != 'part',
            },
        help="A part taken back from the customer: it returns to stock "
        "and is not invoiced.")
    product = fields.Many2One(
        'product.product', "Product", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    description = fields.Char("Description", states=_states)
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_states,
        domain=[('quantity', '>', 0)],
        help="The hours for labour.")
    unit = fields.Many2One(
        'product.uom', "Unit", readonly=True,
        help="The unit of the product: hours for labour.")
    unit_price = Monetary(
        "Unit Price", currency='currency', digits=price_digits,
        states={
            'readonly': _states['readonly'],
            'required': ~Eval('removed', False),
            })
    amount = fields.Function(Monetary(
            "Amount", currency='currency', digits='currency'),
        'on_change_with_amount')
    company = fields.Function(fields.Many2One(
            'company.company', "Company"), 'on_change_with_company')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    del _states

    @classmethod
    def default_kind(cls):
        return 'part'

    @classmethod
    def default_removed(cls):
        return False

    @classmethod
    def get_ticket_states(cls):
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        return Ticket.fields_get(['state'])['state']['selection']

    @fields.depends('ticket', '_parent_ticket.state')
    def on_change_with_ticket_state(self, name=None):
        return self.ticket.state if self.ticket else None

    @fields.depends('ticket', '_parent_ticket.company')
    def on_change_with_company(self, name=None):
        return self.ticket.company if self.ticket else None

    @fields.depends('ticket', '_parent_ticket.company')
    def on_change_with_currency(self, name=None):
        if self.ticket and self.ticket.company:
            return self.ticket.company.currency

    @fields.depends('product', 'unit', 'unit_price', 'description')
    def on_change_product(self):
        if self.product:
            self.unit = self.product.default_uom
            if self.unit_price is None:
                self.unit_price = self.product.list_price_used
            if not self.description:
                self.description = self.product.name

    @fields.depends('kind', 'removed')
    def on_change_kind(self):
        if self.kind != 'part':
            self.removed = False

    @fields.depends(
        'removed', 'quantity', 'unit_price', 'currency', 'unit')
    def on_change_with_amount(self, name=None):
        if self.removed or self.quantity is None or self.unit_price is None:
            return Decimal(0)
        amount = Decimal(str(self.quantity)) * self.unit_price
        if self.currency:
            return self.currency.round(amount)
        return round_price(amount)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Product = pool.get('product.product')
        values = super().preprocess_values(mode, values)
        if values.get('product'):
            values['unit'] = Product(values['product']).default_uom.id
        if values.get('kind') == 'labour':
            values['removed'] = False
        return values

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        states = LINE_STATES
        if mode == 'delete':
            # A cancelled ticket may be deleted with its lines
            states = LINE_STATES + ['cancelled']
        for line in lines:
            if line.ticket.state not in states:
                raise TicketLineValidationError(gettext(
                        'svc_repair.msg_ticket_line_state',
                        ticket=line.ticket.rec_name,
                        state=line.ticket.state_string))

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names and not (
                {'kind', 'product', 'ticket'} & field_names):
            return
        for line in lines:
            if (line.kind == 'labour') != (line.product.type == 'service'):
                raise TicketLineValidationError(gettext(
                        'svc_repair.msg_ticket_line_product_kind',
                        product=line.product.rec_name,
                        ticket=line.ticket.rec_name))

    def get_rec_name(self, name):
        return '%s @ %s' % (self.product.rec_name, self.ticket.rec_name)


class Cash(ClockDefaultMixin, Workflow, ModelSQL, ModelView):
    "Cash taken on site for a repair, then handed over to finance"
    __name__ = 'svc.repair.cash'
    __string__ = "Repair Cash Receipt"
    _states = {
        'readonly': Eval('state') != 'received',
        }

    ticket = fields.Many2One(
        'svc.repair.ticket', "Ticket", required=True, ondelete='RESTRICT',
        states=_states)
    company = fields.Function(fields.Many2One(
            'company.company', "Company"), 'on_change_with_company',
        searcher='search_company')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        states=_states)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, states=_states)
    received_by = fields.Many2One(
        'res.user', "Received by", required=True, states=_states)
    received_at = fields.DateTime(
        "Received at", required=True, states=_states)
    remark = fields.Char("Remark", states=_states)
    handed_over_by = fields.Many2One(
        'res.user', "Handed to Finance by", readonly=True)
    handed_over_at = fields.DateTime("Handed to Finance at", readonly=True)
    state = fields.Selection([
            ('received', "Received"),
            ('handed_over', "Handed to Finance"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                where=t.state == 'received'))
        cls._order = [
            ('received_at', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('received', 'handed_over'),
            }
        cls._buttons.update({
                'hand_over': {
                    'invisible': Eval('state') != 'received',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    @classmethod
    def default_received_by(cls):
        return Transaction().user or None

    @classmethod
    def default_received_at(cls):
        return now()

    @classmethod
    def default_state(cls):
        return 'received'

    @fields.depends('ticket', '_parent_ticket.company')
    def on_change_with_company(self, name=None):
        return self.ticket.company if self.ticket else None

    @classmethod
    def search_company(cls, name, clause):
        return [('ticket.' + clause[0],) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, receipts, field_names):
        super().validate_fields(receipts, field_names)
        if field_names and 'amount' not in field_names:
            return
        for receipt in receipts:
            if receipt.amount <= 0:
                raise CashValidationError(gettext(
                        'svc_repair.msg_cash_amount',
                        ticket=receipt.ticket.rec_name))

    @classmethod
    def check_modification(cls, mode, receipts, values=None, external=False):
        super().check_modification(
            mode, receipts, values=values, external=external)
        if mode == 'delete':
            for receipt in receipts:
                if receipt.state != 'received':
                    raise CashValidationError(gettext(
                            'svc_repair.msg_cash_delete_handed_over',
                            ticket=receipt.ticket.rec_name))

    def get_rec_name(self, name):
        return '%s %s' % (self.ticket.rec_name, self.amount)

    @classmethod
    @ModelView.button
    @Workflow.transition('handed_over')
    def hand_over(cls, receipts):
        cls.write(receipts, {
                'handed_over_by': Transaction().user or None,
                'handed_over_at': now(),
                })
