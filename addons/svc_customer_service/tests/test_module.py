# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import re
import shutil
import subprocess
import tempfile
import unittest
import unittest.mock

from trytond.model.exceptions import (
    AccessError, DomainValidationError, ForeignKeyError,
    RequiredValidationError)
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.svc_customer_service.exceptions import (
    AnswerValidationError, CampaignDeleteError, CampaignStartError,
    CancelError, CloseError, CreateTicketError, IssueRectifyError,
    IssueResolveError, LeadError, QuestionValidationError, ResponseSubmitError)
from trytond.modules.svc_customer_service.survey import (
    allocate, stratified_sample)
from trytond.modules.svc_repair.tests.test_module import (
    ClockDefaultsTestMixin, queue_worker, run_tasks, worker_tasks)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, ModuleTestCase, with_transaction
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
    reception = Reception(caller=caller, kind=kind, content=content)
    reception.on_change_caller()
    # what the test gives wins over what the caller fills in
    for name, value in values.items():
        setattr(reception, name, value)
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


def create_lead(name="王先生", phone='13900139000', **values):
    pool = Pool()
    Lead = pool.get('svc.lead')
    lead, = Lead.create([{'name': name, 'phone': phone, **values}])
    return lead


def bring_to_deposit(lead):
    pool = Pool()
    Lead = pool.get('svc.lead')
    Invitation = pool.get('svc.lead.invitation')
    Lead.qualify([lead])
    Invitation.create([{'lead': lead.id, 'result': "周六上午到店"}])
    Lead.invite([lead])
    Lead.visit([lead])
    Lead.pay_deposit([lead])


def create_template():
    "Return a template: a single choice, a score and a free text question"
    pool = Pool()
    Template = pool.get('svc.survey.template')
    template, = Template.create([{
                'name': "物业服务满意度征询表",
                'questions': [('create', [{
                                'text': "您对保安服务是否满意？",
                                'type': 'single_choice',
                                'choices': [('create', [
                                            {'name': "满意"},
                                            {'name': "基本满意"},
                                            {'name': "不满意"},
                                            ])],
                                }, {
                                'text': "请为保洁服务打分",
                                'type': 'score',
                                'scale_min': 1,
                                'scale_max': 5,
                                }, {
                                'text': "您的其他建议",
                                'type': 'text',
                                }])],
                }])
    return template


def create_estate(sizes=(4, 3, 3), name="翠湖花园"):
    "Return an estate with a building of sizes[i] owned houses each"
    pool = Pool()
    Estate = pool.get('svc.property.estate')
    Party = pool.get('party.party')
    buildings = []
    for b, size in enumerate(sizes, 1):
        owners = Party.create([
                {'name': f"业主{b}-{h}"} for h in range(1, size + 1)])
        houses = [{'number': f"{h}01", 'owner': o.id}
            for h, o in enumerate(owners, 1)]
        buildings.append({
                'name': f"{b}栋",
                'units': [('create', [{
                                'name': "1单元",
                                'houses': [('create', houses)],
                                }])],
                })
    estate, = Estate.create([{
                'name': name,
                'buildings': [('create', buildings)],
                }])
    return estate


def create_campaign(template, estate=None, **values):
    pool = Pool()
    Campaign = pool.get('svc.survey.campaign')
    values.setdefault('name', "2026年下半年业主意见征询")
    values.setdefault('year', 2026)
    values.setdefault('half', '2')
    if estate:
        values['estates'] = [('add', [estate.id])]
    campaign, = Campaign.create([dict(template=template.id, **values)])
    return campaign


def start_campaigns(campaigns):
    "Start the campaigns and generate their forms, as after the commit"
    Campaign = Pool().get('svc.survey.campaign')
    Campaign.start(campaigns)
    run_tasks('generate_forms')


def answer_all(campaign, choice_index=0, score=4, problem=False):
    "Answer and collect every form of the campaign"
    pool = Pool()
    Answer = pool.get('svc.survey.answer')
    Response = pool.get('svc.survey.response')
    for response in campaign.responses:
        for answer in response.answers:
            question = answer.question
            if question.type == 'single_choice':
                answer.choice = question.choices[choice_index]
            elif question.type == 'score':
                answer.score = score
                answer.problem = problem
            else:
                answer.text = "无"
        Answer.save(response.answers)
    Response.answer(campaign.responses)


