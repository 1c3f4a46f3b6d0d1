# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import shutil
import subprocess
import tempfile
import unittest
from email.message import EmailMessage
from email.utils import format_datetime

from trytond.modules.company.tests import create_company, set_company
from trytond.modules.svc_customer_service.exceptions import (
    DuplicateReceptionWarning, RevisitError)
from trytond.modules.svc_customer_service.inbox import normalize_phone
from trytond.modules.svc_customer_service.tests.test_module import (
    create_caller, create_reception)
from trytond.modules.svc_repair.tests.test_module import ZhCnTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


def email_message(sender="王五 <wangwu@example.com>", attachment=b'photo'):
    message = EmailMessage()
    if sender:
        message['From'] = sender
    message['To'] = 'kefu@example.com'
    message['Subject'] = "报修: 厨房水管漏水"
    message['Date'] = format_datetime(
        dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone(
                dt.timedelta(hours=8))))
    message.set_content("您好，3栋1201厨房水管漏水，请尽快派人。")
    if attachment is not None:
        message.add_attachment(
            attachment, maintype='image', subtype='png',
            filename='漏水.png')
    return message


class PhoneTestCase(unittest.TestCase):
    "Test phone normalisation"

    def test_normalize_phone(self):
        for value, result in [
                ('138 0013 8000', '13800138000'),
                ('+86 138-0013-8000', '13800138000'),
                ('0086 13800138000', '13800138000'),
                ('8613800138000', '13800138000'),
                ('010-6552 9988', '01065529988'),
                ('(021) 5555-1234', '02155551234'),
                ('', ''),
                (None, None),
                ]:
            with self.subTest(value=value):
                self.assertEqual(normalize_phone(value), result)


