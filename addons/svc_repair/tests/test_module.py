# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, RequiredValidationError,
    SelectionValidationError)
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.svc_repair.exceptions import (
    ResponseDelayValidationError, TicketAcceptError, TicketCloseError,
    TicketDeleteError, TicketDispatchError, TicketFinishError)
from trytond.modules.svc_repair.repair import compute_response_deadline
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, ModuleTestCase, with_transaction
from trytond.transaction import Transaction

HOUR = dt.timedelta(hours=1)
DELAYS = {
    'urgent': HOUR,
    'general': dt.timedelta(hours=24),
    'complex': dt.timedelta(days=7),
    }


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


class SvcRepairTestCase(ModuleTestCase):
    "Test Svc Repair module"
    module = 'svc_repair'
    extras = ['svc_property']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Committed because on PostgreSQL the error of a NOT NULL column is
        # written by another transaction
        with Transaction().start(DB_NAME, 0) as transaction:
            Lang = Pool().get('ir.lang')
            zh_cn, = Lang.search([('code', '=', 'zh_CN')])
            Lang.load_translations([zh_cn])
            transaction.commit()

    def setup_repair(self):
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

    def test_compute_response_deadline(self):
        "Test the response deadline of each urgency"
        reported_at = dt.datetime(2026, 3, 1, 9, 30)
        for urgency, deadline in [
                ('urgent', dt.datetime(2026, 3, 1, 10, 30)),
                ('general', dt.datetime(2026, 3, 2, 9, 30)),
                ('complex', dt.datetime(2026, 3, 8, 9, 30)),
                ]:
            with self.subTest(urgency=urgency):
                self.assertEqual(
                    compute_response_deadline(reported_at, urgency, DELAYS),
                    deadline)

    def test_compute_response_deadline_missing(self):
        "Test no response deadline without urgency or report time"
        reported_at = dt.datetime(2026, 3, 1, 9, 30)
        self.assertIsNone(
            compute_response_deadline(reported_at, None, DELAYS))
        self.assertIsNone(compute_response_deadline(None, 'urgent', DELAYS))
        self.assertIsNone(compute_response_deadline(
                reported_at, 'urgent', {'general': HOUR}))

    def test_compute_response_deadline_custom_delays(self):
        "Test the response deadline with custom delays"
        reported_at = dt.datetime(2026, 12, 31, 23, 0)
        delays = dict(DELAYS, urgent=dt.timedelta(minutes=30))
        self.assertEqual(
            compute_response_deadline(reported_at, 'urgent', delays),
            dt.datetime(2026, 12, 31, 23, 30))
        delays = dict(DELAYS, complex=dt.timedelta(days=3, hours=2))
        self.assertEqual(
            compute_response_deadline(reported_at, 'complex', delays),
            dt.datetime(2027, 1, 4, 1, 0))

    @with_transaction()
    def test_configuration_defaults(self):
        "Test the default configuration follows the service commitments"
        Configuration = Pool().get('svc.repair.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.response_delays, DELAYS)
        self.assertEqual(
            configuration.ticket_sequence.prefix, 'WX${year}-')
        self.assertEqual(configuration.ticket_sequence.padding, 5)

    @with_transaction()
    def test_configuration_refuse_delay(self):
        "Test the configuration refuses a zero or negative delay"
        Configuration = Pool().get('svc.repair.configuration')
        configuration, = Configuration.create([{}])
        for delay in [dt.timedelta(0), dt.timedelta(hours=-1)]:
            for urgency in DELAYS:
                name = f'response_delay_{urgency}'
                with self.subTest(name=name, delay=delay):
                    with self.assertRaises(ResponseDelayValidationError):
                        Configuration.write([configuration], {name: delay})
                    Configuration.write(
                        [configuration], {name: DELAYS[urgency]})
        Configuration.write([configuration], {
                'response_delay_urgent': dt.timedelta(minutes=30)})
        self.assertEqual(
            Configuration(1).response_delay_urgent,
            dt.timedelta(minutes=30))

    @with_transaction()
    def test_ticket_number_and_deadline(self):
        "Test a ticket is numbered and its deadline follows urgency"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_repair()
        with set_company(env.company):
            reported_at = dt.datetime(2026, 3, 1, 9, 30)
            ticket = self.create_ticket(
                env, reported_at=reported_at, urgency='general')
            self.assertRegex(ticket.number, r'^WX\d{4}-\d{5}$')
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 3, 2, 9, 30))

            Ticket.write([ticket], {'urgency': 'urgent'})
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 3, 1, 10, 30))
            ticket.reported_at = dt.datetime(2026, 3, 1, 11, 0)
            ticket.save()
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 3, 1, 12, 0))
            ticket.urgency = None
            ticket.save()
            self.assertIsNone(ticket.response_deadline)

            ticket.urgency = 'complex'
            self.assertEqual(
                ticket.on_change_with_response_deadline(),
                dt.datetime(2026, 3, 8, 11, 0))

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
        "Test overdue finds exactly the late tickets not started"
        Ticket = Pool().get('svc.repair.ticket')
        env = self.setup_repair()
        now = dt.datetime.now()
        with set_company(env.company):
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
        late = {late_draft, late_assigned}
        others = {in_time, no_urgency, late_running, late_cancelled}

        self.assertEqual(set(Ticket.search([('overdue', '=', True)])), late)
        self.assertEqual(
            set(Ticket.search([('overdue', '=', False)])), others)
        self.assertEqual(
            set(Ticket.search([('overdue', '!=', True)])), others)
        for ticket in late | others:
            with self.subTest(ticket=ticket.id):
                self.assertEqual(ticket.overdue, ticket in late)

        domain = Ticket.search_overdue('overdue', ('overdue', '=', True))
        self.assertNotIn('id', {c[0] for c in domain})

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
            configuration, = Configuration.create([{}])
            with self.assertRaisesRegex(
                    ResponseDelayValidationError, '紧急响应时限'):
                Configuration.write([configuration], {
                        'response_delay_urgent': dt.timedelta(0)})

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
        Configuration.create([{}])
        with as_user(env.users.manager):
            Configuration.write([Configuration(1)], {
                    'response_delay_general': dt.timedelta(hours=12)})
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
                Configuration.write([Configuration(1)], {
                        'response_delay_general': dt.timedelta(hours=6)})

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


del ModuleTestCase
