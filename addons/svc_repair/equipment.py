# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Null

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class Equipment(DeactivableMixin, ModelSQL, ModelView):
    "A product sold to a customer, identified by its serial number"
    __name__ = 'svc.repair.equipment'
    __string__ = "Customer Equipment"
    _rec_name = 'serial_number'

    company = fields.Many2One('company.company', "Company", required=True)
    product = fields.Many2One(
        'product.product', "Product", required=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    serial_number = fields.Char("Serial Number", required=True)
    customer = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The owner of the equipment.")
    address = fields.Char(
        "Address", help="Where the equipment is installed.")
    purchase_date = fields.Date("Purchase Date")
    warranty_months = fields.Integer(
        "Warranty (Months)",
        domain=['OR',
            ('warranty_months', '=', None),
            ('warranty_months', '>=', 0),
            ])
    warranty_end = fields.Date(
        "Warranty End",
        domain=['OR',
            ('warranty_end', '=', None),
            ('warranty_end', '>=', Eval('purchase_date', None)),
            ],
        help="Free service (category C) is proposed up to this date.")
    tickets = fields.One2Many(
        'svc.repair.ticket', 'equipment', "Repair Tickets", readonly=True)

    @classmethod
    def __setup__(cls):
        cls.serial_number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('product_serial_unique',
                Unique(t, t.company, t.product, t.serial_number),
                'svc_repair.msg_equipment_serial_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.serial_number, Index.Similarity())),
                Index(t, (t.customer, Index.Range()),
                    where=t.customer != Null),
                })
        cls._order.insert(0, ('serial_number', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('purchase_date', 'warranty_months')
    def on_change_with_warranty_end(self):
        if self.purchase_date and self.warranty_months is not None:
            return (self.purchase_date
                + relativedelta(months=self.warranty_months)
                - dt.timedelta(days=1))

    def in_warranty(self, date):
        "Whether the equipment is still under warranty on the date"
        return bool(self.warranty_end and date <= self.warranty_end)

    def get_rec_name(self, name):
        return '%s [%s]' % (self.serial_number, self.product.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('serial_number', operator, operand, *extra),
            ('product.rec_name', operator, operand, *extra),
            ]


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'

    equipment = fields.Many2One(
        'svc.repair.equipment', "Equipment",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned']),
            },
        help="The customer's product to repair, by its serial number.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.equipment, Index.Range()),
                where=t.equipment != Null))

    @fields.depends('equipment', 'reporter', 'address')
    def on_change_equipment(self):
        if self.equipment:
            if not self.reporter and self.equipment.customer:
                self.reporter = self.equipment.customer
            if not self.address and self.equipment.address:
                self.address = self.equipment.address
