# This file is part of svc-tryton-addons.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    houses = fields.One2Many(
        'svc.property.house', 'owner', "Houses", readonly=True)
