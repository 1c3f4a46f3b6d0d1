# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
import re
import shutil
import subprocess
import tempfile
import unittest
from types import SimpleNamespace

from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.svc_repair.exceptions import (
    PickupDeleteError, PickupHandBackError, PickupManufacturerError,
    TicketPickupAwayError, TicketRemoteError)
from trytond.modules.svc_repair.tests.test_module import (
    ZhCnTestCase, as_user, create_user, savepoint)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


class SvcRepairTakeBackTestCase(ZhCnTestCase):
    "Test remote guidance and take-back repair"

    def setup_repair(self):
        pool = Pool()
        Party = pool.get('party.party')
        Template = pool.get('product.template')
        Equipment = pool.get('svc.repair.equipment')
        company = create_company()
        tech1 = create_employee(company, "李师傅")
        tech2 = create_employee(company, "王师傅")
        customer, supplier = Party.create([
                {'name': "张三"}, {'name': "美的售后服务中心"}])
        template, = Template.create([{
                    'name': "美的空调 KFR-35GW",
                    'default_uom': pool.get('ir.model.data').get_id(
                        'product', 'uom_unit'),
                    'products': [('create', [{}])],
                    }])
        equipment, = Equipment.create([{
                    'company': company.id,
                    'product': template.products[0].id,
                    'serial_number': 'SN-2024-0001',
                    'customer': customer.id,
                    }])
        users = SimpleNamespace(
            reception=create_user(
                'reception', ['group_reception'], company),
            dispatcher=create_user(
                'dispatcher', ['group_dispatcher'], company),
            tech1=create_user(
                'tech1', ['group_technician'], company, tech1),
            manager=create_user(
                'manager', ['group_service_manager'], company),
            )
        return SimpleNamespace(
            company=company, tech1=tech1, tech2=tech2, customer=customer,
            supplier=supplier, equipment=equipment, users=users)

    def create_ticket(self, env, **values):
        Ticket = Pool().get('svc.repair.ticket')
        values.setdefault('reporter', env.customer.id)
        values.setdefault('contact_phone', '13800138000')
        values.setdefault('description', "空调不制冷")
        ticket, = Ticket.create([values])
        return ticket

    def assigned_ticket(self, env, **values):
        Ticket = Pool().get('svc.repair.ticket')
        values.setdefault('grade', 'B')
        values.setdefault('urgency', 'general')
        values.setdefault('technician', env.tech1.id)
        values.setdefault('equipment', env.equipment.id)
        ticket = self.create_ticket(env, **values)
        Ticket.dispatch([ticket])
        return ticket

    def take_back(self, ticket):
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Pickup = pool.get('svc.repair.pickup')
        action = Ticket.take_back([ticket])
        return Pickup.browse(action['res_id'])

    def moves(self, pickup):
        return [(m.from_state, m.to_state) for m in pickup.movements]

    @with_transaction()
    def test_resolve_remotely(self):
        "Test a ticket is resolved by remote guidance without a visit"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.create_ticket(env)
            self.assertEqual(ticket.service_type, 'onsite')
            with Transaction().set_context(language='zh_CN'):
                with self.assertRaisesRegex(
                        TicketRemoteError, '请先记录远程指导内容'):
                    Ticket.resolve_remotely([ticket])
            self.assertEqual(ticket.state, 'draft')
            self.assertIsNone(ticket.done_at)

        with as_user(env.users.reception):
            ticket = Ticket(ticket.id)
            Ticket.write([ticket], {
                    'service_type': 'remote',
                    'remote_guidance': "指导客户清洗滤网并重启",
                    })
            self.assertEqual(ticket.guided_by, env.users.reception)
            self.assertTrue(ticket.guided_at)
            Ticket.resolve_remotely([ticket])
            self.assertEqual(ticket.state, 'done')
            self.assertEqual(ticket.service_type, 'remote')
            self.assertEqual(ticket.done_by, env.users.reception)
            self.assertEqual(ticket.work_report, "指导客户清洗滤网并重启")

            Ticket.write([ticket], {'acceptance_result': 'satisfied'})
            Ticket.accept([ticket])
            Ticket.write([ticket], {'revisit_satisfaction': 'satisfied'})
            Ticket.close([ticket])
            self.assertEqual(ticket.state, 'closed')

    @with_transaction()
    def test_remote_fails(self):
        "Test a ticket goes on to a visit when remote guidance fails"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with as_user(env.users.dispatcher):
            ticket = self.create_ticket(
                env, service_type='remote', remote_guidance="电话指导无效")
            Ticket.go_onsite([ticket])
            self.assertEqual(ticket.service_type, 'onsite')
            self.assertEqual(ticket.remote_guidance, "电话指导无效")
            Ticket.write([ticket], {
                    'technician': env.tech1.id,
                    'grade': 'B', 'urgency': 'general'})
            Ticket.dispatch([ticket])
            self.assertEqual(ticket.state, 'assigned')
        with as_user(env.users.tech1):
            with self.assertRaises(AccessButtonError):
                Ticket.go_onsite([Ticket(ticket.id)])

    @with_transaction()
    def test_take_back_journey(self):
        "Test the product is followed from the pickup to the hand back"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Pickup = pool.get('svc.repair.pickup')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.assigned_ticket(env)
        with as_user(env.users.tech1):
            ticket = Ticket(ticket.id)
            Ticket.start([ticket])
            pickup, = self.take_back(ticket)
            self.assertEqual(ticket.service_type, 'taken_back')
            self.assertTrue(ticket.item_away)
            self.assertRegex(pickup.number, r'^QJ\d{4}-\d{5}$')
            self.assertEqual(pickup.state, 'taken')
            self.assertEqual(pickup.customer, env.customer)
            self.assertEqual(pickup.equipment, env.equipment)
            self.assertEqual(pickup.product, env.equipment.product)
            self.assertEqual(pickup.serial_number, 'SN-2024-0001')
            self.assertEqual(pickup.contact_phone, '13800138000')
            self.assertEqual(pickup.taken_by, env.tech1)
            self.assertEqual(pickup.whereabouts, "With 李师傅")
            Pickup.write([pickup], {
                    'accessories': "遥控器一个",
                    'condition': "外壳有划痕",
                    'expected_return': dt.date.today() + dt.timedelta(7),
                    'move_remark': "维修车间 B 架",
                    })
            Pickup.to_workshop([pickup])
            self.assertEqual(pickup.state, 'at_workshop')
            self.assertIsNone(pickup.move_remark)

            with Transaction().set_context(language='zh_CN'):
                with self.assertRaisesRegex(
                        PickupManufacturerError, '请先选择返厂厂家'):
                    Pickup.to_manufacturer([pickup])
            self.assertEqual(pickup.state, 'at_workshop')
            self.assertEqual(len(pickup.movements), 2)

            Pickup.write([pickup], {'supplier': env.supplier.id})
            Pickup.to_manufacturer([pickup])
            self.assertEqual(
                pickup.whereabouts, "At the manufacturer 美的售后服务中心")
            Pickup.to_workshop([pickup])
            Pickup.make_ready([pickup])

        with as_user(env.users.reception):
            pickup = Pickup(pickup.id)
            with Transaction().set_context(language='zh_CN'):
                with self.assertRaisesRegex(
                        PickupHandBackError, '请先记录领取人姓名'):
                    Pickup.hand_back([pickup])
            self.assertEqual(pickup.state, 'ready')
            Pickup.write([pickup], {'receiver_name': "张三"})
            Pickup.hand_back([pickup])
            self.assertEqual(pickup.state, 'returned')
            self.assertEqual(pickup.returned_by, env.users.reception)
            self.assertTrue(pickup.returned_at)
            self.assertEqual(pickup.whereabouts, "Returned to 张三")
            self.assertFalse(Ticket(ticket.id).item_away)

        self.assertEqual(self.moves(pickup), [
                (None, 'taken'),
                ('taken', 'at_workshop'),
                ('at_workshop', 'at_manufacturer'),
                ('at_manufacturer', 'at_workshop'),
                ('at_workshop', 'ready'),
                ('ready', 'returned'),
                ])
        self.assertEqual(pickup.movements[1].remark, "维修车间 B 架")
        self.assertEqual(pickup.movements[2].supplier, env.supplier)
        self.assertEqual(
            {m.user for m in pickup.movements[:-1]}, {env.users.tech1})

    @with_transaction()
    def test_close_refused_item_away(self):
        "Test a ticket is not closed while its product is away"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Pickup = pool.get('svc.repair.pickup')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.assigned_ticket(env)
            Ticket.start([ticket])
            pickup, = self.take_back(ticket)
            Pickup.to_workshop([pickup])
            Ticket.write([ticket], {'work_report': "更换压缩机电容"})
            Ticket.finish([ticket])
            Ticket.write([ticket], {'acceptance_result': 'satisfied'})
            Ticket.accept([ticket])
            Ticket.write([ticket], {'revisit_satisfaction': 'satisfied'})
            with Transaction().set_context(language='zh_CN'):
                with self.assertRaisesRegex(
                        TicketPickupAwayError,
                        '请先将携回物品 %s 交还客户.*在维修车间'
                        % pickup.number):
                    Ticket.close([Ticket(ticket.id)])
            self.assertEqual(ticket.state, 'accepted')
            self.assertIsNone(ticket.closed_at)

            Pickup.make_ready([pickup])
            Pickup.write([pickup], {'receiver_name': "张三"})
            Pickup.hand_back([pickup])
            Ticket.close([ticket])
            self.assertEqual(ticket.state, 'closed')

    @with_transaction()
    def test_overdue_and_filters(self):
        "Test the items not returned by the expected date are overdue"
        pool = Pool()
        Pickup = pool.get('svc.repair.pickup')
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_repair()
        today = dt.date.today()
        with set_company(env.company):
            late, on_time, returned = [
                self.take_back(self.assigned_ticket(env))[0]
                for _ in range(3)]
            Pickup.write([late, returned], {
                    'expected_return': today - dt.timedelta(1)})
            Pickup.write([on_time], {'expected_return': today})
            Pickup.make_ready([returned])
            Pickup.write([returned], {'receiver_name': "张三"})
            Pickup.hand_back([returned])
            self.assertEqual(
                Pickup.search([('overdue', '=', True)]), [late])
            self.assertEqual(
                set(Pickup.search([('overdue', '=', False)])),
                {on_time, returned})
            self.assertEqual([p.overdue for p in [late, on_time, returned]],
                [True, False, False])

            Pickup.cancel([on_time])
            self.assertEqual(self.moves(on_time)[-1], ('taken', 'cancelled'))
            self.assertEqual(on_time.ticket.service_type, 'onsite')
            self.assertEqual(late.ticket.service_type, 'taken_back')
            Pickup.delete([on_time])
            with self.assertRaises(PickupDeleteError):
                Pickup.delete([late])
            self.assertEqual(len(Ticket.search([])), 3)

    @with_transaction()
    def test_roles(self):
        "Test who may take back, move and hand back the product"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Pickup = pool.get('svc.repair.pickup')
        Movement = pool.get('svc.repair.pickup.movement')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.assigned_ticket(env)
        with as_user(env.users.reception):
            with self.assertRaises(AccessButtonError):
                Ticket.take_back([Ticket(ticket.id)])
            with self.assertRaises(AccessError), savepoint():
                Pickup.create([Pickup.values_from_ticket(Ticket(ticket.id))])
        with as_user(env.users.dispatcher):
            pickup, = self.take_back(Ticket(ticket.id))
            Pickup.to_workshop([pickup])
        with as_user(env.users.reception):
            pickup = Pickup(pickup.id)
            self.assertEqual(pickup.state, 'at_workshop')
            Pickup.write([pickup], {'supplier': env.supplier.id})
            for button in ['to_manufacturer', 'make_ready', 'cancel']:
                with self.subTest(button=button):
                    with self.assertRaises(AccessButtonError):
                        getattr(Pickup, button)([pickup])
            self.assertEqual(pickup.state, 'at_workshop')
        with as_user(env.users.tech1):
            pickup = Pickup(pickup.id)
            with self.assertRaises(AccessError), savepoint():
                Movement.create([{
                            'pickup': pickup.id, 'to_state': 'returned',
                            'at': dt.datetime.now()}])
            with self.assertRaises(AccessError), savepoint():
                Movement.write(list(pickup.movements), {'remark': "x"})
            Pickup.make_ready([pickup])
        with as_user(env.users.dispatcher):
            pickup = Pickup(pickup.id)
            Pickup.write([pickup], {'receiver_name': "张三"})
            with self.assertRaises(AccessButtonError):
                Pickup.hand_back([pickup])
        with as_user(env.users.reception):
            pickup = Pickup(pickup.id)
            Pickup.hand_back([pickup])
            self.assertEqual(pickup.state, 'returned')
            with self.assertRaises(AccessError):
                Pickup.delete([pickup])

    @with_transaction()
    def test_receipt_report(self):
        "Test the pickup receipt prints as PDF in Chinese"
        pool = Pool()
        Pickup = pool.get('svc.repair.pickup')
        Report = pool.get('svc.repair.pickup.receipt', type='report')
        env = self.setup_repair()
        with set_company(env.company):
            pickup, = self.take_back(self.assigned_ticket(env))
            Pickup.write([pickup], {
                    'accessories': "遥控器一个、电源线",
                    'condition': "外壳有划痕",
                    'expected_return': dt.date(2026, 12, 1),
                    })
            if not shutil.which('soffice'):
                raise unittest.SkipTest("soffice is missing")
            with Transaction().set_context(language='zh_CN'):
                oext, content, _, name = Report.execute([pickup.id], {})
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
        self.assertEqual(text.count('\f'), 1)
        text = re.sub(r'\s', '', text)
        for expected in [
                "客户商品领取收据", f"编号：{pickup.number}",
                "客户：张三", "电话：13800138000",
                "产品：美的空调KFR-35GW", "序列号：SN-2024-0001",
                "遥控器一个、电源线", "外壳有划痕", "取件人：李师傅",
                "预计交还日期：", "客户签字：", "经手人：",
                ]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
