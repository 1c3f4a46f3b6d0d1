# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
from collections import Counter, namedtuple

from sql import For, Literal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.model.exceptions import AccessButtonError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, without_check_access

from . import repair
from .exceptions import (
    AppointmentValidationError, DutyValidationError, TicketGrabError,
    TicketHandoverError, TicketPublishError, TicketSuggestError)
from .repair import check_state

ACTIVE = ['assigned', 'running', 'waiting']
CLOSED = ['done', 'accepted', 'closed', 'cancelled']
DUTY_POINTS = 100
LOAD_POINTS = 10

Candidate = namedtuple(
    'Candidate', ['id', 'skills', 'load', 'on_duty', 'busy'])
Candidate.__doc__ = """A technician who may take a ticket

skills: the ids of his repair categories; load: his open tickets;
on_duty: whether the roster has him on duty at the time of the job;
busy: whether another job of his overlaps the appointment."""


def rank_candidates(candidates, category=None):
    """Return the candidates able to take a job of the category, best first

    A busy candidate or one without the skill cannot take it; being on
    duty outweighs up to ten open tickets, then the lighter load wins."""
    ranked = []
    for candidate in candidates:
        if candidate.busy:
            continue
        if category is not None and category not in candidate.skills:
            continue
        score = (DUTY_POINTS * bool(candidate.on_duty)
            - LOAD_POINTS * candidate.load)
        ranked.append((-score, candidate.load, candidate.id, candidate))
    ranked.sort(key=lambda r: r[:3])
    return [r[-1] for r in ranked]


