# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from dateutil.relativedelta import relativedelta
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction, without_check_access

from .exceptions import MaintenancePlanValidationError
from .repair import NumberedMixin

INTERVAL_UNITS = [
    ('day', "Days"),
    ('week', "Weeks"),
    ('month', "Months"),
    ('year', "Years"),
    ]


def schedule(first, number, unit, start, until, end=None):
    """Return the planned dates from start to until and the next date

    The dates are counted from the first date, so a plan starting on the
    31st comes back at each month end. The next date is None after end."""
    dates = []
    count = 0
    while True:
        date = first + relativedelta(**{f'{unit}s': number * count})
        count += 1
        if date < start:
            continue
        if end and date > end:
            return dates, None
        if date > until:
            return dates, date
        dates.append(date)


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.repair.configuration'
    maintenance_plan_sequence = fields.Many2One(
        'ir.sequence', "Maintenance Plan Sequence",
        domain=[
            ('company', 'in',
                [Eval('context', {}).get('company', -1), None]),
            ('sequence_type', '=',
                Id('svc_repair', 'sequence_type_maintenance_plan')),
            ],
        help="Used to number the maintenance plans.")

    @classmethod
    def default_maintenance_plan_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('svc_repair', 'sequence_maintenance_plan')
        except KeyError:
            return None


