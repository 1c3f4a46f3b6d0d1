# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
import unittest
from types import SimpleNamespace

from trytond.model.exceptions import (
    AccessButtonError, AccessError, RequiredValidationError,
    SQLConstraintError)
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.svc_repair.exceptions import (
    InstallationCommissionError, InstallationEnterError,
    InstallationHandOverError, InstallationIssueError,
    InstallationRectifyError, InstallationReviewValidationError,
    InstallationValidationError, MaintenancePlanValidationError)
from trytond.modules.svc_repair.maintenance import schedule
from trytond.modules.svc_repair.tests.test_module import (
    ZhCnTestCase, as_user, create_user, savepoint)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

D = dt.date


class ScheduleTestCase(unittest.TestCase):
    "Test the planned dates of a maintenance plan"

    def test_monthly(self):
        "Test a monthly plan gives each month up to the date"
        self.assertEqual(
            schedule(D(2026, 1, 10), 1, 'month', D(2026, 1, 10),
                D(2026, 3, 20)),
            ([D(2026, 1, 10), D(2026, 2, 10), D(2026, 3, 10)],
                D(2026, 4, 10)))

    def test_start_skips_done_dates(self):
        "Test the dates before the start are not given again"
        self.assertEqual(
            schedule(D(2026, 1, 10), 1, 'month', D(2026, 2, 10),
                D(2026, 2, 9)),
            ([], D(2026, 2, 10)))

    def test_month_end(self):
        "Test a plan on the 31st stays at each month end"
        dates, next_date = schedule(
            D(2026, 1, 31), 1, 'month', D(2026, 1, 31), D(2026, 4, 30))
        self.assertEqual(dates, [
                D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31),
                D(2026, 4, 30)])
        self.assertEqual(next_date, D(2026, 5, 31))

    def test_units(self):
        "Test the days, weeks and years"
        first = D(2024, 2, 29)
        for unit, number, expected in [
                ('day', 10, D(2024, 3, 10)),
                ('week', 2, D(2024, 3, 14)),
                ('year', 1, D(2025, 2, 28)),
                ]:
            with self.subTest(unit=unit):
                self.assertEqual(
                    schedule(first, number, unit, first, first),
                    ([first], expected))

    def test_end(self):
        "Test no date is planned after the end"
        self.assertEqual(
            schedule(D(2026, 1, 1), 3, 'month', D(2026, 1, 1),
                D(2027, 1, 1), end=D(2026, 6, 30)),
            ([D(2026, 1, 1), D(2026, 4, 1)], None))


