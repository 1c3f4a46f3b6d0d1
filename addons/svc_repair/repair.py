# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
import functools
import json
from collections import defaultdict
from email.message import EmailMessage

from sql import Null
from sql.functions import CharLength

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import (
    ChatMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.sendmail import send_message_transactional
from trytond.tools import timezone as tz
from trytond.tools.email_ import set_from_header
from trytond.transaction import Transaction, without_check_access

from . import clock
from .exceptions import (
    TicketAcceptError, TicketCloseError, TicketDeleteError,
    TicketDispatchError, TicketFinishError, TicketWaitError)

UNSTARTED = ['draft', 'assigned']
UNFINISHED = ['draft', 'assigned', 'running']
LEVELS = [None, 'warning', 'overdue']
ESCALATIONS = [
    (None, ""),
    ('warning', "Approaching"),
    ('overdue', "Past Deadline"),
    ]
WAITING_REASONS = [
    ('customer', "Waiting for Customer"),
    ('parts', "Waiting for Parts"),
    ]


def now():
    "Return the current time, naive UTC as Tryton stores it"
    return dt.datetime.now()


def stamp(name):
    "Record the user and time of the transition in <name>_by and <name>_at"
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, tickets, *args, **kwargs):
            result = func(cls, tickets, *args, **kwargs)
            if tickets:
                cls.write(list(tickets), {
                        f'{name}_by': Transaction().user or None,
                        f'{name}_at': now(),
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


class ClockDefaultMixin:
    """Ask the server for the defaults of each new record

    Clients keep default_get for five minutes: a default read from the
    clock would stamp every record of those minutes with the same time."""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__['default_get'].cache = None


class NumberedMixin:
    """Number new records from a sequence; find and sort them by number

    Numbers are codes such as WX2026-00001: searched by similarity and never
    unaccented, sorted by length first so that -10000 follows -9999."""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.number, Index.Similarity())))

    @classmethod
    def order_number(cls, tables):
        table, _ = tables[None]
        return [CharLength(table.number), table.number]

    @classmethod
    def get_number_sequence(cls, values):
        "Return the sequence numbering the record created with the values"
        raise NotImplementedError

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            if sequence := cls.get_number_sequence(values):
                values['number'] = sequence.get()
        return values

    @classmethod
    def __names__(cls, field=None, record=None):
        names = super().__names__(field=field, record=record)
        if record is not None and cls.created_now(record):
            # A refusal rolls the creation back: its number never exists
            names['record'] = gettext(
                'svc_repair.msg_new_record', model=names['model'])
        return names

    @classmethod
    def created_now(cls, record):
        "Return whether the record is created by the current transaction"
        if record.id is None or record.id < 0:
            return True
        transaction = Transaction()
        if record.id in transaction.create_records[cls.__name__]:
            return True
        # Being validated by its create: no write has stamped it yet
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*table.select(table.id,
                where=(table.id == record.id) & (table.write_date == Null)))
        return cursor.fetchone() is not None


class IdSearchMixin:
    """Search returns the records without prefetching their columns

    Work queues are searched by the client 1,000 rows at a time for their
    ids only and read in a later request; ModelSQL.search would fetch every
    eager column of every row into a cache that dies with the request.
    The columns are read on first access instead, for the whole batch."""
    __slots__ = ()

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        if count or query:
            return super().search(
                domain, offset=offset, limit=limit, order=order,
                count=count, query=query)
        select = super().search(
            domain, offset=offset, limit=limit, order=order, query=True)
        cursor = Transaction().connection.cursor()
        cursor.execute(*select)
        return cls.browse([id_ for id_, in cursor])


class DeadlineMixin:
    "Overdue flag and searcher over deadlines that run in some states"
    __slots__ = ()
    # (deadline field, states in which that deadline still runs)
    _deadlines = []

    @classmethod
    def get_overdue(cls, records, name):
        at = now()
        return {
            r.id: any(
                r.state in states
                and getattr(r, field)
                and getattr(r, field) < at
                for field, states in cls._deadlines)
            for r in records}

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        if operator not in {'=', '!='}:
            raise ValueError(f"Unsupported operator {operator!r} on {name}")
        at = now()
        # Conditions on the state and the stored deadlines only, so that
        # the partial indexes on (state, deadline) answer them
        if (operator == '=') == bool(value):
            return ['OR'] + [
                [('state', 'in', states), (field, '<', at)]
                for field, states in cls._deadlines]
        return [
            ['OR',
                ('state', 'not in', states),
                (field, '=', None),
                (field, '>=', at),
                ]
            for field, states in cls._deadlines]