class Team(DeactivableMixin, ModelSQL, ModelView):
    "A group of technicians dispatched together"
    __name__ = 'svc.repair.team'
    __string__ = "Repair Team"
    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    leader = fields.Many2One(
        'company.employee', "Leader",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    members = fields.Many2Many(
        'svc.repair.team-company.employee', 'team', 'employee', "Members",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    skills = fields.Many2Many(
        'svc.repair.team-svc.repair.category', 'team', 'category', "Skills",
        help="The repair categories every member can handle.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class Team_Employee(ModelSQL):
    __name__ = 'svc.repair.team-company.employee'
    __string__ = "Repair Team - Employee"
    team = fields.Many2One(
        'svc.repair.team', "Team", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')


class Team_Category(ModelSQL):
    __name__ = 'svc.repair.team-svc.repair.category'
    __string__ = "Repair Team - Category"
    team = fields.Many2One(
        'svc.repair.team', "Team", required=True, ondelete='CASCADE')
    category = fields.Many2One(
        'svc.repair.category', "Category", required=True,
        ondelete='CASCADE')


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'
    repair_skills = fields.Many2Many(
        'company.employee-svc.repair.category', 'employee', 'category',
        "Repair Skills",
        help="The repair categories the technician can take from the pool.")
    repair_teams = fields.Many2Many(
        'svc.repair.team-company.employee', 'employee', 'team',
        "Repair Teams")

    def get_repair_skills(self):
        "Return the ids of the categories of the employee and his teams"
        return ({c.id for c in self.repair_skills}
            | {c.id for t in self.repair_teams if t.active for c in t.skills})


class Employee_Category(ModelSQL):
    __name__ = 'company.employee-svc.repair.category'
    __string__ = "Employee - Repair Category"
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    category = fields.Many2One(
        'svc.repair.category', "Category", required=True,
        ondelete='CASCADE')


class Duty(ModelSQL, ModelView):
    "A shift of the duty roster"
    __name__ = 'svc.repair.duty'
    __string__ = "Duty"
    company = fields.Many2One('company.company', "Company", required=True)
    employee = fields.Many2One(
        'company.employee', "Technician", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    shift = fields.Selection([
            ('day', "Day Shift"),
            ('night', "Night Shift"),
            ('standby', "On Call"),
            ], "Shift", required=True, sort=False)
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime("End", required=True)
    remark = fields.Char("Remark")
    shift_string = shift.translated('shift')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t,
                (t.employee, Index.Range()),
                (t.start, Index.Range()),
                (t.end, Index.Range())))
        cls._order = [
            ('start', 'DESC'),
            ('employee', 'ASC'),
            ('id', 'DESC'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_shift(cls):
        return 'day'

    def get_rec_name(self, name):
        return '%s %s' % (self.employee.rec_name, self.shift_string)

    @classmethod
    def validate_fields(cls, duties, field_names):
        super().validate_fields(duties, field_names)
        if field_names & {'start', 'end'}:
            for duty in duties:
                if duty.end <= duty.start:
                    raise DutyValidationError(gettext(
                            'svc_repair.msg_duty_end',
                            employee=duty.employee.rec_name))

    @classmethod
    def on_duty(cls, employees, at):
        "Return the ids of the employees on duty at the time"
        with without_check_access():
            duties = cls.search([
                    ('employee', 'in', [int(e) for e in employees]),
                    ('start', '<=', at),
                    ('end', '>', at),
                    ])
        return {d.employee.id for d in duties}


class Handover(ModelSQL, ModelView):
    "A ticket taken, passed on or given back by a technician"
    __name__ = 'svc.repair.ticket.handover'
    __string__ = "Repair Ticket Handover"
    ticket = fields.Many2One(
        'svc.repair.ticket', "Ticket", required=True, ondelete='CASCADE',
        readonly=True)
    kind = fields.Selection([
            ('grab', "Grab"),
            ('transfer', "Transfer"),
            ('return', "Return"),
            ], "Kind", required=True, readonly=True, sort=False)
    from_employee = fields.Many2One(
        'company.employee', "From", readonly=True)
    to_employee = fields.Many2One(
        'company.employee', "To", readonly=True)
    reason = fields.Char("Reason", readonly=True)
    user = fields.Many2One('res.user', "By", readonly=True)
    date = fields.DateTime("At", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('ticket')
        cls._order = [
            ('ticket', 'ASC'),
            ('date', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def record(cls, kind, tickets, to_employee=None):
        "Log the handover of the tickets from their technician"
        return cls.create([{
                    'ticket': t.id,
                    'kind': kind,
                    'from_employee': t.technician.id if t.technician
                    else None,
                    'to_employee': int(to_employee) if to_employee else None,
                    'reason': t.handover_reason,
                    'user': Transaction().user or None,
                    'date': repair.now(),
                    } for t in tickets])


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'
    team = fields.Many2One(
        'svc.repair.team', "Team",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned']),
            },
        help="Only its members can grab the ticket from the pool.")
    in_pool = fields.Boolean(
        "In Pool", readonly=True,
        help="Technicians with the skill can grab the ticket.")
    appointment_start = fields.DateTime(
        "Appointment from",
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned', 'waiting']),
            'required': Bool(Eval('appointment_end')),
            },
        help="The time window agreed with the customer for the visit.")
    appointment_end = fields.DateTime(
        "Appointment to",
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned', 'waiting']),
            'required': Bool(Eval('appointment_start')),
            })
    handover_to = fields.Many2One(
        'company.employee', "Transfer to",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('technician', -1)),
            ],
        states={
            'readonly': Eval('state') != 'assigned',
            },
        help="The technician who takes over the ticket on transfer.")
    handover_reason = fields.Char(
        "Handover Reason",
        states={
            'readonly': Eval('state') != 'assigned',
            },
        help="Required to transfer the ticket or to return it to the pool.")
    handovers = fields.One2Many(
        'svc.repair.ticket.handover', 'ticket', "Handovers", readonly=True)
    suggested_technician = fields.Function(fields.Many2One(
            'company.employee', "Suggested Technician",
            help="The technician with the skill, free at the appointment, "
            "on duty and with the fewest open tickets."),
        'on_change_with_suggested_technician')
    suggestion = fields.Function(
        fields.Char("Suggestion"), 'on_change_with_suggestion')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.in_pool, Index.Equality(cardinality='low')),
                    where=t.in_pool == Literal(True)),
                Index(t,
                    (t.technician, Index.Range()),
                    (t.appointment_start, Index.Range()),
                    where=t.state.in_(ACTIVE)),
                })
        cls._transitions |= {('assigned', 'draft')}
        cls._buttons.update({
                'publish': {
                    'invisible': ((Eval('state') != 'draft')
                        | Eval('in_pool', False)),
                    'depends': ['state', 'in_pool'],
                    },
                'grab': {
                    'invisible': ((Eval('state') != 'draft')
                        | ~Eval('in_pool', False)),
                    'depends': ['state', 'in_pool'],
                    },
                'suggest': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'transfer': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                'return_to_pool': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_in_pool(cls):
        return False

    @fields.depends(
        'state', 'company', 'category', 'team', 'appointment_start',
        'appointment_end', 'id')
    def get_suggestions(self):
        "Return the employees able to take the ticket, best first"
        pool = Pool()
        Employee = pool.get('company.employee')
        Duty = pool.get('svc.repair.duty')
        if self.state != 'draft' or not self.company:
            return []
        with without_check_access():
            if self.team:
                employees = [e for e in self.team.members]
            else:
                employees = [
                    e for e in Employee.search([
                            ('company', '=', self.company.id),
                            ], order=[('id', 'ASC')])
                    if e.get_repair_skills()]
            if not employees:
                return []
            at = self.appointment_start or repair.now()
            loads = self.get_loads(employees)
            on_duty = Duty.on_duty(employees, at)
            busy = {e.id for e in employees if self.get_conflicts(e)}
            candidates = [
                Candidate(
                    e.id, e.get_repair_skills(), loads.get(e.id, 0),
                    e.id in on_duty, e.id in busy)
                for e in employees]
            category = self.category.id if self.category else None
            ranked = rank_candidates(candidates, category)
            return [(Employee(c.id), c) for c in ranked]

    @fields.depends(methods=['get_suggestions'])
    def on_change_with_suggested_technician(self, name=None):
        if suggestions := self.get_suggestions():
            return suggestions[0][0]

    @fields.depends(methods=['get_suggestions'])
    def on_change_with_suggestion(self, name=None):
        if suggestions := self.get_suggestions():
            employee, candidate = suggestions[0]
            return self.explain_suggestion(employee, candidate)

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        for name in ['handover_to', 'handover_reason', 'handovers',
                'appointment_start', 'appointment_end']:
            default.setdefault(name, None)
        default.setdefault('in_pool', False)
        return super().copy(tickets, default=default)

    @classmethod
    def validate_fields(cls, tickets, field_names):
        super().validate_fields(tickets, field_names)
        if field_names & {
                'appointment_start', 'appointment_end', 'technician',
                'assistants', 'state'}:
            cls.check_appointments(tickets)

    @classmethod
    def check_appointments(cls, tickets):
        for ticket in tickets:
            if not ticket.appointment_start or not ticket.appointment_end:
                continue
            if ticket.appointment_end <= ticket.appointment_start:
                raise AppointmentValidationError(gettext(
                        'svc_repair.msg_ticket_appointment_end',
                        ticket=cls.__names__(record=ticket)['record']))
            if ticket.state in CLOSED:
                continue
            for employee in ticket.get_employees():
                if others := ticket.get_conflicts(employee):
                    other = others[0]
                    raise AppointmentValidationError(gettext(
                            'svc_repair.msg_ticket_appointment_overlap',
                            ticket=cls.__names__(record=ticket)['record'],
                            technician=employee.rec_name,
                            other=other.rec_name,
                            start=other.format_time(other.appointment_start),
                            end=other.format_time(other.appointment_end)))

    @classmethod
    @ModelView.button
    @Workflow.transition('assigned')
    def dispatch(cls, tickets):
        super().dispatch(tickets)
        cls.write([t for t in tickets if t.in_pool], {'in_pool': False})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, tickets):
        super().cancel(tickets)
        cls.write([t for t in tickets if t.in_pool], {'in_pool': False})

    @classmethod
    @ModelView.button
    def draft(cls, tickets):
        # Only a cancelled ticket is reopened here; an assigned one goes
        # back to draft by return_to_pool
        super().draft([t for t in tickets if t.state == 'cancelled'])

    @classmethod
    @ModelView.button
    @check_state(
        'draft', 'svc_repair.msg_ticket_publish_draft', TicketPublishError)
    def publish(cls, tickets):
        for ticket in tickets:
            if not (ticket.grade and ticket.urgency and ticket.category):
                raise TicketPublishError(gettext(
                        'svc_repair.msg_ticket_publish_incomplete',
                        ticket=ticket.rec_name))
        cls.write(list(tickets), {
                'in_pool': True,
                'technician': None,
                })

    @classmethod
    def grab(cls, tickets):
        # Not a ModelView.button: its record rule check would answer the
        # technician who lost the race with an access error on a ticket
        # that has just left the pool instead of saying it was taken.
        cls.check_grab_access(tickets)
        with without_check_access():
            cls._grab(tickets)

    @classmethod
    def _grab(cls, tickets):
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('company.employee')
        Handover = pool.get('svc.repair.ticket.handover')
        # The cached employees rather than reading the whole user: fifty
        # technicians grabbing at once wait on each other's requests
        employees = User.get_employees()
        employee_id = Transaction().context.get('employee')
        if employee_id not in employees:
            employee_id = employees[0] if employees else None
        if not employee_id:
            raise TicketGrabError(gettext(
                    'svc_repair.msg_ticket_grab_employee'))
        employee = Employee(employee_id)
        cls.lock_grab(tickets)
        tickets = cls.browse([t.id for t in tickets])
        for ticket in tickets:
            ticket.check_grab(employee)
        Handover.record('grab', tickets, to_employee=employee)
        cls.write(tickets, {
                'technician': employee.id,
                'assistants': [('remove', [employee.id])],
                'in_pool': False,
                })
        cls.dispatch(tickets)

    @classmethod
    @ModelView.button
    def suggest(cls, tickets):
        for ticket in tickets:
            if not (suggestions := ticket.get_suggestions()):
                raise TicketSuggestError(gettext(
                        'svc_repair.msg_ticket_suggest_none',
                        ticket=ticket.rec_name))
            employee, _ = suggestions[0]
            cls.write([ticket], {
                    'technician': employee.id,
                    'assistants': [('remove', [employee.id])],
                    })

    @classmethod
    @ModelView.button
    @check_state(
        'assigned', 'svc_repair.msg_ticket_handover_assigned',
        TicketHandoverError)
    def transfer(cls, tickets):
        pool = Pool()
        Handover = pool.get('svc.repair.ticket.handover')
        cls.check_handover(tickets)
        for ticket in tickets:
            if not ticket.handover_to:
                raise TicketHandoverError(gettext(
                        'svc_repair.msg_ticket_transfer_to',
                        ticket=ticket.rec_name))
            Handover.record('transfer', [ticket], ticket.handover_to)
            cls.write([ticket], {
                    'technician': ticket.handover_to.id,
                    'assistants': [('remove', [ticket.handover_to.id])],
                    'handover_to': None,
                    'handover_reason': None,
                    })

    @classmethod
    @ModelView.button
    @check_state(
        'assigned', 'svc_repair.msg_ticket_handover_assigned',
        TicketHandoverError)
    def return_to_pool(cls, tickets):
        pool = Pool()
        Handover = pool.get('svc.repair.ticket.handover')
        cls.check_handover(tickets)
        Handover.record('return', tickets)
        cls.returned(tickets)
        cls.write(list(tickets), {
                'technician': None,
                'in_pool': True,
                'handover_to': None,
                'handover_reason': None,
                'dispatched_by': None,
                'dispatched_at': None,
                })

    @classmethod
    @Workflow.transition('draft')
    def returned(cls, tickets):
        pass

    @classmethod
    def check_grab_access(cls, tickets):
        "Check the access to the grab button as ModelView.button does"
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        Button = pool.get('ir.model.button')
        User = pool.get('res.user')
        transaction = Transaction()
        if not transaction.user or not transaction.check_access:
            return
        ModelAccess.check(cls.__name__, 'read')
        if not set(User.get_groups()) & Button.get_groups(
                cls.__name__, 'grab'):
            raise AccessButtonError(gettext(
                    'ir.msg_access_button_error',
                    button='grab', **cls.__names__()))
        cls.log(tickets, 'button', 'grab')

    @classmethod
    def lock_grab(cls, tickets):
        """Wait for any other technician grabbing the tickets

        When he wins, PostgreSQL refuses to serialize this transaction: the
        tickets taken are then read in a new transaction to refuse at once
        rather than through a retry of the whole request."""
        transaction = Transaction()
        if not transaction.database.has_select_for():
            return
        ids = [t.id for t in tickets]
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute('SAVEPOINT svc_repair_grab')
        try:
            cursor.execute(*table.select(
                    Literal(1), where=table.id.in_(ids), for_=For('UPDATE')))
        except backend.DatabaseOperationalError:
            cursor.execute('ROLLBACK TO SAVEPOINT svc_repair_grab')
            with transaction.new_transaction(readonly=True):
                taken = [
                    t.rec_name for t in cls.browse(ids)
                    if not t.in_pool or t.state != 'draft']
            if taken:
                raise TicketGrabError(gettext(
                        'svc_repair.msg_ticket_grab_taken', ticket=taken[0]))
            raise
        cursor.execute('RELEASE SAVEPOINT svc_repair_grab')

    def check_grab(self, employee):
        if self.state != 'draft' or not self.in_pool:
            raise TicketGrabError(gettext(
                    'svc_repair.msg_ticket_grab_taken',
                    ticket=self.rec_name))
        if self.team and employee not in self.team.members:
            raise TicketGrabError(gettext(
                    'svc_repair.msg_ticket_grab_team',
                    ticket=self.rec_name, team=self.team.rec_name))
        if self.category and (
                self.category.id not in employee.get_repair_skills()):
            raise TicketGrabError(gettext(
                    'svc_repair.msg_ticket_grab_skill',
                    ticket=self.rec_name, category=self.category.rec_name))

    @classmethod
    def check_handover(cls, tickets):
        "Check the reason and that a technician hands over only his tickets"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()
        dispatchers = {
            ModelData.get_id('svc_repair', g)
            for g in ['group_dispatcher', 'group_service_manager']}
        any_ticket = (not transaction.user
            or dispatchers & set(User.get_groups()))
        employees = set(User.get_employees())
        for ticket in tickets:
            if not any_ticket and ticket.technician.id not in employees:
                raise TicketHandoverError(gettext(
                        'svc_repair.msg_ticket_handover_own',
                        ticket=ticket.rec_name,
                        technician=ticket.technician.rec_name))
            if not ticket.handover_reason:
                raise TicketHandoverError(gettext(
                        'svc_repair.msg_ticket_handover_reason',
                        ticket=ticket.rec_name))

    def get_employees(self):
        "Return the technician and the assistants of the ticket"
        return ([self.technician] if self.technician else []) + [
            a for a in self.assistants if a != self.technician]

    @classmethod
    def get_loads(cls, employees):
        "Return the number of open tickets of each employee in charge"
        with without_check_access():
            tickets = cls.search([
                    ('technician', 'in', [e.id for e in employees]),
                    ('state', 'in', ACTIVE),
                    ])
        return Counter(t.technician.id for t in tickets)

    def get_conflicts(self, employee):
        "Return the open tickets of the employee overlapping the appointment"
        if not self.appointment_start or not self.appointment_end:
            return []
        domain = [
            ('state', 'in', ACTIVE),
            ('appointment_start', '<', self.appointment_end),
            ('appointment_end', '>', self.appointment_start),
            ['OR',
                ('technician', '=', employee.id),
                ('assistants', '=', employee.id),
                ],
            ]
        if self.id is not None and self.id >= 0:
            domain.append(('id', '!=', self.id))
        with without_check_access():
            return self.search(domain, order=[('appointment_start', 'ASC')])

    def format_time(self, value):
        "Return the naive UTC time as text in the company's time zone"
        timezone = tz.get_tzinfo(self.company.timezone or 'UTC')
        value = value.replace(tzinfo=dt.timezone.utc).astimezone(timezone)
        return value.strftime('%Y-%m-%d %H:%M')

    def explain_suggestion(self, employee, candidate):
        "Return why the employee is suggested"
        return gettext(
            'svc_repair.msg_suggestion' if self.category
            else 'svc_repair.msg_suggestion_no_category',
            technician=employee.rec_name,
            duty=gettext(
                'svc_repair.msg_suggestion_on_duty' if candidate.on_duty
                else 'svc_repair.msg_suggestion_off_duty'),
            load=candidate.load)
