# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.tools import timezone as tz
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard


def _company_timezone(company):
    if company and company.timezone:
        return tz.ZoneInfo(company.timezone)
    return tz.UTC


class RegisterStart(ModelView):
    __name__ = 'svc.reception.register.start'
    __string__ = "Print Reception Register"
    company = fields.Many2One('company.company', "Company", required=True)
    date = fields.Date("Date", required=True)
    channel = fields.Selection(
        'get_channels', "Channel",
        help="Leave empty to print every channel.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def get_channels(cls):
        pool = Pool()
        Reception = pool.get('svc.reception')
        selection = Reception.fields_get(['channel'])['channel']['selection']
        return [(None, "")] + selection


class Register(Wizard):
    __name__ = 'svc.reception.register'
    start = StateView(
        'svc.reception.register.start',
        'svc_customer_service.reception_register_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('svc.reception.register.report')

    def do_print_(self, action):
        return action, {
            'company': self.start.company.id,
            'date': self.start.date.isoformat(),
            'channel': self.start.channel,
            }


class RegisterReport(Report):
    __name__ = 'svc.reception.register.report'

    @classmethod
    def _get_records(cls, ids, model, data):
        pool = Pool()
        Reception = pool.get('svc.reception')
        Company = pool.get('company.company')
        if 'date' not in data:
            return super()._get_records(ids, model, data)
        company = Company(data['company'])
        zone = _company_timezone(company)
        day = dt.date.fromisoformat(data['date'])
        start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        start = start.astimezone(tz.UTC).replace(tzinfo=None)
        domain = [
            ('company', '=', company.id),
            ('received_at', '>=', start),
            ('received_at', '<', start + dt.timedelta(days=1)),
            ]
        if data.get('channel'):
            domain.append(('channel', '=', data['channel']))
        return Reception.search(
            domain, order=[('received_at', 'ASC'), ('id', 'ASC')])

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        Reception = pool.get('svc.reception')
        context = super().get_context(records, header, data)
        company = Company(data['company']) if data.get('company') else None
        zone = _company_timezone(company)
        selections = {
            n: dict(f['selection'])
            for n, f in Reception.fields_get(
                ['channel', 'kind', 'state']).items()}

        def local(value):
            return value.replace(tzinfo=tz.UTC).astimezone(zone)

        def route(reception):
            if reception.ticket:
                return reception.ticket.rec_name
            leads = getattr(reception, 'leads', None)
            if leads:
                return ', '.join(lead.rec_name for lead in leads)
            return reception.reply or ''

        context['company'] = company
        context['day'] = data.get('date', '')
        context['channel'] = selections['channel'].get(
            data.get('channel')) or ''
        context['label'] = lambda r, name: selections[name].get(
            getattr(r, name), '')
        context['time'] = lambda r: local(r.received_at).strftime('%H:%M')
        context['route'] = route
        context['printed_at'] = local(dt.datetime.now()).strftime(
            '%Y-%m-%d %H:%M')
        return context
