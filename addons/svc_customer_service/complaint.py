# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import functools

from sql import Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.svc_repair import clock
from trytond.modules.svc_repair.repair import (
    ESCALATIONS, ClockDefaultMixin, DeadlineMixin, EscalationMixin,
    IdSearchMixin, now, stamp, stamp_fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id, If
from trytond.transaction import Transaction, without_check_access

from .exceptions import ComplaintError, ComplaintSLAValidationError
from .reception import NumberedMixin

SEVERITIES = [
    ('general', "General"),
    ('serious', "Serious"),
    ('major', "Major"),
    ]
NATURES = [
    (None, ""),
    ('no_liability', "No Liability"),
    ('liability', "Liability"),
    ]
SATISFACTIONS = [
    (None, ""),
    ('satisfied', "Satisfied"),
    ('dissatisfied', "Not Satisfied"),
    ]
UNSTARTED = ['registered', 'classified']
UNFINISHED = ['registered', 'classified', 'handling']


def check_complaint(check):
    "Run check on each complaint before the transition"
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, complaints, *args, **kwargs):
            for complaint in complaints:
                getattr(complaint, check)()
            return func(cls, complaints, *args, **kwargs)
        return wrapper
    return decorator


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.reception.configuration'
    complaint_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Complaint Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('svc_customer_service', 'sequence_type_complaint')),
                ]))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'complaint_sequence':
            return pool.get('svc.reception.configuration.sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_complaint_sequence(cls, **pattern):
        return cls.multivalue_model(
            'complaint_sequence').default_complaint_sequence()


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'svc.reception.configuration.sequence'
    complaint_sequence = fields.Many2One(
        'ir.sequence', "Complaint Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('svc_customer_service', 'sequence_type_complaint')),
            ])

    @classmethod
    def default_complaint_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'svc_customer_service', 'sequence_complaint')
        except KeyError:
            return None