class EscalationMixin:
    """Notify the users when deadlines approach and pass, once a level

    With DeadlineMixin: each deadline <name>_deadline of _deadlines stores
    the highest level notified in the selection <name>_escalation."""
    __slots__ = ()

    @classmethod
    def escalate(cls):
        """Notify the records approaching or past their deadlines, once a level

        The emails are queued, many at a time."""
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        configuration = Configuration(1)
        at = now()
        to_email = defaultdict(list)
        with without_check_access():
            records = cls.search(['OR'] + [
                    [('state', 'in', states),
                        (f'{name}_escalation', 'in', [None, 'warning'])]
                    for name, states in cls._escalation_deadlines()])
            records = [
                r for r in records if r.get_escalations(configuration, at)]
            # Another run may have notified them since the search
            cls.lock(records)
            to_write = []
            for record in cls.browse(records):
                escalations = record.get_escalations(configuration, at)
                for deadline, level in escalations.items():
                    previous = getattr(record, f'{deadline}_escalation')
                    record.notify_escalation(deadline, level, previous)
                    to_email[deadline, level, previous].append(record)
                to_write.extend(([record], {
                            f'{d}_escalation': l
                            for d, l in escalations.items()}))
            if to_write:
                cls.write(*to_write)
        if configuration.escalation_email:
            with Transaction().set_context(queue_batch=True):
                for key, records in to_email.items():
                    cls.__queue__.email_escalation(records, *key)

    @classmethod
    def _escalation_deadlines(cls):
        "Return the name of each deadline and the states in which it runs"
        return [
            (field.removesuffix('_deadline'), states)
            for field, states in cls._deadlines]

    def get_escalation_delays(self):
        """Return the start, the calendar and, per deadline name, the working
        time allowed and the pauses"""
        raise NotImplementedError

    def get_escalations(self, configuration, at):
        "Return the new escalation level of each deadline at the time"
        start, calendar, delays = self.get_escalation_delays()
        escalations = {}
        for deadline, states in self._escalation_deadlines():
            limit = getattr(self, f'{deadline}_deadline')
            if (self.state not in states or not limit
                    or deadline not in delays):
                continue
            if limit < at:
                level = 'overdue'
            else:
                delay, pauses = delays[deadline]
                warning = clock.add_working_time(
                    start, delay - configuration.escalation_margin(delay),
                    calendar, pauses)
                level = 'warning' if warning and warning <= at else None
            current = getattr(self, f'{deadline}_escalation')
            if LEVELS.index(level) > LEVELS.index(current):
                escalations[deadline] = level
        return escalations

    def notify_escalation(self, deadline, level, previous):
        "Notify the users of the escalation level of the deadline"
        pool = Pool()
        Notification = pool.get('res.notification')
        notifications = []
        for user in self.get_escalation_users(deadline, level, previous):
            label, description = self.get_escalation_user_texts(
                user, deadline, level)
            notifications.append(Notification(
                    user=user, label=label, description=description,
                    icon='tryton-warning' if level == 'warning'
                    else 'tryton-error',
                    model=self.__name__, records=json.dumps([self.id])))
        Notification.save(notifications)

    @classmethod
    def email_escalation(cls, records, deadline, level, previous):
        "Email the users notified of the escalation level of the deadline"
        with without_check_access():
            for record in records:
                for user in record.get_escalation_users(
                        deadline, level, previous):
                    if user.email:
                        record.send_escalation_email(
                            user, *record.get_escalation_user_texts(
                                user, deadline, level))

    def get_escalation_users(self, deadline, level, previous):
        """Return the users of the company to notify of the escalation level

        Past a deadline nobody was warned of, those to warn are told too."""
        pool = Pool()
        User = pool.get('res.user')
        levels = [level]
        if level == 'overdue' and previous is None:
            levels.append('warning')
        return User.search([
                ['OR'] + [self.get_escalation_user_domain(l) for l in levels],
                ('companies', '=', self.company.id),
                ], order=[('id', 'ASC')])

    def get_escalation_user_domain(self, level):
        "Return the domain of the users to notify of the escalation level"
        raise NotImplementedError

    def get_escalation_texts(self, deadline, level):
        "Return the label and description of the escalation notification"
        raise NotImplementedError

    def get_escalation_user_texts(self, user, deadline, level):
        "Return the escalation texts in the language of the user"
        language = user.language.code if user.language else None
        with Transaction().set_context(language=language):
            return self.get_escalation_texts(deadline, level)

    def get_escalation_deadline_text(self, deadline):
        "Return the deadline in the company's time zone and the language"
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        limit = getattr(self, f'{deadline}_deadline').replace(
            tzinfo=dt.timezone.utc).astimezone(
            tz.get_tzinfo(self.company.timezone or 'UTC'))
        return f"{lang.strftime(limit, lang.date)} {limit:%H:%M}"

    def send_escalation_email(self, user, subject, body):
        msg = EmailMessage()
        from_ = config.get('email', 'from')
        set_from_header(msg, from_, from_)
        msg['To'] = user.email
        msg['Subject'] = subject
        msg.set_content(body)
        # Strict: a failed delivery fails the queued task instead of a log
        send_message_transactional(msg, strict=True)


