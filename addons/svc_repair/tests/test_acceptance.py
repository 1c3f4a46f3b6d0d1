# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
import re
import shutil
import subprocess
import tempfile
import unittest
from unittest.mock import patch

import trytond.config as config
from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.company.tests import set_company
from trytond.modules.svc_repair.acceptance import image_type
from trytond.modules.svc_repair.exceptions import (
    FollowUpDoneError, ImageValidationError, SatisfactionValidationError,
    TicketRevisitError, TicketSignatureError)
from trytond.modules.svc_repair.tests.test_module import (
    ZhCnTestCase, as_user, frozen, savepoint, setup_repair)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

# A LibreOffice profile for each conversion: the default profile is shared
# with the other tests running soffice at the same time
CONVERT_COMMAND = (
    'soffice -env:UserInstallation=file://%(directory)s/lo-profile '
    '--headless --nolockcheck --nodefault --norestore '
    '--convert-to "%(output_extension)s" --outdir "%(directory)s" '
    '"%(input_path)s"')


def own_profile():
    get = config.get

    def get_convert_command(section, option, default=None):
        if (section, option) == ('report', 'convert_command'):
            return CONVERT_COMMAND
        return get(section, option, default=default)
    return patch.object(config, 'get', get_convert_command)


PNG = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00'
    b'\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff'
    b'\xff?\x00\x05\xfe\x02\xfe\r\xefF\xb8\x00\x00\x00\x00IEND\xaeB`\x82')


