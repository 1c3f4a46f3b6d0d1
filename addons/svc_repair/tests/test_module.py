# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace
from unittest.mock import patch

import trytond.config as config
from trytond.exceptions import UserError
from trytond.model import ModelStorage
from trytond.model.exceptions import (
    AccessButtonError, AccessError, RequiredValidationError,
    SelectionValidationError, SQLConstraintError)
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.svc_repair.exceptions import (
    EscalationValidationError, SLAValidationError, TicketAcceptError,
    TicketCloseError, TicketDeleteError, TicketDispatchError,
    TicketFinishError, TicketWaitError)
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import (
    DB_NAME, ModuleTestCase, TestCase, activate_module, backup_db_cache,
    drop_db, restore_db_cache, with_transaction)
from trytond.transaction import Transaction, without_check_access

HOUR = dt.timedelta(hours=1)
DELAYS = {
    'urgent': (HOUR, 4 * HOUR, 'always'),
    'general': (24 * HOUR, 72 * HOUR, 'calendar'),
    'complex': (dt.timedelta(days=7), dt.timedelta(days=30), 'calendar'),
    }


def frozen(at):
    "Make the repair module believe it is at (naive UTC)"
    return patch('trytond.modules.svc_repair.repair.now', return_value=at)


def run_tasks(*methods):
    """Run the tasks the transaction queued, as the server does right after
    the commit without a queue worker; only those of methods if given"""
    Queue = Pool().get('ir.queue')
    transaction = Transaction()
    with transaction.set_user(0), without_check_access():
        while transaction.tasks:
            task = Queue(transaction.tasks.pop())
            if not methods or task.data['method'] in methods:
                task.run()


def queue_worker():
    "Leave the queued tasks to a worker, as [queue] worker = True does"
    getboolean = config.getboolean

    def worker(section, option, default=None):
        if (section, option) == ('queue', 'worker'):
            return True
        return getboolean(section, option, default=default)
    return patch.object(config, 'getboolean', worker)


def worker_tasks(*methods):
    "Return the tasks of the methods waiting for a worker, oldest first"
    Queue = Pool().get('ir.queue')
    return [
        t for t in Queue.search(
            [('dequeued_at', '=', None)], order=[('id', 'ASC')])
        if t.data['method'] in methods]


def set_sla(urgency, **values):
    "Change the service deadlines of the urgency"
    SLA = Pool().get('svc.repair.sla')
    sla, = SLA.search([('urgency', '=', urgency)])
    SLA.write([sla], values)
    return sla


def create_user(login, groups, company, employee=None):
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    user = User(
        login=login, name=login,
        groups=[ModelData.get_id('svc_repair', g) for g in groups],
        companies=[company], company=company,
        employees=[employee] if employee else [], employee=employee)
    user.save()
    return user


def load_zh_cn():
    """Load the zh_CN translations, committed

    Committed because on PostgreSQL the error of a NOT NULL column is
    written by another transaction."""
    with Transaction().start(DB_NAME, 0) as transaction:
        Lang = Pool().get('ir.lang')
        zh_cn, = Lang.search([('code', '=', 'zh_CN')])
        Lang.load_translations([zh_cn])
        transaction.commit()


REPAIR_MODULES = [
    'svc_repair', 'svc_property', 'stock', 'account_invoice',
    'purchase_request']


class ZhCnTestCase(TestCase):
    """Tests on the modules activated with zh_CN loaded

    The test classes of a module other than its ModuleTestCase derive
    from it, so that the generic checks run once per module.  The
    database cache keeps the translations too: loading them takes
    longer than restoring a database."""
    modules = REPAIR_MODULES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        name = '-'.join(cls.modules) + '--zh_CN-translations'
        if not restore_db_cache(name):
            activate_module(cls.modules)
            load_zh_cn()
            backup_db_cache(name)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()


@contextmanager
def as_user(user):
    "Run as user with the access rights and record rules enforced"
    pool = Pool()
    User = pool.get('res.user')
    transaction = Transaction()
    with transaction.set_user(user.id):
        context = User.get_preferences(context_only=True)
        with transaction.set_context(context, _check_access=True):
            yield


@contextmanager
def savepoint():
    """Roll back the block when it fails

    PostgreSQL aborts the transaction on a NOT NULL violation, so each
    expected failure of a required field must be isolated."""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT svc_repair_test')
    try:
        yield
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT svc_repair_test')
        # The ids of the rolled back records may be given again
        transaction.cache.clear()
        raise
    else:
        cursor.execute('RELEASE SAVEPOINT svc_repair_test')


def setup_repair():
    "A company with two technicians, a reporter and a user per role"
    pool = Pool()
    Party = pool.get('party.party')
    company = create_company()
    tech1 = create_employee(company, "李师傅")
    tech2 = create_employee(company, "王师傅")
    reporter, = Party.create([{'name': "张三"}])
    users = SimpleNamespace(
        reception=create_user(
            'reception', ['group_reception'], company),
        dispatcher=create_user(
            'dispatcher', ['group_dispatcher'], company),
        tech1=create_user(
            'tech1', ['group_technician'], company, tech1),
        tech2=create_user(
            'tech2', ['group_technician'], company, tech2),
        manager=create_user(
            'manager', ['group_service_manager'], company),
        )
    return SimpleNamespace(
        company=company, tech1=tech1, tech2=tech2, reporter=reporter,
        users=users)


