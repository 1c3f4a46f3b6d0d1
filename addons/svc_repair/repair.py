# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
import functools

from sql import Null
from sql.functions import CharLength

from trytond.i18n import gettext
from trytond.model import (
    ChatMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import (
    TicketAcceptError, TicketCloseError, TicketDeleteError,
    TicketDispatchError, TicketFinishError)

UNSTARTED = ['draft', 'assigned']


def compute_response_deadline(reported_at, urgency, delays):
    """Return when work must have started on a ticket

    reported_at: when the request was received
    urgency: one of the urgency keys or None
    delays: dictionary of the response delay (timedelta) by urgency
    """
    if reported_at is None or urgency is None:
        return None
    delay = delays.get(urgency)
    if delay is None:
        return None
    return reported_at + delay


def stamp(name):
    "Record the user and time of the transition in <name>_by and <name>_at"
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, tickets, *args, **kwargs):
            result = func(cls, tickets, *args, **kwargs)
            if tickets:
                cls.write(list(tickets), {
                        f'{name}_by': Transaction().user or None,
                        f'{name}_at': dt.datetime.now(),
                        })
            return result
        return wrapper
    return decorator


def check_state(state, message, error):
    """Refuse the transition unless every ticket is in state

    Workflow.transition skips the records in another state silently, so
    this check must run before it.
    """
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, tickets, *args, **kwargs):
            for ticket in tickets:
                if ticket.state != state:
                    raise error(gettext(
                            message, ticket=ticket.rec_name,
                            state=ticket.state_string))
            return func(cls, tickets, *args, **kwargs)
        return wrapper
    return decorator


def stamp_fields(string_by, string_at):
    return (
        fields.Many2One('res.user', string_by, readonly=True),
        fields.DateTime(string_at, readonly=True))