class Ticket(
        ClockDefaultMixin, IdSearchMixin, DeadlineMixin, EscalationMixin,
        NumberedMixin, Workflow, ModelSQL, ModelView, ChatMixin):
    __name__ = 'svc.repair.ticket'
    __string__ = "Repair Ticket"
    _rec_name = 'number'
    _deadlines = [
        ('response_deadline', UNSTARTED),
        ('resolution_deadline', UNFINISHED),
        ]
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
    resolution_deadline = fields.DateTime(
        "Resolution Deadline", readonly=True,
        help="Work must be finished by this time.")
    response_met = fields.Boolean(
        "Response Deadline Met", readonly=True,
        states={
            'invisible': ~Eval('started_at'),
            },
        help="Whether work started by the response deadline.")
    resolution_met = fields.Boolean(
        "Resolution Deadline Met", readonly=True,
        states={
            'invisible': ~Eval('state').in_(['done', 'accepted', 'closed']),
            },
        help="Whether work was finished by the resolution deadline.")
    response_escalation = fields.Selection(
        ESCALATIONS, "Response Escalation", readonly=True, sort=False,
        help="The highest escalation notified for the response deadline.")
    resolution_escalation = fields.Selection(
        ESCALATIONS, "Resolution Escalation", readonly=True, sort=False,
        help="The highest escalation notified for the resolution deadline.")
    overdue = fields.Function(fields.Boolean(
            "Overdue",
            help="The response deadline is past before work started, or the "
            "resolution deadline is past before work was finished."),
        'get_overdue', searcher='search_overdue')
    waiting_reason = fields.Selection(
        [(None, "")] + WAITING_REASONS, "Waiting Reason", sort=False,
        states={
            'readonly': ~Eval('state').in_(['assigned', 'running']),
            'required': Eval('state') == 'waiting',
            },
        help="Required to put the ticket on hold; the deadlines are "
        "extended by the time waited.")
    waiting_remark = fields.Char(
        "Waiting Remark",
        states={
            'readonly': ~Eval('state').in_(['assigned', 'running']),
            })
    pauses = fields.One2Many(
        'svc.repair.ticket.pause', 'ticket', "Waiting History",
        readonly=True)
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
            ('waiting', "Waiting"),
            ('done', "Done"),
            ('accepted', "Accepted"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states, _dispatch_states

    @classmethod
    def __setup__(cls):
        # PostgreSQL full-text search takes a run of Chinese characters as
        # one word, so searching 漏水 would not find 厨房水管漏水
        cls.description.search_full_text = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(
                    t,
                    (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(
                        ['draft', 'assigned', 'running', 'waiting'])),
                Index(
                    t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.response_deadline, Index.Range()),
                    where=t.state.in_(UNSTARTED)),
                Index(
                    t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.resolution_deadline, Index.Range()),
                    where=t.state.in_(UNFINISHED)),
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
            ('assigned', 'waiting'),
            ('running', 'waiting'),
            ('waiting', 'assigned'),
            ('waiting', 'running'),
            ('waiting', 'cancelled'),
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
                'wait': {
                    'invisible': ~Eval('state').in_(['assigned', 'running']),
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': Eval('state') != 'waiting',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'assigned', 'running', 'waiting']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        # A ticket has some sixty columns and reading one eager field reads
        # every eager one of the whole batch; lists show a dozen and the
        # form reads the others when a ticket is opened
        for name, field in cls._fields.items():
            if (name not in cls._prefetched_fields
                    and getattr(field, 'loading', None) == 'eager'
                    and not hasattr(field, 'get')):
                field.loading = 'lazy'

    _prefetched_fields = {
        'id', 'number', 'company', 'reported_at', 'reporter', 'category',
        'urgency', 'grade', 'technician', 'response_deadline',
        'resolution_deadline', 'state', 'create_date', 'write_date',
        'create_uid', 'write_uid',
        }

    @classmethod
    def order_number(cls, tables):
        table, _ = tables[None]
        return [~((table.state == 'cancelled') & (table.number == Null))
            ] + super().order_number(tables)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_reported_at(cls):
        # The client keeps whole seconds: a default with microseconds would
        # read as an edit and redraw the new form, losing what was typed.
        return now().replace(microsecond=0)

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

    @fields.depends(methods=['compute_deadlines'])
    def on_change_with_response_deadline(self):
        return self.compute_deadlines()[0]

    @fields.depends(methods=['compute_deadlines'])
    def on_change_with_resolution_deadline(self):
        return self.compute_deadlines()[1]

    @fields.depends('reported_at', methods=['get_sla', 'get_pauses'])
    def compute_deadlines(self):
        "Return the response and resolution deadlines"
        sla, calendar = self.get_sla()
        if not sla or not self.reported_at:
            return None, None
        return (
            clock.add_working_time(
                self.reported_at, sla.response_delay, calendar,
                self.get_pauses('response')),
            clock.add_working_time(
                self.reported_at, sla.resolution_delay, calendar,
                self.get_pauses('resolution')))

    @fields.depends('urgency', 'company')
    def get_sla(self):
        "Return the service deadlines of the urgency and their calendar"
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        if not self.urgency:
            return None, None
        sla = Configuration(1).get_sla(self.urgency)
        if not sla:
            return None, None
        timezone = self.company.timezone if self.company else None
        return sla, sla.get_clock(timezone=timezone)

    @fields.depends('started_at', 'pauses')
    def get_pauses(self, deadline):
        "Return the (start, end) of the ended pauses counting for deadline"
        pauses = []
        for pause in self.pauses or []:
            if not pause.start or not pause.end:
                continue
            if (deadline == 'response' and self.started_at
                    and pause.start >= self.started_at):
                continue
            pauses.append((pause.start, pause.end))
        return pauses

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
                or {'reported_at', 'urgency', 'company', 'started_at',
                    'pauses'} & set(field_names)):
            response, resolution = self.compute_deadlines()
            if response != self.response_deadline:
                values['response_deadline'] = response
            if resolution != self.resolution_deadline:
                values['resolution_deadline'] = resolution
        return values

    @classmethod
    def get_number_sequence(cls, values):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        return Configuration(1).ticket_sequence

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # Undecided until work starts or is done
            values.setdefault('response_met', None)
            values.setdefault('resolution_met', None)
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
                'number', 'response_deadline', 'resolution_deadline',
                'response_met', 'resolution_met', 'response_escalation',
                'resolution_escalation', 'waiting_reason', 'waiting_remark',
                'pauses', 'diagnosis', 'work_report',
                'acceptance_result', 'acceptance_remark',
                'revisit_satisfaction', 'revisit_remark',
                'dispatched_by', 'dispatched_at', 'started_by', 'started_at',
                'done_by', 'done_at', 'accepted_by', 'accepted_at',
                'closed_by', 'closed_at', 'cancelled_by', 'cancelled_at']:
            default.setdefault(name, None)
        default.setdefault('rework_count', 0)
        default.setdefault('reported_at', now())
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
        cls.record_met(tickets, 'response')

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
        cls.record_met(tickets, 'resolution')

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    def wait(cls, tickets):
        pool = Pool()
        Pause = pool.get('svc.repair.ticket.pause')
        for ticket in tickets:
            if not ticket.waiting_reason:
                raise TicketWaitError(gettext(
                        'svc_repair.msg_ticket_wait_reason',
                        ticket=ticket.rec_name))
        at, user = now(), Transaction().user or None
        Pause.create([{
                    'ticket': t.id,
                    'reason': t.waiting_reason,
                    'remark': t.waiting_remark,
                    'from_state': t.state,
                    'start': at,
                    'started_by': user,
                    } for t in tickets])

    @classmethod
    @ModelView.button
    def resume(cls, tickets):
        tickets = [t for t in tickets if t.state == 'waiting']
        pauses = cls.end_pauses(tickets)
        from_states = {p.ticket: p.from_state for p in pauses}
        cls.resume_assigned(
            [t for t in tickets if from_states.get(t) == 'assigned'])
        cls.resume_running(
            [t for t in tickets if from_states.get(t) != 'assigned'])
        cls.write(tickets, {
                'waiting_reason': None,
                'waiting_remark': None,
                })
        cls.update_deadlines(tickets)

    @classmethod
    @Workflow.transition('assigned')
    def resume_assigned(cls, tickets):
        pass

    @classmethod
    @Workflow.transition('running')
    def resume_running(cls, tickets):
        pass

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
            ticket.resolution_met = None
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
        cls.end_pauses([t for t in tickets if t.state == 'waiting'])

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, tickets):
        cls.write(tickets, {
                'cancelled_by': None,
                'cancelled_at': None,
                })

    @classmethod
    def end_pauses(cls, tickets):
        "End the pauses of the waiting tickets and return them"
        pool = Pool()
        Pause = pool.get('svc.repair.ticket.pause')
        pauses = [p for t in tickets for p in t.pauses if not p.end]
        Pause.write(pauses, {
                'end': now(),
                'resumed_by': Transaction().user or None,
                })
        return pauses

    @classmethod
    def update_deadlines(cls, tickets):
        "Store the deadlines computed from the current pauses"
        to_write = []
        for ticket in cls.browse(tickets):
            response, resolution = ticket.compute_deadlines()
            if (response, resolution) != (
                    ticket.response_deadline, ticket.resolution_deadline):
                to_write.extend(([ticket], {
                            'response_deadline': response,
                            'resolution_deadline': resolution,
                            }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    def record_met(cls, tickets, deadline):
        "Store whether the deadline is met now"
        at = now()
        to_write = []
        for ticket in tickets:
            limit = getattr(ticket, f'{deadline}_deadline')
            met = limit >= at if limit else None
            to_write.extend(([ticket], {f'{deadline}_met': met}))
        if to_write:
            cls.write(*to_write)

    def get_escalation_delays(self):
        sla, calendar = self.get_sla()
        if not sla or not self.reported_at:
            return None, None, {}
        return self.reported_at, calendar, {
            'response': (sla.response_delay, self.get_pauses('response')),
            'resolution': (
                sla.resolution_delay, self.get_pauses('resolution')),
            }

    def get_escalation_user_domain(self, level):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        group = {
            'warning': 'group_dispatcher',
            'overdue': 'group_service_manager',
            }[level]
        return [('groups', '=', ModelData.get_id('svc_repair', group))]

    def get_escalation_texts(self, deadline, level):
        label = gettext(
            f'svc_repair.msg_ticket_escalation_{deadline}_{level}',
            ticket=self.rec_name)
        description = gettext(
            'svc_repair.msg_ticket_escalation_description',
            ticket=self.rec_name,
            deadline=self.get_escalation_deadline_text(deadline),
            reporter=self.reporter.rec_name,
            technician=self.technician.rec_name if self.technician else '-')
        return label, description

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


class Pause(ModelSQL, ModelView):
    __name__ = 'svc.repair.ticket.pause'
    __string__ = "Repair Ticket Pause"
    ticket = fields.Many2One(
        'svc.repair.ticket', "Ticket", required=True, ondelete='CASCADE')
    reason = fields.Selection(
        WAITING_REASONS, "Reason", required=True, readonly=True)
    remark = fields.Char("Remark", readonly=True)
    from_state = fields.Selection([
            ('assigned', "Assigned"),
            ('running', "Running"),
            ], "From State", required=True, readonly=True,
        help="The state the ticket returns to on resume.")
    start = fields.DateTime("Waiting from", required=True, readonly=True)
    end = fields.DateTime("Resumed at", readonly=True)
    started_by = fields.Many2One('res.user', "Put on Hold by", readonly=True)
    resumed_by = fields.Many2One('res.user', "Resumed by", readonly=True)
    duration = fields.Function(
        fields.TimeDelta("Duration"), 'get_duration')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('ticket')
        cls._order = [
            ('ticket', 'ASC'),
            ('start', 'ASC'),
            ('id', 'ASC'),
            ]

    def get_duration(self, name):
        if self.start and self.end:
            return self.end - self.start
