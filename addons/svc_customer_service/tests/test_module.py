# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model.exceptions import (
    AccessError, ForeignKeyError, RequiredValidationError)
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.svc_customer_service.exceptions import (
    CancelError, CloseError, CreateTicketError)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


def create_caller(name="张三", phone='13800138000'):
    pool = Pool()
    Party = pool.get('party.party')
    party, = Party.create([{
                'name': name,
                'contact_mechanisms': [('create', [{
                                'type': 'mobile',
                                'value': phone,
                                }])],
                'addresses': [('create', [{
                                'street': "翠湖路 8 号",
                                }])],
                }])
    return party


def create_reception(caller, kind='repair', content="厨房水管漏水", **values):
    pool = Pool()
    Reception = pool.get('svc.reception')
    reception = Reception(caller=caller, kind=kind, content=content, **values)
    reception.on_change_caller()
    reception.save()
    return reception


def create_user(login, group_xml_id, company):
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    group_id = ModelData.get_id('svc_repair', group_xml_id)
    user, = User.create([{
                'name': login,
                'login': login,
                'companies': [('add', [company.id])],
                'company': company.id,
                'groups': [('add', [group_id])],
                }])
    return user


def create_employee(name, company):
    pool = Pool()
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    party, = Party.create([{'name': name}])
    employee, = Employee.create([{
                'party': party.id,
                'company': company.id,
                }])
    return employee


def bring_to_accepted(ticket):
    pool = Pool()
    Ticket = pool.get('svc.repair.ticket')
    ticket.technician = create_employee("李师傅", ticket.company)
    ticket.grade = 'B'
    ticket.urgency = 'general'
    ticket.save()
    Ticket.dispatch([ticket])
    Ticket.start([ticket])
    ticket.work_report = "更换三通接头"
    ticket.save()
    Ticket.finish([ticket])
    ticket.acceptance_result = 'satisfied'
    ticket.save()
    Ticket.accept([ticket])


class SvcCustomerServiceTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Svc Customer Service module"
    module = 'svc_customer_service'
    extras = ['svc_property']

    @with_transaction()
    def test_reception_number_and_defaults(self):
        "Test reception is numbered and received by the current user"
        company = create_company()
        with set_company(company):
            reception = create_reception(create_caller())

            self.assertTrue(reception.number.startswith('JD'))
            self.assertEqual(reception.state, 'open')
            self.assertEqual(reception.channel, 'phone')
            self.assertEqual(reception.received_by.id, Transaction().user)
            self.assertTrue(reception.received_at)

    @with_transaction()
    def test_caller_fills_contact(self):
        "Test choosing the caller fills phone and address"
        pool = Pool()
        Reception = pool.get('svc.reception')
        company = create_company()
        with set_company(company):
            caller = create_caller()
            reception = Reception(caller=caller)
            reception.on_change_caller()

            self.assertEqual(reception.contact_phone, '13800138000')
            self.assertIn("翠湖路 8 号", reception.address)

    @with_transaction()
    def test_content_required(self):
        "Test a reception needs a content"
        company = create_company()
        with set_company(company):
            with self.assertRaises(RequiredValidationError):
                create_reception(create_caller(), content=None)

    @with_transaction()
    def test_create_ticket(self):
        "Test creating the work order copies the request"
        pool = Pool()
        Reception = pool.get('svc.reception')
        company = create_company()
        with set_company(company):
            caller = create_caller()
            reception = create_reception(
                caller, address="翠湖花园 3栋2单元 1201")

            Reception.create_ticket([reception])

            self.assertEqual(reception.state, 'processing')
            ticket = reception.ticket
            self.assertEqual(ticket.state, 'draft')
            self.assertEqual(ticket.reporter, caller)
            self.assertEqual(ticket.contact_phone, '13800138000')
            self.assertEqual(ticket.address, "翠湖花园 3栋2单元 1201")
            self.assertEqual(ticket.description, "厨房水管漏水")
            self.assertEqual(ticket.reported_at, reception.received_at)
            self.assertEqual(list(ticket.receptions), [reception])
            self.assertEqual(reception.ticket_state, 'draft')
            self.assertEqual(
                Reception.search([('ticket_state', '=', 'draft')]),
                [reception])

    @with_transaction()
    def test_create_ticket_consultation(self):
        "Test no work order is created for a consultation"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Ticket = pool.get('svc.repair.ticket')
        company = create_company()
        with set_company(company):
            reception = create_reception(
                create_caller(), kind='consultation',
                content="物业费怎么交?")

            with self.assertRaises(CreateTicketError):
                Reception.create_ticket([reception])
            self.assertEqual(Ticket.search([]), [])

    @with_transaction()
    def test_close_requires_reply(self):
        "Test closing on the spot requires the reply"
        pool = Pool()
        Reception = pool.get('svc.reception')
        company = create_company()
        with set_company(company):
            reception = create_reception(
                create_caller(), kind='consultation',
                content="物业费怎么交?")

            with self.assertRaises(CloseError):
                Reception.close([reception])

            reception.reply = "可在客服中心或网上缴纳。"
            reception.save()
            Reception.close([reception])
            self.assertEqual(reception.state, 'closed')
            self.assertEqual(reception.closed_by.id, Transaction().user)
            self.assertTrue(reception.closed_at)

    @with_transaction()
    def test_close_with_ticket_not_closed(self):
        "Test a reception with a running work order can not be closed"
        pool = Pool()
        Reception = pool.get('svc.reception')
        company = create_company()
        with set_company(company):
            reception = create_reception(create_caller(), reply="已派工")
            Reception.create_ticket([reception])

            with self.assertRaises(CloseError):
                Reception.close([reception])
            with self.assertRaises(CancelError):
                Reception.cancel([reception])
            self.assertEqual(reception.state, 'processing')

    @with_transaction()
    def test_ticket_close_closes_reception(self):
        "Test closing the work order closes its reception"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Ticket = pool.get('svc.repair.ticket')
        company = create_company()
        with set_company(company):
            reception = create_reception(create_caller())
            Reception.create_ticket([reception])
            ticket = reception.ticket
            bring_to_accepted(ticket)
            self.assertEqual(reception.state, 'processing')

            ticket.revisit_satisfaction = 'very_satisfied'
            ticket.save()
            Ticket.close([ticket])

            self.assertEqual(reception.state, 'closed')
            self.assertEqual(reception.ticket_state, 'closed')
            self.assertTrue(reception.closed_at)

    @with_transaction()
    def test_ticket_cancel_and_draft(self):
        "Test cancelling and resetting the work order moves the reception"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Ticket = pool.get('svc.repair.ticket')
        company = create_company()
        with set_company(company):
            reception = create_reception(create_caller())
            Reception.create_ticket([reception])
            ticket = reception.ticket

            Ticket.cancel([ticket])
            self.assertEqual(reception.state, 'cancelled')

            Ticket.draft([ticket])
            self.assertEqual(reception.state, 'processing')

            Ticket.cancel([ticket])
            Reception.reopen([reception])
            self.assertEqual(reception.state, 'open')
            self.assertEqual(reception.ticket, ticket)

            Reception.create_ticket([reception])
            self.assertNotEqual(reception.ticket, ticket)
            self.assertEqual(reception.state, 'processing')
            self.assertEqual(list(ticket.receptions), [])

    @with_transaction()
    def test_reopened_reception_close_with_cancelled_ticket(self):
        "Test a reopened reception whose work order is cancelled can close"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Ticket = pool.get('svc.repair.ticket')
        company = create_company()
        with set_company(company):
            reception = create_reception(create_caller())
            Reception.create_ticket([reception])
            Ticket.cancel([reception.ticket])
            Reception.reopen([reception])

            with self.assertRaises(CloseError):
                Reception.close([reception])
            reception.reply = "业主已自行修好"
            reception.save()
            Reception.close([reception])
            self.assertEqual(reception.state, 'closed')

    @with_transaction()
    def test_copy(self):
        "Test copying a reception gives a new open request"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Ticket = pool.get('svc.repair.ticket')
        company = create_company()
        with set_company(company):
            reception = create_reception(create_caller(), reply="已派工")
            Reception.create_ticket([reception])

            copy, = Reception.copy([reception])
            self.assertEqual(copy.state, 'open')
            self.assertIsNone(copy.ticket)
            self.assertIsNone(copy.reply)
            self.assertNotEqual(copy.number, reception.number)
            self.assertEqual(copy.content, reception.content)

            ticket_copy, = Ticket.copy([reception.ticket])
            self.assertEqual(list(ticket_copy.receptions), [])

    @with_transaction()
    def test_ticket_delete(self):
        "Test a work order made from a reception can not be deleted"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Ticket = pool.get('svc.repair.ticket')
        company = create_company()
        with set_company(company):
            reception = create_reception(create_caller())
            Reception.create_ticket([reception])

            with self.assertRaises(ForeignKeyError):
                Ticket.delete([reception.ticket])

    @with_transaction()
    def test_roles(self):
        "Test who may record and read receptions"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Ticket = pool.get('svc.repair.ticket')
        User = pool.get('res.user')
        company = create_company()
        with set_company(company):
            caller = create_caller()
            clerk = create_user('clerk', 'group_reception', company)
            dispatcher = create_user(
                'dispatcher', 'group_dispatcher', company)
            technician = create_user(
                'technician', 'group_technician', company)
            employee = create_employee("李师傅", company)
            User.write([technician], {
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    })
            nobody, = User.create([{'name': "nobody", 'login': 'nobody'}])
            values = {
                'caller': caller.id,
                'kind': 'repair',
                'content': "楼道灯不亮",
                }

            with Transaction().set_user(clerk.id), \
                    Transaction().set_context(_check_access=True):
                reception, other = Reception.create([values, values])
                Reception.create_ticket([reception, other])
                self.assertEqual(reception.state, 'processing')
                self.assertEqual(reception.received_by, clerk)
            Ticket.write([reception.ticket], {'technician': employee.id})

            with Transaction().set_user(dispatcher.id), \
                    Transaction().set_context(_check_access=True):
                self.assertEqual(
                    Reception.search([], order=[('id', 'ASC')]),
                    [reception, other])
                with self.assertRaises(AccessError):
                    Reception.create([values])
                with self.assertRaises(AccessButtonError):
                    Reception.cancel([reception])

            with Transaction().set_user(technician.id), \
                    Transaction().set_context(_check_access=True):
                self.assertEqual(Reception.search([]), [reception])
                read, = Reception.read(
                    [reception.id], ['ticket_state', 'ticket.rec_name'])
                self.assertEqual(read['ticket_state'], 'draft')
                with self.assertRaises(AccessError):
                    Reception.create([values])
                with self.assertRaises(AccessError):
                    Reception.write([reception], {'reply': "x"})

            with Transaction().set_user(nobody.id), \
                    Transaction().set_context(_check_access=True):
                with self.assertRaises(AccessError):
                    Reception.search([])

    @with_transaction()
    def test_house(self):
        "Test choosing the house fills the caller and goes to the ticket"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Estate = pool.get('svc.property.estate')
        company = create_company()
        with set_company(company):
            owner = create_caller(name="王五", phone='13900139000')
            house = {'number': "1201", 'owner': owner.id}
            unit = {'name': "2单元", 'houses': [('create', [house])]}
            building = {'name': "3栋", 'units': [('create', [unit])]}
            estate, = Estate.create([{
                        'name': "翠湖花园",
                        'buildings': [('create', [building])],
                        }])
            house, = estate.buildings[0].units[0].houses

            reception = Reception(house=house, kind='repair')
            reception.on_change_house()
            self.assertEqual(reception.caller, owner)
            self.assertEqual(reception.contact_phone, '13900139000')
            self.assertEqual(reception.address, house.rec_name)

            reception.content = "卫生间天花板渗水"
            reception.save()
            Reception.create_ticket([reception])
            self.assertEqual(reception.ticket.house, house)


del ModuleTestCase
