# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import functools
import json
import logging

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.svc_repair.repair import (
    ClockDefaultMixin, stamp, stamp_fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id, If
from trytond.transaction import Transaction, without_check_access

from .exceptions import LeadError
from .reception import NumberedMixin

logger = logging.getLogger(__name__)

OPEN_STATES = ['new', 'qualified', 'invited', 'visited', 'deposit']
JOURNEY_STAGES = [
    (None, ""),
    ('visit', "1 Site Visit"),
    ('subscription', "2 Subscription"),
    ('signing', "3 Contract Signing"),
    ('payment', "4 Mortgage and Payment"),
    ('taking_over', "5 Taking Over"),
    ('moving_in', "6 Moving In"),
    ('title', "7 Title Certificate"),
    ('property_service', "8 Property Service"),
    ]


def check_state(states, message):
    "Refuse the transition unless every lead is in one of the states"
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, leads, *args, **kwargs):
            for lead in leads:
                if lead.state not in states:
                    raise LeadError(gettext(
                            message, lead=lead.rec_name,
                            state=lead.state_string))
            return func(cls, leads, *args, **kwargs)
        return wrapper
    return decorator


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.reception.configuration'
    lead_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Lead Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('svc_customer_service', 'sequence_type_lead')),
                ]))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'lead_sequence':
            return pool.get('svc.reception.configuration.sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_lead_sequence(cls, **pattern):
        return cls.multivalue_model('lead_sequence').default_lead_sequence()


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'svc.reception.configuration.sequence'
    lead_sequence = fields.Many2One(
        'ir.sequence', "Lead Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('svc_customer_service', 'sequence_type_lead')),
            ])

    @classmethod
    def default_lead_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('svc_customer_service', 'sequence_lead')
        except KeyError:
            return None


class Script(ModelSQL, ModelView):
    __name__ = 'svc.lead.script'
    __string__ = "Reference Script"
    name = fields.Char("Name", required=True)
    kind = fields.Selection([
            ('invitation', "Invitation"),
            ('sms_invalid', "SMS to Invalid Lead"),
            ], "Kind", required=True,
        help="The SMS to invalid leads is the text of the first active "
        "script of that kind.")
    text = fields.Text("Text", required=True)
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_kind(cls):
        return 'invitation'

    @classmethod
    def default_active(cls):
        return True


