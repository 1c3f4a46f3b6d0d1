# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
"Monthly repair statistics (维修统计)"
from sql import Column, Literal, Null
from sql.aggregate import Avg, Count, Min, Sum
from sql.conditionals import Case
from sql.functions import DateTrunc

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction


class StatisticMixin(ModelSQL, ModelView):
    __slots__ = ()
    month = fields.Date("Month", help="The first day of the month reported.")
    company = fields.Many2One('company.company', "Company")
    ticket_count = fields.Integer(
        "Tickets", help="Tickets reported, cancelled excluded.")
    finished_count = fields.Integer(
        "Finished", help="Tickets whose work was finished.")
    met_count = fields.Integer(
        "Deadline Met", help="Tickets finished by the resolution deadline.")
    met_rate = fields.Function(fields.Float(
            "Deadline Met Rate (%)", digits=(3, 1),
            help="The share of finished tickets that met the resolution "
            "deadline."),
        'get_met_rate')
    rated_count = fields.Integer(
        "Rated", help="Tickets with the three satisfaction scores.")
    satisfaction_average = fields.Float(
        "Satisfaction", digits=(1, 2),
        help="The average of the satisfaction scores of the rated tickets.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC')] + [
            (n, 'ASC') for n in cls._group_names()] + [('id', 'ASC')]

    @classmethod
    def _group_names(cls):
        "The ticket columns grouped by besides the month"
        return ['company']

    @classmethod
    def table_query(cls):
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        ticket = Ticket.__table__()
        context = Transaction().context
        names = cls._group_names()
        where = ticket.state != 'cancelled'
        if context.get('company'):
            where &= ticket.company == context['company']
        # The month of the naive UTC time: a ticket reported on the first
        # of the month before 08:00 in China counts in the month before.
        # Computed in a sub-query as PostgreSQL does not match the
        # DATE_TRUNC($1, ...) of the columns with the DATE_TRUNC($2, ...)
        # of the GROUP BY.
        scores = [ticket.satisfaction_response, ticket.satisfaction_ability,
            ticket.satisfaction_attitude]
        rated = ((scores[0] != Null) & (scores[1] != Null)
            & (scores[2] != Null))
        tickets = ticket.select(
            ticket.id,
            cls.month.sql_cast(
                DateTrunc('month', ticket.reported_at)).as_('month'),
            *(Column(ticket, n).as_(n) for n in names),
            ticket.resolution_met,
            Case(
                (rated, (scores[0] + scores[1] + scores[2]) / Literal(3.0)),
                else_=Null).as_('satisfaction'),
            where=where)
        return tickets.select(
            Min(tickets.id).as_('id'),
            tickets.month.as_('month'),
            *(Column(tickets, n).as_(n) for n in names),
            Count(tickets.id).as_('ticket_count'),
            Count(tickets.resolution_met).as_('finished_count'),
            Sum(Case(
                    (tickets.resolution_met == Literal(True), 1),
                    else_=0)).as_('met_count'),
            Count(tickets.satisfaction).as_('rated_count'),
            cls.satisfaction_average.sql_cast(
                Avg(tickets.satisfaction)).as_('satisfaction_average'),
            group_by=[tickets.month] + [Column(tickets, n) for n in names])

    @classmethod
    def get_met_rate(cls, statistics, name):
        return {
            s.id: (round(s.met_count * 100 / s.finished_count, 1)
                if s.finished_count else None)
            for s in statistics}


class TicketStatistic(StatisticMixin):
    "Repair tickets of a month by company, category and grade"
    __name__ = 'svc.repair.ticket.statistic'
    __string__ = "Repair Statistics"
    category = fields.Many2One('svc.repair.category', "Category")
    grade = fields.Selection([
            (None, ""),
            ('A', "A Self Repair"),
            ('B', "B General Repair"),
            ('C', "C Complex Repair"),
            ], "Grade", sort=False)

    @classmethod
    def _group_names(cls):
        return super()._group_names() + ['category', 'grade']


class TicketStatisticMonth(StatisticMixin):
    "Repair tickets of a month by company, for the rates over time"
    __name__ = 'svc.repair.ticket.statistic.month'
    __string__ = "Monthly Repair Statistics"
