# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
import unittest
from types import SimpleNamespace

from trytond import backend
from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.svc_repair.exceptions import (
    AppointmentValidationError, DutyValidationError, TicketGrabError,
    TicketHandoverError, TicketPublishError, TicketSuggestError)
from trytond.modules.svc_repair.tests.test_module import (
    ZhCnTestCase, as_user, create_user, savepoint)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

HOUR = dt.timedelta(hours=1)
TOMORROW = dt.datetime.combine(
    dt.date.today() + dt.timedelta(days=1), dt.time(9))


class SvcRepairDispatchTestCase(ZhCnTestCase):
    "Test the dispatch of repair tickets"
    modules = ['svc_repair']

    def setup_dispatch(self, prefix=''):
        pool = Pool()
        Party = pool.get('party.party')
        Category = pool.get('svc.repair.category')
        Employee = pool.get('company.employee')
        company = create_company()
        plumbing, electrical = Category.create([
                {'name': "水电"}, {'name': "弱电"}])
        li = create_employee(company, "李师傅")
        wang = create_employee(company, "王师傅")
        zhao = create_employee(company, "赵师傅")
        Employee.write([li, wang], {'repair_skills': [('add', [plumbing.id])]})
        Employee.write([zhao], {'repair_skills': [('add', [electrical.id])]})
        reporter, = Party.create([{'name': "张三"}])
        users = SimpleNamespace(
            reception=create_user(
                f'{prefix}reception', ['group_reception'], company),
            dispatcher=create_user(
                f'{prefix}dispatcher', ['group_dispatcher'], company),
            li=create_user(f'{prefix}li', ['group_technician'], company, li),
            wang=create_user(
                f'{prefix}wang', ['group_technician'], company, wang),
            zhao=create_user(
                f'{prefix}zhao', ['group_technician'], company, zhao),
            )
        return SimpleNamespace(
            company=company, plumbing=plumbing, electrical=electrical,
            li=li, wang=wang, zhao=zhao, reporter=reporter, users=users)

    def pool_ticket(self, env, **values):
        Ticket = Pool().get('svc.repair.ticket')
        values.setdefault('reporter', env.reporter.id)
        values.setdefault('description', "厨房水管漏水")
        values.setdefault('grade', 'B')
        values.setdefault('urgency', 'general')
        values.setdefault('category', env.plumbing.id)
        with set_company(env.company):
            ticket, = Ticket.create([values])
        Ticket.publish([ticket])
        return ticket

    def assigned_ticket(self, env, technician, language='en', **values):
        Ticket = Pool().get('svc.repair.ticket')
        values.setdefault('reporter', env.reporter.id)
        values.setdefault('description', "卫生间下水道堵塞")
        values.setdefault('grade', 'B')
        values.setdefault('urgency', 'general')
        values['technician'] = technician.id
        with set_company(env.company), \
                Transaction().set_context(language=language):
            ticket, = Ticket.create([values])
            Ticket.dispatch([ticket])
        return ticket

    @with_transaction()
    def test_publish_refused(self):
        "Test a ticket without grade, urgency or category stays out of pool"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_dispatch()
        with set_company(env.company):
            ticket, = Ticket.create([{
                        'reporter': env.reporter.id,
                        'description': "漏水",
                        'grade': 'B',
                        'urgency': 'general',
                        }])
        with as_user(env.users.reception), \
                self.assertRaises(TicketPublishError):
            Ticket.publish([Ticket(ticket.id)])
        self.assertFalse(Ticket(ticket.id).in_pool)

    @with_transaction()
    def test_grab(self):
        "Test a technician with the skill grabs a pool ticket"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_dispatch()
        ticket = self.pool_ticket(env)
        with as_user(env.users.li):
            self.assertEqual(
                Ticket.search([('in_pool', '=', True)]), [ticket])
            Ticket.grab([Ticket(ticket.id)])
        ticket = Ticket(ticket.id)
        self.assertEqual(
            (ticket.state, ticket.technician, ticket.in_pool,
                ticket.dispatched_by),
            ('assigned', env.li, False, env.users.li))
        self.assertEqual(
            [(h.kind, h.to_employee, h.user) for h in ticket.handovers],
            [('grab', env.li, env.users.li)])

    @with_transaction()
    def test_grab_refused(self):
        "Test grabbing is refused with nothing written"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Team = pool.get('svc.repair.team')
        env = self.setup_dispatch()
        ticket = self.pool_ticket(env)
        team, = Team.create([{
                    'name': "水电一班",
                    'company': env.company.id,
                    'members': [('add', [env.wang.id])],
                    }])
        reserved = self.pool_ticket(env, team=team.id)
        draft = self.pool_ticket(env)
        Ticket.write([draft], {'in_pool': False})

        for user, tickets, message in [
                (env.users.zhao, [ticket], "不在您的维修技能范围内"),
                (env.users.li, [reserved], "您不是该班组成员"),
                (env.users.li, [draft], "已被其他技术员抢单"),
                (env.users.li, [ticket, reserved], "您不是该班组成员"),
                ]:
            with self.subTest(user=user.login, message=message):
                with as_user(user), \
                        Transaction().set_context(language='zh_CN'), \
                        self.assertRaises(TicketGrabError) as cm:
                    Ticket.grab([Ticket(t.id) for t in tickets])
                self.assertIn(message, cm.exception.message)
        self.assertEqual(
            [(t.state, t.technician, t.handovers)
                for t in Ticket.browse([ticket, reserved])],
            [('draft', None, ())] * 2)

        with as_user(env.users.dispatcher), \
                self.assertRaises(AccessButtonError):
            Ticket.grab([Ticket(ticket.id)])

    @with_transaction()
    def test_grab_taken(self):
        "Test the second technician is told the ticket was taken"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_dispatch()
        ticket = self.pool_ticket(env)
        with as_user(env.users.li):
            Ticket.grab([Ticket(ticket.id)])
        with as_user(env.users.wang):
            with self.assertRaises(AccessError):
                Ticket.read([ticket.id], ['number'])
            with Transaction().set_context(language='zh_CN'), \
                    self.assertRaises(TicketGrabError) as cm:
                Ticket.grab([Ticket(ticket.id)])
        self.assertEqual(
            cm.exception.message,
            f'工单"{ticket.number}"已被其他技术员抢单。')
        self.assertEqual(Ticket(ticket.id).technician, env.li)

    @with_transaction()
    def test_pool_read_only(self):
        "Test a technician cannot write a pool ticket"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_dispatch()
        ticket = self.pool_ticket(env)
        with as_user(env.users.li), self.assertRaises(AccessError):
            Ticket.write([Ticket(ticket.id)], {'technician': env.li.id})

    @with_transaction()
    def test_return_and_transfer(self):
        "Test the handovers need a reason and are logged"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_dispatch()
        ticket = self.pool_ticket(env)
        with as_user(env.users.li):
            Ticket.grab([Ticket(ticket.id)])
            with self.assertRaises(TicketHandoverError):
                Ticket.return_to_pool([Ticket(ticket.id)])
            Ticket.write([Ticket(ticket.id)], {'handover_reason': "缺工具"})
            Ticket.return_to_pool([Ticket(ticket.id)])
        ticket = Ticket(ticket.id)
        self.assertEqual(
            (ticket.state, ticket.technician, bool(ticket.in_pool),
                ticket.dispatched_by, ticket.handover_reason),
            ('draft', None, True, None, None))

        with as_user(env.users.wang):
            Ticket.grab([Ticket(ticket.id)])
        with as_user(env.users.dispatcher):
            Ticket.write([Ticket(ticket.id)], {'handover_to': env.zhao.id})
            with self.assertRaises(TicketHandoverError):
                Ticket.transfer([Ticket(ticket.id)])
            Ticket.write([Ticket(ticket.id)], {'handover_reason': "请假"})
            Ticket.transfer([Ticket(ticket.id)])
        ticket = Ticket(ticket.id)
        self.assertEqual(ticket.technician, env.zhao)
        self.assertEqual(
            [(h.kind, h.from_employee, h.to_employee, h.reason)
                for h in ticket.handovers], [
                ('grab', None, env.li, None),
                ('return', env.li, None, "缺工具"),
                ('grab', None, env.wang, None),
                ('transfer', env.wang, env.zhao, "请假"),
                ])

    @with_transaction()
    def test_handover_roles(self):
        "Test who may transfer or return which ticket"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_dispatch()
        ticket = self.assigned_ticket(
            env, env.wang, assistants=[('add', [env.li.id])],
            handover_reason="客户改约", handover_to=env.zhao.id)
        with as_user(env.users.li), self.assertRaises(TicketHandoverError):
            Ticket.transfer([Ticket(ticket.id)])
        with as_user(env.users.li), self.assertRaises(TicketHandoverError):
            Ticket.return_to_pool([Ticket(ticket.id)])
        with as_user(env.users.zhao), self.assertRaises(AccessError):
            Ticket.transfer([Ticket(ticket.id)])
        with as_user(env.users.reception), \
                self.assertRaises(AccessButtonError):
            Ticket.transfer([Ticket(ticket.id)])
        self.assertEqual(Ticket(ticket.id).technician, env.wang)
        with as_user(env.users.wang):
            Ticket.transfer([Ticket(ticket.id)])
        self.assertEqual(Ticket(ticket.id).technician, env.zhao)

        draft = self.pool_ticket(env)
        with as_user(env.users.dispatcher), \
                self.assertRaises(AccessButtonError):
            Ticket.transfer([Ticket(draft.id)])
        with self.assertRaises(TicketHandoverError):
            Ticket.transfer([draft])

    @with_transaction()
    def test_appointment_overlap(self):
        "Test one technician is not booked twice at the same time"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_dispatch()
        first = self.assigned_ticket(
            env, env.li, appointment_start=TOMORROW,
            appointment_end=TOMORROW + 2 * HOUR)

        with self.assertRaises(AppointmentValidationError):
            self.assigned_ticket(
                env, env.li, appointment_start=TOMORROW,
                appointment_end=TOMORROW - HOUR)
        with self.assertRaises(AppointmentValidationError) as cm:
            self.assigned_ticket(
                env, env.wang, language='zh_CN',
                assistants=[('add', [env.li.id])],
                appointment_start=TOMORROW + HOUR,
                appointment_end=TOMORROW + 3 * HOUR)
        self.assertIn(first.number, cm.exception.message)
        self.assertIn("李师傅", cm.exception.message)
        self.assertIn("改约", cm.exception.message)

        second = self.assigned_ticket(
            env, env.wang, appointment_start=TOMORROW + HOUR,
            appointment_end=TOMORROW + 3 * HOUR)
        with self.assertRaises(AppointmentValidationError), savepoint():
            Ticket.write([second], {'technician': env.li.id})
        self.assertEqual(Ticket(second.id).technician, env.wang)

        # Back to back is no overlap
        third = self.assigned_ticket(
            env, env.li, appointment_start=TOMORROW + 2 * HOUR,
            appointment_end=TOMORROW + 3 * HOUR)
        with self.assertRaises(AppointmentValidationError), savepoint():
            Ticket.write([first], {'appointment_end': TOMORROW + 3 * HOUR})
        self.assertEqual(
            Ticket(first.id).appointment_end, TOMORROW + 2 * HOUR)
        # A cancelled job frees the time
        Ticket.cancel([third])
        Ticket.write([first], {'appointment_end': TOMORROW + 3 * HOUR})

    @with_transaction()
    def test_duty_end(self):
        "Test a duty must end after it starts"
        Duty = Pool().get('svc.repair.duty')
        env = self.setup_dispatch()
        with self.assertRaises(DutyValidationError):
            Duty.create([{
                        'company': env.company.id,
                        'employee': env.li.id,
                        'start': TOMORROW,
                        'end': TOMORROW,
                        }])

    @with_transaction()
    def test_suggestion(self):
        "Test the suggested technician follows skill, duty, load and time"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Duty = pool.get('svc.repair.duty')
        Team = pool.get('svc.repair.team')
        env = self.setup_dispatch()
        ticket = self.pool_ticket(
            env, appointment_start=TOMORROW,
            appointment_end=TOMORROW + HOUR)
        self.assertEqual(ticket.suggested_technician, env.li)
        self.assertEqual(ticket.suggestion, "李师傅: skill matches, "
            "not on duty, 0 open tickets")

        self.assigned_ticket(env, env.li)
        self.assertEqual(Ticket(ticket.id).suggested_technician, env.wang)

        Duty.create([{
                    'company': env.company.id,
                    'employee': env.li.id,
                    'start': TOMORROW - HOUR,
                    'end': TOMORROW + 8 * HOUR,
                    }])
        with Transaction().set_context(language='zh_CN'):
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.suggested_technician, env.li)
            self.assertEqual(ticket.suggestion, "李师傅：技能匹配，值班中，在手1单")

        self.assigned_ticket(
            env, env.wang, assistants=[('add', [env.li.id])],
            appointment_start=TOMORROW, appointment_end=TOMORROW + HOUR)
        self.assertEqual(Ticket(ticket.id).suggested_technician, None)
        with self.assertRaises(TicketSuggestError):
            Ticket.suggest([ticket])

        team, = Team.create([{
                    'name': "弱电班",
                    'company': env.company.id,
                    'members': [('add', [env.zhao.id])],
                    'skills': [('add', [env.plumbing.id])],
                    }])
        Ticket.write([ticket], {'team': team.id})
        ticket = Ticket(ticket.id)
        self.assertEqual(ticket.suggested_technician, env.zhao)
        with as_user(env.users.dispatcher):
            Ticket.suggest([Ticket(ticket.id)])
        self.assertEqual(Ticket(ticket.id).technician, env.zhao)

    @unittest.skipUnless(
        backend.name == 'postgresql', "SQLite has no concurrent writers")
    def test_grab_race(self):
        "Test two technicians grabbing at once: one wins, one is told"
        with Transaction().start(DB_NAME, 0) as transaction:
            env = self.setup_dispatch(prefix='race-')
            ticket = self.pool_ticket(env)
            ids = SimpleNamespace(
                ticket=ticket.id, li=env.li.id, wang=env.wang.id,
                li_user=env.users.li.id, wang_user=env.users.wang.id)
            transaction.commit()

        def start(user):
            return Transaction().start(
                DB_NAME, user, context={'_check_access': True})

        with start(ids.wang_user):
            Ticket = Pool().get('svc.repair.ticket')
            # 王师傅's request sees the ticket in the pool
            self.assertTrue(Ticket(ids.ticket).in_pool)
            with Transaction().new_transaction() as li_transaction:
                with li_transaction.set_user(ids.li_user):
                    Ticket.grab([Ticket(ids.ticket)])
                li_transaction.commit()
            with self.assertRaises(TicketGrabError):
                Ticket.grab([Ticket(ids.ticket)])

        # and so does a later request
        with start(ids.wang_user):
            Ticket = Pool().get('svc.repair.ticket')
            with self.assertRaises(TicketGrabError):
                Ticket.grab([Ticket(ids.ticket)])

        with Transaction().start(DB_NAME, 0):
            ticket = Pool().get('svc.repair.ticket')(ids.ticket)
            self.assertEqual(ticket.technician.id, ids.li)
            self.assertEqual(
                [h.kind for h in ticket.handovers], ['grab'])
