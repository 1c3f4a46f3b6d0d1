# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'
    house = fields.Many2One(
        'svc.property.house', "House",
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The house where the repair takes place.")

    @fields.depends('house', 'address', methods=['on_change_reporter'])
    def on_change_house(self):
        if self.house:
            if self.house.owner:
                self.reporter = self.house.owner
                self.on_change_reporter()
            self.address = self.house.rec_name