class Ticket(Workflow, ModelSQL, ModelView, ChatMixin):
    __name__ = 'svc.repair.ticket'
    __string__ = "Repair Ticket"
    _rec_name = 'number'
    _states = {
        'readonly': Eval('state') != 'draft',
        }
    _dispatch_states = {
        'readonly': ~Eval('state').in_(['draft', 'assigned']),
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True,
        states=_states)
    reporter = fields.Many2One(
        'party.party', "Reporter", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        help="The person who reported the problem.")
    contact_phone = fields.Char(
        "Contact Phone", states=_dispatch_states)
    address = fields.Char(
        "Address", states=_dispatch_states,
        help="Where the repair takes place.")
    category = fields.Many2One(
        'svc.repair.category', "Category", states=_dispatch_states)
    description = fields.Text(
        "Description", required=True, states=_states,
        help="The problem as reported.")
    reported_at = fields.DateTime(
        "Reported at", required=True, states=_states)
    grade = fields.Selection([
            (None, ""),
            ('A', "A Self Repair"),
            ('B', "B General Repair"),
            ('C', "C Complex Repair"),
            ], "Grade", sort=False, states=_dispatch_states,
        help="Required to dispatch.")
    urgency = fields.Selection([
            (None, ""),
            ('urgent', "Urgent"),
            ('general', "General"),
            ('complex', "Complex"),
            ], "Urgency", sort=False, states=_dispatch_states,
        help="Sets the response deadline. Required to dispatch.")
    response_deadline = fields.DateTime(
        "Response Deadline", readonly=True,
        help="Work must have started by this time.")
    overdue = fields.Function(fields.Boolean(
            "Overdue",
            help="Work has not started and the response deadline is past."),
        'get_overdue', searcher='search_overdue')
    technician = fields.Many2One(
        'company.employee', "Technician",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': _dispatch_states['readonly'],
            'required': ~Eval('state').in_(['draft', 'cancelled']),
            },
        help="The technician in charge. Required to dispatch.")
    assistants = fields.Many2Many(
        'svc.repair.ticket-company.employee', 'ticket', 'employee',
        "Assistants",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('technician', -1)),
            ],
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned', 'running']),
            },
        help="Technicians helping the technician in charge.")
    diagnosis = fields.Text(
        "Diagnosis",
        states={
            'readonly': Eval('state') != 'running',
            })
    work_report = fields.Text(
        "Work Report",
        states={
            'readonly': Eval('state') != 'running',
            'required': Eval('state').in_(['done', 'accepted', 'closed']),
            },
        help="What was done, parts replaced. Required to finish.")
    rework_count = fields.Integer(
        "Rework Count", readonly=True,
        help="How many times the work was rejected at acceptance.")
    acceptance_result = fields.Selection([
            (None, ""),
            ('satisfied', "Satisfied"),
            ('unsatisfied', "Unsatisfied"),
            ], "Acceptance Result", sort=False,
        states={
            'readonly': Eval('state') != 'done',
            'required': Eval('state').in_(['accepted', 'closed']),
            },
        help="Whether the reporter accepts the work.")
    acceptance_remark = fields.Text(
        "Acceptance Remark",
        states={
            'readonly': Eval('state') != 'done',
            })
    revisit_satisfaction = fields.Selection([
            (None, ""),
            ('very_satisfied', "Very Satisfied"),
            ('satisfied', "Satisfied"),
            ('unsatisfied', "Unsatisfied"),
            ], "Revisit Satisfaction", sort=False,
        states={
            'readonly': Eval('state') != 'accepted',
            'required': Eval('state') == 'closed',
            },
        help="The reporter's satisfaction when called back.")
    revisit_remark = fields.Text(
        "Revisit Remark",
        states={
            'readonly': Eval('state') != 'accepted',
            })
    dispatched_by, dispatched_at = stamp_fields(
        "Dispatched by", "Dispatched at")
    started_by, started_at = stamp_fields(
        "Started by", "Started at")
    done_by, done_at = stamp_fields(
        "Finished by", "Finished at")
    accepted_by, accepted_at = stamp_fields(
        "Accepted by", "Accepted at")
    closed_by, closed_at = stamp_fields(
        "Closed by", "Closed at")
    cancelled_by, cancelled_at = stamp_fields(
        "Cancelled by", "Cancelled at")
    state = fields.Selection([
            ('draft', "Draft"),
            ('assigned', "Assigned"),
            ('running', "Running"),
            ('done', "Done"),
            ('accepted', "Accepted"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states, _dispatch_states

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                Index(
                    t,
                    (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'assigned', 'running'])),
                Index(
                    t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.response_deadline, Index.Range()),
                    where=t.state.in_(UNSTARTED)),
                })
        cls._order = [
            ('reported_at', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'assigned'),
            ('assigned', 'running'),
            ('running', 'done'),
            ('done', 'accepted'),
            ('done', 'running'),
            ('accepted', 'closed'),
            ('draft', 'cancelled'),
            ('assigned', 'cancelled'),
            ('running', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'dispatch': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                'finish': {
                    'invisible': Eval('state') != 'running',
                    'depends': ['state'],
                    },
                'accept': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                'rework': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'accepted',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'assigned', 'running']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def order_number(cls, tables):
        table, _ = tables[None]
        return [
            ~((table.state == 'cancelled') & (table.number == Null)),
            CharLength(table.number), table.number]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_reported_at(cls):
        return dt.datetime.now()

    @classmethod
    def default_rework_count(cls):
        return 0

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('reporter', 'contact_phone')
    def on_change_reporter(self):
        if self.reporter and not self.contact_phone:
            self.contact_phone = self.reporter.phone or self.reporter.mobile

    @fields.depends('reported_at', 'urgency')
    def on_change_with_response_deadline(self):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        return compute_response_deadline(
            self.reported_at, self.urgency,
            Configuration(1).response_delays)

    @classmethod
    def get_overdue(cls, tickets, name):
        now = dt.datetime.now()
        return {
            t.id: bool(
                t.state in UNSTARTED
                and t.response_deadline
                and t.response_deadline < now)
            for t in tickets}

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        if operator not in {'=', '!='}:
            raise ValueError(f"Unsupported operator {operator!r} on {name}")
        late = [
            ('state', 'in', UNSTARTED),
            ('response_deadline', '<', dt.datetime.now()),
            ]
        if (operator == '=') == bool(value):
            return late
        return ['OR',
            ('state', 'not in', UNSTARTED),
            ('response_deadline', '=', None),
            ('response_deadline', '>=', dt.datetime.now()),
            ]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('overdue', False), 'danger',
                    If(Eval('state') == 'cancelled', 'muted', ''))),
            ]

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if (field_names is None
                or {'reported_at', 'urgency'} & set(field_names)):
            deadline = self.on_change_with_response_deadline()
            if deadline != self.response_deadline:
                values['response_deadline'] = deadline
        return values

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            values['number'] = Configuration(1).ticket_sequence.get()
        return values

    @classmethod
    def check_modification(cls, mode, tickets, values=None, external=False):
        super().check_modification(
            mode, tickets, values=values, external=external)
        if mode == 'delete':
            for ticket in tickets:
                if ticket.state not in {'draft', 'cancelled'}:
                    raise TicketDeleteError(gettext(
                            'svc_repair.msg_ticket_delete_cancel',
                            ticket=ticket.rec_name))

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'number', 'response_deadline', 'diagnosis', 'work_report',
                'acceptance_result', 'acceptance_remark',
                'revisit_satisfaction', 'revisit_remark',
                'dispatched_by', 'dispatched_at', 'started_by', 'started_at',
                'done_by', 'done_at', 'accepted_by', 'accepted_at',
                'closed_by', 'closed_at', 'cancelled_by', 'cancelled_at']:
            default.setdefault(name, None)
        default.setdefault('rework_count', 0)
        default.setdefault('reported_at', dt.datetime.now())
        return super().copy(tickets, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('assigned')
    @stamp('dispatched')
    def dispatch(cls, tickets):
        for ticket in tickets:
            ticket.check_dispatch()

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    @stamp('started')
    def start(cls, tickets):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @stamp('done')
    def finish(cls, tickets):
        for ticket in tickets:
            if not ticket.work_report:
                raise TicketFinishError(gettext(
                        'svc_repair.msg_ticket_finish_work_report',
                        ticket=ticket.rec_name))

    @classmethod
    @ModelView.button
    @check_state(
        'done', 'svc_repair.msg_ticket_accept_done', TicketAcceptError)
    @Workflow.transition('accepted')
    @stamp('accepted')
    def accept(cls, tickets):
        for ticket in tickets:
            if ticket.acceptance_result != 'satisfied':
                raise TicketAcceptError(gettext(
                        'svc_repair.msg_ticket_accept_satisfied',
                        ticket=ticket.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def rework(cls, tickets):
        for ticket in tickets:
            ticket.rework_count = (ticket.rework_count or 0) + 1
            ticket.acceptance_result = None
        cls.save(tickets)

    @classmethod
    @ModelView.button
    @check_state(
        'accepted', 'svc_repair.msg_ticket_close_accepted',
        TicketCloseError)
    @Workflow.transition('closed')
    @stamp('closed')
    def close(cls, tickets):
        for ticket in tickets:
            if not ticket.revisit_satisfaction:
                raise TicketCloseError(gettext(
                        'svc_repair.msg_ticket_close_revisit',
                        ticket=ticket.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    @stamp('cancelled')
    def cancel(cls, tickets):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, tickets):
        cls.write(tickets, {
                'cancelled_by': None,
                'cancelled_at': None,
                })

    def check_dispatch(self):
        if not self.technician:
            raise TicketDispatchError(gettext(
                    'svc_repair.msg_ticket_dispatch_technician',
                    ticket=self.rec_name))
        if not self.grade or not self.urgency:
            raise TicketDispatchError(gettext(
                    'svc_repair.msg_ticket_dispatch_grade_urgency',
                    ticket=self.rec_name))


class Ticket_Employee(ModelSQL):
    __name__ = 'svc.repair.ticket-company.employee'
    __string__ = "Repair Ticket - Employee"
    ticket = fields.Many2One(
        'svc.repair.ticket', "Ticket", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
