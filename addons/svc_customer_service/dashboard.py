# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Cast, Literal
from sql.aggregate import Count, Min
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

AGES = [
    ('1', "Less than 1 day"),
    ('2', "1 to 3 days"),
    ('3', "3 to 7 days"),
    ('4', "More than 7 days"),
    ]


class ReceptionAge(ModelSQL, ModelView):
    __name__ = 'svc.reception.age'
    __string__ = "Open Requests by Age"
    company = fields.Many2One('company.company', "Company")
    kind = fields.Selection('get_kinds', "Kind")
    age = fields.Selection(AGES, "Age", sort=False)
    receptions = fields.Integer("Open Requests")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('age', 'ASC'), ('kind', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_kinds(cls):
        pool = Pool()
        Reception = pool.get('svc.reception')
        return Reception.fields_get(['kind'])['kind']['selection']

    @classmethod
    def table_query(cls):
        pool = Pool()
        Reception = pool.get('svc.reception')
        reception = Reception.__table__()
        now = dt.datetime.now()
        age = Case(
            (reception.received_at > now - dt.timedelta(days=1),
                Literal('1')),
            (reception.received_at > now - dt.timedelta(days=3),
                Literal('2')),
            (reception.received_at > now - dt.timedelta(days=7),
                Literal('3')),
            else_=Literal('4'))
        age = Cast(age, cls.age.sql_type().base)
        # PostgreSQL does not match a parametrized CASE of the GROUP BY
        # with the one of the SELECT, so the age is computed in a sub-query
        aged = reception.select(
            reception.id, reception.company, reception.kind,
            age.as_('age'),
            where=reception.state.in_(['open', 'processing']))
        return aged.select(
            Min(aged.id).as_('id'),
            aged.company.as_('company'),
            aged.kind.as_('kind'),
            aged.age.as_('age'),
            Count(aged.id).as_('receptions'),
            group_by=[aged.company, aged.kind, aged.age])