def clock_defaults(Model):
    """Yield the date and time fields of Model whose default, defined by
    one of our modules, reads the clock"""
    for name, default in Model._defaults.items():
        if Model._fields[name]._type not in {'date', 'datetime'}:
            continue
        owner = next(
            c for c in Model.__mro__ if f'default_{name}' in vars(c))
        if (owner.__module__.startswith('trytond.modules.svc_')
                and default() is not None):
            yield name


class ClockDefaultsTestMixin:
    "Check that no client keeps a default of our modules read from the clock"

    @with_transaction()
    def test_clock_defaults_not_cached(self):
        "Test each new record asks the server for the time"
        for name, Model in Pool().iterobject():
            if not issubclass(Model, ModelStorage):
                continue
            for field in clock_defaults(Model):
                with self.subTest(model=name, field=field):
                    self.assertIsNone(
                        Model.__rpc__['default_get'].cache,
                        msg=f"{name}.default_{field} is cached by clients")


class SvcRepairTestCase(ClockDefaultsTestMixin, ModuleTestCase):
    "Test Svc Repair module"
    module = REPAIR_MODULES[0]
    extras = REPAIR_MODULES[1:]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_zh_cn()

    def setup_repair(self):
        return setup_repair()

    def create_ticket(self, env, **values):
        Ticket = Pool().get('svc.repair.ticket')
        values.setdefault('reporter', env.reporter.id)
        values.setdefault('description', "厨房水管漏水")
        ticket, = Ticket.create([values])
        return ticket

    def assigned_ticket(self, env, **values):
        Ticket = Pool().get('svc.repair.ticket')
        values.setdefault('grade', 'B')
        values.setdefault('urgency', 'general')
        values.setdefault('technician', env.tech1.id)
        ticket = self.create_ticket(env, **values)
        Ticket.dispatch([ticket])
        return ticket

    def done_ticket(self, env, **values):
        Ticket = Pool().get('svc.repair.ticket')
        ticket = self.assigned_ticket(env, **values)
        Ticket.start([ticket])
        ticket.work_report = "更换水龙头阀芯"
        ticket.save()
        Ticket.finish([ticket])
        return ticket

    @with_transaction()
    def test_configuration_defaults(self):
        "Test the default configuration follows the service commitments"
        Configuration = Pool().get('svc.repair.configuration')
        configuration = Configuration(1)
        self.assertEqual({
                s.urgency: (s.response_delay, s.resolution_delay, s.clock)
                for s in configuration.slas}, DELAYS)
        calendar = configuration.get_sla('general').calendar
        self.assertEqual(
            sorted((h.weekday, h.start, h.end) for h in calendar.hours),
            sorted((str(w), dt.time(*s), dt.time(*e))
                for w in range(5) for s, e in [((9,), (12,)), ((13,), (18,))]))
        self.assertEqual(configuration.escalation_percent, 80)
        self.assertEqual(
            configuration.ticket_sequence.prefix, 'WX${year}-')
        self.assertEqual(configuration.ticket_sequence.padding, 5)

    @with_transaction()
    def test_configuration_refuse_delay(self):
        "Test the configuration refuses a zero or negative delay"
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        SLA = pool.get('svc.repair.sla')
        for delay in [dt.timedelta(0), dt.timedelta(hours=-1)]:
            for urgency in DELAYS:
                for name in ['response_delay', 'resolution_delay']:
                    with self.subTest(
                            urgency=urgency, name=name, delay=delay):
                        with self.assertRaises(SLAValidationError), \
                                savepoint():
                            set_sla(urgency, **{name: delay})
        set_sla('urgent', response_delay=dt.timedelta(minutes=30))
        self.assertEqual(
            Configuration(1).get_sla('urgent').response_delay,
            dt.timedelta(minutes=30))
        configuration = Configuration(1)
        for values in [
                {'escalation_percent': 0},
                {'escalation_percent': 101},
                {'escalation_lead_time': -HOUR},
                ]:
            with self.subTest(values=values):
                with self.assertRaises(EscalationValidationError), \
                        savepoint():
                    Configuration.write([configuration], values)
        # Last as PostgreSQL aborts the transaction
        with self.assertRaises(SQLConstraintError):
            SLA.copy(SLA.search([('urgency', '=', 'urgent')]))

    @with_transaction()
    def test_ticket_number_and_deadline(self):
        "Test a ticket is numbered and its deadline follows urgency"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            # Monday 2 March 2026 9:30 in UTC, as the company
            reported_at = dt.datetime(2026, 3, 2, 9, 30)
            ticket = self.create_ticket(
                env, reported_at=reported_at, urgency='general')
            self.assertRegex(ticket.number, r'^WX\d{4}-\d{5}$')
            # 24 and 72 working hours of 8 a day
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 3, 5, 9, 30))
            self.assertEqual(
                ticket.resolution_deadline, dt.datetime(2026, 3, 13, 9, 30))

            Ticket.write([ticket], {'urgency': 'urgent'})
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 3, 2, 10, 30))
            self.assertEqual(
                ticket.resolution_deadline, dt.datetime(2026, 3, 2, 13, 30))
            ticket.reported_at = dt.datetime(2026, 3, 1, 23, 0)
            ticket.save()
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 3, 2, 0, 0))
            ticket.urgency = None
            ticket.save()
            self.assertIsNone(ticket.response_deadline)
            self.assertIsNone(ticket.resolution_deadline)

            ticket.urgency = 'complex'
            # 168 working hours from Monday 9:00 are 21 working days
            self.assertEqual(
                ticket.on_change_with_response_deadline(),
                dt.datetime(2026, 3, 30, 18, 0))

    @with_transaction()
    def test_ticket_required(self):
        "Test a ticket needs a reporter and a description"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            with self.assertRaises(RequiredValidationError), savepoint():
                Ticket.create([{'description': "漏水"}])
            with self.assertRaises(RequiredValidationError), savepoint():
                Ticket.create([{'reporter': env.reporter.id}])
            with self.assertRaises(SelectionValidationError):
                self.create_ticket(env, grade='Z')

    @with_transaction()
    def test_dispatch_refused(self):
        "Test dispatch needs a technician, a grade and an urgency"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.create_ticket(env, grade='A', urgency='urgent')
            with self.assertRaisesRegex(TicketDispatchError, 'technician'):
                Ticket.dispatch([ticket])
            self.assertEqual(ticket.state, 'draft')
            self.assertIsNone(ticket.dispatched_by)

            for values in [{'grade': None}, {'urgency': None}]:
                ticket = self.create_ticket(
                    env, technician=env.tech1.id,
                    **dict({'grade': 'A', 'urgency': 'urgent'}, **values))
                with self.subTest(values=values):
                    with self.assertRaisesRegex(
                            TicketDispatchError, 'grade and urgency'):
                        Ticket.dispatch([ticket])
                    self.assertEqual(ticket.state, 'draft')

    @with_transaction()
    def test_accept_refused(self):
        "Test accept needs a finished ticket and a satisfied result"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.assigned_ticket(env)
            ticket.acceptance_result = 'satisfied'
            ticket.save()
            with self.assertRaises(TicketAcceptError):
                Ticket.accept([ticket])
            self.assertEqual(ticket.state, 'assigned')

            ticket = self.done_ticket(env)
            with self.assertRaises(TicketAcceptError):
                Ticket.accept([ticket])
            ticket.acceptance_result = 'unsatisfied'
            ticket.save()
            with self.assertRaises(TicketAcceptError):
                Ticket.accept([ticket])
            self.assertEqual(ticket.state, 'done')
            self.assertIsNone(ticket.accepted_by)

    @with_transaction()
    def test_close_refused(self):
        "Test close needs an accepted ticket and a revisit"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.done_ticket(env)
            ticket.revisit_satisfaction = 'satisfied'
            ticket.save()
            with self.assertRaises(TicketCloseError):
                Ticket.close([ticket])
            self.assertEqual(ticket.state, 'done')

            ticket = self.done_ticket(env, acceptance_result='satisfied')
            Ticket.accept([ticket])
            with self.assertRaises(TicketCloseError):
                Ticket.close([ticket])
            self.assertEqual(ticket.state, 'accepted')
            self.assertIsNone(ticket.closed_by)

    @with_transaction()
    def test_finish_refused(self):
        "Test finish needs a work report"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.assigned_ticket(env)
            Ticket.start([ticket])
            with self.assertRaises(TicketFinishError):
                Ticket.finish([ticket])
            self.assertEqual(ticket.state, 'running')

    @with_transaction()
    def test_workflow_stamps(self):
        "Test each transition records who and when"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        users = env.users
        with set_company(env.company):
            ticket = self.create_ticket(
                env, grade='B', urgency='general', technician=env.tech1.id)

        def click(user, button):
            before = dt.datetime.now().replace(microsecond=0)
            with as_user(user):
                getattr(Ticket, button)([Ticket(ticket.id)])
            return before

        def check(user, name, state, before):
            record = Ticket(ticket.id)
            self.assertEqual(record.state, state)
            self.assertEqual(getattr(record, f'{name}_by'), user)
            self.assertGreaterEqual(getattr(record, f'{name}_at'), before)

        check(users.dispatcher, 'dispatched', 'assigned',
            click(users.dispatcher, 'dispatch'))
        check(users.tech1, 'started', 'running', click(users.tech1, 'start'))
        with as_user(users.tech1):
            Ticket.write([Ticket(ticket.id)], {'work_report': "更换阀芯"})
        check(users.tech1, 'done', 'done', click(users.tech1, 'finish'))

        with as_user(users.reception):
            Ticket.write(
                [Ticket(ticket.id)], {'acceptance_result': 'unsatisfied'})
        click(users.reception, 'rework')
        record = Ticket(ticket.id)
        self.assertEqual(record.state, 'running')
        self.assertEqual(record.rework_count, 1)
        self.assertIsNone(record.acceptance_result)
        click(users.tech1, 'finish')

        with as_user(users.reception):
            Ticket.write(
                [Ticket(ticket.id)], {'acceptance_result': 'satisfied'})
        check(users.reception, 'accepted', 'accepted',
            click(users.reception, 'accept'))
        with as_user(users.reception):
            Ticket.write(
                [Ticket(ticket.id)], {'revisit_satisfaction': 'satisfied'})
        check(users.reception, 'closed', 'closed',
            click(users.reception, 'close'))

        with set_company(env.company):
            ticket = self.create_ticket(env)
        check(users.manager, 'cancelled', 'cancelled',
            click(users.manager, 'cancel'))
        click(users.manager, 'draft')
        record = Ticket(ticket.id)
        self.assertEqual(record.state, 'draft')
        self.assertIsNone(record.cancelled_by)
        self.assertIsNone(record.cancelled_at)

    @with_transaction()
    def test_delete(self):
        "Test only draft or cancelled tickets can be deleted"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.assigned_ticket(env)
            with self.assertRaises(TicketDeleteError):
                Ticket.delete([ticket])
            Ticket.cancel([ticket])
            draft = self.create_ticket(env)
            Ticket.delete([ticket, draft])
            self.assertEqual(Ticket.search([]), [])

    @with_transaction()
    def test_overdue(self):
        "Test overdue finds exactly the late tickets not started or finished"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        now = dt.datetime.now()
        with set_company(env.company):
            late_finish = self.assigned_ticket(
                env, urgency='urgent', reported_at=now - 5 * HOUR)
            Ticket.start([late_finish])
            late_waiting = self.assigned_ticket(
                env, urgency='urgent', reported_at=now - 5 * HOUR,
                waiting_reason='customer')
            Ticket.wait([late_waiting])
            done_late = self.done_ticket(
                env, urgency='urgent', reported_at=now - 5 * HOUR)
            late_draft = self.create_ticket(
                env, urgency='urgent', reported_at=now - 2 * HOUR)
            late_assigned = self.assigned_ticket(
                env, urgency='urgent', reported_at=now - 3 * HOUR)
            in_time = self.create_ticket(
                env, urgency='general', reported_at=now - 2 * HOUR)
            no_urgency = self.create_ticket(
                env, reported_at=now - 48 * HOUR)
            late_running = self.assigned_ticket(
                env, urgency='urgent', reported_at=now - 2 * HOUR)
            Ticket.start([late_running])
            late_cancelled = self.create_ticket(
                env, urgency='urgent', reported_at=now - 2 * HOUR)
            Ticket.cancel([late_cancelled])
        late = {late_draft, late_assigned, late_finish}
        others = {
            in_time, no_urgency, late_running, late_cancelled, late_waiting,
            done_late}

        self.assertEqual(set(Ticket.search([('overdue', '=', True)])), late)
        self.assertEqual(
            set(Ticket.search([('overdue', '=', False)])), others)
        self.assertEqual(
            set(Ticket.search([('overdue', '!=', True)])), others)
        for ticket in late | others:
            with self.subTest(ticket=ticket.id):
                self.assertEqual(ticket.overdue, ticket in late)

        for value in [True, False]:
            domain = Ticket.search_overdue('overdue', ('overdue', '=', value))
            self.assertNotIn("'id'", str(domain))

    @with_transaction()
    def test_zh_cn_messages(self):
        "Test errors are shown in Simplified Chinese"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Configuration = pool.get('svc.repair.configuration')
        env = self.setup_repair()

        with set_company(env.company), \
                Transaction().set_context(language='zh_CN'):
            invalid_grade = {
                'reporter': env.reporter.id,
                'description': "漏水",
                'grade': 'Z',
                }
            for values, message in [
                    ({'description': "漏水"},
                        '^请填写“维修工作单”(记录“[^”]*”)?的必填字段“报修人”。'),
                    ({'reporter': env.reporter.id},
                        '^请填写“维修工作单”(记录“[^”]*”)?的必填字段“故障描述”。'),
                    (invalid_grade,
                        '^“维修工作单”记录“[^”]*”的字段“维修分级”的值“Z”'
                        '不是允许的选项之一。'),
                    ]:
                with self.subTest(values=values):
                    with self.assertRaisesRegex(UserError, message), \
                            savepoint():
                        Ticket.create([values])

            ticket = self.create_ticket(env, grade='A', urgency='urgent')
            with self.assertRaisesRegex(
                    TicketDispatchError, '请先选择主修技术员'):
                Ticket.dispatch([ticket])
            with self.assertRaisesRegex(
                    TicketAcceptError, '只有已完工的维修工作单才能验收'):
                Ticket.accept([ticket])
            with self.assertRaisesRegex(
                    SLAValidationError, '请将“紧急”服务时限的“响应时限”'):
                set_sla('urgent', response_delay=dt.timedelta(0))
            ticket = self.assigned_ticket(env)
            with self.assertRaisesRegex(
                    TicketWaitError, '请先选择等待原因'):
                Ticket.wait([ticket])
            with self.assertRaisesRegex(
                    EscalationValidationError, '1 到 100'):
                Configuration.write(
                    [Configuration(1)], {'escalation_percent': 0})

    @with_transaction()
    def test_role_reception(self):
        "Test the reception creates, accepts and closes tickets"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with as_user(env.users.reception):
            ticket, = Ticket.create([{
                        'reporter': env.reporter.id,
                        'description': "门禁无法刷卡",
                        'technician': env.tech1.id,
                        'grade': 'B',
                        'urgency': 'general',
                        }])
            self.assertTrue(ticket.number)
            with self.assertRaises(AccessButtonError):
                Ticket.dispatch([ticket])
            with self.assertRaises(AccessError):
                Ticket.delete([ticket])
        with set_company(env.company):
            Ticket.dispatch([ticket])
            Ticket.start([ticket])
            with self.assertRaises(AccessButtonError):
                with as_user(env.users.reception):
                    Ticket.finish([Ticket(ticket.id)])
            Ticket.write([ticket], {'work_report': "更换读卡器"})
            Ticket.finish([ticket])
        with as_user(env.users.reception):
            ticket = Ticket(ticket.id)
            Ticket.write([ticket], {'acceptance_result': 'satisfied'})
            Ticket.accept([ticket])
            Ticket.write([ticket], {'revisit_satisfaction': 'very_satisfied'})
            Ticket.close([ticket])
            self.assertEqual(ticket.state, 'closed')

    @with_transaction()
    def test_role_dispatcher(self):
        "Test the dispatcher dispatches but does not repair nor close"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.create_ticket(env)
        with as_user(env.users.dispatcher):
            ticket = Ticket(ticket.id)
            Ticket.write([ticket], {
                    'technician': env.tech1.id,
                    'assistants': [('add', [env.tech2.id])],
                    'grade': 'C',
                    'urgency': 'complex',
                    })
            Ticket.dispatch([ticket])
            self.assertEqual(ticket.state, 'assigned')
            with self.assertRaises(AccessButtonError):
                Ticket.start([ticket])
        with set_company(env.company):
            Ticket.start([ticket])
            Ticket.write([ticket], {'work_report': "更换摄像头"})
            Ticket.finish([ticket])
            Ticket.write([ticket], {'acceptance_result': 'satisfied'})
            Ticket.accept([ticket])
            Ticket.write([ticket], {'revisit_satisfaction': 'satisfied'})
        with as_user(env.users.dispatcher):
            with self.assertRaises(AccessButtonError):
                Ticket.close([Ticket(ticket.id)])

    @with_transaction()
    def test_role_technician(self):
        "Test a technician works only on own tickets"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        users = env.users
        with set_company(env.company):
            own = self.assigned_ticket(env)
            assisted = self.assigned_ticket(
                env, technician=env.tech2.id,
                assistants=[('add', [env.tech1.id])])
            other = self.assigned_ticket(env, technician=env.tech2.id)
            draft = self.create_ticket(env, technician=env.tech1.id)

        with as_user(users.tech1):
            self.assertEqual(
                set(Ticket.search([])), {own, assisted, draft})
            with self.assertRaises(AccessError):
                Ticket.read([other.id], ['number'])
            with self.assertRaises(AccessError):
                Ticket.write([Ticket(other.id)], {'diagnosis': "?"})
            with self.assertRaises(AccessError):
                Ticket.start([Ticket(other.id)])
            with self.assertRaises(AccessButtonError):
                Ticket.dispatch([Ticket(draft.id)])
            with self.assertRaises(AccessError):
                Ticket.create([{
                            'reporter': env.reporter.id,
                            'description': "漏水",
                            }])
            Ticket.start([Ticket(own.id), Ticket(assisted.id)])
            Ticket.write([Ticket(own.id)], {
                    'diagnosis': "阀芯老化",
                    'work_report': "更换阀芯",
                    })
            Ticket.finish([Ticket(own.id)])
            with self.assertRaises(AccessButtonError):
                Ticket.close([Ticket(own.id)])
        self.assertEqual(Ticket(own.id).state, 'done')
        self.assertEqual(Ticket(assisted.id).started_by, users.tech1)

        with as_user(users.tech2):
            self.assertEqual(set(Ticket.search([])), {assisted, other})

    @with_transaction()
    def test_role_manager(self):
        "Test the service manager may do everything"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Configuration = pool.get('svc.repair.configuration')
        env = self.setup_repair()
        with as_user(env.users.manager):
            set_sla('general', response_delay=dt.timedelta(hours=12),
                clock='always', calendar=None)
            ticket, = Ticket.create([{
                        'reporter': env.reporter.id,
                        'description': "网络中断",
                        'technician': env.tech2.id,
                        'grade': 'B',
                        'urgency': 'general',
                        }])
            self.assertEqual(
                ticket.response_deadline - ticket.reported_at,
                dt.timedelta(hours=12))
            Ticket.dispatch([ticket])
            Ticket.cancel([ticket])
            Ticket.delete([ticket])

            ticket, = Ticket.create([{
                        'reporter': env.reporter.id,
                        'description': "打印机卡纸",
                        'technician': env.tech1.id,
                        'grade': 'A',
                        'urgency': 'urgent',
                        }])
            Ticket.dispatch([ticket])
            Ticket.start([ticket])
            Ticket.write([ticket], {'work_report': "清理搓纸轮"})
            Ticket.finish([ticket])
            Ticket.write([ticket], {'acceptance_result': 'satisfied'})
            Ticket.accept([ticket])
            Ticket.write([ticket], {'revisit_satisfaction': 'satisfied'})
            Ticket.close([ticket])
            self.assertEqual(ticket.state, 'closed')
        with as_user(env.users.dispatcher):
            with self.assertRaises(AccessError):
                set_sla('general', response_delay=dt.timedelta(hours=6))
            with self.assertRaises(AccessError):
                Configuration.write([Configuration(1)], {
                        'escalation_percent': 50})

    @with_transaction()
    def test_house_fills_reporter(self):
        "Test choosing a house fills the reporter and the address"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Estate = pool.get('svc.property.estate')
        Building = pool.get('svc.property.building')
        Unit = pool.get('svc.property.unit')
        House = pool.get('svc.property.house')
        Party = pool.get('party.party')
        env = self.setup_repair()
        with set_company(env.company):
            owner, = Party.create([{
                        'name': "刘业主",
                        'contact_mechanisms': [('create', [{
                                        'type': 'mobile',
                                        'value': '13800138000',
                                        }])],
                        }])
            estate = Estate(name="翠湖花园", company=env.company)
            estate.save()
            building = Building(estate=estate, name="3栋")
            building.save()
            unit = Unit(building=building, name="2单元")
            unit.save()
            house = House(unit=unit, number='1201', owner=owner)
            house.save()

            ticket = Ticket()
            ticket.house = house
            ticket.on_change_house()
            self.assertEqual(ticket.reporter, owner)
            self.assertEqual(ticket.address, house.rec_name)
            self.assertEqual(ticket.contact_phone, '13800138000')

    @with_transaction()
    def test_equipment_warranty(self):
        "Test the warranty end follows the purchase date and fills tickets"
        pool = Pool()
        Equipment = pool.get('svc.repair.equipment')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_repair()
        unit, = Uom.search([('symbol', '=', 'u')])
        template, = Template.create([{
                    'name': "燃气热水器",
                    'default_uom': unit.id,
                    'products': [('create', [{}])],
                    }])
        product, = template.products
        with set_company(env.company):
            equipment = Equipment(
                product=product, serial_number='RS-0001',
                customer=env.reporter, address="3栋2单元1201",
                purchase_date=dt.date(2026, 3, 15), warranty_months=12)
            equipment.warranty_end = equipment.on_change_with_warranty_end()
            equipment.save()
            self.assertEqual(equipment.warranty_end, dt.date(2027, 3, 14))
            self.assertTrue(equipment.in_warranty(dt.date(2027, 3, 14)))
            self.assertFalse(equipment.in_warranty(dt.date(2027, 3, 15)))
            self.assertEqual(
                Equipment.search([('rec_name', 'ilike', '%热水器%')]),
                [equipment])

            ticket = Ticket(equipment=equipment)
            ticket.on_change_equipment()
            self.assertEqual(ticket.reporter, env.reporter)
            self.assertEqual(ticket.address, "3栋2单元1201")

            with self.assertRaises(SQLConstraintError):
                Equipment.create([{
                            'product': product.id,
                            'serial_number': 'RS-0001',
                            }])

    @with_transaction()
    def test_wait_and_resume(self):
        "Test waiting needs a reason and pauses both deadlines"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_repair()
        reported_at = dt.datetime(2026, 3, 2, 9, 0)
        with set_company(env.company), frozen(reported_at):
            ticket = self.assigned_ticket(
                env, urgency='general', reported_at=reported_at)
            other = self.assigned_ticket(
                env, urgency='general', reported_at=reported_at,
                waiting_reason='parts')
        self.assertEqual(
            ticket.response_deadline, dt.datetime(2026, 3, 4, 18, 0))
        self.assertEqual(
            ticket.resolution_deadline, dt.datetime(2026, 3, 12, 18, 0))

        with self.assertRaises(TicketWaitError):
            Ticket.wait([other, ticket])
        self.assertEqual(
            [other.state, ticket.state], ['assigned', 'assigned'])
        self.assertEqual((other.pauses, ticket.pauses), ((), ()))

        # Waits for the customer from Monday 10:00 to Tuesday 11:00,
        # 9 working hours
        ticket.waiting_reason = 'customer'
        ticket.waiting_remark = "业主不在家"
        ticket.save()
        with frozen(dt.datetime(2026, 3, 2, 10, 0)):
            with as_user(env.users.tech1):
                Ticket.wait([Ticket(ticket.id)])
        self.assertEqual(ticket.state, 'waiting')
        pause, = ticket.pauses
        self.assertEqual(
            (pause.reason, pause.remark, pause.from_state, pause.started_by),
            ('customer', "业主不在家", 'assigned', env.users.tech1))
        self.assertIsNone(pause.end)
        self.assertEqual(
            ticket.response_deadline, dt.datetime(2026, 3, 4, 18, 0))

        with frozen(dt.datetime(2026, 3, 3, 11, 0)):
            with as_user(env.users.dispatcher):
                Ticket.resume([Ticket(ticket.id)])
        self.assertEqual(ticket.state, 'assigned')
        self.assertIsNone(ticket.waiting_reason)
        self.assertEqual(pause.end, dt.datetime(2026, 3, 3, 11, 0))
        self.assertEqual(pause.resumed_by, env.users.dispatcher)
        self.assertEqual(pause.duration, dt.timedelta(hours=25))
        self.assertEqual(
            ticket.response_deadline, dt.datetime(2026, 3, 6, 10, 0))
        self.assertEqual(
            ticket.resolution_deadline, dt.datetime(2026, 3, 16, 10, 0))

        # Started, it waits for parts and comes back running
        with frozen(dt.datetime(2026, 3, 3, 13, 0)):
            Ticket.start([ticket])
            ticket.waiting_reason = 'parts'
            ticket.save()
            Ticket.wait([ticket])
        with frozen(dt.datetime(2026, 3, 3, 15, 0)):
            Ticket.resume([ticket])
        self.assertEqual(ticket.state, 'running')
        self.assertEqual(len(ticket.pauses), 2)
        self.assertEqual(
            ticket.response_deadline, dt.datetime(2026, 3, 6, 10, 0))
        self.assertEqual(
            ticket.resolution_deadline, dt.datetime(2026, 3, 16, 12, 0))

        # A waiting ticket can be cancelled, which ends the pause
        ticket.waiting_reason = 'parts'
        ticket.save()
        with frozen(dt.datetime(2026, 3, 4, 9, 0)):
            Ticket.wait([ticket])
        with frozen(dt.datetime(2026, 3, 4, 10, 0)):
            Ticket.cancel([ticket])
        self.assertEqual(ticket.state, 'cancelled')
        self.assertEqual(
            ticket.pauses[-1].end, dt.datetime(2026, 3, 4, 10, 0))

    @with_transaction()
    def test_party_service_file(self):
        "Test the party's service file opens its tickets, by role"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Action = pool.get('ir.action.act_window')
        ModelData = pool.get('ir.model.data')
        env = self.setup_repair()
        with set_company(env.company):
            mine = self.assigned_ticket(env)
            other = self.assigned_ticket(env, technician=env.tech2.id)
            draft = self.create_ticket(env)
        relate = Action(ModelData.get_id(
                'svc_repair', 'act_ticket_party_relate'))
        domain = PYSONDecoder({
                'active_ids': [env.reporter.id],
                }).decode(relate.pyson_domain)
        with as_user(env.users.reception):
            self.assertEqual(
                set(Ticket.search(domain)), {mine, other, draft})
        with as_user(env.users.tech1):
            self.assertEqual(Ticket.search(domain), [mine])

    @with_transaction()
    def test_wait_roles(self):
        "Test the reception cannot put a ticket on hold"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            ticket = self.assigned_ticket(env, waiting_reason='parts')
        with as_user(env.users.reception):
            with self.assertRaises(AccessButtonError):
                Ticket.wait([Ticket(ticket.id)])
        with as_user(env.users.manager):
            Ticket.wait([Ticket(ticket.id)])
        with as_user(env.users.reception):
            with self.assertRaises(AccessButtonError):
                Ticket.resume([Ticket(ticket.id)])
        with as_user(env.users.tech2):
            with self.assertRaises(AccessError):
                Ticket.resume([Ticket(ticket.id)])
        with as_user(env.users.tech1):
            Ticket.resume([Ticket(ticket.id)])
        self.assertEqual(Ticket(ticket.id).state, 'assigned')

    @with_transaction()
    def test_deadlines_met(self):
        "Test whether each deadline was met is stored at start and finish"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        reported_at = dt.datetime(2026, 3, 2, 9, 0)
        with set_company(env.company), frozen(reported_at):
            early = self.assigned_ticket(env, urgency='urgent')
            late = self.assigned_ticket(env, urgency='urgent')
        self.assertIsNone(early.response_met)
        self.assertIsNone(early.resolution_met)
        with frozen(reported_at + HOUR):
            Ticket.start([early])
        with frozen(reported_at + HOUR + dt.timedelta(seconds=1)):
            Ticket.start([late])
        self.assertEqual((early.response_met, late.response_met),
            (True, False))
        self.assertIsNone(early.resolution_met)
        Ticket.write([early, late], {'work_report': "更换开关"})
        with frozen(reported_at + 4 * HOUR):
            Ticket.finish([early])
        with frozen(reported_at + 5 * HOUR):
            Ticket.finish([late])
        self.assertEqual((early.resolution_met, late.resolution_met),
            (True, False))
        Ticket.rework([early])
        self.assertIsNone(early.resolution_met)
        self.assertTrue(early.response_met)

        copy, = Ticket.copy([late])
        self.assertEqual(
            (copy.response_met, copy.resolution_met, copy.pauses),
            (None, None, ()))

    @with_transaction()
    def test_escalate(self):
        "Test the escalation notifies each level once"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Notification = pool.get('res.notification')
        Cron = pool.get('ir.cron')
        Lang = pool.get('ir.lang')
        env = self.setup_repair()
        users = env.users
        users.manager.language, = Lang.search([('code', '=', 'zh_CN')])
        users.manager.email = 'manager@example.com'
        users.manager.save()
        outsider = create_user(
            'outsider', ['group_dispatcher'], create_company("其他公司"))
        reported_at = dt.datetime(2026, 3, 2, 9, 0)
        with set_company(env.company), frozen(reported_at):
            ticket = self.assigned_ticket(env, urgency='urgent')
            quiet = self.assigned_ticket(env, urgency='general')

        def notified(user):
            return [(n.label, n.model, n.records)
                for n in Notification.search([('user', '=', user.id)])]

        cron, = Cron.search([('method', '=', 'svc.repair.ticket|escalate')])
        self.assertEqual((cron.interval_number, cron.interval_type),
            (5, 'minutes'))
        with frozen(reported_at + dt.timedelta(minutes=47)):
            Cron.run_once([cron])
        self.assertEqual(notified(users.dispatcher), [])

        with patch.object(Ticket, 'lock', wraps=Ticket.lock) as lock:
            for minutes in [48, 50]:
                with frozen(reported_at + dt.timedelta(minutes=minutes)):
                    Cron.run_once([cron])
        # The rows are locked before the level is read again and written
        self.assertEqual(
            [c.args for c in lock.call_args_list], [([ticket],), ([],)])
        self.assertEqual(notified(users.dispatcher), [(
                    f"Response deadline approaching: {ticket.number}",
                    'svc.repair.ticket', f'[{ticket.id}]')])
        self.assertEqual(notified(users.manager), [])
        self.assertEqual(ticket.response_escalation, 'warning')
        self.assertIsNone(ticket.resolution_escalation)

        with patch('trytond.modules.svc_repair.repair'
                '.send_message_transactional') as send:
            for minutes in [61, 70]:
                with frozen(reported_at + dt.timedelta(minutes=minutes)):
                    Ticket.escalate()
            self.assertEqual(send.call_count, 0)
            self.assertEqual(len(notified(users.dispatcher)), 1)
            self.assertEqual(notified(users.manager), [(
                        f"响应时限已过：{ticket.number}",
                        'svc.repair.ticket', f'[{ticket.id}]')])
            self.assertEqual(ticket.response_escalation, 'overdue')

            Ticket.start([ticket])
            configuration = pool.get('svc.repair.configuration')(1)
            configuration.escalation_email = True
            configuration.save()
            # Past the resolution deadline without warning: the dispatchers
            # are told too, and emailed right after the commit
            with frozen(reported_at + 5 * HOUR):
                Ticket.escalate()
                self.assertEqual(send.call_count, 0)
                run_tasks()
                Ticket.escalate()
                run_tasks()
            msg = send.call_args.args[0]
            self.assertEqual(msg['To'], 'manager@example.com')
            self.assertEqual(msg['Subject'], f"完成时限已过：{ticket.number}")
        self.assertEqual(send.call_count, 1)
        self.assertEqual(len(notified(users.dispatcher)), 2)
        self.assertEqual(len(notified(users.manager)), 2)
        self.assertEqual(ticket.resolution_escalation, 'overdue')
        self.assertIsNone(quiet.response_escalation)
        self.assertEqual(notified(outsider), [])

    @with_transaction()
    def test_escalate_waiting_and_lead_time(self):
        "Test waiting tickets are not escalated and the lead time warns"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Notification = pool.get('res.notification')
        Configuration = pool.get('svc.repair.configuration')
        env = self.setup_repair()
        reported_at = dt.datetime(2026, 3, 2, 9, 0)
        with set_company(env.company), frozen(reported_at):
            ticket = self.assigned_ticket(
                env, urgency='urgent', waiting_reason='customer')
            Ticket.wait([ticket])
        with frozen(reported_at + 2 * HOUR):
            Ticket.escalate()
        self.assertEqual(Notification.search([]), [])
        with frozen(reported_at + 3 * HOUR):
            Ticket.resume([ticket])
        self.assertEqual(
            ticket.response_deadline, reported_at + 3 * HOUR + HOUR)

        Configuration.write([Configuration(1)], {
                'escalation_lead_time': dt.timedelta(minutes=30)})
        with frozen(reported_at + 3 * HOUR + dt.timedelta(minutes=29)):
            Ticket.escalate()
        self.assertEqual(Notification.search([]), [])
        with frozen(reported_at + 3 * HOUR + dt.timedelta(minutes=30)):
            Ticket.escalate()
        users = {n.user for n in Notification.search([])}
        self.assertIn(env.users.dispatcher, users)
        self.assertNotIn(env.users.manager, users)
        self.assertEqual(ticket.response_escalation, 'warning')

    @with_transaction()
    def test_escalate_email_queued(self):
        "Test a queue worker emails the escalations, the job notifies"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Notification = pool.get('res.notification')
        Configuration = pool.get('svc.repair.configuration')
        env = self.setup_repair()
        for user in [env.users.dispatcher, env.users.manager]:
            user.email = f'{user.login}@example.com'
            user.save()
        Configuration.write([Configuration(1)], {'escalation_email': True})
        reported_at = dt.datetime(2026, 3, 2, 9, 0)
        with set_company(env.company), frozen(reported_at):
            tickets = [
                self.assigned_ticket(env, urgency='urgent')
                for _ in range(3)]

        with queue_worker(), \
                frozen(reported_at + 2 * HOUR), \
                patch('trytond.modules.svc_repair.repair'
                    '.send_message_transactional') as send:
            Ticket.escalate()
            self.assertEqual(len(Notification.search([
                            ('user', 'in', [
                                    env.users.dispatcher.id,
                                    env.users.manager.id]),
                            ])), 6)
            task, = worker_tasks('email_escalation')
            self.assertEqual(
                (task.data['method'], sorted(task.data['instances']),
                    list(task.data['args'])),
                ('email_escalation', sorted(t.id for t in tickets),
                    ['response', 'overdue', None]))
            self.assertEqual(send.call_count, 0)

            task.run()
        self.assertEqual(
            sorted(c.args[0]['To'] for c in send.call_args_list),
            ['dispatcher@example.com'] * 3 + ['manager@example.com'] * 3)
        self.assertTrue(task.finished_at)


del ModuleTestCase