class Department(ModelSQL, ModelView):
    __name__ = 'svc.complaint.department'
    __string__ = "Responsible Department"
    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    manager = fields.Many2One(
        'company.employee', "Manager",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    members = fields.Many2Many(
        'svc.complaint.department-company.employee', 'department',
        'employee', "Members",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The employees who investigate the complaints transferred to "
        "the department.")
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_active(cls):
        return True


class Department_Employee(ModelSQL):
    __name__ = 'svc.complaint.department-company.employee'
    __string__ = "Responsible Department - Employee"
    department = fields.Many2One(
        'svc.complaint.department', "Department", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')


class SLA(ModelSQL, ModelView):
    __name__ = 'svc.complaint.sla'
    __string__ = "Complaint Deadline"
    company = fields.Many2One('company.company', "Company", required=True)
    severity = fields.Selection(
        SEVERITIES, "Severity", required=True, sort=False)
    severity_string = severity.translated('severity')
    response_delay = fields.TimeDelta(
        "Response Delay", required=True,
        help="Working time allowed to classify the complaint and start "
        "handling it.")
    handling_delay = fields.TimeDelta(
        "Handling Delay", required=True,
        help="Working time allowed to reply with the result.")
    clock = fields.Selection([
            ('always', "Around the Clock"),
            ('calendar', "Working Time"),
            ], "Clock", required=True, sort=False,
        help="Around the clock counts every hour (7x24); working time "
        "counts only the hours of the working calendar.")
    calendar = fields.Many2One(
        'svc.repair.calendar', "Working Calendar", ondelete='RESTRICT',
        states={
            'required': Eval('clock') == 'calendar',
            'invisible': Eval('clock') != 'calendar',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_severity_unique',
                Unique(t, t.company, t.severity),
                'svc_customer_service.msg_complaint_sla_severity_unique'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_clock(cls):
        return 'always'

    @fields.depends('clock', 'calendar')
    def on_change_clock(self):
        if self.clock != 'calendar':
            self.calendar = None

    def get_clock(self):
        "Return the working-time calendar of the clock, None around the clock"
        if self.clock == 'calendar' and self.calendar:
            return self.calendar.get_clock(timezone=self.company.timezone)

    @classmethod
    def validate_fields(cls, slas, field_names):
        super().validate_fields(slas, field_names)
        names = {'response_delay', 'handling_delay'}
        if field_names and not (names & set(field_names)):
            return
        for sla in slas:
            for name in sorted(names):
                delay = getattr(sla, name)
                if delay is not None and delay <= dt.timedelta(0):
                    raise ComplaintSLAValidationError(gettext(
                            'svc_customer_service.msg_complaint_sla_delay',
                            field=cls.__names__(name)['field'],
                            severity=sla.severity_string))


class Complaint(
        ClockDefaultMixin, IdSearchMixin, DeadlineMixin, EscalationMixin,
        NumberedMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'svc.complaint'
    __string__ = "Complaint"
    _number_sequence = 'complaint_sequence'
    _rec_name = 'number'
    _deadlines = [
        ('response_deadline', UNSTARTED),
        ('handling_deadline', UNFINISHED),
        ]
    _states = {
        'readonly': Eval('state') != 'registered',
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    reception = fields.Many2One(
        'svc.reception', "Reception", readonly=True, ondelete='RESTRICT')
    channel = fields.Selection([
            ('visit', "Visit"),
            ('letter', "Letter"),
            ('phone', "Phone Call"),
            ('online', "Online Message"),
            ('email', "Email"),
            ], "Channel", required=True, states=_states)
    complainant = fields.Many2One(
        'party.party', "Complainant", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends=['company'])
    contact_phone = fields.Char(
        "Contact Phone",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    address = fields.Char("Address", states=_states)
    received_at = fields.DateTime(
        "Received at", required=True, states=_states)
    content = fields.Text("Content", required=True, states=_states)
    summary = fields.Char(
        "Summary",
        states={
            'readonly': ~Eval('state').in_(UNSTARTED),
            'required': ~Eval('state').in_(['registered', 'cancelled']),
            },
        help="The complaint read and summarised (阅读归纳).")
    severity = fields.Selection(
        SEVERITIES, "Severity", required=True, sort=False,
        states={
            'readonly': ~Eval('state').in_(UNSTARTED),
            },
        help="Sets the response and handling deadlines.")
    nature = fields.Selection(
        NATURES, "Nature", sort=False,
        states={
            'readonly': ~Eval('state').in_(UNSTARTED),
            'required': ~Eval('state').in_(['registered', 'cancelled']),
            },
        help="No liability: explain to the customer and assist if needed.\n"
        "Liability: apologise and transfer to the responsible department.")
    nature_string = nature.translated('nature')
    department = fields.Many2One(
        'svc.complaint.department', "Responsible Department",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': ~Eval('state').in_(UNSTARTED),
            'required': ((Eval('nature') == 'liability')
                & ~Eval('state').in_(['registered', 'cancelled'])),
            'invisible': Eval('nature') != 'liability',
            })
    investigation = fields.Text(
        "Investigation",
        states={
            'readonly': Eval('state') != 'handling',
            },
        help="What the responsible department found.")
    result = fields.Text(
        "Result",
        states={
            'readonly': Eval('state') != 'handling',
            'required': Eval('state').in_(
                ['replied', 'revisited', 'closed']),
            },
        help="The result fed back to the centre and to the customer.")
    customer_feedback = fields.Text(
        "Customer Feedback",
        states={
            'readonly': ~Eval('state').in_(['replied', 'revisited']),
            })
    satisfaction = fields.Selection(
        SATISFACTIONS, "Satisfaction", sort=False,
        states={
            'readonly': ~Eval('state').in_(['replied', 'revisited']),
            'required': Eval('state').in_(['revisited', 'closed']),
            })
    revisit_method = fields.Selection([
            (None, ""),
            ('phone', "Phone Revisit"),
            ('visit', "Home Revisit"),
            ], "Revisit Method", sort=False,
        states={
            'readonly': Eval('state') != 'replied',
            'required': Eval('state').in_(['revisited', 'closed']),
            })
    revisit_feedback = fields.Text(
        "Revisit Feedback",
        states={
            'readonly': Eval('state') != 'replied',
            'required': Eval('state').in_(['revisited', 'closed']),
            },
        help="The information gathered at the revisit.")
    reopen_count = fields.Integer(
        "Reopenings", readonly=True,
        help="How many times the customer was not satisfied and the "
        "complaint was handled again.")
    response_deadline = fields.DateTime("Response Deadline", readonly=True)
    handling_deadline = fields.DateTime("Handling Deadline", readonly=True)
    response_escalation = fields.Selection(
        ESCALATIONS, "Response Escalation", readonly=True, sort=False,
        help="The highest escalation notified for the response deadline.")
    handling_escalation = fields.Selection(
        ESCALATIONS, "Handling Escalation", readonly=True, sort=False,
        help="The highest escalation notified for the handling deadline.")
    overdue = fields.Function(fields.Boolean(
            "Overdue",
            help="The response deadline is past before handling started, or "
            "the handling deadline is past before the reply."),
        'get_overdue', searcher='search_overdue')
    classified_by, classified_at = stamp_fields(
        "Classified by", "Classified at")
    transferred_by, transferred_at = stamp_fields(
        "Handling Started by", "Handling Started at")
    handled_by, handled_at = stamp_fields("Replied by", "Replied at")
    revisited_by, revisited_at = stamp_fields(
        "Revisited by", "Revisited at")
    approved_by, approved_at = stamp_fields(
        "Closing Approved by", "Closing Approved at")
    state = fields.Selection([
            ('registered', "Registered"),
            ('classified', "Classified"),
            ('handling', "Handling"),
            ('replied', "Replied"),
            ('revisited', "Revisited"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        cls.content.search_full_text = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(
                t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(UNFINISHED)))
        cls._order = [
            ('received_at', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('registered', 'classified'),
            ('classified', 'handling'),
            ('handling', 'replied'),
            ('replied', 'handling'),
            ('replied', 'revisited'),
            ('revisited', 'handling'),
            ('replied', 'closed'),
            ('revisited', 'closed'),
            ('registered', 'cancelled'),
            ('classified', 'cancelled'),
            ('handling', 'cancelled'),
            }
        cls._buttons.update({
                'classify': {
                    'invisible': Eval('state') != 'registered',
                    'depends': ['state'],
                    },
                'handle': {
                    'invisible': Eval('state') != 'classified',
                    'depends': ['state'],
                    },
                'reply': {
                    'invisible': Eval('state') != 'handling',
                    'depends': ['state'],
                    },
                'revisit': {
                    'invisible': Eval('state') != 'replied',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': ~Eval('state').in_(['replied', 'revisited']),
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': ~Eval('state').in_(['replied', 'revisited']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(UNFINISHED),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_channel(cls):
        return 'phone'

    @classmethod
    def default_received_at(cls):
        # The client keeps whole seconds (see svc.repair.ticket)
        return dt.datetime.now().replace(microsecond=0)

    @classmethod
    def default_severity(cls):
        return 'general'

    @classmethod
    def default_reopen_count(cls):
        return 0

    @classmethod
    def default_state(cls):
        return 'registered'

    @fields.depends('complainant', 'contact_phone', 'address')
    def on_change_complainant(self):
        if not self.complainant:
            return
        mechanism = self.complainant.contact_mechanism_get(
            {'mobile', 'phone'})
        if mechanism:
            self.contact_phone = mechanism.value
        if not self.address:
            address = self.complainant.address_get()
            if address and address.full_address:
                self.address = ' '.join(address.full_address.splitlines())

    @fields.depends('nature', 'department')
    def on_change_nature(self):
        if self.nature != 'liability':
            self.department = None

    @fields.depends('received_at', methods=['get_sla'])
    def compute_deadlines(self):
        "Return the response and handling deadlines"
        sla = self.get_sla()
        if not sla or not self.received_at:
            return None, None
        calendar = sla.get_clock()
        return (
            clock.add_working_time(
                self.received_at, sla.response_delay, calendar),
            clock.add_working_time(
                self.received_at, sla.handling_delay, calendar))

    @fields.depends('severity', 'company')
    def get_sla(self):
        "Return the deadlines of the company for the severity"
        pool = Pool()
        SLA = pool.get('svc.complaint.sla')
        if not self.severity or not self.company:
            return None
        slas = SLA.search([
                ('company', '=', self.company.id),
                ('severity', '=', self.severity),
                ], limit=1)
        if slas:
            return slas[0]

    @fields.depends(methods=['compute_deadlines'])
    def on_change_with_response_deadline(self):
        return self.compute_deadlines()[0]

    @fields.depends(methods=['compute_deadlines'])
    def on_change_with_handling_deadline(self):
        return self.compute_deadlines()[1]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('overdue', False), 'danger',
                    If(Eval('state') == 'cancelled', 'muted', ''))),
            ('//page[@id="handling"]', 'states', {
                    'invisible': Eval('state').in_(UNSTARTED),
                    }),
            ('//page[@id="revisit"]', 'states', {
                    'invisible': ~Eval('state').in_(
                        ['replied', 'revisited', 'closed']),
                    }),
            ]

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if (field_names is None
                or {'received_at', 'severity', 'company'}
                & set(field_names)):
            response, handling = self.compute_deadlines()
            if response != self.response_deadline:
                values['response_deadline'] = response
            if handling != self.handling_deadline:
                values['handling_deadline'] = handling
        return values

    @classmethod
    def copy(cls, complaints, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'number', 'reception', 'investigation', 'result',
                'customer_feedback', 'satisfaction', 'revisit_method',
                'revisit_feedback', 'response_escalation',
                'handling_escalation']:
            default.setdefault(name, None)
        default.setdefault('reopen_count', 0)
        default.setdefault(
            'received_at', dt.datetime.now().replace(microsecond=0))
        for name in [
                'classified', 'transferred', 'handled', 'revisited',
                'approved']:
            default.setdefault(f'{name}_by', None)
            default.setdefault(f'{name}_at', None)
        return super().copy(complaints, default=default)

    @classmethod
    @ModelView.button
    @check_complaint('check_classify')
    @Workflow.transition('classified')
    @stamp('classified')
    def classify(cls, complaints):
        pass

    def check_classify(self):
        if not self.summary or not self.nature:
            self._raise('msg_complaint_classify_nature')
        if self.nature == 'liability' and not self.department:
            self._raise('msg_complaint_classify_department')

    @classmethod
    @ModelView.button
    @Workflow.transition('handling')
    @stamp('transferred')
    def handle(cls, complaints):
        pass

    @classmethod
    @ModelView.button
    @check_complaint('check_reply')
    @Workflow.transition('replied')
    @stamp('handled')
    def reply(cls, complaints):
        pass

    def check_reply(self):
        if not self.result:
            self._raise('msg_complaint_reply_result')

    @classmethod
    @ModelView.button
    @check_complaint('check_revisit')
    @Workflow.transition('revisited')
    @stamp('revisited')
    def revisit(cls, complaints):
        pass

    def check_revisit(self):
        if (not self.revisit_method or not self.revisit_feedback
                or not self.satisfaction):
            self._raise('msg_complaint_revisit_feedback')

    @classmethod
    @ModelView.button
    @check_complaint('check_reopen')
    def reopen(cls, complaints):
        cls.handle_again(complaints)
        reopened = [c for c in complaints if c.state == 'handling']
        for complaint in reopened:
            complaint.reopen_count = (complaint.reopen_count or 0) + 1
            complaint.satisfaction = None
        cls.save(reopened)

    @classmethod
    @Workflow.transition('handling')
    def handle_again(cls, complaints):
        pass

    def check_reopen(self):
        if self.satisfaction != 'dissatisfied':
            self._raise('msg_complaint_reopen_dissatisfied')

    @classmethod
    @ModelView.button
    @check_complaint('check_close')
    @Workflow.transition('closed')
    @stamp('approved')
    def close(cls, complaints):
        cls._follow_receptions(complaints, 'close')

    def check_close(self):
        if not self.result:
            self._raise('msg_complaint_close_result')
        if self.state != 'revisited' or not self.revisit_feedback:
            self._raise('msg_complaint_close_revisit')
        if self.satisfaction != 'satisfied':
            self._raise('msg_complaint_close_dissatisfied')

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, complaints):
        cls._follow_receptions(complaints, 'cancel')

    def get_escalation_delays(self):
        sla = self.get_sla()
        if not sla or not self.received_at:
            return None, None, {}
        return self.received_at, sla.get_clock(), {
            'response': (sla.response_delay, []),
            'handling': (sla.handling_delay, []),
            }

    def get_escalation_user_domain(self, level):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        if level == 'overdue':
            return [('groups', '=', ModelData.get_id(
                        'svc_repair', 'group_service_manager'))]
        domain = ['OR', ('groups', '=', ModelData.get_id(
                    'svc_repair', 'group_reception'))]
        if self.department:
            employees = list(self.department.members)
            if self.department.manager:
                employees.append(self.department.manager)
            domain.append(('employees', 'in', [e.id for e in employees]))
        return domain

    def get_escalation_texts(self, deadline, level):
        label = gettext(
            'svc_customer_service'
            f'.msg_complaint_escalation_{deadline}_{level}',
            complaint=self.rec_name)
        description = gettext(
            'svc_customer_service.msg_complaint_escalation_description',
            complaint=self.rec_name,
            deadline=self.get_escalation_deadline_text(deadline),
            complainant=self.complainant.rec_name,
            department=self.department.rec_name if self.department else '-')
        return label, description

    def _raise(self, message):
        raise ComplaintError(gettext(
                f'svc_customer_service.{message}',
                complaint=self.rec_name, state=self.state_string))

    @classmethod
    def _follow_receptions(cls, complaints, transition):
        "Close or cancel the receptions the complaints come from"
        pool = Pool()
        Reception = pool.get('svc.reception')
        with without_check_access():
            pairs = [
                (c, c.reception) for c in cls.browse(complaints)
                if c.reception and c.reception.state == 'processing']
            if not pairs:
                return
            receptions = [r for _, r in pairs]
            if transition == 'close':
                for complaint, reception in pairs:
                    if not reception.reply:
                        reception.reply = complaint.result
                Reception.save(receptions)
            getattr(Reception, transition)(receptions)


class Reception(metaclass=PoolMeta):
    __name__ = 'svc.reception'
    complaints = fields.One2Many(
        'svc.complaint', 'reception', "Complaints", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'create_complaint': {
                    'invisible': (
                        (Eval('state') != 'open')
                        | (Eval('kind') != 'complaint')),
                    'depends': ['state', 'kind'],
                    },
                })

    @classmethod
    def copy(cls, receptions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('complaints', None)
        return super().copy(receptions, default=default)

    @classmethod
    @ModelView.button
    def create_complaint(cls, receptions):
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        for reception in receptions:
            if reception.kind != 'complaint' or reception.state != 'open':
                raise ComplaintError(gettext(
                        'svc_customer_service'
                        '.msg_reception_create_complaint',
                        reception=reception.rec_name))
        complaints = [r.get_complaint() for r in receptions]
        Complaint.save(complaints)
        cls.proceed(receptions)

    def get_complaint(self):
        "Return a new complaint for the reception"
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        return Complaint(
            company=self.company,
            reception=self,
            channel=self.channel,
            complainant=self.caller,
            contact_phone=self.contact_phone,
            address=self.address,
            received_at=self.received_at,
            content=self.content,
            )


class Statistic(ModelSQL, ModelView):
    __name__ = 'svc.complaint.statistic'
    __string__ = "Complaint Statistic"
    month = fields.Date("Month")
    company = fields.Many2One('company.company', "Company")
    nature = fields.Selection(NATURES, "Nature", sort=False)
    department = fields.Many2One(
        'svc.complaint.department', "Responsible Department")
    complaints = fields.Integer("Complaints")
    satisfied = fields.Integer("Satisfied")
    dissatisfied = fields.Integer("Not Satisfied")
    overdue = fields.Integer(
        "Overdue",
        help="Replied after the handling deadline, or still not replied "
        "after it.")
    reopenings = fields.Integer("Reopenings")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'),
            ('nature', 'ASC'),
            ('department', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        complaint = Complaint.__table__()
        month = cls.month.sql_cast(
            DateTrunc('month', complaint.received_at))
        late = Case(
            ((complaint.handling_deadline != Null)
                & (Coalesce(complaint.handled_at, now())
                    > complaint.handling_deadline), 1),
            else_=0)
        # Grouped by the output column: PostgreSQL takes the parameter of
        # date_trunc in the select list and in GROUP BY as two expressions
        group_by = [
            month.as_('month'), complaint.company, complaint.nature,
            complaint.department]
        return complaint.select(
            Min(complaint.id).as_('id'),
            month.as_('month'),
            complaint.company.as_('company'),
            complaint.nature.as_('nature'),
            complaint.department.as_('department'),
            Count(complaint.id).as_('complaints'),
            Sum(Case(
                    (complaint.satisfaction == 'satisfied', 1),
                    else_=0)).as_('satisfied'),
            Sum(Case(
                    (complaint.satisfaction == 'dissatisfied', 1),
                    else_=0)).as_('dissatisfied'),
            Sum(late).as_('overdue'),
            Sum(Coalesce(complaint.reopen_count, 0)).as_('reopenings'),
            where=complaint.state != 'cancelled',
            group_by=group_by)