class SvcCustomerServiceTestCase(
        ClockDefaultsTestMixin, CompanyTestMixin, ModuleTestCase):
    "Test Svc Customer Service module"
    module = 'svc_customer_service'
    extras = ['svc_property']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with Transaction().start(DB_NAME, 0) as transaction:
            Lang = Pool().get('ir.lang')
            zh_cn, = Lang.search([('code', '=', 'zh_CN')])
            Lang.load_translations([zh_cn])
            transaction.commit()

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
    def test_search_chinese_word(self):
        "Test a word inside the Chinese content or description finds it"
        pool = Pool()
        Reception = pool.get('svc.reception')
        Ticket = pool.get('svc.repair.ticket')
        company = create_company()
        with set_company(company):
            reception = create_reception(create_caller())
            Reception.create_ticket([reception])

            self.assertEqual(
                Reception.search([('content', 'ilike', '%漏水%')]),
                [reception])
            self.assertEqual(
                Ticket.search([('description', 'ilike', '%漏水%')]),
                [reception.ticket])

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
            # The work order was revisited, not the reception
            self.assertIsNone(reception.revisit_due)

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

    def test_allocate(self):
        "Test proportional allocation by largest remainder"
        for sizes, size, result in [
                ([10, 6, 4], 10, [5, 3, 2]),
                ([5, 3, 2], 4, [2, 1, 1]),
                ([4, 3, 3], 5, [2, 2, 1]),
                ([3, 3, 3], 4, [2, 1, 1]),
                ([3, 3, 3], 9, [3, 3, 3]),
                ([7], 3, [3]),
                ([2, 0, 5], 0, [0, 0, 0]),
                ([], 0, []),
                ]:
            with self.subTest(sizes=sizes, size=size):
                self.assertEqual(allocate(sizes, size), result)
                self.assertEqual(sum(allocate(sizes, size)), size)

    def test_allocate_refused(self):
        "Test a sample larger than the population is refused"
        for sizes, size in [([4, 3, 3], 11), ([], 1), ([2], -1)]:
            with self.subTest(sizes=sizes, size=size):
                with self.assertRaises(ValueError):
                    allocate(sizes, size)

    def test_stratified_sample(self):
        "Test the stratified sample is reproducible and proportional"
        strata = [
            [f'1-{i}' for i in range(10)],
            [f'2-{i}' for i in range(6)],
            [f'3-{i}' for i in range(4)],
            ]
        sample = stratified_sample(strata, 10, 42)

        self.assertEqual(sample, stratified_sample(strata, 10, 42))
        self.assertEqual(len(set(sample)), 10)
        self.assertEqual(
            [sum(u.startswith(f'{b}-') for u in sample) for b in [1, 2, 3]],
            [5, 3, 2])
        self.assertTrue(set(sample) <= {u for s in strata for u in s})
        self.assertNotEqual(
            {tuple(stratified_sample(strata, 10, s)) for s in range(5)},
            {tuple(sample)})
        self.assertEqual(
            sorted(stratified_sample(strata, 20, 1)),
            sorted(u for s in strata for u in s))

    @with_transaction()
    def test_question_scale(self):
        "Test a score question needs a scale"
        pool = Pool()
        Question = pool.get('svc.survey.question')
        template = create_template()
        with self.assertRaises(QuestionValidationError):
            Question.create([{
                        'template': template.id,
                        'text': "打分",
                        'type': 'score',
                        'scale_min': 5,
                        'scale_max': 1,
                        }])

    @with_transaction()
    def test_campaign_sample_by_building(self):
        "Test the forms are drawn by building from the estate's houses"
        company = create_company()
        with set_company(company):
            template = create_template()
            estate = create_estate((4, 3, 3))
            campaign = create_campaign(
                template, estate, sampling='random', sample_size=5)
            self.assertTrue(campaign.number.startswith('ZX'))
            self.assertEqual(campaign.population_size, 10)

            start_campaigns([campaign])

            self.assertEqual(campaign.state, 'running')
            self.assertTrue(campaign.seed)
            responses = campaign.responses
            self.assertEqual(len(responses), 5)
            self.assertEqual(
                sorted(r.stratum for r in responses),
                ["翠湖花园 1栋"] * 2 + ["翠湖花园 2栋"] * 2 + ["翠湖花园 3栋"])
            for response in responses:
                self.assertEqual(response.respondent, response.house.owner)
                self.assertEqual(response.state, 'pending')
                self.assertEqual(
                    [a.question for a in response.answers],
                    list(template.questions))

            again = create_campaign(
                template, estate, sampling='random', sample_size=5,
                seed=campaign.seed)
            start_campaigns([again])
            self.assertEqual(
                {r.house for r in again.responses},
                {r.house for r in responses})

    @with_transaction()
    def test_campaign_sample_too_large(self):
        "Test a sample larger than the population is refused"
        pool = Pool()
        Campaign = pool.get('svc.survey.campaign')
        Response = pool.get('svc.survey.response')
        company = create_company()
        with set_company(company):
            template = create_template()
            campaign = create_campaign(
                template, create_estate((2, 1)),
                sampling='random', sample_size=4)

            with self.assertRaisesRegex(
                    CampaignStartError, "larger than its population of 3"):
                Campaign.start([campaign])
            with Transaction().set_context(language='zh_CN'):
                with self.assertRaisesRegex(
                        CampaignStartError, "样本数 4 户.*总户数 3 户"):
                    Campaign.start([campaign])
            self.assertEqual(campaign.state, 'draft')
            self.assertEqual(Response.search([]), [])

    @with_transaction()
    def test_campaign_parties(self):
        "Test the households are the parties chosen without an estate"
        pool = Pool()
        Campaign = pool.get('svc.survey.campaign')
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            template = create_template()
            campaign = create_campaign(template)
            with self.assertRaises(CampaignStartError):
                Campaign.start([campaign])

            parties = Party.create([{'name': n} for n in ["张三", "李四"]])
            Campaign.write([campaign], {'parties': [('add', parties)]})
            start_campaigns([campaign])
            self.assertEqual(
                {r.respondent for r in campaign.responses}, set(parties))
            self.assertEqual({r.stratum for r in campaign.responses}, {None})

    @with_transaction()
    def test_campaign_delete(self):
        "Test only draft or cancelled campaigns are deleted"
        pool = Pool()
        Campaign = pool.get('svc.survey.campaign')
        company = create_company()
        with set_company(company):
            template = create_template()
            campaign = create_campaign(template, create_estate((1,)))
            start_campaigns([campaign])
            with self.assertRaises(CampaignDeleteError):
                Campaign.delete([campaign])
            Campaign.cancel([campaign])
            Campaign.delete([campaign])

    @with_transaction()
    def test_answer_refused(self):
        "Test a score outside the scale or another question's choice"
        pool = Pool()
        Answer = pool.get('svc.survey.answer')
        company = create_company()
        with set_company(company):
            template = create_template()
            choice_question, score_question, _ = template.questions
            campaign = create_campaign(template, create_estate((1,)))
            start_campaigns([campaign])
            response, = campaign.responses
            choice_answer, score_answer, text_answer = response.answers

            for answer, values in [
                    (score_answer, {'score': 6}),
                    (score_answer, {'score': 0}),
                    (choice_answer, {'score': 3}),
                    (score_answer, {'choice': choice_question.choices[0]}),
                    (choice_answer, {
                            'choice': create_template().questions[0]
                            .choices[0]}),
                    ]:
                with self.subTest(values=values):
                    with self.assertRaises(AnswerValidationError):
                        Answer.write([answer], values)
            with self.assertRaises(AnswerValidationError):
                Answer.create([{
                            'response': response.id,
                            'question': score_question.id,
                            'score': 9,
                            }])
            with Transaction().set_context(language='zh_CN'):
                with self.assertRaisesRegex(
                        AnswerValidationError,
                        "评分 6 超出.*请给出 1 到 5 之间的分数"):
                    Answer.write([score_answer], {'score': 6})

            Answer.write([score_answer], {'score': 5})
            Answer.write([choice_answer], {
                    'choice': choice_question.choices[1]})
            self.assertEqual(score_answer.score, 5)
            self.assertEqual(choice_answer.choice.name, "基本满意")

    @with_transaction()
    def test_submit(self):
        "Test the answers given online collect the form"
        pool = Pool()
        Response = pool.get('svc.survey.response')
        company = create_company()
        with set_company(company):
            template = create_template()
            choice, score, text = template.questions
            campaign = create_campaign(template, create_estate((1,)))
            start_campaigns([campaign])
            response, = campaign.responses

            with self.assertRaises(AnswerValidationError):
                Response.submit([response], {score.id: 8})

            Response.submit([response], {
                    str(choice.id): choice.choices[2].id,
                    score.id: 2,
                    text.id: "夜间噪音大",
                    }, remarks="希望加强巡逻")

            self.assertEqual(response.state, 'answered')
            self.assertTrue(response.answered_at)
            self.assertEqual(
                [a.choice or a.score or a.text for a in response.answers],
                [choice.choices[2], 2, "夜间噪音大"])
            self.assertEqual(response.remarks, "希望加强巡逻")
            self.assertIn('submit', Response.__rpc__)
            with self.assertRaises(ResponseSubmitError):
                Response.submit([response], {score.id: 5})
            self.assertEqual(response.answers[1].score, 2)

    @with_transaction()
    def test_issue(self):
        "Test a problem found is analysed, notified and resolved"
        pool = Pool()
        Response = pool.get('svc.survey.response')
        Issue = pool.get('svc.survey.issue')
        company = create_company()
        with set_company(company):
            template = create_template()
            campaign = create_campaign(template, create_estate((1,)))
            start_campaigns([campaign])
            answer_all(campaign, score=1, problem=True)
            response, = campaign.responses

            Response.report_problems([response])
            Response.report_problems([response])
            issue, = response.issues
            self.assertEqual(
                Issue.search([('rec_name', 'ilike', '%保洁%')]), [issue])
            self.assertEqual(issue.campaign, campaign)
            self.assertEqual(issue.respondent, response.respondent)
            self.assertEqual(issue.description, "请为保洁服务打分: 1")
            self.assertEqual(list(campaign.issues), [issue])

            with self.assertRaises(IssueRectifyError):
                Issue.rectify([issue])
            issue.analysis = "楼道保洁频次不足"
            issue.handling = 'notify'
            issue.save()
            with self.assertRaises(IssueRectifyError):
                Issue.rectify([issue])
            issue.department = "环境部"
            issue.save()
            Issue.rectify([issue])
            self.assertEqual(issue.state, 'rectifying')
            self.assertEqual(
                Issue.search([('state', 'in', ['open', 'rectifying'])]),
                [issue])

            with self.assertRaises(IssueResolveError):
                Issue.resolve([issue])
            issue.result = "每日保洁两次"
            issue.save()
            Issue.resolve([issue])
            self.assertEqual(issue.state, 'resolved')
            self.assertTrue(issue.resolved_at)
            self.assertFalse(issue.overdue)

    @with_transaction()
    def test_statistics(self):
        "Test the statistics per question and building with the previous"
        pool = Pool()
        Campaign = pool.get('svc.survey.campaign')
        Response = pool.get('svc.survey.response')
        Statistic = pool.get('svc.survey.statistic')
        company = create_company()
        with set_company(company):
            template = create_template()
            estate = create_estate((2, 1))
            first = create_campaign(template, estate, half='1')
            start_campaigns([first])
            answer_all(first, score=3)
            Campaign.do([first])

            second = create_campaign(template, estate, half='2')
            start_campaigns([second])
            answer_all(second, score=4, problem=True)
            Response.reset([second.responses[-1]])
            Response.no_answer([second.responses[-1]])

            self.assertEqual(second.previous_campaign, first)
            self.assertIsNone(first.previous_campaign)
            self.assertEqual(
                (second.response_count, second.answered_count), (3, 2))
            score = template.questions[1]
            statistics = Statistic.search([
                    ('campaign', '=', second.id),
                    ('question', '=', score.id),
                    ], order=[('all_strata', 'DESC'), ('stratum', 'ASC')])
            self.assertEqual(
                [(s.all_strata, s.stratum, s.forms, s.answers,
                    s.score_average, s.problems) for s in statistics],
                [(True, None, 2, 2, 4.0, 2),
                    (False, "翠湖花园 1栋", 2, 2, 4.0, 2)])
            self.assertEqual(
                [(s.previous_answers, s.previous_score_average,
                    s.score_change, s.previous_problems)
                    for s in statistics],
                [(3, 3.0, 1.0, 0), (2, 3.0, 1.0, 0)])
            self.assertEqual(
                set(second.statistics),
                set(Statistic.search([('campaign', '=', second.id)])))
            self.assertEqual(
                [(s.question, s.stratum) for s in Statistic.search(
                        [('campaign', '=', second.id)])],
                [(q, s) for q in template.questions
                    for s in [None, "翠湖花园 1栋"]])
            choice_total, = Statistic.search([
                    ('campaign', '=', second.id),
                    ('question', '=', template.questions[0].id),
                    ('all_strata', '=', True),
                    ])
            self.assertEqual(choice_total.building, "All Buildings")
            with Transaction().set_context(language='zh_CN'):
                self.assertEqual(
                    Statistic(choice_total.id).building, "全部楼栋")
            self.assertEqual(statistics[1].building, "翠湖花园 1栋")
            self.assertEqual(choice_total.answers, 2)
            self.assertIsNone(choice_total.score_average)
            self.assertEqual(
                choice_total.choice_counts, "满意 2 / 基本满意 0 / 不满意 0")
            self.assertIsNone(statistics[0].choice_counts)

    @with_transaction()
    def test_campaign_generate_queued(self):
        "Test a queue worker generates the forms, then prints them"
        pool = Pool()
        Campaign = pool.get('svc.survey.campaign')
        Report = pool.get('svc.survey.campaign.form', type='report')
        company = create_company()
        with set_company(company):
            template = create_template()
            estate = create_estate((2, 1))
            campaign, cancelled = [
                create_campaign(template, estate) for _ in range(2)]

            with queue_worker():
                Campaign.start([campaign, cancelled])
            self.assertEqual(
                [campaign.state, cancelled.state], ['generating'] * 2)
            self.assertEqual(campaign.responses, ())
            tasks = worker_tasks('generate_forms')
            self.assertEqual(
                [list(t.data['instances']) for t in tasks],
                [[campaign.id], [cancelled.id]])
            Campaign.cancel([cancelled])

            with queue_worker():
                for task in tasks:
                    task.run()
            self.assertEqual(campaign.state, 'running')
            self.assertEqual(len(campaign.responses), 3)
            self.assertEqual(
                (cancelled.state, cancelled.responses), ('cancelled', ()))
            self.assertIsNone(campaign.forms_name)

            task, = worker_tasks('print_forms')
            self.assertEqual(list(task.data['instances']), [campaign.id])
            with unittest.mock.patch.object(Report, 'execute', return_value=(
                        'pdf', b'%PDF-forms', False, "Survey Forms-ZX")):
                task.run()
            self.assertEqual(campaign.forms_name, "Survey Forms-ZX.pdf")
            # The print gives the forms made, without rendering them again
            self.assertEqual(
                Report.execute([campaign.id], {})[:2], ('pdf', b'%PDF-forms'))

    @with_transaction()
    def test_report(self):
        "Test the forms are printed as PDF with the Chinese questions"
        pool = Pool()
        Campaign = pool.get('svc.survey.campaign')
        Report = pool.get('svc.survey.campaign.form', type='report')
        Lang = pool.get('ir.lang')
        User = pool.get('res.user')
        if not shutil.which('soffice'):
            raise unittest.SkipTest("soffice is missing")
        company = create_company()
        with set_company(company):
            template = create_template()
            campaign = create_campaign(template, create_estate((2,)))
            # The forms are made in the language of the user who starts
            zh_cn, = Lang.search([('code', '=', 'zh_CN')])
            User.write([User(Transaction().user)], {'language': zh_cn.id})
            Campaign.start([campaign])
            run_tasks()
            self.assertRegex(campaign.forms_name, r'-ZX.*\.pdf$')

            oext, content, _, name = Report.execute([campaign.id], {})
            self.assertEqual(oext, 'pdf')
            self.assertEqual(content, bytes(campaign.forms))
            self.assertTrue(content.startswith(b'%PDF'))
            if not shutil.which('pdftotext'):
                raise unittest.SkipTest("pdftotext is missing")
            with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf:
                pdf.write(content)
                pdf.flush()
                text = subprocess.run(
                    ['pdftotext', '-layout', pdf.name, '-'],
                    capture_output=True, check=True, text=True).stdout
            self.assertEqual(text.count('\f'), 2)
            text = re.sub(r'\s', '', text)
            self.assertIn("您对保安服务是否满意", text)
            self.assertIn("意见征询表", text)
            self.assertIn("住户：业主1-2", text)
            self.assertIn("□满意□基本满意□不满意", text)
            self.assertEqual(text.count("请为保洁服务打分"), 2)

    @with_transaction()
    def test_survey_roles(self):
        "Test the reception runs campaigns and the technician may not"
        pool = Pool()
        Campaign = pool.get('svc.survey.campaign')
        Response = pool.get('svc.survey.response')
        Template = pool.get('svc.survey.template')
        Issue = pool.get('svc.survey.issue')
        Statistic = pool.get('svc.survey.statistic')
        company = create_company()
        with set_company(company):
            template = create_template()
            estate = create_estate((2, 2))
            clerk = create_user('clerk', 'group_reception', company)
            manager = create_user(
                'manager', 'group_service_manager', company)
            dispatcher = create_user(
                'dispatcher', 'group_dispatcher', company)
            technician = create_user(
                'technician', 'group_technician', company)
            values = {
                'name': "区域走访",
                'kind': 'walk_around',
                'template': template.id,
                'estates': [('add', [estate.id])],
                }

            with Transaction().set_user(clerk.id), \
                    Transaction().set_context(_check_access=True):
                campaign, = Campaign.create([values])
                start_campaigns([campaign])
                response = campaign.responses[0]
                Response.submit([response], {
                        template.questions[1].id: 2})
                self.assertEqual(response.state, 'answered')
                issue, = Issue.create([{
                            'response': response.id,
                            'campaign': campaign.id,
                            'description': "电梯异响",
                            }])
                with self.assertRaises(AccessError):
                    Template.write([template], {'name': "x"})
                with self.assertRaises(AccessError):
                    Campaign.delete([campaign])
                self.assertEqual(
                    {s.campaign for s in Statistic.search([])}, {campaign})

            with Transaction().set_user(manager.id), \
                    Transaction().set_context(_check_access=True):
                Template.write([template], {'name': "业主满意度征询表"})
                Campaign.do([campaign])
                other, = Campaign.create([values])
                start_campaigns([other])
                Campaign.cancel([other])
                Campaign.delete([other])

            for user in [dispatcher, technician]:
                with self.subTest(user=user.login):
                    with Transaction().set_user(user.id), \
                            Transaction().set_context(_check_access=True):
                        for Model in [
                                Campaign, Response, Issue, Template,
                                Statistic]:
                            with self.assertRaises(AccessError):
                                Model.search([])
                        with self.assertRaises(AccessError):
                            Campaign.create([values])
                        with self.assertRaises(AccessError):
                            Campaign.reopen([campaign])

    @with_transaction()
    def test_lead_qualify(self):
        "Test a qualified lead gets a number and a customer"
        pool = Pool()
        Lead = pool.get('svc.lead')
        company = create_company()
        with set_company(company):
            lead = create_lead(source='online')
            # PostgreSQL sequences are not rolled back between tests
            self.assertRegex(lead.number, r'^XS\d{4}-\d{5}$')
            self.assertEqual(lead.state, 'new')
            self.assertIsNone(lead.party)

            Lead.qualify([lead])

            self.assertEqual(lead.state, 'qualified')
            self.assertEqual(lead.party.name, "王先生")
            self.assertEqual(
                lead.party.contact_mechanism_get('mobile').value,
                '13900139000')
            self.assertEqual(lead.qualified_by.login, 'admin')
            self.assertTrue(lead.qualified_at)

    @with_transaction()
    def test_lead_invalid(self):
        "Test an invalid lead needs a reason and logs an SMS"
        pool = Pool()
        Lead = pool.get('svc.lead')
        Message = pool.get('svc.message.outgoing')
        Script = pool.get('svc.lead.script')
        company = create_company()
        with set_company(company):
            lead = create_lead()
            with self.assertRaises(LeadError):
                Lead.invalidate([lead])
            self.assertEqual(lead.state, 'new')

            lead.reason = "只是咨询价格"
            lead.save()
            Lead.invalidate([lead])

            self.assertEqual(lead.state, 'invalid')
            message, = lead.messages
            self.assertEqual(message.phone, '13900139000')
            self.assertEqual(message.state, 'queued')
            run_tasks()
            self.assertEqual(message.state, 'sent')
            self.assertTrue(message.sent_at)
            self.assertIn(company.rec_name, message.text)

            Script.create([{
                        'name': "无效客户短信",
                        'kind': 'sms_invalid',
                        'text': "感谢来电，欢迎再次咨询。",
                        }])
            other = create_lead(name="赵女士", reason="空号")
            Lead.invalidate([other])
            run_tasks()
            message, = other.messages
            self.assertEqual(message.text, "感谢来电，欢迎再次咨询。")
            self.assertEqual(
                Message.search([('state', '=', 'sent')], count=True), 2)

    @with_transaction()
    def test_lead_send_failed(self):
        "Test a failing gateway marks the SMS failed"
        pool = Pool()
        Message = pool.get('svc.message.outgoing')
        company = create_company()
        with set_company(company):
            message, = Message.create([{
                        'phone': '13900139000',
                        'text': "测试",
                        }])

            def fail(self):
                raise OSError("gateway down")
            with unittest.mock.patch.object(Message, '_send_sms', fail):
                Message.send([message])
                run_tasks()
            self.assertEqual(message.state, 'failed')
            self.assertEqual(message.error, "gateway down")

            Message.send([message])
            self.assertEqual((message.state, message.error), ('queued', None))
            run_tasks()
            self.assertEqual(message.state, 'sent')
            self.assertIsNone(message.error)

    @with_transaction()
    def test_lead_sms_queued(self):
        "Test a queue worker sends the SMS of an invalid lead"
        pool = Pool()
        Lead = pool.get('svc.lead')
        company = create_company()
        with set_company(company):
            leads = [
                create_lead(phone=f'1390013900{i}', reason="空号")
                for i in range(3)]

            with queue_worker():
                Lead.invalidate(leads)
            messages = [m for lead in leads for m in lead.messages]
            self.assertEqual(
                [m.state for m in messages], ['queued'] * 3)
            task, = worker_tasks('deliver')
            self.assertEqual(
                sorted(task.data['instances']), sorted(m.id for m in messages))

            task.run()
            self.assertEqual([m.state for m in messages], ['sent'] * 3)
            self.assertTrue(all(m.sent_at for m in messages))

    @with_transaction()
    def test_lead_invite_refused(self):
        "Test an invalid lead or one without invitation is not invited"
        pool = Pool()
        Lead = pool.get('svc.lead')
        Invitation = pool.get('svc.lead.invitation')
        company = create_company()
        with set_company(company):
            lead = create_lead(phone=None, reason="重复线索")
            Lead.invalidate([lead])
            self.assertEqual(lead.messages, ())
            with self.assertRaises(LeadError):
                Lead.invite([lead])
            with self.assertRaises(DomainValidationError):
                Invitation.create([{'lead': lead.id}])

            other = create_lead()
            Lead.qualify([other])
            with self.assertRaises(LeadError):
                Lead.invite([other])
            with self.assertRaises(LeadError):
                Lead.visit([other])
            self.assertEqual(other.state, 'qualified')

    @with_transaction()
    def test_lead_sign(self):
        "Test signing needs a designer who is notified"
        pool = Pool()
        Lead = pool.get('svc.lead')
        User = pool.get('res.user')
        Notification = pool.get('res.notification')
        company = create_company()
        with set_company(company):
            lead = create_lead()
            bring_to_deposit(lead)
            designer = create_employee("刘设计师", company)
            user = create_user('designer', 'group_reception', company)
            User.write([user], {'employees': [('add', [designer.id])]})

            with self.assertRaises(LeadError):
                Lead.sign([lead])
            lead.designer = designer
            lead.save()
            with self.assertRaises(LeadError):
                Lead.sign([lead])
            lead.feedback = "三室两厅，喜欢简约风格"
            lead.save()
            Lead.sign([lead])

            self.assertEqual(lead.state, 'signed')
            notification, = Notification.search([('user', '=', user.id)])
            self.assertIn(lead.number, notification.label)
            self.assertEqual(
                notification.description, "三室两厅，喜欢简约风格")
            self.assertEqual(
                [s.stage for s in lead.party.journey_steps],
                ['signing', 'subscription', 'visit'])
            self.assertEqual(lead.party.journey_stage, 'signing')

    @with_transaction()
    def test_lead_lose(self):
        "Test an open lead is lost with a reason"
        pool = Pool()
        Lead = pool.get('svc.lead')
        company = create_company()
        with set_company(company):
            lead = create_lead()
            Lead.qualify([lead])
            with self.assertRaises(LeadError):
                Lead.lose([lead])
            lead.reason = "已选择其他装修公司"
            lead.save()
            Lead.lose([lead])
            self.assertEqual(lead.state, 'lost')
            self.assertTrue(lead.lost_at)

    @with_transaction()
    def test_reception_create_lead(self):
        "Test a sales lead reception becomes a lead with one click"
        pool = Pool()
        Reception = pool.get('svc.reception')
        company = create_company()
        # The second request of the same call is not a duplicate
        with set_company(company), \
                Transaction().set_context(_skip_warnings=True):
            caller = create_caller()
            reception = create_reception(
                caller, kind='lead', content="想了解新房装修套餐")
            repair = create_reception(caller)
            with self.assertRaises(LeadError):
                Reception.create_lead([repair])

            Reception.create_lead([reception])

            self.assertEqual(reception.state, 'closed')
            lead, = reception.leads
            self.assertEqual(lead.reception, reception)
            self.assertEqual(lead.party, caller)
            self.assertEqual(lead.name, "张三")
            self.assertEqual(lead.phone, '13800138000')
            self.assertEqual(lead.source, 'phone')
            self.assertEqual(lead.description, "想了解新房装修套餐")
            self.assertIn(lead.number, reception.reply)

    @with_transaction()
    def test_journey_stage(self):
        "Test the journey stage follows the latest step"
        pool = Pool()
        Step = pool.get('svc.journey.step')
        company = create_company()
        with set_company(company):
            party = create_caller()
            first, second = Step.create([{
                        'party': party.id,
                        'stage': 'taking_over',
                        'date': datetime.date(2026, 5, 1),
                        }, {
                        'party': party.id,
                        'stage': 'moving_in',
                        'date': datetime.date(2026, 6, 1),
                        }])
            self.assertEqual(party.journey_stage, 'moving_in')
            self.assertEqual(second.user.login, 'admin')

            other = create_caller(name="李四", phone='13600136000')
            Step.write([second], {'party': other.id})
            self.assertEqual(party.journey_stage, 'taking_over')
            self.assertEqual(other.journey_stage, 'moving_in')
            Step.write([second], {'party': party.id})

            Step.delete([second])
            self.assertEqual(party.journey_stage, 'taking_over')
            Step.delete([first])
            self.assertIsNone(party.journey_stage)

    @with_transaction()
    def test_lead_roles(self):
        "Test reception clerks follow leads up, other roles may not"
        pool = Pool()
        Lead = pool.get('svc.lead')
        Invitation = pool.get('svc.lead.invitation')
        Script = pool.get('svc.lead.script')
        Message = pool.get('svc.message.outgoing')
        Step = pool.get('svc.journey.step')
        company = create_company()
        with set_company(company):
            clerk = create_user('clerk', 'group_reception', company)
            manager = create_user(
                'manager', 'group_service_manager', company)
            dispatcher = create_user(
                'dispatcher', 'group_dispatcher', company)
            technician = create_user(
                'technician', 'group_technician', company)
            script, = Script.create([{'name': "邀约", 'text': "您好"}])
            values = {'name': "王先生", 'phone': '13900139000'}

            with Transaction().set_user(clerk.id), \
                    Transaction().set_context(_check_access=True):
                lead, invalid = Lead.create([values, values])
                Lead.qualify([lead])
                Invitation.create([{'lead': lead.id, 'script': script.id}])
                Lead.invite([lead])
                Lead.write([invalid], {'reason': "空号"})
                Lead.invalidate([invalid])
                self.assertEqual(len(Message.search([])), 1)
                self.assertEqual(Script.search([]), [script])
                with self.assertRaises(AccessError):
                    Script.create([{'name': "x", 'text': "x"}])
                Lead.visit([lead])
                self.assertEqual(
                    [s.stage for s in Step.search([])], ['visit'])
                with self.assertRaises(AccessError):
                    Lead.delete([invalid])

            with Transaction().set_user(manager.id), \
                    Transaction().set_context(_check_access=True):
                Script.create([{'name': "无效", 'text': "感谢"}])
                Lead.pay_deposit([lead])
                self.assertEqual(lead.state, 'deposit')

            for user in [dispatcher, technician]:
                with Transaction().set_user(user.id), \
                        Transaction().set_context(_check_access=True):
                    for Model in [Lead, Invitation, Message, Step]:
                        with self.assertRaises(AccessError):
                            Model.search([])
                    with self.assertRaises(AccessError):
                        Lead.create([values])
                    with self.assertRaises(AccessError):
                        Lead.lose([lead])

    @with_transaction()
    def test_zh_cn_translation_covers_module(self):
        "Test every string of the module has a zh_CN translation"
        pool = Pool()
        Translation = pool.get('ir.translation')
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        session_id, _, _ = TranslationSet.create()
        TranslationSet(session_id).transition_set_()

        def keys(lang):
            return {
                (t.type, t.name, t.src) for t in Translation.search([
                        ('lang', '=', lang),
                        ('module', '=', 'svc_customer_service'),
                        ('value', 'not in', [None, '']),
                        ])}
        self.assertEqual(sorted(keys('en') - keys('zh_CN')), [])


del ModuleTestCase
