# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import Index
from trytond.pool import PoolMeta


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Incoming calls are looked up by the exact number
        cls._sql_indexes.add(Index(t, (t.value_compact, Index.Equality())))
