# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import TicketInvoiceError

INVOICED_STATES = ['done', 'accepted', 'closed']


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'

    invoices = fields.Function(fields.Many2Many(
            'account.invoice', None, None, "Invoices", readonly=True),
        'get_invoices')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'invoice': {
                    'invisible': ~Eval('state').in_(INVOICED_STATES),
                    'depends': ['state'],
                    },
                })

    def get_invoices(self, name):
        return sorted({
                il.invoice.id for l in self.lines for il in l.invoice_lines
                if il.invoice})

    @classmethod
    @ModelView.button
    def invoice(cls, tickets):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        for ticket in tickets:
            ticket.check_invoice()
        # The button is for the service managers, who need not have the
        # accounting access rights
        with without_check_access():
            invoices = []
            for ticket in tickets:
                with Transaction().set_context(company=ticket.company.id):
                    invoices.append(cls(ticket.id).get_invoice())
            Invoice.save(invoices)
            Invoice.update_taxes(invoices)

    def check_invoice(self):
        "Refuse to invoice the ticket when its work is not billable"
        if self.service_category not in {'A', 'B'}:
            raise TicketInvoiceError(gettext(
                    'svc_repair.msg_ticket_invoice_category',
                    ticket=self.rec_name,
                    category=self.service_category_string))
        if self.state not in INVOICED_STATES:
            raise TicketInvoiceError(gettext(
                    'svc_repair.msg_ticket_invoice_state',
                    ticket=self.rec_name, state=self.state_string))
        if any(i.state != 'cancelled' for i in self.invoices):
            raise TicketInvoiceError(gettext(
                    'svc_repair.msg_ticket_invoice_done',
                    ticket=self.rec_name))
        if not self.billable_lines:
            raise TicketInvoiceError(gettext(
                    'svc_repair.msg_ticket_invoice_nothing',
                    ticket=self.rec_name))

    @property
    def billable_lines(self):
        "The lines the customer pays for"
        lines = [l for l in self.lines if not l.removed]
        if self.service_category == 'B':
            billing = self.contract.billing if self.contract else 'none'
            if billing == 'none':
                return []
            elif billing == 'parts':
                lines = [l for l in lines if l.kind == 'part']
        return [l for l in lines if l.unit_price]

    def get_invoice(self):
        "Return the customer invoice of the billable lines"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Party = pool.get('party.party')
        # Not self.reporter, whose context names no company
        party = Party(self.reporter.id)
        address = party.address_get(type='invoice')
        if not address:
            raise TicketInvoiceError(gettext(
                    'svc_repair.msg_ticket_invoice_address',
                    ticket=self.rec_name, party=party.rec_name))
        invoice = Invoice(
            company=self.company,
            type='out',
            party=party,
            invoice_address=address,
            currency=self.company.currency,
            account=party.account_receivable_used,
            payment_term=party.customer_payment_term,
            description=self.rec_name,
            )
        invoice.set_journal()
        invoice.lines = [l.get_invoice_line() for l in self.billable_lines]
        return invoice


class Line(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket.line'

    invoice_lines = fields.One2Many(
        'account.invoice.line', 'origin', "Invoice Lines", readonly=True)

    def get_invoice_line(self):
        "Return the invoice line of the ticket line"
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        ticket = self.ticket
        line = InvoiceLine(
            type='line',
            invoice_type='out',
            company=ticket.company,
            currency=ticket.company.currency,
            # In this context, whose company decides the tax rule
            party=Party(ticket.reporter.id),
            product=Product(self.product.id),
            unit=self.unit,
            origin=self)
        # The revenue account and the product's customer taxes as the
        # customer's tax rule maps them, as on any invoice line
        line.on_change_product()
        if not line.account:
            raise TicketInvoiceError(gettext(
                    'svc_repair.msg_ticket_invoice_account',
                    ticket=ticket.rec_name, product=line.product.rec_name))
        line.description = self.description or line.product.rec_name
        line.quantity = self.quantity
        line.unit = self.unit
        line.unit_price = self.unit_price
        return line


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['svc.repair.ticket.line']