class SvcCustomerServiceInboxTestCase(ZhCnTestCase):
    "Test the reception inbox"
    modules = ['svc_customer_service', 'svc_property']

    @with_transaction()
    def test_praise_answered_on_the_spot(self):
        "Test a praise is closed with the reply"
        pool = Pool()
        Reception = pool.get('svc.reception')
        company = create_company()
        with set_company(company):
            reception = create_reception(
                create_caller(), kind='praise', content="保安小王很负责",
                reply="已转达秩序维护部，谢谢表扬")
            Reception.close([reception])
            self.assertEqual(reception.state, 'closed')
            self.assertIsNone(reception.revisit_due)
        with Transaction().set_context(language='zh_CN'):
            selection = dict(
                Reception.fields_get(['kind'])['kind']['selection'])
        self.assertEqual(selection['praise'], "表扬")
        self.assertEqual(selection['repair'], "特约维修")

    @with_transaction()
    def test_phone_search(self):
        "Test searching by phone finds contact phone and caller's phones"
        pool = Pool()
        Reception = pool.get('svc.reception')
        company = create_company()
        with set_company(company), \
                Transaction().set_context(_skip_warnings=True):
            caller = create_caller()
            by_caller = create_reception(caller, contact_phone='010-1234 5678')
            by_phone = create_reception(
                create_caller("李四", '13900139000'),
                contact_phone='+86 138 0013 8000')
            other = create_reception(create_caller("赵六", '13700137000'))

            self.assertEqual(by_phone.contact_phone, '13800138000')
            found = Reception.search([('phone', '=', '138-0013-8000')])
            self.assertEqual(set(found), {by_caller, by_phone})
            found = Reception.search([('rec_name', 'ilike', '%138001%')])
            self.assertEqual(set(found), {by_caller, by_phone})
            self.assertNotIn(other, found)

    @with_transaction()
    def test_duplicate_call_warning(self):
        "Test a second call of the same caller within minutes warns"
        pool = Pool()
        Warning_ = pool.get('res.user.warning')
        Reception = pool.get('svc.reception')
        company = create_company()
        with set_company(company):
            caller = create_caller()
            first = create_reception(caller)
            with Transaction().set_context(language='zh_CN'):
                with self.assertRaises(DuplicateReceptionWarning) as cm:
                    create_reception(caller, content="又打来催")
            self.assertIn(first.number, cm.exception.message)
            self.assertIn("分钟", cm.exception.message)
            self.assertEqual(Reception.search([], count=True), 1)

            Warning_.create([{
                        'user': Transaction().user,
                        'name': cm.exception.name,
                        }])
            create_reception(caller, content="又打来催")
            self.assertEqual(Reception.search([], count=True), 2)

            later = first.received_at + dt.timedelta(minutes=30)
            create_reception(caller, received_at=later)
            self.assertEqual(Reception.search([], count=True), 3)

    @with_transaction()
    def test_revisit(self):
        "Test a closed repair reception is due a revisit"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Date = pool.get('ir.date')
        company = create_company()
        with set_company(company):
            reception = create_reception(
                create_caller(), kind='special_service',
                content="代订桶装水", reply="已送达")
            Reception.close([reception])
            self.assertEqual(
                reception.revisit_due, Date.today() + dt.timedelta(days=3))
            with self.assertRaises(RevisitError):
                Reception.revisit([reception])
            reception.revisit_method = 'phone'
            reception.revisit_feedback = "满意"
            reception.save()
            Reception.revisit([reception])
            self.assertTrue(reception.revisited_at)
            self.assertEqual(reception.revisited_by.id, Transaction().user)

    def process_email(self, message):
        pool = Pool()
        Inbox = pool.get('inbound.email.inbox')
        Email = pool.get('inbound.email')
        inbox = Inbox(name="客服邮箱", rules=[{
                    'action': 'svc.reception|from_inbound_email',
                    }])
        inbox.save()
        email, = Email.from_webhook(inbox, message.as_bytes(), 'raw')
        inbox.process(email)
        Email.save([email])
        return email

    @with_transaction()
    def test_reception_from_email(self):
        "Test an email creates a reception with its attachment"
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        company = create_company()
        with set_company(company):
            email = self.process_email(email_message())
            reception = email.result
            self.assertEqual(reception.channel, 'email')
            self.assertEqual(reception.caller.name, "王五")
            self.assertEqual(
                reception.caller.contact_mechanisms[0].value,
                'wangwu@example.com')
            self.assertEqual(
                reception.content,
                "报修: 厨房水管漏水\n您好，3栋1201厨房水管漏水，请尽快派人。")
            self.assertEqual(
                reception.received_at, dt.datetime(2026, 11, 20, 1, 30))
            attachment, = Attachment.search([
                    ('resource', '=', str(reception))])
            self.assertEqual(attachment.name, '漏水.png')
            self.assertEqual(attachment.data, b'photo')

            # The same sender is found again
            email = self.process_email(email_message())
            self.assertEqual(email.result.caller, reception.caller)

    @with_transaction()
    def test_email_refused(self):
        "Test an email without sender or with a large attachment is refused"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Configuration = pool.get('svc.reception.configuration')
        company = create_company()
        with set_company(company), \
                Transaction().set_context(language='zh_CN'):
            email = self.process_email(email_message(sender=None))
            self.assertIsNone(email.result)
            self.assertIsNone(email.rule)
            self.assertIn("发件人", email.reception_error)

            configuration = Configuration(1)
            configuration.email_attachment_max_size = 1
            configuration.save()
            email = self.process_email(email_message(attachment=b'x' * 2048))
            self.assertIsNone(email.result)
            self.assertIn("漏水.png", email.reception_error)
            self.assertEqual(Reception.search([], count=True), 0)

    @with_transaction()
    def test_lookup(self):
        "Test the caller card shows caller, house and history"
        pool = Pool()
        Lookup = pool.get('svc.reception.lookup', type='wizard')
        House = pool.get('svc.property.house')
        Estate = pool.get('svc.property.estate')
        company = create_company()
        with set_company(company):
            caller = create_caller()
            estate, = Estate.create([{
                        'name': "翠湖花园",
                        'buildings': [('create', [{
                                        'name': "3栋",
                                        'units': [('create', [{
                                                        'name': "2单元",
                                                        }])],
                                        }])],
                        }])
            house, = House.create([{
                        'unit': estate.buildings[0].units[0].id,
                        'number': "1201",
                        'owner': caller.id,
                        }])
            reception = create_reception(caller)
            session_id, _, _ = Lookup.create()
            lookup = Lookup(session_id)
            lookup.start.phone = '+86 138 0013 8000'
            result = lookup.default_result(None)
            self.assertEqual(result['callers'], [caller.id])
            self.assertEqual(result['houses'], [house.id])
            self.assertEqual(result['open_receptions'], [reception.id])

    @with_transaction()
    def test_open_requests_by_age(self):
        "Test the dashboard counts open requests by age"
        pool = Pool()
        Age = pool.get('svc.reception.age')
        company = create_company()
        now = dt.datetime.now().replace(microsecond=0)
        with set_company(company), \
                Transaction().set_context(_skip_warnings=True):
            caller = create_caller()
            create_reception(caller, received_at=now)
            create_reception(caller, received_at=now - dt.timedelta(days=2))
            create_reception(
                caller, kind='consultation',
                received_at=now - dt.timedelta(days=10))
            lines = Age.search([])
            self.assertEqual(
                sorted((l.age, l.kind, l.receptions) for l in lines),
                [('1', 'repair', 1), ('2', 'repair', 1),
                    ('4', 'consultation', 1)])

    @unittest.skipUnless(
        shutil.which('soffice') and shutil.which('pdftotext'),
        "LibreOffice and pdftotext are needed")
    @with_transaction()
    def test_register_pdf(self):
        "Test the daily register prints the day's receptions in Chinese"
        pool = Pool()
        Register = pool.get('svc.reception.register', type='wizard')
        Report = pool.get('svc.reception.register.report', type='report')
        Date = pool.get('ir.date')
        company = create_company()
        with set_company(company), \
                Transaction().set_context(language='zh_CN'):
            create_reception(create_caller(), content="厨房水管漏水")
            session_id, _, _ = Register.create()
            register = Register(session_id)
            register.start.company = company
            register.start.date = Date.today()
            register.start.channel = None
            _, data = register.do_print_(None)
            ext, content, _, _ = Report.execute([], data)
        self.assertEqual(ext, 'pdf')
        with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf:
            pdf.write(content)
            pdf.flush()
            text = subprocess.run(
                ['pdftotext', '-layout', pdf.name, '-'],
                capture_output=True, check=True, text=True).stdout
        for expected in ["接待记录", "厨房水管漏水", "张三", "特约维修", "来电"]:
            self.assertIn(expected, text)
