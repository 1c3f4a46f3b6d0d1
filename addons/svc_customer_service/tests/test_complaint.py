# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.model.modelsql import SQLConstraintError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.svc_customer_service.exceptions import (
    ComplaintError, ComplaintSLAValidationError)
from trytond.modules.svc_customer_service.tests.test_module import (
    create_caller)
from trytond.modules.svc_repair.tests.test_module import (
    ZhCnTestCase, run_tasks)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


def create_sla(company, severity='general', response=dt.timedelta(hours=2),
        handling=dt.timedelta(hours=24), **values):
    pool = Pool()
    SLA = pool.get('svc.complaint.sla')
    sla, = SLA.create([{
                'company': company.id,
                'severity': severity,
                'response_delay': response,
                'handling_delay': handling,
                **values,
                }])
    return sla


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


def create_department(name, company, members=()):
    pool = Pool()
    Department = pool.get('svc.complaint.department')
    department, = Department.create([{
                'name': name,
                'company': company.id,
                'members': [('add', [m.id for m in members])],
                }])
    return department


def create_user(login, group, company, employee=None):
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    module, xml_id = group.split('.')
    values = {
        'name': login,
        'login': login,
        'companies': [('add', [company.id])],
        'company': company.id,
        'groups': [('add', [ModelData.get_id(module, xml_id)])],
        }
    if employee:
        values['employees'] = [('add', [employee.id])]
        values['employee'] = employee.id
    user, = User.create([values])
    return user


def create_complaint(complainant, content="物业人员态度恶劣", **values):
    pool = Pool()
    Complaint = pool.get('svc.complaint')
    complaint = Complaint(
        complainant=complainant, content=content, **values)
    complaint.on_change_complainant()
    complaint.save()
    return complaint


def bring_to_replied(complaint, nature='no_liability', department=None):
    pool = Pool()
    Complaint = pool.get('svc.complaint')
    complaint.summary = "投诉保安态度"
    complaint.nature = nature
    complaint.department = department
    complaint.save()
    Complaint.classify([complaint])
    Complaint.handle([complaint])
    complaint.result = "已向业主解释并致歉"
    complaint.save()
    Complaint.reply([complaint])


