# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import re

from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import DuplicateReceptionWarning, RevisitError

_PHONE_NOISE = re.compile(r'[\s\-().]')
_PHONE_PREFIX = re.compile(r'^(?:\+|00)86(?=1\d{10}$|0\d{9,11}$)')


def normalize_phone(value):
    "Return the phone number without spaces, dashes and the +86 prefix"
    if not value:
        return value
    value = _PHONE_NOISE.sub('', value)
    value = _PHONE_PREFIX.sub('', value)
    if len(value) == 13 and value.startswith('861'):
        value = value[2:]
    return value


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.reception.configuration'
    duplicate_minutes = fields.Integer(
        "Duplicate Call Minutes",
        domain=['OR',
            ('duplicate_minutes', '=', None),
            ('duplicate_minutes', '>=', 0),
            ],
        help="Warn when the same caller or phone is received again "
        "within this many minutes of an open reception.")
    email_attachment_max_size = fields.Integer(
        "Email Attachment Limit (KB)",
        domain=['OR',
            ('email_attachment_max_size', '=', None),
            ('email_attachment_max_size', '>', 0),
            ],
        help="Emails with a larger attachment are refused.")
    revisit_days = fields.Integer(
        "Revisit after (days)",
        domain=['OR',
            ('revisit_days', '=', None),
            ('revisit_days', '>=', 0),
            ],
        help="When a repair or special-service reception is closed, "
        "the customer is due a revisit after this many days.")

    @classmethod
    def default_duplicate_minutes(cls):
        return 10

    @classmethod
    def default_email_attachment_max_size(cls):
        return 5 * 1024

    @classmethod
    def default_revisit_days(cls):
        return 3


class Reception(metaclass=PoolMeta):
    __name__ = 'svc.reception'
    phone = fields.Function(fields.Char(
            "Phone",
            help="Finds the receptions by the contact phone or by any phone "
            "of the caller."),
        'get_phone', searcher='search_phone')
    revisit_due = fields.Date(
        "Revisit Due",
        states={
            'readonly': Eval('state').in_(['cancelled'])
            | Eval('revisited_at'),
            },
        help="When the customer must be revisited about the result.")
    revisit_method = fields.Selection([
            (None, ""),
            ('phone', "Phone"),
            ('visit', "Visit"),
            ], "Revisit Method",
        states={
            'readonly': Eval('state') != 'closed',
            })
    revisit_feedback = fields.Text(
        "Revisit Feedback",
        states={
            'readonly': Eval('state') != 'closed',
            },
        help="What the customer said about the result.")
    revisited_at = fields.DateTime("Revisited at", readonly=True)
    revisited_by = fields.Many2One('res.user', "Revisited by", readonly=True)

    @classmethod
    def __setup__(cls):
        cls.contact_phone.search_unaccented = False
        super().__setup__()
        if ('praise', "Praise") not in cls.kind.selection:
            cls.kind.selection.append(('praise', "Praise"))
        cls.revisit_feedback.search_full_text = False
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.contact_phone, Index.Equality())),
                Index(t, (t.caller, Index.Range())),
                Index(
                    t,
                    (t.received_at, Index.Range(order='DESC')),
                    (t.id, Index.Range(order='DESC')),
                    where=t.state.in_(['open', 'processing'])),
                Index(
                    t, (t.revisit_due, Index.Range()),
                    where=(t.state == 'closed') & (t.revisited_at == Null)),
                })
        cls._buttons.update({
                'revisit': {
                    'invisible': ((Eval('state') != 'closed')
                        | Eval('revisited_at')),
                    'depends': ['state', 'revisited_at'],
                    },
                })

    def get_phone(self, name):
        return self.contact_phone

    @classmethod
    def search_phone(cls, name, clause):
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        _, operator, value, *extra = clause
        if isinstance(value, str):
            value = normalize_phone(value)
        elif isinstance(value, (list, tuple)):
            value = [normalize_phone(v) for v in value]
        if operator == '=' and value:
            # Two index lookups instead of an OR that scans every reception
            reception = cls.__table__()
            mechanism = ContactMechanism.__table__()
            by_phone = reception.select(
                reception.id, where=reception.contact_phone == value)
            by_caller = reception.join(
                mechanism, condition=reception.caller == mechanism.party
                ).select(
                    reception.id,
                    where=(mechanism.value_compact == value)
                    & mechanism.type.in_(['phone', 'mobile'])
                    & mechanism.active)
            return [('id', 'in', by_phone | by_caller)]
        return ['OR',
            ('contact_phone', operator, value, *extra),
            ('caller.contact_mechanisms', 'where', [
                    ('value_compact', operator, value, *extra),
                    ('type', 'in', ['phone', 'mobile']),
                    ]),
            ]

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        if (isinstance(clause[2], str)
                and re.fullmatch(r'[\d\s\-+().%]+', clause[2])
                and clause[1] in {'=', 'ilike', 'like'}):
            domain = ['OR', domain, ('phone', *clause[1:])]
        return domain

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('contact_phone'):
            values['contact_phone'] = normalize_phone(values['contact_phone'])
        return values

    @classmethod
    def create(cls, vlist):
        cls.check_duplicate_call(vlist)
        return super().create(vlist)

    @classmethod
    def check_duplicate_call(cls, vlist):
        pool = Pool()
        Configuration = pool.get('svc.reception.configuration')
        Warning = pool.get('res.user.warning')
        minutes = Configuration(1).duplicate_minutes
        if not minutes or not Transaction().user:
            return
        delta = dt.timedelta(minutes=minutes)
        for values in vlist:
            received_at = values.get('received_at') or dt.datetime.now()
            phone = normalize_phone(values.get('contact_phone'))
            if not values.get('caller') and not phone:
                continue
            same = [('caller', '=', values.get('caller'))]
            if phone:
                same = ['OR', same, ('contact_phone', '=', phone)]
            with Transaction().set_context(_check_access=False):
                duplicates = cls.search([
                        ('company', '=', values.get(
                                'company', cls.default_company())),
                        ('state', '=', 'open'),
                        ('received_at', '>=', received_at - delta),
                        ('received_at', '<=', received_at + delta),
                        same,
                        ], limit=1)
            if duplicates:
                duplicate, = duplicates
                key = Warning.format('svc_reception_duplicate', duplicates)
                if Warning.check(key):
                    raise DuplicateReceptionWarning(key, gettext(
                            'svc_customer_service'
                            '.msg_reception_duplicate_call',
                            reception=duplicate.rec_name,
                            caller=duplicate.caller.rec_name,
                            minutes=minutes))

    @classmethod
    def copy(cls, receptions, default=None):
        default = default.copy() if default is not None else {}
        for name in ['revisit_due', 'revisit_method', 'revisit_feedback',
                'revisited_at', 'revisited_by']:
            default.setdefault(name, None)
        return super().copy(receptions, default=default)

    @classmethod
    def close(cls, receptions):
        pool = Pool()
        Configuration = pool.get('svc.reception.configuration')
        Date = pool.get('ir.date')
        super().close(receptions)
        days = Configuration(1).revisit_days
        if days is None:
            return
        due = Date.today() + dt.timedelta(days=days)
        # Work orders carry their own revisit
        to_revisit = [
            r for r in receptions
            if r.kind in cls._revisit_kinds()
            and not r.ticket and not r.revisit_due]
        if to_revisit:
            cls.write(to_revisit, {'revisit_due': due})

    @classmethod
    def _revisit_kinds(cls):
        "Return the kinds whose customers are revisited after closing"
        return {'repair', 'special_service'}

    @classmethod
    @ModelView.button
    def revisit(cls, receptions):
        for reception in receptions:
            if (reception.state != 'closed'
                    or not reception.revisit_method
                    or not reception.revisit_feedback):
                raise RevisitError(gettext(
                        'svc_customer_service.msg_reception_revisit',
                        reception=reception.rec_name))
        cls.write(receptions, {
                'revisited_at': dt.datetime.now().replace(microsecond=0),
                'revisited_by': Transaction().user or None,
                })