class OutgoingMessage(ModelSQL, ModelView):
    __name__ = 'svc.message.outgoing'
    __string__ = "Outgoing Message"
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Party", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends=['company'])
    phone = fields.Char("Phone", required=True, readonly=True)
    text = fields.Text("Text", required=True, readonly=True)
    lead = fields.Many2One(
        'svc.lead', "Lead", readonly=True, ondelete='CASCADE')
    sent_at = fields.DateTime("Sent at", readonly=True)
    error = fields.Text("Error", readonly=True)
    state = fields.Selection([
            ('queued', "Queued"),
            ('sent', "Sent"),
            ('failed', "Failed"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('create_date', 'DESC'))
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') == 'sent',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    @ModelView.button
    def send(cls, messages):
        cls.write([m for m in messages if m.state == 'failed'], {
                'state': 'queued',
                'error': None,
                })
        with Transaction().set_context(queue_batch=True):
            cls.__queue__.deliver(messages)

    @classmethod
    def deliver(cls, messages):
        "Send the queued messages and record whether they left"
        # A click on Send may have queued them twice
        cls.lock(messages)
        messages = [m for m in cls.browse(messages) if m.state == 'queued']
        for message in messages:
            try:
                message._send_sms()
            except Exception as exception:
                logger.warning(
                    "SMS %s to %s failed", message.id, message.phone,
                    exc_info=True)
                message.state = 'failed'
                message.error = str(exception)
            else:
                message.state = 'sent'
                message.sent_at = dt.datetime.now().replace(microsecond=0)
                message.error = None
        cls.save(messages)

    def _send_sms(self):
        """Send the text to the phone through the SMS gateway

        Override it to plug a gateway in; raise to mark the message failed.
        By default nothing leaves the server and the message counts as sent.
        """
        logger.info("SMS to %s: %s", self.phone, self.text)


class Lead(NumberedMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'svc.lead'
    __string__ = "Lead"
    _number_sequence = 'lead_sequence'
    _rec_name = 'number'
    _states = {
        'readonly': ~Eval('state').in_(OPEN_STATES),
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('state') != 'new',
            })
    name = fields.Char("Name", required=True, states=_states)
    phone = fields.Char("Phone", states=_states)
    party = fields.Many2One(
        'party.party', "Party",
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            'required': Eval('state').in_(
                ['qualified', 'invited', 'visited', 'deposit', 'signed']),
            },
        context={
            'company': Eval('company', -1),
            },
        depends=['company'],
        help="The customer, created from the name and phone when the lead "
        "is qualified.")
    source = fields.Selection([
            ('online', "Online Promotion"),
            ('phone', "Phone Inquiry"),
            ('visit', "Walk-in"),
            ('referral', "Referral by Customer"),
            ('event', "Event"),
            ('other', "Other"),
            ], "Source", required=True, states=_states)
    reception = fields.Many2One(
        'svc.reception', "Reception", readonly=True, ondelete='RESTRICT')
    owner = fields.Many2One(
        'res.user', "Owner", states=_states,
        help="The sales staff following the lead up.")
    description = fields.Text("Description", states=_states)
    reason = fields.Text(
        "Reason",
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            'required': Eval('state').in_(['invalid', 'lost']),
            },
        help="Why the lead is invalid or lost.")
    invitations = fields.One2Many(
        'svc.lead.invitation', 'lead', "Invitations",
        states={
            'readonly': ~Eval('state').in_(['qualified', 'invited']),
            })
    designer = fields.Many2One(
        'company.employee', "Designer",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state') != 'deposit',
            'required': Eval('state') == 'signed',
            })
    feedback = fields.Text(
        "Feedback to Designer",
        states={
            'readonly': Eval('state') != 'deposit',
            'required': Eval('state') == 'signed',
            },
        help="What the customer wants, passed to the designer on signing.")
    messages = fields.One2Many(
        'svc.message.outgoing', 'lead', "SMS", readonly=True)
    qualified_by, qualified_at = stamp_fields(
        "Qualified by", "Qualified at")
    invalid_by, invalid_at = stamp_fields("Invalidated by", "Invalidated at")
    invited_by, invited_at = stamp_fields("Invited by", "Invited at")
    visited_by, visited_at = stamp_fields(
        "Visit Recorded by", "Visit Recorded at")
    deposit_by, deposit_at = stamp_fields(
        "Deposit Recorded by", "Deposit Recorded at")
    signed_by, signed_at = stamp_fields("Signed by", "Signed at")
    lost_by, lost_at = stamp_fields("Lost by", "Lost at")
    state = fields.Selection([
            ('new', "New"),
            ('qualified', "Valid Customer"),
            ('invalid', "Invalid"),
            ('invited', "Invited"),
            ('visited', "Visited"),
            ('deposit', "Deposit Paid"),
            ('signed', "Signed"),
            ('lost', "Lost"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(
                t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(OPEN_STATES)))
        cls._order = [
            ('create_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('new', 'qualified'),
            ('new', 'invalid'),
            ('qualified', 'invited'),
            ('invited', 'visited'),
            ('visited', 'deposit'),
            ('deposit', 'signed'),
            } | {(s, 'lost') for s in OPEN_STATES}
        cls._buttons.update({
                'qualify': {
                    'invisible': Eval('state') != 'new',
                    'depends': ['state'],
                    },
                'invalidate': {
                    'invisible': Eval('state') != 'new',
                    'depends': ['state'],
                    },
                'invite': {
                    'invisible': Eval('state') != 'qualified',
                    'depends': ['state'],
                    },
                'visit': {
                    'invisible': Eval('state') != 'invited',
                    'depends': ['state'],
                    },
                'pay_deposit': {
                    'invisible': Eval('state') != 'visited',
                    'depends': ['state'],
                    },
                'sign': {
                    'invisible': Eval('state') != 'deposit',
                    'depends': ['state'],
                    },
                'lose': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_source(cls):
        return 'phone'

    @classmethod
    def default_owner(cls):
        return Transaction().user or None

    @classmethod
    def default_state(cls):
        return 'new'

    @fields.depends('party', 'name', 'phone')
    def on_change_party(self):
        if not self.party:
            return
        self.name = self.party.name
        mechanism = self.party.contact_mechanism_get({'mobile', 'phone'})
        if mechanism:
            self.phone = mechanism.value

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state').in_(['invalid', 'lost']), 'muted', '')),
            ]

    @classmethod
    def copy(cls, leads, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('reception', None)
        default.setdefault('invitations', None)
        default.setdefault('messages', None)
        for name in [
                'qualified', 'invalid', 'invited', 'visited', 'deposit',
                'signed', 'lost']:
            default.setdefault(f'{name}_by', None)
            default.setdefault(f'{name}_at', None)
        return super().copy(leads, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('qualified')
    @stamp('qualified')
    def qualify(cls, leads):
        pool = Pool()
        Party = pool.get('party.party')
        parties = {lead: lead.get_party() for lead in leads if not lead.party}
        Party.save(list(parties.values()))
        for lead, party in parties.items():
            lead.party = party
        cls.save(leads)

    def get_party(self):
        "Return a new customer for the lead"
        pool = Pool()
        Party = pool.get('party.party')
        party = Party(name=self.name)
        if self.phone:
            party.contact_mechanisms = [{
                    'type': 'mobile',
                    'value': self.phone,
                    }]
        return party

    @classmethod
    @ModelView.button
    @Workflow.transition('invalid')
    @stamp('invalid')
    def invalidate(cls, leads):
        pool = Pool()
        Message = pool.get('svc.message.outgoing')
        for lead in leads:
            if not lead.reason:
                raise LeadError(gettext(
                        'svc_customer_service.msg_lead_invalid_reason',
                        lead=lead.rec_name))
        messages = list(filter(None, (
            lead.get_invalid_message() for lead in leads)))
        Message.save(messages)
        Message.send(messages)

    def get_invalid_message(self):
        "Return the SMS for the invalid lead or None without a phone"
        pool = Pool()
        Message = pool.get('svc.message.outgoing')
        Script = pool.get('svc.lead.script')
        if not self.phone:
            return
        scripts = Script.search([('kind', '=', 'sms_invalid')], limit=1)
        if scripts:
            text = scripts[0].text
        else:
            text = gettext(
                'svc_customer_service.msg_lead_invalid_sms',
                company=self.company.rec_name)
        return Message(
            company=self.company, party=self.party, phone=self.phone,
            text=text, lead=self)

    @classmethod
    @ModelView.button
    @check_state(['qualified'], 'svc_customer_service.msg_lead_invite_state')
    @Workflow.transition('invited')
    @stamp('invited')
    def invite(cls, leads):
        for lead in leads:
            if not lead.invitations:
                raise LeadError(gettext(
                        'svc_customer_service.msg_lead_invite_invitation',
                        lead=lead.rec_name))

    @classmethod
    @ModelView.button
    @check_state(['invited'], 'svc_customer_service.msg_lead_visit_state')
    @Workflow.transition('visited')
    @stamp('visited')
    def visit(cls, leads):
        cls.add_journey_steps(leads, 'visit')

    @classmethod
    @ModelView.button
    @check_state(
        ['visited'], 'svc_customer_service.msg_lead_pay_deposit_state')
    @Workflow.transition('deposit')
    @stamp('deposit')
    def pay_deposit(cls, leads):
        cls.add_journey_steps(leads, 'subscription')

    @classmethod
    @ModelView.button
    @check_state(['deposit'], 'svc_customer_service.msg_lead_sign_state')
    @Workflow.transition('signed')
    @stamp('signed')
    def sign(cls, leads):
        for lead in leads:
            if not lead.designer or not lead.feedback:
                raise LeadError(gettext(
                        'svc_customer_service.msg_lead_sign_designer',
                        lead=lead.rec_name))
        cls.add_journey_steps(leads, 'signing')
        cls.notify_designers(leads)

    @classmethod
    @ModelView.button
    @Workflow.transition('lost')
    @stamp('lost')
    def lose(cls, leads):
        for lead in leads:
            if not lead.reason:
                raise LeadError(gettext(
                        'svc_customer_service.msg_lead_lost_reason',
                        lead=lead.rec_name))

    @classmethod
    def add_journey_steps(cls, leads, stage):
        pool = Pool()
        Date = pool.get('ir.date')
        Step = pool.get('svc.journey.step')
        today = Date.today()
        with without_check_access():
            Step.save([Step(
                        party=lead.party, stage=stage, lead=lead,
                        date=today) for lead in leads])

    @classmethod
    def notify_designers(cls, leads):
        pool = Pool()
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        notifications = []
        with without_check_access():
            for lead in leads:
                for user in User.search([
                            ('employees', '=', lead.designer.id),
                            ], order=[('id', 'ASC')]):
                    language = user.language.code if user.language else None
                    with Transaction().set_context(language=language):
                        label = gettext(
                            'svc_customer_service.msg_lead_designer_label',
                            lead=lead.rec_name, party=lead.party.rec_name)
                    notifications.append(Notification(
                            user=user, label=label,
                            description=lead.feedback, icon='tryton-info',
                            model=cls.__name__, records=json.dumps([lead.id])))
            Notification.save(notifications)


class Invitation(ClockDefaultMixin, ModelSQL, ModelView):
    __name__ = 'svc.lead.invitation'
    __string__ = "Lead Invitation"
    lead = fields.Many2One(
        'svc.lead', "Lead", required=True, ondelete='CASCADE',
        domain=[
            ('state', 'in', ['qualified', 'invited']),
            ])
    date = fields.Date("Date", required=True)
    script = fields.Many2One(
        'svc.lead.script', "Reference Script",
        domain=[
            ('kind', '=', 'invitation'),
            ])
    result = fields.Text("Result")
    confirmed = fields.Boolean(
        "Confirmed Again",
        help="The customer confirmed the appointment when called again.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_confirmed(cls):
        return False


class Reception(metaclass=PoolMeta):
    __name__ = 'svc.reception'
    leads = fields.One2Many(
        'svc.lead', 'reception', "Leads", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        if ('lead', "Sales Lead") not in cls.kind.selection:
            cls.kind.selection.append(('lead', "Sales Lead"))
        cls._buttons.update({
                'create_lead': {
                    'invisible': (
                        (Eval('state') != 'open')
                        | (Eval('kind') != 'lead')),
                    'depends': ['state', 'kind'],
                    },
                })

    @classmethod
    @ModelView.button
    def create_lead(cls, receptions):
        pool = Pool()
        Lead = pool.get('svc.lead')
        for reception in receptions:
            if reception.kind != 'lead' or reception.state != 'open':
                raise LeadError(gettext(
                        'svc_customer_service.msg_reception_create_lead',
                        reception=reception.rec_name))
        leads = [r.get_lead() for r in receptions]
        Lead.save(leads)
        for reception, lead in zip(receptions, leads):
            if not reception.reply:
                reception.reply = gettext(
                    'svc_customer_service.msg_reception_lead_reply',
                    lead=lead.rec_name)
        cls.save(receptions)
        cls.close(receptions)

    def get_lead(self):
        "Return a new lead for the reception"
        pool = Pool()
        Lead = pool.get('svc.lead')
        return Lead(
            company=self.company,
            party=self.caller,
            name=self.caller.name,
            phone=self.contact_phone,
            source={
                'phone': 'phone',
                'visit': 'visit',
                'online': 'online',
                }.get(self.channel, 'other'),
            description=self.content,
            reception=self,
            )


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    journey_stage = fields.Selection(
        JOURNEY_STAGES, "Journey Stage", readonly=True, sort=False,
        help="The last step of the customer journey reached.")
    journey_steps = fields.One2Many(
        'svc.journey.step', 'party', "Journey Steps", readonly=True)

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('journey_stage', None)
        default.setdefault('journey_steps', None)
        return super().copy(parties, default=default)


class JourneyStep(ClockDefaultMixin, ModelSQL, ModelView):
    __name__ = 'svc.journey.step'
    __string__ = "Customer Journey Step"
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE')
    stage = fields.Selection(
        JOURNEY_STAGES[1:], "Stage", required=True, sort=False)
    date = fields.Date("Date", required=True)
    note = fields.Text("Note")
    lead = fields.Many2One(
        'svc.lead', "Lead", readonly=True, ondelete='SET NULL')
    user = fields.Many2One('res.user', "Recorded by", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('date', 'DESC'),
            ('id', 'DESC'),
            ]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_user(cls):
        return Transaction().user or None

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values['user'] = Transaction().user or None
        return values

    @classmethod
    def on_modification(cls, mode, steps, field_names=None):
        super().on_modification(mode, steps, field_names=field_names)
        if mode in {'create', 'write'}:
            cls.update_stages({s.party for s in steps})

    @classmethod
    def on_write(cls, steps, values):
        callback = super().on_write(steps, values)
        if 'party' in values:
            parties = {s.party for s in steps}
            callback.append(lambda: cls.update_stages(parties))
        return callback

    @classmethod
    def on_delete(cls, steps):
        parties = {s.party for s in steps}
        callback = super().on_delete(steps)
        callback.append(lambda: cls.update_stages(parties))
        return callback

    @classmethod
    def update_stages(cls, parties):
        "Set the journey stage of the parties to their latest step"
        pool = Pool()
        Party = pool.get('party.party')
        to_write = []
        with without_check_access():
            for party in Party.browse([p.id for p in parties]):
                steps = cls.search(
                    [('party', '=', party.id)], limit=1,
                    order=[('date', 'DESC'), ('id', 'DESC')])
                stage = steps[0].stage if steps else None
                if party.journey_stage != stage:
                    to_write.extend(([party], {'journey_stage': stage}))
            if to_write:
                Party.write(*to_write)
