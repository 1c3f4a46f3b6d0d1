# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from email.utils import getaddresses, parsedate_to_datetime

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions import InboundEmailError


class InboundEmail(metaclass=PoolMeta):
    __name__ = 'inbound.email'
    reception_error = fields.Text(
        "Reception Error", readonly=True,
        help="Why no reception was created from the email.")


class InboundEmailRule(metaclass=PoolMeta):
    __name__ = 'inbound.email.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        action = ('svc.reception|from_inbound_email', "Create Reception")
        if action not in cls.action.selection:
            cls.action.selection.append(action)


class Reception(metaclass=PoolMeta):
    __name__ = 'svc.reception'

    @classmethod
    def from_inbound_email(cls, inbound_email, rule):
        "Return a new reception for the email or None with the error noted"
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        values = inbound_email.as_dict()
        # An email cannot confirm a warning: the clerk sees both receptions
        try:
            with Transaction().set_context(_skip_warnings=True):
                reception = cls._reception_from_email(values)
                reception.save()
        except InboundEmailError as exception:
            inbound_email.reception_error = exception.message
            # Without a rule the email can be processed again once fixed
            inbound_email.rule = None
            return None
        Attachment.save([
                Attachment(
                    resource=reception,
                    name=a.get('filename') or 'attachment',
                    type='data',
                    data=a['data'])
                for a in values.get('attachments', [])])
        inbound_email.reception_error = None
        return reception

    @classmethod
    def _reception_from_email(cls, values):
        pool = Pool()
        Configuration = pool.get('svc.reception.configuration')
        Company = pool.get('company.company')
        sender = values.get('from')
        subject = values.get('subject') or ''
        if not sender:
            raise InboundEmailError(gettext(
                    'svc_customer_service.msg_inbound_email_no_sender',
                    subject=subject))
        limit = Configuration(1).email_attachment_max_size
        for attachment in values.get('attachments', []):
            size = len(attachment.get('data') or b'')
            if limit and size > limit * 1024:
                raise InboundEmailError(gettext(
                        'svc_customer_service'
                        '.msg_inbound_email_attachment_too_large',
                        sender=sender,
                        attachment=attachment.get('filename') or '',
                        size=size // 1024,
                        limit=limit))
        company = cls.default_company()
        if company is None:
            companies = Company.search([], order=[('id', 'ASC')], limit=1)
            company = companies[0].id if companies else None
        headers = values.get('headers', {})
        name = ''
        if headers.get('From'):
            name, _ = getaddresses([str(headers['From'])])[0]
        caller = cls._email_caller(sender, name)
        content = '\n'.join(
            filter(None, [subject, (values.get('text') or '').strip()]))
        reception = cls(
            company=company,
            channel='email',
            kind='consultation',
            caller=caller,
            content=content or sender,
            received_at=cls._email_date(headers.get('Date')),
            )
        reception.on_change_caller()
        return reception

    @classmethod
    def _email_caller(cls, address, name):
        pool = Pool()
        Party = pool.get('party.party')
        ContactMechanism = pool.get('party.contact_mechanism')
        mechanisms = ContactMechanism.search([
                ('type', '=', 'email'),
                ('value', '=', address),
                ], order=[('id', 'ASC')], limit=1)
        if mechanisms:
            return mechanisms[0].party
        party = Party(
            name=name or address,
            contact_mechanisms=[
                ContactMechanism(type='email', value=address)])
        party.save()
        return party

    @classmethod
    def _email_date(cls, value):
        received_at = None
        if value:
            try:
                received_at = parsedate_to_datetime(str(value))
            except (TypeError, ValueError):
                pass
        if received_at is None:
            return dt.datetime.now().replace(microsecond=0)
        if received_at.tzinfo:
            received_at = received_at.astimezone(dt.timezone.utc).replace(
                tzinfo=None)
        # Avoid a reception in the future from a wrong sender clock
        return min(received_at, dt.datetime.now()).replace(microsecond=0)