class LookupStart(ModelView):
    __name__ = 'svc.reception.lookup.start'
    __string__ = "Caller Lookup"
    phone = fields.Char(
        "Phone", required=True,
        help="The phone number of the caller, with or without +86.")


class LookupResult(ModelView):
    __name__ = 'svc.reception.lookup.result'
    __string__ = "Caller Card"
    phone = fields.Char("Phone", readonly=True)
    callers = fields.Many2Many(
        'party.party', None, None, "Callers", readonly=True)
    open_receptions = fields.Many2Many(
        'svc.reception', None, None, "Open Requests", readonly=True)
    receptions = fields.Many2Many(
        'svc.reception', None, None, "History", readonly=True)
    tickets = fields.Many2Many(
        'svc.repair.ticket', None, None, "Work Orders", readonly=True)


class Lookup(Wizard):
    __name__ = 'svc.reception.lookup'
    start = StateView(
        'svc.reception.lookup.start',
        'svc_customer_service.reception_lookup_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Find", 'find', 'tryton-search', default=True),
            ])
    find = StateTransition()
    result = StateView(
        'svc.reception.lookup.result',
        'svc_customer_service.reception_lookup_result_view_form', [
            Button("New Lookup", 'start', 'tryton-back'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_find(self):
        return 'result'

    def default_result(self, fields):
        pool = Pool()
        Reception = pool.get('svc.reception')
        Party = pool.get('party.party')
        Ticket = pool.get('svc.repair.ticket')
        phone = normalize_phone(self.start.phone)
        receptions = Reception.search([('phone', '=', phone)], limit=200)
        callers = Party.search([
                ('contact_mechanisms', 'where', [
                        ('value_compact', '=', phone),
                        ('type', 'in', ['phone', 'mobile']),
                        ]),
                ])
        callers = list(dict.fromkeys(
                callers + [r.caller for r in receptions]))
        tickets = Ticket.search([
                ('reporter', 'in', [c.id for c in callers]),
                ], limit=200) if callers else []
        return {
            'phone': phone,
            'callers': [c.id for c in callers],
            'open_receptions': [
                r.id for r in receptions
                if r.state in {'open', 'processing'}],
            'receptions': [r.id for r in receptions],
            'tickets': [t.id for t in tickets],
            }