class Plan(NumberedMixin, Workflow, ModelSQL, ModelView):
    "Periodic maintenance of a customer's equipment or installation"
    __name__ = 'svc.repair.maintenance.plan'
    __string__ = "Maintenance Plan"
    _rec_name = 'number'
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    customer = fields.Many2One(
        'party.party', "Customer", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Reporter of the maintenance tickets.")
    equipment = fields.Many2One(
        'svc.repair.equipment', "Equipment", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The customer's product to maintain, by its serial number.")
    address = fields.Char(
        "Site", states=_states,
        help="The installation or address to maintain.")
    category = fields.Many2One(
        'svc.repair.category', "Category", states=_states)
    content = fields.Text(
        "Maintenance Content", required=True, states=_states,
        help="The checklist from the product manual, copied on each "
        "ticket.")
    interval_number = fields.Integer(
        "Every", required=True, states=_states)
    interval_unit = fields.Selection(
        INTERVAL_UNITS, "Interval Unit", required=True, sort=False,
        states=_states)
    first_date = fields.Date(
        "First Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date",
        states={
            'readonly': Eval('state') == 'closed',
            },
        help="No maintenance is planned after this date.")
    lead_days = fields.Integer(
        "Lead Days", required=True,
        states={
            'readonly': Eval('state') == 'closed',
            },
        help="Create the ticket this many days before the planned date.")
    next_date = fields.Date(
        "Next Date", readonly=True,
        help="The next planned date without a ticket.")
    technician = fields.Many2One(
        'company.employee', "Technician",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state') == 'closed',
            },
        help="Proposed as technician of the tickets.")
    tickets = fields.One2Many(
        'svc.repair.ticket', 'maintenance_plan', "Maintenance Records",
        readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('running', "Running"),
            ('closed', "Closed"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        cls.content.search_full_text = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(
                t,
                (t.state, Index.Equality(cardinality='low')),
                (t.next_date, Index.Range()),
                where=t.state == 'running'))
        cls._order = [
            ('next_date', 'ASC NULLS LAST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'running'),
            ('running', 'closed'),
            ('closed', 'draft'),
            }
        cls._buttons.update({
                'run': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'running',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'closed',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'generate': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_interval_number(cls):
        return 1

    @classmethod
    def default_interval_unit(cls):
        return 'month'

    @classmethod
    def default_lead_days(cls):
        return 7

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('equipment', 'customer', 'address')
    def on_change_equipment(self):
        if self.equipment:
            if not self.customer and self.equipment.customer:
                self.customer = self.equipment.customer
            if not self.address and self.equipment.address:
                self.address = self.equipment.address

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        cls.check_dates(plans, field_names)

    @classmethod
    def check_dates(cls, plans, field_names=None):
        names = {'interval_number', 'first_date', 'end_date', 'lead_days'}
        if field_names and not (names & set(field_names)):
            return
        for plan in plans:
            if (plan.interval_number or 0) <= 0:
                raise MaintenancePlanValidationError(gettext(
                        'svc_repair.msg_maintenance_plan_interval',
                        plan=cls.__names__(record=plan)['record']))
            if (plan.lead_days or 0) < 0:
                raise MaintenancePlanValidationError(gettext(
                        'svc_repair.msg_maintenance_plan_lead_days',
                        plan=cls.__names__(record=plan)['record']))
            if plan.end_date and plan.end_date < plan.first_date:
                raise MaintenancePlanValidationError(gettext(
                        'svc_repair.msg_maintenance_plan_end_date',
                        plan=cls.__names__(record=plan)['record']))

    @classmethod
    def get_number_sequence(cls, values):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        return Configuration(1).maintenance_plan_sequence

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('next_date', None)
        default.setdefault('tickets', None)
        return super().copy(plans, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, plans):
        for plan in plans:
            if not plan.next_date or plan.next_date < plan.first_date:
                plan.next_date = plan.first_date
        cls.save(plans)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, plans):
        pass

    @classmethod
    @ModelView.button
    def generate(cls, plans):
        cls.create_tickets([p for p in plans if p.state == 'running'])

    @classmethod
    def generate_tickets(cls, date=None):
        "Create the tickets of every running plan due by the date"
        pool = Pool()
        Date = pool.get('ir.date')
        with without_check_access():
            plans = cls.search([
                    ('state', '=', 'running'),
                    ('next_date', '!=', None),
                    ])
            for company in {p.company for p in plans}:
                with Transaction().set_context(company=company.id):
                    cls.create_tickets(
                        [p for p in plans if p.company == company],
                        date or Date.today())

    @classmethod
    def create_tickets(cls, plans, date=None):
        "Create the tickets due by the date and advance the next dates"
        pool = Pool()
        Date = pool.get('ir.date')
        Ticket = pool.get('svc.repair.ticket')
        if not plans:
            return []
        # Another run may have created them since the search
        cls.lock(plans)
        tickets, to_write = [], []
        for plan in cls.browse(plans):
            if plan.state != 'running' or not plan.next_date:
                continue
            today = date or Date.today()
            until = today + relativedelta(days=plan.lead_days or 0)
            dates, next_date = schedule(
                plan.first_date, plan.interval_number, plan.interval_unit,
                plan.next_date, until, plan.end_date)
            existing = {t.planned_date for t in plan.tickets}
            tickets.extend(
                plan.get_ticket(d) for d in dates if d not in existing)
            if next_date != plan.next_date:
                to_write.extend(([plan], {'next_date': next_date}))
        Ticket.save(tickets)
        if to_write:
            cls.write(*to_write)
        return tickets

    def get_ticket(self, date):
        "Return the maintenance ticket of the planned date"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Ticket = pool.get('svc.repair.ticket')
        # The customer reads the ticket description, not the cron's user
        language = (
            self.customer.lang.code if self.customer.lang
            else Transaction().language)
        with Transaction().set_context(language=language):
            lang = Lang.get()
            description = gettext(
                'svc_repair.msg_maintenance_ticket_description',
                plan=self.rec_name,
                date=lang.strftime(date),
                content=self.content)
        return Ticket(
            company=self.company,
            reporter=self.customer,
            contact_phone=self.customer.phone or self.customer.mobile,
            address=self.address,
            equipment=self.equipment,
            category=self.category,
            grade='B',
            urgency='general',
            technician=self.technician,
            maintenance_plan=self,
            planned_date=date,
            description=description)


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'

    maintenance_plan = fields.Many2One(
        'svc.repair.maintenance.plan', "Maintenance Plan", readonly=True,
        ondelete='RESTRICT')
    planned_date = fields.Date(
        "Planned Date", readonly=True,
        states={
            'invisible': ~Eval('maintenance_plan'),
            },
        help="The date of the maintenance planned.")
    staff = fields.Function(
        fields.Char("Staff", help="The technician and the assistants."),
        'get_staff')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('maintenance_plan_date_unique',
                Unique(t, t.maintenance_plan, t.planned_date),
                'svc_repair.msg_maintenance_ticket_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.maintenance_plan, Index.Range()),
                where=t.maintenance_plan != Null))

    def get_staff(self, name):
        employees = [self.technician] if self.technician else []
        employees += list(self.assistants)
        return ", ".join(e.rec_name for e in employees) or None

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('maintenance_plan', None)
        default.setdefault('planned_date', None)
        return super().copy(tickets, default=default)
