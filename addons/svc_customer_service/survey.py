# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import random

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.modules.svc_repair.repair import ClockDefaultMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id, If
from trytond.report import Report
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import (
    AnswerValidationError, CampaignDeleteError, CampaignStartError,
    QuestionValidationError, ResponseSubmitError)
from .reception import NumberedMixin

KINDS = [
    ('special_service_revisit', "Special-Service Revisit"),
    ('complaint_revisit', "Complaint Revisit"),
    ('walk_around', "Area Walk-Around"),
    ('written', "Periodic Written Survey"),
    ]


def allocate(sizes, size):
    """Return the sample size of each stratum for a total of size

    The allocation is proportional to the stratum sizes and rounded by the
    largest remainder; equal remainders go to the first stratum."""
    population = sum(sizes)
    if not 0 <= size <= population:
        raise ValueError(
            f"sample size {size} not in [0, {population}]")
    if not population:
        return [0 for _ in sizes]
    quotas = [divmod(size * n, population) for n in sizes]
    allocation = [q for q, _ in quotas]
    order = sorted(
        range(len(sizes)), key=lambda i: (-quotas[i][1], i))
    for i in order[:size - sum(allocation)]:
        allocation[i] += 1
    return allocation


def stratified_sample(strata, size, seed):
    """Return the units drawn from strata without replacement

    strata is a list of lists of units; each stratum gets its proportional
    share of size (see allocate) and the draw is the same for the same
    seed."""
    rng = random.Random(seed)
    sample = []
    for units, n in zip(strata, allocate([len(s) for s in strata], size)):
        sample.extend(rng.sample(list(units), n))
    return sample


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.reception.configuration'
    survey_campaign_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Survey Campaign Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('svc_customer_service',
                        'sequence_type_survey_campaign')),
                ]))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'survey_campaign_sequence':
            return pool.get('svc.reception.configuration.sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_survey_campaign_sequence(cls, **pattern):
        return cls.multivalue_model(
            'survey_campaign_sequence').default_survey_campaign_sequence()


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'svc.reception.configuration.sequence'
    survey_campaign_sequence = fields.Many2One(
        'ir.sequence', "Survey Campaign Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('svc_customer_service', 'sequence_type_survey_campaign')),
            ])

    @classmethod
    def default_survey_campaign_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'svc_customer_service', 'sequence_survey_campaign')
        except KeyError:
            return None


class Template(ModelSQL, ModelView):
    __name__ = 'svc.survey.template'
    __string__ = "Survey Template"
    name = fields.Char("Name", required=True)
    description = fields.Text("Description")
    active = fields.Boolean("Active")
    questions = fields.One2Many(
        'svc.survey.question', 'template', "Questions")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_active(cls):
        return True


