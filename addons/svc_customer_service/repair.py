# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'
    receptions = fields.One2Many(
        'svc.reception', 'ticket', "Receptions", readonly=True,
        help="The customer requests that this work order answers.")

    @classmethod
    def close(cls, tickets):
        super().close(tickets)
        cls._follow_receptions(tickets, 'closed', 'processing', 'close')

    @classmethod
    def cancel(cls, tickets):
        super().cancel(tickets)
        cls._follow_receptions(tickets, 'cancelled', 'processing', 'cancel')

    @classmethod
    def draft(cls, tickets):
        super().draft(tickets)
        cls._follow_receptions(tickets, 'draft', 'cancelled', 'reopen')
        cls._follow_receptions(tickets, 'draft', 'open', 'proceed')

    @classmethod
    def _follow_receptions(cls, tickets, ticket_state, state, transition):
        pool = Pool()
        Reception = pool.get('svc.reception')
        with without_check_access():
            receptions = [
                r for t in cls.browse(tickets) if t.state == ticket_state
                for r in t.receptions if r.state == state]
            if receptions:
                getattr(Reception, transition)(receptions)