class SvcCustomerServiceComplaintTestCase(ZhCnTestCase):
    "Test Svc Customer Service complaints"
    modules = ['svc_customer_service', 'svc_property']

    @with_transaction()
    def test_number_deadlines_and_contact(self):
        "Test a complaint is numbered, gets its deadlines and the contact"
        company = create_company()
        with set_company(company):
            create_sla(company)
            received_at = dt.datetime(2026, 11, 20, 8, 0)
            complaint = create_complaint(
                create_caller(), received_at=received_at)

            self.assertTrue(complaint.number.startswith('TS'))
            self.assertEqual(complaint.state, 'registered')
            self.assertEqual(complaint.contact_phone, '13800138000')
            self.assertEqual(complaint.severity, 'general')
            self.assertEqual(
                complaint.response_deadline, dt.datetime(2026, 11, 20, 10))
            self.assertEqual(
                complaint.handling_deadline, dt.datetime(2026, 11, 21, 8))

            complaint.severity = 'major'
            complaint.save()
            self.assertIsNone(complaint.response_deadline)
            self.assertIsNone(complaint.handling_deadline)

    @with_transaction()
    def test_deadlines_on_working_calendar(self):
        "Test the deadlines count only the hours of the working calendar"
        pool = Pool()
        Calendar = pool.get('svc.repair.calendar')
        company = create_company()
        with set_company(company):
            calendar, = Calendar.create([{
                        'name': "工作日",
                        'timezone': 'UTC',
                        'hours': [('create', [{
                                        'weekday': str(d),
                                        'start': dt.time(9),
                                        'end': dt.time(17),
                                        } for d in range(5)])],
                        }])
            create_sla(
                company, severity='serious', clock='calendar',
                calendar=calendar.id, response=dt.timedelta(hours=2),
                handling=dt.timedelta(hours=16))
            # Friday 16:00
            complaint = create_complaint(
                create_caller(), severity='serious',
                received_at=dt.datetime(2026, 11, 20, 16, 0))

            self.assertEqual(
                complaint.response_deadline, dt.datetime(2026, 11, 23, 10))
            self.assertEqual(
                complaint.handling_deadline, dt.datetime(2026, 11, 24, 16))

    @with_transaction()
    def test_liability_workflow(self):
        "Test a liability complaint from registration to closing"
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        company = create_company()
        with set_company(company):
            department = create_department("工程部", company)
            complaint = create_complaint(create_caller())
            user = Transaction().user

            with self.assertRaises(ComplaintError):
                Complaint.classify([complaint])
            complaint.summary = "维修后仍漏水"
            complaint.nature = 'liability'
            complaint.save()
            with self.assertRaises(ComplaintError):
                Complaint.classify([complaint])
            self.assertEqual(complaint.state, 'registered')
            self.assertIsNone(complaint.classified_by)

            complaint.department = department
            complaint.save()
            Complaint.classify([complaint])
            self.assertEqual(complaint.state, 'classified')
            self.assertEqual(complaint.classified_by.id, user)
            self.assertTrue(complaint.classified_at)

            Complaint.handle([complaint])
            self.assertEqual(complaint.state, 'handling')
            self.assertEqual(complaint.transferred_by.id, user)

            with self.assertRaises(ComplaintError):
                Complaint.reply([complaint])
            self.assertEqual(complaint.state, 'handling')
            complaint.investigation = "水管接头未拧紧"
            complaint.result = "重新更换接头"
            complaint.save()
            Complaint.reply([complaint])
            self.assertEqual(complaint.state, 'replied')
            self.assertEqual(complaint.handled_by.id, user)

            with self.assertRaises(ComplaintError):
                Complaint.reopen([complaint])
            complaint.customer_feedback = "还是漏"
            complaint.satisfaction = 'dissatisfied'
            complaint.save()
            with self.assertRaises(ComplaintError):
                Complaint.close([complaint])
            Complaint.reopen([complaint])
            self.assertEqual(complaint.state, 'handling')
            self.assertEqual(complaint.reopen_count, 1)
            self.assertIsNone(complaint.satisfaction)

            Complaint.reply([complaint])
            complaint.satisfaction = 'satisfied'
            complaint.save()
            with self.assertRaises(ComplaintError):
                Complaint.close([complaint])
            self.assertEqual(complaint.state, 'replied')
            self.assertIsNone(complaint.approved_by)

            with self.assertRaises(ComplaintError):
                Complaint.revisit([complaint])
            complaint.revisit_method = 'phone'
            complaint.revisit_feedback = "已不漏水，业主满意"
            complaint.save()
            Complaint.revisit([complaint])
            self.assertEqual(complaint.state, 'revisited')
            self.assertEqual(complaint.revisited_by.id, user)

            Complaint.close([complaint])
            self.assertEqual(complaint.state, 'closed')
            self.assertEqual(complaint.approved_by.id, user)
            self.assertTrue(complaint.approved_at)

    @with_transaction()
    def test_close_refused_not_satisfied_after_revisit(self):
        "Test closing is refused when the revisit found the customer unhappy"
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        company = create_company()
        with set_company(company):
            complaint = create_complaint(create_caller())
            bring_to_replied(complaint)
            complaint.satisfaction = 'dissatisfied'
            complaint.revisit_method = 'visit'
            complaint.revisit_feedback = "仍不满意"
            complaint.save()
            Complaint.revisit([complaint])

            with self.assertRaises(ComplaintError):
                Complaint.close([complaint])
            Complaint.reopen([complaint])
            self.assertEqual(complaint.state, 'handling')

    @with_transaction()
    def test_overdue(self):
        "Test a complaint past its deadlines is overdue until replied"
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        company = create_company()
        with set_company(company):
            create_sla(company)
            late = create_complaint(
                create_caller(),
                received_at=dt.datetime.now() - dt.timedelta(days=2))
            recent = create_complaint(create_caller(name="李四"))

            self.assertTrue(late.overdue)
            self.assertFalse(recent.overdue)
            self.assertEqual(
                Complaint.search([('overdue', '=', True)]), [late])
            self.assertEqual(
                Complaint.search([('overdue', '=', False)]), [recent])

            bring_to_replied(late)
            self.assertFalse(Complaint(late.id).overdue)
            self.assertEqual(Complaint.search([('overdue', '=', True)]), [])

    @with_transaction()
    def test_escalate_overdue_without_warning(self):
        "Test a deadline past unwarned tells the clerks and the manager"
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        Configuration = pool.get('svc.repair.configuration')
        Notification = pool.get('res.notification')
        company = create_company()
        manager = create_user(
            'manager', 'svc_repair.group_service_manager', company)
        manager.email = 'manager@example.com'
        manager.save()
        clerk = create_user('clerk', 'svc_repair.group_reception', company)
        engineer = create_user(
            'engineer', 'svc_customer_service.group_complaint_department',
            company, create_employee("王工", company))
        outsider = create_user(
            'outsider', 'svc_repair.group_service_manager',
            create_company("其他公司"))
        Configuration.write(
            [Configuration(1)], {'escalation_email': True})
        received_at = dt.datetime(2026, 3, 2, 1, 0)
        with set_company(company):
            create_sla(company)
            create_department("工程部", company, [engineer.employee])
            complaint = create_complaint(
                create_caller(), received_at=received_at)

        def notified(user):
            return [n.label for n in Notification.search(
                    [('user', '=', user.id)])]

        with patch('trytond.modules.svc_repair.repair.now',
                return_value=received_at + dt.timedelta(hours=3)), \
                patch('trytond.modules.svc_repair.repair'
                    '.send_message_transactional') as send:
            Complaint.escalate()
            run_tasks()
            Complaint.escalate()
            run_tasks()
        label = f"Complaint response deadline past: {complaint.number}"
        self.assertEqual(notified(manager), [label])
        self.assertEqual(notified(clerk), [label])
        self.assertEqual(notified(engineer), [])
        self.assertEqual(notified(outsider), [])
        msg, = [c.args[0] for c in send.call_args_list]
        self.assertEqual(
            (msg['To'], msg['Subject']), ('manager@example.com', label))
        self.assertEqual(
            (complaint.response_escalation, complaint.handling_escalation),
            ('overdue', None))

    @with_transaction()
    def test_sla_validation(self):
        "Test complaint deadlines must be positive and unique per severity"
        company = create_company()
        with set_company(company):
            with self.assertRaises(ComplaintSLAValidationError):
                create_sla(
                    company, severity='major', response=dt.timedelta(0))
            create_sla(company)
            with self.assertRaises(SQLConstraintError):
                create_sla(company)

    @with_transaction()
    def test_reception_follows_complaint(self):
        "Test a complaint reception creates the complaint and follows it"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Complaint = pool.get('svc.complaint')
        company = create_company()
        with set_company(company):
            caller = create_caller()
            reception, other, repair = Reception.create([{
                        'caller': caller.id,
                        'kind': 'complaint',
                        'channel': 'visit',
                        'contact_phone': '13800138000',
                        'content': content,
                        } for content in ["保安态度差", "噪音扰民", "水管漏"]])
            Reception.write([repair], {'kind': 'repair'})

            with self.assertRaises(ComplaintError):
                Reception.create_complaint([repair])
            self.assertEqual(Complaint.search([]), [])

            Reception.create_complaint([reception, other])
            self.assertEqual(reception.state, 'processing')
            complaint, = reception.complaints
            self.assertEqual(complaint.complainant, caller)
            self.assertEqual(complaint.channel, 'visit')
            self.assertEqual(complaint.content, "保安态度差")
            self.assertEqual(complaint.received_at, reception.received_at)
            self.assertEqual(complaint.contact_phone, '13800138000')

            bring_to_replied(complaint)
            complaint.satisfaction = 'satisfied'
            complaint.revisit_method = 'phone'
            complaint.revisit_feedback = "满意"
            complaint.save()
            Complaint.revisit([complaint])
            Complaint.close([complaint])
            self.assertEqual(reception.state, 'closed')
            self.assertEqual(reception.reply, "已向业主解释并致歉")

            other_complaint, = other.complaints
            Complaint.cancel([other_complaint])
            self.assertEqual(other.state, 'cancelled')

    @with_transaction()
    def test_roles(self):
        "Test who may classify, investigate and close complaints"
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        Reception = pool.get('svc.reception')
        Statistic = pool.get('svc.complaint.statistic')
        company = create_company()
        with set_company(company):
            engineer = create_employee("王工", company)
            guard = create_employee("赵队长", company)
            engineering = create_department("工程部", company, [engineer])
            security = create_department("秩序维护部", company, [guard])
            clerk = create_user('clerk', 'svc_repair.group_reception', company)
            manager = create_user(
                'manager', 'svc_repair.group_service_manager', company)
            engineer_user = create_user(
                'engineer',
                'svc_customer_service.group_complaint_department', company,
                employee=engineer)
            caller = create_caller()

            with Transaction().set_user(clerk.id), \
                    Transaction().set_context(_check_access=True):
                reception, other_reception = Reception.create([{
                            'caller': caller.id,
                            'kind': kind,
                            'content': content,
                            } for kind, content in [
                            ('complaint', "维修后仍漏水"),
                            ('consultation', "物业费怎么交"),
                            ]])
                Reception.create_complaint([reception])
                leak, = reception.complaints
                noise = create_complaint(caller, content="夜间巡逻噪音")
                Complaint.write([leak], {
                        'summary': "维修后仍漏水",
                        'nature': 'liability',
                        'department': engineering.id,
                        })
                Complaint.write([noise], {
                        'summary': "巡逻噪音",
                        'nature': 'liability',
                        'department': security.id,
                        })
                Complaint.classify([leak, noise])
                Complaint.handle([leak, noise])

            with Transaction().set_user(engineer_user.id), \
                    Transaction().set_context(_check_access=True):
                self.assertEqual(Complaint.search([]), [leak])
                self.assertEqual(Reception.search([]), [reception])
                with self.assertRaises(AccessError):
                    Reception.read([other_reception.id], ['content'])
                with self.assertRaises(AccessError):
                    Complaint.read([noise.id], ['summary'])
                with self.assertRaises(AccessError):
                    Complaint.write([noise], {'investigation': "x"})
                with self.assertRaises(AccessError):
                    Complaint.create([{
                                'complainant': caller.id,
                                'content': "x",
                                }])
                with self.assertRaises(AccessButtonError):
                    Complaint.cancel([leak])
                Complaint.write([leak], {
                        'investigation': "接头未拧紧",
                        'result': "已更换接头",
                        })
                Complaint.reply([leak])
                self.assertEqual(leak.state, 'replied')
                self.assertEqual(leak.handled_by, engineer_user)

            with Transaction().set_user(clerk.id), \
                    Transaction().set_context(_check_access=True):
                Complaint.write([leak], {
                        'satisfaction': 'satisfied',
                        'revisit_method': 'visit',
                        'revisit_feedback': "已修好",
                        })
                Complaint.revisit([leak])
                with self.assertRaises(AccessButtonError):
                    Complaint.close([leak])
                self.assertEqual(leak.state, 'revisited')
                self.assertEqual(len(Statistic.search([])), 2)

            with Transaction().set_user(manager.id), \
                    Transaction().set_context(_check_access=True):
                Complaint.close([leak])
                self.assertEqual(leak.state, 'closed')
                self.assertEqual(leak.approved_by, manager)

    @with_transaction()
    def test_statistic(self):
        "Test the monthly statistics count by nature and department"
        pool = Pool()
        Complaint = pool.get('svc.complaint')
        Statistic = pool.get('svc.complaint.statistic')
        company = create_company()
        with set_company(company):
            create_sla(company)
            engineering = create_department("工程部", company)
            caller = create_caller()
            october = dt.datetime(2026, 10, 5, 9)
            first, second, third, cancelled = [
                create_complaint(caller, received_at=at) for at in [
                    october, october + dt.timedelta(days=3),
                    dt.datetime(2026, 11, 2, 9), october]]
            Complaint.cancel([cancelled])
            for complaint in [first, second]:
                bring_to_replied(
                    complaint, nature='liability', department=engineering)
            first.satisfaction = 'satisfied'
            second.satisfaction = 'dissatisfied'
            Complaint.save([first, second])
            bring_to_replied(third)

            lines = Statistic.search([], order=[('month', 'ASC')])
            self.assertEqual([
                    (line.month, line.nature, line.department,
                        line.complaints, line.satisfied, line.dissatisfied,
                        line.overdue)
                    for line in lines], [
                    (dt.date(2026, 10, 1), 'liability', engineering,
                        2, 1, 1, 2),
                    (dt.date(2026, 11, 1), 'no_liability', None,
                        1, 0, 0, 1),
                    ])