class Question(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'svc.survey.question'
    __string__ = "Survey Question"
    _rec_name = 'text'
    template = fields.Many2One(
        'svc.survey.template', "Template", required=True,
        ondelete='CASCADE')
    text = fields.Char("Question", required=True)
    type = fields.Selection([
            ('single_choice', "Single Choice"),
            ('score', "Score"),
            ('text', "Free Text"),
            ], "Type", required=True)
    choices = fields.One2Many(
        'svc.survey.question.choice', 'question', "Choices",
        states={
            'invisible': Eval('type') != 'single_choice',
            })
    scale_min = fields.Integer(
        "Lowest Score",
        states={
            'invisible': Eval('type') != 'score',
            'required': Eval('type') == 'score',
            })
    scale_max = fields.Integer(
        "Highest Score",
        states={
            'invisible': Eval('type') != 'score',
            'required': Eval('type') == 'score',
            })

    @classmethod
    def default_type(cls):
        return 'single_choice'

    @classmethod
    def default_scale_min(cls):
        return 1

    @classmethod
    def default_scale_max(cls):
        return 5

    @classmethod
    def validate_fields(cls, questions, field_names):
        super().validate_fields(questions, field_names)
        if field_names & {'type', 'scale_min', 'scale_max'}:
            for question in questions:
                question.check_scale()

    def check_scale(self):
        if (self.type == 'score'
                and (self.scale_min is None or self.scale_max is None
                    or self.scale_min >= self.scale_max)):
            raise QuestionValidationError(gettext(
                    'svc_customer_service.msg_question_scale',
                    question=self.text))

    @property
    def form_boxes(self):
        "Return the boxes printed on the form to answer the question"
        if self.type == 'single_choice':
            labels = [c.name for c in self.choices]
        elif self.type == 'score':
            labels = [
                str(s) for s in range(self.scale_min, self.scale_max + 1)]
        else:
            return ''
        return '\u3000\u3000'.join('□ ' + label for label in labels)


class QuestionChoice(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'svc.survey.question.choice'
    __string__ = "Survey Question Choice"
    question = fields.Many2One(
        'svc.survey.question', "Question", required=True,
        ondelete='CASCADE')
    name = fields.Char("Choice", required=True)


class Campaign(
        ClockDefaultMixin, NumberedMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'svc.survey.campaign'
    __string__ = "Survey Campaign"
    _number_sequence = 'survey_campaign_sequence'
    _rec_name = 'number'
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    name = fields.Char("Subject", required=True, states=_states)
    kind = fields.Selection(
        KINDS, "Kind", required=True, states=_states)
    template = fields.Many2One(
        'svc.survey.template', "Template", required=True, states=_states,
        ondelete='RESTRICT')
    year = fields.Integer("Year", required=True, states=_states)
    half = fields.Selection([
            ('1', "First Half"),
            ('2', "Second Half"),
            ], "Half-Year", required=True, states=_states, sort=False,
        help="The half-year the campaign is compared with.")
    date = fields.Date("Date", required=True, states=_states)
    parties = fields.Many2Many(
        'svc.survey.campaign-party.party', 'campaign', 'party',
        "Households", states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends=['company'],
        help="The parties asked for their opinion.")
    sampling = fields.Selection([
            ('all', "All Households"),
            ('random', "Stratified Random Sample"),
            ], "Sampling", required=True, states=_states)
    sample_size = fields.Integer(
        "Sample Size",
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('sampling') != 'random',
            'required': Eval('sampling') == 'random',
            },
        domain=[If(Eval('sampling') == 'random',
                ('sample_size', '>', 0), ())])
    seed = fields.Integer(
        "Random Seed", states=_states,
        help="The same seed draws the same sample; left empty, "
        "one is chosen when the forms are generated.")
    population_size = fields.Function(
        fields.Integer("Population"), 'get_population_size')
    responses = fields.One2Many(
        'svc.survey.response', 'campaign', "Forms", readonly=True)
    response_count = fields.Function(
        fields.Integer("Forms"), 'get_counts')
    answered_count = fields.Function(
        fields.Integer("Collected"), 'get_counts')
    forms = fields.Binary(
        "Printed Forms", readonly=True, filename='forms_name',
        help="The forms of every household in one file, made once they "
        "are generated.")
    forms_name = fields.Char("Printed Forms Name", readonly=True)
    issues = fields.One2Many(
        'svc.survey.issue', 'campaign', "Problems", readonly=True)
    previous_campaign = fields.Function(fields.Many2One(
            'svc.survey.campaign', "Previous Campaign",
            help="The latest campaign of the same kind "
            "in an earlier half-year."),
        'get_previous_campaign')
    statistics = fields.Function(fields.Many2Many(
            'svc.survey.statistic', None, None, "Statistics",
            readonly=True),
        'get_statistics')
    state = fields.Selection([
            ('draft', "Draft"),
            ('generating', "Generating Forms"),
            ('running', "Running"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('year', 'DESC'),
            ('half', 'DESC'),
            ('date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'generating'),
            ('generating', 'running'),
            ('running', 'done'),
            ('done', 'running'),
            ('draft', 'cancelled'),
            ('generating', 'cancelled'),
            ('running', 'cancelled'),
            }
        cls._buttons.update({
                'start': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'running',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'generating', 'running']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'written'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_year(cls):
        return cls.default_date().year

    @classmethod
    def default_half(cls):
        return '1' if cls.default_date().month <= 6 else '2'

    @classmethod
    def default_sampling(cls):
        return 'all'

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('date')
    def on_change_date(self):
        if self.date:
            self.year = self.date.year
            self.half = '1' if self.date.month <= 6 else '2'

    def get_population_size(self, name):
        return sum(len(s) for s in self.get_strata())

    @classmethod
    def get_counts(cls, campaigns, names):
        result = {n: {c.id: 0 for c in campaigns} for n in names}
        for campaign in campaigns:
            for response in campaign.responses:
                if 'response_count' in result:
                    result['response_count'][campaign.id] += 1
                if ('answered_count' in result
                        and response.state == 'answered'):
                    result['answered_count'][campaign.id] += 1
        return result

    def get_previous_campaign(self, name):
        if not self.year or not self.half:
            return None
        campaigns = self.search([
                ('company', '=', self.company),
                ('kind', '=', self.kind),
                ('state', 'in', ['running', 'done']),
                ['OR',
                    ('year', '<', self.year),
                    [('year', '=', self.year), ('half', '<', self.half)],
                    ],
                ], limit=1)
        if campaigns:
            return campaigns[0].id

    @classmethod
    def get_statistics(cls, campaigns, name):
        pool = Pool()
        Statistic = pool.get('svc.survey.statistic')
        result = {c.id: [] for c in campaigns}
        for statistic in Statistic.search(
                [('campaign', 'in', [c.id for c in campaigns])]):
            result[statistic.campaign.id].append(statistic.id)
        return result

    def get_strata(self):
        "Return the households to survey as a list of strata"
        if self.parties:
            return [[{'respondent': p} for p in self.parties]]
        return []

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'cancelled', 'muted', '')),
            ]

    @classmethod
    def check_modification(cls, mode, campaigns, values=None, external=False):
        super().check_modification(
            mode, campaigns, values=values, external=external)
        if mode == 'delete':
            for campaign in campaigns:
                if campaign.state not in {'draft', 'cancelled'}:
                    raise CampaignDeleteError(gettext(
                            'svc_customer_service.msg_campaign_delete',
                            campaign=campaign.rec_name))

    @classmethod
    def copy(cls, campaigns, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('seed', None)
        default.setdefault('responses', None)
        default.setdefault('issues', None)
        default.setdefault('forms', None)
        default.setdefault('forms_name', None)
        default.setdefault('date', cls.default_date())
        return super().copy(campaigns, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('generating')
    def start(cls, campaigns):
        for campaign in campaigns:
            if campaign.seed is None:
                campaign.seed = random.randrange(1, 2 ** 31)
            # Refuse now what the generation would refuse
            campaign.get_households()
        cls.save(campaigns)
        with Transaction().set_context(queue_batch=1):
            cls.__queue__.generate_forms(campaigns)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def reopen(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, campaigns):
        pass

    @classmethod
    @Workflow.transition('running')
    def run(cls, campaigns):
        pass

    @classmethod
    def generate_forms(cls, campaigns):
        "Create the forms of the campaigns being generated and run them"
        pool = Pool()
        Response = pool.get('svc.survey.response')
        # A cancel or another run may have come first
        cls.lock(campaigns)
        campaigns = [
            c for c in cls.browse(campaigns) if c.state == 'generating']
        Response.save([r for c in campaigns for r in c.get_responses()])
        cls.run(campaigns)
        with Transaction().set_context(queue_batch=1):
            cls.__queue__.print_forms(campaigns)

    @classmethod
    def print_forms(cls, campaigns):
        "Store the PDF of the forms, in the language of the user"
        pool = Pool()
        User = pool.get('res.user')
        Report = pool.get('svc.survey.campaign.form', type='report')
        user = User(Transaction().user)
        language = user.language.code if user.language else None
        for campaign in campaigns:
            if not campaign.forms_name:
                with Transaction().set_context(language=language):
                    extension, content, _, name = Report.execute(
                        [campaign.id], {})
                campaign.forms = content
                campaign.forms_name = f'{name}.{extension}'
        cls.save(campaigns)

    def get_households(self):
        "Return the households drawn for the campaign"
        if not self.template.questions:
            raise CampaignStartError(gettext(
                    'svc_customer_service.msg_campaign_no_question',
                    campaign=self.rec_name,
                    template=self.template.rec_name))
        strata = self.get_strata()
        population = sum(len(s) for s in strata)
        if not population:
            raise CampaignStartError(gettext(
                    'svc_customer_service.msg_campaign_no_household',
                    campaign=self.rec_name))
        if self.sampling == 'random':
            if self.sample_size > population:
                raise CampaignStartError(gettext(
                        'svc_customer_service.msg_campaign_sample_too_large',
                        campaign=self.rec_name,
                        size=self.sample_size,
                        population=population))
            return stratified_sample(strata, self.sample_size, self.seed)
        return [h for s in strata for h in s]

    def get_responses(self):
        "Return a new form for each sampled household"
        pool = Pool()
        Response = pool.get('svc.survey.response')
        Answer = pool.get('svc.survey.answer')
        return [
            Response(
                campaign=self,
                answers=[
                    Answer(question=q) for q in self.template.questions],
                **household)
            for household in self.get_households()]


class Campaign_Party(ModelSQL):
    __name__ = 'svc.survey.campaign-party.party'
    __string__ = "Survey Campaign - Party"
    campaign = fields.Many2One(
        'svc.survey.campaign', "Campaign", required=True,
        ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE')


class Response(Workflow, ModelSQL, ModelView):
    __name__ = 'svc.survey.response'
    __string__ = "Survey Form"
    _states = {
        'readonly': Eval('state') != 'pending',
        }

    campaign = fields.Many2One(
        'svc.survey.campaign', "Campaign", required=True, readonly=True,
        ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    respondent = fields.Many2One(
        'party.party', "Respondent", required=True, readonly=True,
        ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends=['company'])
    stratum = fields.Char(
        "Building", readonly=True,
        help="The stratum the household was drawn from.")
    answers = fields.One2Many(
        'svc.survey.answer', 'response', "Answers", states=_states)
    remarks = fields.Text("Other Opinions", states=_states)
    answered_at = fields.Date(
        "Collected on",
        states={
            'readonly': Eval('state') != 'pending',
            })
    issues = fields.One2Many(
        'svc.survey.issue', 'response', "Problems", readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('answered', "Collected"),
            ('no_answer', "No Answer"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(
                t, (t.state, Index.Equality(cardinality='low')),
                where=t.state == 'pending'))
        cls._order = [
            ('campaign', 'DESC'),
            ('stratum', 'ASC'),
            ('id', 'ASC'),
            ]
        cls._transitions |= {
            ('pending', 'answered'),
            ('pending', 'no_answer'),
            ('answered', 'pending'),
            ('no_answer', 'pending'),
            }
        cls._buttons.update({
                'answer': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'no_answer': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'reset': {
                    'invisible': Eval('state') == 'pending',
                    'depends': ['state'],
                    },
                'report_problems': {
                    'invisible': Eval('state') != 'answered',
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'submit': RPC(readonly=False, instantiate=0),
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    @fields.depends('campaign', '_parent_campaign.company')
    def on_change_with_company(self, name=None):
        return self.campaign.company if self.campaign else None

    @classmethod
    def search_company(cls, name, clause):
        return [('campaign.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.campaign.rec_name} {self.respondent.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('campaign.number', *clause[1:]),
            ('respondent.rec_name', *clause[1:]),
            ]

    @classmethod
    @ModelView.button
    @Workflow.transition('answered')
    def answer(cls, responses):
        today = Pool().get('ir.date').today()
        for response in responses:
            if not response.answered_at:
                response.answered_at = today
        cls.save(responses)

    @classmethod
    @ModelView.button
    @Workflow.transition('no_answer')
    def no_answer(cls, responses):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('pending')
    def reset(cls, responses):
        pass

    @classmethod
    def submit(cls, responses, answers, remarks=None):
        """Record the answers given online and collect the forms

        answers maps the id of a question (as int or str) to the id of the
        choice, the score or the text."""
        pool = Pool()
        Answer = pool.get('svc.survey.answer')
        lines = []
        for response in responses:
            if response.state != 'pending':
                raise ResponseSubmitError(gettext(
                        'svc_customer_service.msg_response_submit_state',
                        response=response.rec_name))
            for line in response.answers:
                value = answers.get(line.question.id,
                    answers.get(str(line.question.id)))
                if value is not None:
                    line.set_value(value)
                    lines.append(line)
            if remarks:
                response.remarks = remarks
        Answer.save(lines)
        cls.save(responses)
        cls.answer(responses)

    @classmethod
    @ModelView.button
    def report_problems(cls, responses):
        pool = Pool()
        Issue = pool.get('svc.survey.issue')
        issues = []
        for response in responses:
            reported = {i.answer for i in response.issues}
            for answer in response.answers:
                if answer.problem and answer not in reported:
                    issues.append(answer.get_issue())
        Issue.save(issues)


class Answer(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'svc.survey.answer'
    __string__ = "Survey Answer"
    response = fields.Many2One(
        'svc.survey.response', "Form", required=True, ondelete='CASCADE')
    question = fields.Many2One(
        'svc.survey.question', "Question", required=True, readonly=True,
        ondelete='RESTRICT')
    question_type = fields.Function(
        fields.Selection('get_question_types', "Question Type"),
        'on_change_with_question_type')
    choice = fields.Many2One(
        'svc.survey.question.choice', "Choice", ondelete='RESTRICT',
        domain=[
            ('question', '=', Eval('question', -1)),
            ],
        states={
            'invisible': Eval('question_type') != 'single_choice',
            })
    score = fields.Integer(
        "Score",
        states={
            'invisible': Eval('question_type') != 'score',
            })
    text = fields.Text(
        "Answer",
        states={
            'invisible': Eval('question_type') != 'text',
            })
    problem = fields.Boolean(
        "Problem Found",
        help="The answer shows a problem to analyse and rectify.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('response')

    @classmethod
    def get_question_types(cls):
        pool = Pool()
        Question = pool.get('svc.survey.question')
        return Question.fields_get(['type'])['type']['selection']

    @fields.depends('question', '_parent_question.type')
    def on_change_with_question_type(self, name=None):
        return self.question.type if self.question else None

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Question = pool.get('svc.survey.question')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('question') is not None:
            question = Question(values['question'])
            cls.check_value(question, values)
            values.setdefault('sequence', question.sequence)
        return values

    @classmethod
    def check_modification(cls, mode, answers, values=None, external=False):
        super().check_modification(
            mode, answers, values=values, external=external)
        if mode == 'write' and values.keys() & {'question', 'choice', 'score'}:
            pool = Pool()
            Question = pool.get('svc.survey.question')
            for answer in answers:
                question = answer.question
                if 'question' in values:
                    question = Question(values['question'])
                value = {
                    'choice': answer.choice.id if answer.choice else None,
                    'score': answer.score,
                    }
                value.update(values)
                cls.check_value(question, value)

    @classmethod
    def check_value(cls, question, values):
        "Check the choice and the score of values answer the question"
        pool = Pool()
        Choice = pool.get('svc.survey.question.choice')
        if values.get('choice') is not None:
            choice = Choice(values['choice'])
            if choice.question != question:
                raise AnswerValidationError(gettext(
                        'svc_customer_service.msg_answer_choice',
                        choice=choice.name,
                        question=question.text))
        score = values.get('score')
        if score is not None and (
                question.type != 'score'
                or not question.scale_min <= score <= question.scale_max):
            raise AnswerValidationError(gettext(
                    'svc_customer_service.msg_answer_score',
                    score=score,
                    question=question.text,
                    min=question.scale_min or 0,
                    max=question.scale_max or 0))

    def set_value(self, value):
        "Set the answer from a choice id, a score or a text"
        if self.question.type == 'single_choice':
            self.choice = int(value)
        elif self.question.type == 'score':
            self.score = int(value)
        else:
            self.text = str(value)

    def get_issue(self):
        "Return a new problem for the answer"
        pool = Pool()
        Issue = pool.get('svc.survey.issue')
        value = (self.choice.name if self.choice
            else str(self.score) if self.score is not None
            else self.text or '')
        return Issue(
            company=self.response.campaign.company,
            campaign=self.response.campaign,
            response=self.response,
            answer=self,
            description=f'{self.question.text}: {value}'.strip(': '))


class CampaignReport(Report):
    __name__ = 'svc.survey.campaign.form'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Campaign = pool.get('svc.survey.campaign')
        # Re-instantiate because records are TranslateModel
        campaigns = Campaign.browse(records)
        if len(campaigns) == 1 and campaigns[0].forms_name:
            campaign, = campaigns
            return campaign.forms_name.rpartition('.')[2], campaign.forms
        return super()._execute(records, header, data, action)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['responses'] = [r for c in records for r in c.responses]
        context['house'] = lambda response: getattr(response, 'house', None)
        return context
