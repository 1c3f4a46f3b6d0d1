# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Reception(metaclass=PoolMeta):
    __name__ = 'svc.reception'
    house = fields.Many2One(
        'svc.property.house', "House",
        states={
            'readonly': Eval('state') != 'open',
            },
        help="The house the request is about.")

    @fields.depends('house', 'address', methods=['on_change_caller'])
    def on_change_house(self):
        if not self.house:
            return
        if self.house.owner:
            self.caller = self.house.owner
            self.on_change_caller()
        self.address = self.house.rec_name

    def get_ticket(self):
        ticket = super().get_ticket()
        ticket.house = self.house
        return ticket