class SvcRepairAcceptanceTestCase(ZhCnTestCase):
    "Test acceptance, satisfaction, revisit, reports and statistics"

    def setup_repair(self):
        return setup_repair()

    def done_ticket(self, env, **values):
        Ticket = Pool().get('svc.repair.ticket')
        values.setdefault('reporter', env.reporter.id)
        values.setdefault('description', "厨房水管漏水")
        values.setdefault('grade', 'B')
        values.setdefault('urgency', 'general')
        values.setdefault('technician', env.tech1.id)
        ticket, = Ticket.create([values])
        Ticket.dispatch([ticket])
        Ticket.start([ticket])
        ticket.work_report = "更换水龙头阀芯"
        ticket.save()
        Ticket.finish([ticket])
        return ticket

    def accepted_ticket(self, env, scores=(5, 5, 5), **values):
        Ticket = Pool().get('svc.repair.ticket')
        ticket = self.done_ticket(env, **values)
        Ticket.write([ticket], {
                'acceptance_result': 'satisfied',
                'satisfaction_response': scores[0],
                'satisfaction_ability': scores[1],
                'satisfaction_attitude': scores[2],
                })
        Ticket.accept([ticket])
        return ticket

    def test_image_type(self):
        "Test images are recognised by their first bytes"
        self.assertEqual(image_type(PNG), 'image/png')
        self.assertEqual(image_type(b'\xff\xd8\xff\xe0rest'), 'image/jpeg')
        self.assertEqual(image_type(b'GIF89a...'), 'image/gif')
        self.assertEqual(image_type(b'RIFF\x00\x00\x00\x00WEBPVP8 '),
            'image/webp')
        self.assertIsNone(image_type(b'%PDF-1.7'))
        self.assertIsNone(image_type(b'<svg xmlns="http://www.w3.org/"/>'))

    @with_transaction()
    def test_configuration_defaults(self):
        "Test the defaults of acceptance and revisit"
        Configuration = Pool().get('svc.repair.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.signature_max_size, 512)
        self.assertEqual(configuration.photo_max_size, 1024)
        self.assertEqual(configuration.revisit_days, 3)
        self.assertEqual(configuration.satisfaction_low_score, 2)
        self.assertEqual(configuration.satisfaction_low_average, 3.0)
        self.assertFalse(configuration.signature_required)
        for scores, low in [
                ([5, 5, 5], False), ([3, 3, 3], False), ([2, 5, 5], True),
                ([3, 3, 2], True), ([3, 3, None], False),
                ([None, None, None], False), ([2.9], True)]:
            with self.subTest(scores=scores):
                self.assertEqual(
                    configuration.is_low_satisfaction(scores), low)

    @with_transaction()
    def test_signature_refused(self):
        "Test a signature that is not an image or too large is refused"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Configuration = pool.get('svc.repair.configuration')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.done_ticket(env)
            Ticket.write([ticket], {
                    'customer_signature': PNG, 'signed_by_name': "张三"})
            self.assertEqual(bytes(ticket.customer_signature), PNG)

            with Transaction().set_context(language='zh_CN'):
                with self.assertRaises(ImageValidationError) as cm:
                    Ticket.write([ticket], {
                            'customer_signature': b'%PDF-1.7 not an image',
                            'signed_by_name': "李四"})
                self.assertEqual(
                    cm.exception.message,
                    "客户签名必须是 PNG、JPEG、GIF 或 WebP 格式的图片。")
                Configuration.write(
                    [Configuration(1)], {'signature_max_size': 1})
                big = PNG + b'\x00' * 2048
                with self.assertRaises(ImageValidationError) as cm:
                    Ticket.write([ticket], {'customer_signature': big})
                self.assertEqual(
                    cm.exception.message,
                    "客户签名大小为 2 KB，超过了 1 KB 的上限。")
            # Nothing written
            ticket = Ticket(ticket.id)
            self.assertEqual(bytes(ticket.customer_signature), PNG)
            self.assertEqual(ticket.signed_by_name, "张三")

    @with_transaction()
    def test_photos(self):
        "Test the technician adds before and after photos on his tickets"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Photo = pool.get('svc.repair.ticket.photo')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.done_ticket(env)
            with as_user(env.users.tech1):
                Photo.create([
                        {'ticket': ticket.id, 'kind': 'before',
                            'image': PNG},
                        {'ticket': ticket.id, 'kind': 'after',
                            'image': PNG, 'remark': "已修好"},
                        ])
                with self.assertRaises(ImageValidationError):
                    Photo.create([{
                                'ticket': ticket.id, 'kind': 'after',
                                'image': b'not an image'}])
            self.assertEqual(
                [(p.kind, p.taken_by) for p in Ticket(ticket.id).photos],
                [('before', env.users.tech1), ('after', env.users.tech1)])
            with as_user(env.users.tech2):
                with self.assertRaises(AccessError):
                    Photo.create([{
                                'ticket': ticket.id, 'kind': 'after',
                                'image': PNG}])
                self.assertEqual(Photo.search([]), [])

    @with_transaction()
    def test_scores(self):
        "Test scores outside 1 to 5 are refused and averaged"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.done_ticket(env)
            for value in [0, 6, -1]:
                with self.subTest(value=value):
                    with self.assertRaises(SatisfactionValidationError), \
                            savepoint():
                        Ticket.write(
                            [ticket], {'satisfaction_attitude': value})
            with Transaction().set_context(language='zh_CN'):
                with self.assertRaises(SatisfactionValidationError) as cm, \
                        savepoint():
                    Ticket.write([ticket], {'satisfaction_response': 7})
                self.assertIn("响应速度", cm.exception.message)
                self.assertIn("1 到 5", cm.exception.message)
            Ticket.write([ticket], {
                    'satisfaction_response': 4,
                    'satisfaction_ability': 5,
                    })
            self.assertEqual(Ticket(ticket.id).satisfaction_average, 4.5)

    @with_transaction()
    def test_accept_signature_required(self):
        "Test acceptance needs the signature when configured"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Configuration = pool.get('svc.repair.configuration')
        env = self.setup_repair()
        with set_company(env.company):
            Configuration.write(
                [Configuration(1)], {'signature_required': True})
            ticket = self.done_ticket(env)
            ticket.acceptance_result = 'satisfied'
            ticket.save()
            with self.assertRaises(TicketSignatureError):
                Ticket.accept([ticket])
            self.assertEqual(ticket.state, 'done')
            ticket.customer_signature = PNG
            ticket.save()
            Ticket.accept([ticket])
            self.assertEqual(ticket.state, 'accepted')

    @with_transaction()
    def test_low_score_follow_up(self):
        "Test a low score opens one follow-up for the manager"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        FollowUp = pool.get('svc.repair.follow_up')
        env = self.setup_repair()
        with set_company(env.company):
            good = self.accepted_ticket(env, scores=(5, 4, 5))
            self.assertEqual(good.follow_ups, ())
            bad = self.accepted_ticket(env, scores=(4, 2, 5))
            follow_up, = bad.follow_ups
            self.assertEqual(follow_up.state, 'open')
            self.assertEqual(follow_up.origin, 'acceptance')
            self.assertEqual(follow_up.technician, env.tech1)
            self.assertIn("2", follow_up.reason)

            # Still open: the revisit does not open another
            Ticket.write([bad], {'revisit_satisfaction': 'unsatisfied'})
            Ticket.revisit([bad])
            self.assertEqual(len(Ticket(bad.id).follow_ups), 1)

            # The revisit of the good one finds the customer unsatisfied
            Ticket.write([good], {'revisit_satisfaction': 'unsatisfied',
                    'revisit_remark': "上门迟到"})
            Ticket.close([good])
            follow_up2, = Ticket(good.id).follow_ups
            self.assertEqual(follow_up2.origin, 'revisit')
            self.assertIn("上门迟到", follow_up2.reason)

            with as_user(env.users.reception):
                self.assertEqual(len(FollowUp.search([])), 2)
                with self.assertRaises(AccessError):
                    FollowUp.write([follow_up], {'result': "已致歉"})
                with self.assertRaises(AccessButtonError):
                    FollowUp.done([follow_up])
            with as_user(env.users.tech1):
                with self.assertRaises(AccessError):
                    FollowUp.search([])
                # The form of his ticket leaves them out
                view = Ticket.fields_view_get(view_type='form')
                self.assertNotIn('follow_ups', view['fields'])
                self.assertIn('satisfaction_average', view['fields'])
                with self.assertRaises(AccessError):
                    Ticket.read([bad.id], ['follow_ups'])
            with as_user(env.users.manager):
                with self.assertRaises(FollowUpDoneError):
                    FollowUp.done([follow_up])
                FollowUp.write([follow_up], {'result': "主管致电致歉，赠送保养"})
                FollowUp.done([follow_up])
            follow_up = FollowUp(follow_up.id)
            self.assertEqual(follow_up.state, 'done')
            self.assertEqual(follow_up.done_by, env.users.manager)
            self.assertTrue(follow_up.done_at)

    @with_transaction()
    def test_revisit(self):
        "Test the revisit is due days after done and recorded by reception"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            # 23:00 UTC is 07:00 the next day in Shanghai
            env.company.timezone = 'Asia/Shanghai'
            env.company.save()
            with frozen(dt.datetime(2026, 3, 1, 23, 0)):
                ticket = self.accepted_ticket(env)
            self.assertEqual(ticket.revisit_due, dt.date(2026, 3, 5))
            other = self.done_ticket(env)

            due = [('state', 'in', ['done', 'accepted']),
                ('revisited_at', '=', None)]
            self.assertEqual(
                set(Ticket.search(due)), {ticket, other})
            overdue = due + [('revisit_due', '<', dt.date(2026, 3, 6))]
            self.assertEqual(Ticket.search(overdue), [ticket])

            with as_user(env.users.tech1):
                with self.assertRaises(AccessError):
                    Ticket.write(
                        [ticket], {'revisit_satisfaction': 'satisfied'})
                with self.assertRaises(AccessButtonError):
                    Ticket.revisit([ticket])
            with as_user(env.users.reception):
                with self.assertRaises(TicketRevisitError):
                    Ticket.revisit([ticket])
                # Not accepted yet
                with self.assertRaises(AccessButtonError):
                    Ticket.revisit([other])
                Ticket.write([ticket], {
                        'revisit_satisfaction': 'very_satisfied',
                        'revisit_method': 'phone',
                        })
                Ticket.revisit([ticket])
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.revisited_by, env.users.reception)
            self.assertTrue(ticket.revisited_at)
            self.assertEqual(ticket.follow_ups, ())
            self.assertEqual(Ticket.search(due), [other])

            # Closing keeps the first stamp
            revisited_at = ticket.revisited_at
            with as_user(env.users.reception):
                Ticket.close([ticket])
            self.assertEqual(Ticket(ticket.id).revisited_at, revisited_at)

    @with_transaction()
    def test_service_file(self):
        "Test the party and equipment show their tickets and satisfaction"
        pool = Pool()
        Equipment = pool.get('svc.repair.equipment')
        Party = pool.get('party.party')
        Template = pool.get('product.template')
        ModelData = pool.get('ir.model.data')
        env = self.setup_repair()
        with set_company(env.company):
            template, = Template.create([{
                        'name': "燃气热水器",
                        'default_uom': ModelData.get_id('product', 'uom_unit'),
                        'products': [('create', [{}])]}])
            equipment, = Equipment.create([{
                        'product': template.products[0].id,
                        'serial_number': 'SN-001',
                        'customer': env.reporter.id}])
            self.accepted_ticket(
                env, scores=(5, 5, 5), equipment=equipment.id)
            self.accepted_ticket(
                env, scores=(3, 4, 2), equipment=equipment.id)
            self.done_ticket(env)
            equipment = Equipment(equipment.id)
            self.assertEqual(equipment.repair_ticket_count, 2)
            self.assertEqual(equipment.repair_satisfaction, 4.0)
            party = Party(env.reporter.id)
            self.assertEqual(party.repair_ticket_count, 3)
            self.assertEqual(party.repair_satisfaction, 4.0)

    @with_transaction()
    def test_statistics(self):
        "Test the monthly statistics on known tickets"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Category = pool.get('svc.repair.category')
        Statistic = pool.get('svc.repair.ticket.statistic')
        Month = pool.get('svc.repair.ticket.statistic.month')
        env = self.setup_repair()
        with set_company(env.company):
            plumbing, electric = Category.create([
                    {'name': "水电", 'code': 'SD'},
                    {'name': "电梯", 'code': 'DT'}])
            march = dt.datetime(2026, 3, 10, 9, 0)
            april = dt.datetime(2026, 4, 2, 9, 0)
            with frozen(march + dt.timedelta(hours=2)):
                t1 = self.accepted_ticket(env, scores=(5, 5, 5),
                    reported_at=march, category=plumbing.id)
                t2 = self.accepted_ticket(env, scores=(2, 3, 4),
                    reported_at=march, category=plumbing.id)
            with frozen(march + dt.timedelta(days=30)):
                self.done_ticket(env, reported_at=march,
                    category=plumbing.id)
            with frozen(april + dt.timedelta(hours=2)):
                self.done_ticket(
                    env, reported_at=april, category=electric.id, grade='C')
            cancelled, = Ticket.create([{
                        'reporter': env.reporter.id, 'description': "x",
                        'reported_at': march, 'category': plumbing.id,
                        'grade': 'B'}])
            Ticket.cancel([cancelled])
            self.assertTrue(t1.resolution_met and t2.resolution_met)

            statistics = Statistic.search([])
            self.assertEqual([
                    (s.month, s.category.code, s.grade, s.ticket_count,
                        s.finished_count, s.met_count, s.met_rate,
                        s.rated_count, s.satisfaction_average)
                    for s in statistics], [
                    (dt.date(2026, 4, 1), 'DT', 'C', 1, 1, 1, 100.0, 0,
                        None),
                    (dt.date(2026, 3, 1), 'SD', 'B', 3, 3, 2, 66.7, 2,
                        4.0),
                    ])
            march_total, = Month.search([('month', '=', dt.date(2026, 3, 1))])
            self.assertEqual(march_total.ticket_count, 3)
            with as_user(env.users.tech1):
                with self.assertRaises(AccessError):
                    Statistic.search([])
            with as_user(env.users.manager):
                self.assertEqual(len(Month.search([])), 2)

    @with_transaction()
    def test_dispatch_order_report(self):
        "Test the dispatch order prints as PDF with the Chinese texts"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Report = pool.get('svc.repair.ticket.dispatch_order', type='report')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.done_ticket(env, address="翠湖花园 3栋2单元 1201")
            Ticket.write([ticket], {
                    'customer_signature': PNG, 'signed_by_name': "张三",
                    'acceptance_result': 'satisfied',
                    'satisfaction_response': 5,
                    })
            if not shutil.which('soffice'):
                raise unittest.SkipTest("soffice is missing")
            with Transaction().set_context(language='zh_CN'), own_profile():
                oext, content, _, name = Report.execute([ticket.id], {})
            self.assertEqual(oext, 'pdf')
            self.assertTrue(content.startswith(b'%PDF'))
            if not shutil.which('pdftotext'):
                raise unittest.SkipTest("pdftotext is missing")
            with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf:
                pdf.write(content)
                pdf.flush()
                text = subprocess.run(
                    ['pdftotext', '-layout', pdf.name, '-'],
                    capture_output=True, check=True, text=True).stdout
                if shutil.which('pdfimages'):
                    images = subprocess.run(
                        ['pdfimages', '-list', pdf.name],
                        capture_output=True, check=True,
                        text=True).stdout.splitlines()[2:]
                    # The signature
                    self.assertEqual(len(images), 1)
            text = re.sub(r'\s', '', text)
            for expected in [
                    "服务派工单", ticket.number, "客户：张三",
                    "翠湖花园3栋2单元1201", "李师傅", "B一般维修",
                    "厨房水管漏水", "更换水龙头阀芯", "满意", "签字人：张三",
                    "响应速度：5/5"]:
                with self.subTest(expected=expected):
                    self.assertIn(expected, text)