class SvcRepairMaintenanceTestCase(ZhCnTestCase):
    "Test the maintenance plans and installations of svc_repair"

    def setup_env(self):
        pool = Pool()
        Party = pool.get('party.party')
        company = create_company()
        tech1 = create_employee(company, "李师傅")
        tech2 = create_employee(company, "王师傅")
        tech3 = create_employee(company, "赵师傅")
        customer, = Party.create([{'name': "翠湖花园物业"}])
        users = SimpleNamespace(
            reception=create_user(
                'reception', ['group_reception'], company),
            dispatcher=create_user(
                'dispatcher', ['group_dispatcher'], company),
            tech1=create_user(
                'tech1', ['group_technician'], company, tech1),
            tech3=create_user(
                'tech3', ['group_technician'], company, tech3),
            manager=create_user(
                'manager', ['group_service_manager'], company),
            )
        return SimpleNamespace(
            company=company, tech1=tech1, tech2=tech2, tech3=tech3,
            customer=customer, users=users)

    def create_plan(self, env, **values):
        Plan = Pool().get('svc.repair.maintenance.plan')
        values.setdefault('customer', env.customer.id)
        values.setdefault('content', "清洗过滤网，检查冷媒压力")
        values.setdefault('first_date', D(2026, 1, 31))
        values.setdefault('technician', env.tech1.id)
        plan, = Plan.create([values])
        return plan

    def create_installation(self, env, **values):
        Installation = Pool().get('svc.repair.installation')
        values.setdefault('customer', env.customer.id)
        values.setdefault('project_name', "翠湖花园中央空调")
        values.setdefault('site', "翠湖花园 3栋")
        values.setdefault('products', "多联机 4 台")
        values.setdefault('entry_date', D(2026, 3, 10))
        installation, = Installation.create([values])
        return installation

    @with_transaction()
    def test_plan_generate(self):
        "Test the plan creates each due ticket once and advances"
        pool = Pool()
        Plan = pool.get('svc.repair.maintenance.plan')
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_env()
        with set_company(env.company):
            plan = self.create_plan(env, lead_days=3)
            self.assertTrue(plan.number.startswith('BY'))
            Plan.run([plan])
            self.assertEqual(plan.next_date, D(2026, 1, 31))

            Plan.create_tickets([plan], D(2026, 1, 27))
            self.assertEqual(plan.tickets, ())

            Plan.create_tickets([plan], D(2026, 2, 24))
            ticket, = plan.tickets
            self.assertEqual(ticket.planned_date, D(2026, 1, 31))
            self.assertEqual(plan.next_date, D(2026, 2, 28))
            self.assertEqual(ticket.reporter, env.customer)
            self.assertEqual(ticket.technician, env.tech1)
            self.assertEqual(
                (ticket.grade, ticket.urgency, ticket.state),
                ('B', 'general', 'draft'))
            self.assertIn("清洗过滤网", ticket.description)

            # Running again the same day creates nothing more
            Plan.create_tickets([plan], D(2026, 2, 24))
            Plan.generate_tickets(D(2026, 2, 24))
            self.assertEqual(len(plan.tickets), 1)

            # The cron catches up on missed dates
            Plan.generate_tickets(D(2026, 3, 31))
            self.assertEqual(
                [t.planned_date for t in Ticket.search(
                        [('maintenance_plan', '=', plan.id)],
                        order=[('planned_date', 'ASC')])],
                [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)])
            self.assertEqual(plan.next_date, D(2026, 4, 30))

            # A closed plan creates no ticket
            Plan.close([plan])
            Plan.generate_tickets(D(2026, 6, 30))
            self.assertEqual(len(plan.tickets), 3)

    @with_transaction()
    def test_plan_end(self):
        "Test a plan stops at its end date"
        Plan = Pool().get('svc.repair.maintenance.plan')
        env = self.setup_env()
        with set_company(env.company):
            plan = self.create_plan(
                env, first_date=D(2026, 1, 1), interval_number=6,
                end_date=D(2026, 12, 31))
            Plan.run([plan])
            Plan.create_tickets([plan], D(2027, 6, 1))
            self.assertEqual(
                sorted(t.planned_date for t in plan.tickets),
                [D(2026, 1, 1), D(2026, 7, 1)])
            self.assertIsNone(plan.next_date)

    @with_transaction()
    def test_plan_unique_ticket(self):
        "Test a plan can not have two tickets of the same date"
        pool = Pool()
        Plan = pool.get('svc.repair.maintenance.plan')
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_env()
        with set_company(env.company):
            plan = self.create_plan(env)
            Plan.run([plan])
            ticket, = Plan.create_tickets([plan], D(2026, 1, 31))
            with self.assertRaises(SQLConstraintError):
                Ticket.copy([ticket], default={
                        'maintenance_plan': plan.id,
                        'planned_date': ticket.planned_date,
                        })

    @with_transaction()
    def test_plan_refuse_bad_input(self):
        "Test the plan refuses a bad interval, lead time or end date"
        pool = Pool()
        Plan = pool.get('svc.repair.maintenance.plan')
        Lang = pool.get('ir.lang')
        env = self.setup_env()
        with set_company(env.company):
            for values in [
                    {'interval_number': 0},
                    {'interval_number': -1},
                    {'lead_days': -1},
                    {'end_date': D(2026, 1, 30)},
                    ]:
                with self.subTest(values=values):
                    with self.assertRaises(MaintenancePlanValidationError), \
                            savepoint():
                        self.create_plan(env, **values)
            self.assertEqual(Plan.search([]), [])
            with Transaction().set_context(language='zh_CN'):
                self.assertTrue(Lang.get().code == 'zh_CN')
                with self.assertRaisesRegex(
                        MaintenancePlanValidationError, "大于零"):
                    self.create_plan(env, interval_number=0)

    @with_transaction()
    def test_plan_roles(self):
        "Test who may manage plans and create their tickets"
        pool = Pool()
        Plan = pool.get('svc.repair.maintenance.plan')
        env = self.setup_env()
        with set_company(env.company):
            plan = self.create_plan(env)
            Plan.run([plan])
            for user in [env.users.reception, env.users.dispatcher,
                    env.users.tech1]:
                with self.subTest(user=user.login), as_user(user):
                    self.assertEqual(Plan.search([]), [plan])
                    with self.assertRaises(AccessError):
                        self.create_plan(env)
                    with self.assertRaises(AccessButtonError):
                        Plan.close([Plan(plan.id)])
            for user in [env.users.reception, env.users.tech1]:
                with self.subTest(user=user.login), as_user(user):
                    with self.assertRaises(AccessButtonError):
                        Plan.generate([Plan(plan.id)])
            with as_user(env.users.dispatcher):
                Plan.generate([Plan(plan.id)])
            with as_user(env.users.manager):
                other = self.create_plan(env)
                Plan.run([other])
                Plan.close([other])

    @with_transaction()
    def test_installation_flow(self):
        "Test an installation from the task sheet to the handover"
        pool = Pool()
        Installation = pool.get('svc.repair.installation')
        Review = pool.get('svc.repair.installation.review')
        Team = pool.get('svc.repair.team')
        env = self.setup_env()
        with set_company(env.company):
            installation = self.create_installation(
                env, task_issued_date=D(2026, 3, 3))
            self.assertTrue(installation.number.startswith('AZ'))
            Installation.issue([installation])
            self.assertEqual(installation.state, 'task_issued')

            with self.assertRaises(InstallationIssueError):
                Installation.review([installation])
            team = Team(name="安装班组", company=env.company,
                leader=env.tech1, members=[env.tech1, env.tech2])
            team.save()
            installation.team = team
            installation.on_change_team()
            self.assertEqual(installation.leader, env.tech1)
            self.assertEqual(list(installation.members), [env.tech2])
            installation.save()
            Installation.review([installation])
            self.assertEqual(installation.state, 'in_review')
            review, = installation.reviews

            with self.assertRaises(InstallationEnterError):
                Installation.enter([installation])
            with self.assertRaises(RequiredValidationError), savepoint():
                Review.write([review], {'result': 'rectify'})
            Review.write([review], {
                    'result': 'rectify',
                    'rectification': "临时用电未到位",
                    })
            Installation.rectify([installation])
            installation = Installation(installation.id)
            self.assertEqual(installation.state, 'rectify')
            with self.assertRaises(InstallationReviewValidationError):
                Review.write([review], {'result': 'pass'})

            Installation.review([installation])
            self.assertEqual(len(installation.reviews), 2)
            with self.assertRaises(InstallationRectifyError):
                Installation.rectify([installation])
            Review.write([installation.reviews[-1]], {'result': 'pass'})
            Installation.enter([installation])
            self.assertEqual(installation.state, 'entering')

            with self.assertRaises(InstallationCommissionError):
                Installation.commission([installation])
            installation.commissioning_report = "试运行 72 小时正常"
            installation.save()
            Installation.commission([installation])

            with self.assertRaises(InstallationHandOverError):
                Installation.hand_over([installation])
            installation.customer_signatory = "张经理"
            installation.acceptance_stamp = True
            installation.save()
            Installation.hand_over([installation])
            self.assertEqual(installation.state, 'done')
            self.assertTrue(installation.handed_over_at)

    @with_transaction()
    def test_installation_notice(self):
        "Test the task sheet must be issued 7 days before the entry"
        pool = Pool()
        Installation = pool.get('svc.repair.installation')
        Configuration = pool.get('svc.repair.configuration')
        env = self.setup_env()
        with set_company(env.company):
            with self.assertRaises(InstallationValidationError), \
                    savepoint():
                self.create_installation(
                    env, task_issued_date=D(2026, 3, 4))
            self.assertEqual(Installation.search([]), [])
            installation = self.create_installation(env)
            installation.task_issued_date = D(2026, 3, 5)
            with self.assertRaises(InstallationValidationError), \
                    savepoint():
                Installation.issue([installation])
            installation = Installation(installation.id)
            self.assertEqual(
                (installation.state, installation.task_issued_date),
                ('draft', None))
            with Transaction().set_context(language='zh_CN'):
                with self.assertRaisesRegex(
                        InstallationValidationError, "7 天"):
                    Installation.write([installation], {
                            'task_issued_date': D(2026, 3, 9)})

        with set_company(env.company):
            Configuration.write([Configuration(1)], {
                    'installation_notice_days': 3})
            installation = self.create_installation(
                env, task_issued_date=D(2026, 3, 7))
            Installation.issue([installation])
            self.assertEqual(installation.state, 'task_issued')

    @with_transaction()
    def test_installation_roles(self):
        "Test who may see and move the installations"
        pool = Pool()
        Installation = pool.get('svc.repair.installation')
        Review = pool.get('svc.repair.installation.review')
        env = self.setup_env()
        with set_company(env.company):
            installation = self.create_installation(
                env, task_issued_date=D(2026, 3, 1))
            Installation.issue([installation])
        with as_user(env.users.dispatcher):
            installation = Installation(installation.id)
            installation.leader = env.tech1
            installation.save()
            with self.assertRaises(AccessButtonError):
                Installation.review([installation])
        with as_user(env.users.reception):
            self.assertEqual(Installation.search([]), [installation])
            with self.assertRaises(AccessError):
                Installation.write(
                    [Installation(installation.id)], {'site': "X"})
        with as_user(env.users.tech3):
            self.assertEqual(Installation.search([]), [])
        with as_user(env.users.tech1):
            installation, = Installation.search([])
            with self.assertRaises(AccessButtonError):
                Installation.cancel([installation])
            with self.assertRaises(AccessError):
                self.create_installation(env)
            Installation.review([installation])
            review, = installation.reviews
            self.assertEqual(review.reviewer, env.tech1)
            Review.write([review], {'result': 'pass'})
            Installation.enter([installation])
            self.assertEqual(installation.state, 'entering')
