# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import Counter

from sql import Literal, Null
from sql.aggregate import Avg, Count, Min, Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import IssueRectifyError, IssueResolveError
from .survey import KINDS


class Issue(Workflow, ModelSQL, ModelView):
    __name__ = 'svc.survey.issue'
    __string__ = "Survey Problem"
    _rec_name = 'description'
    _states = {
        'readonly': Eval('state') == 'resolved',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    campaign = fields.Many2One(
        'svc.survey.campaign', "Campaign", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        ondelete='RESTRICT')
    response = fields.Many2One(
        'svc.survey.response', "Form", states=_states,
        domain=[
            If(Bool(Eval('campaign')),
                ('campaign', '=', Eval('campaign', -1)),
                ()),
            ],
        ondelete='RESTRICT')
    answer = fields.Many2One(
        'svc.survey.answer', "Answer", readonly=True, ondelete='SET NULL')
    respondent = fields.Function(
        fields.Many2One(
            'party.party', "Respondent",
            context={
                'company': Eval('company', -1),
                },
            depends=['company']),
        'on_change_with_respondent')
    description = fields.Text("Problem", required=True, states=_states)
    analysis = fields.Text(
        "Analysis",
        states={
            'readonly': Eval('state') != 'open',
            'required': Eval('state') != 'open',
            },
        help="Why the problem happened and who is responsible.")
    handling = fields.Selection([
            (None, ""),
            ('rectify', "Rectify Immediately"),
            ('notify', "Notify Responsible Department"),
            ], "Handling",
        states={
            'readonly': Eval('state') != 'open',
            'required': Eval('state') != 'open',
            },
        help="Rectified by the own department, "
        "or notified to the department responsible.")
    department = fields.Char(
        "Responsible Department",
        states={
            'readonly': Eval('state') != 'open',
            'required': (
                (Eval('state') != 'open') & (Eval('handling') == 'notify')),
            })
    responsible = fields.Many2One(
        'company.employee', "Responsible", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    deadline = fields.Date("Deadline", states=_states)
    result = fields.Text(
        "Result",
        states={
            'readonly': _states['readonly'],
            'required': Eval('state') == 'resolved',
            })
    resolved_at = fields.Date("Resolved on", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    state = fields.Selection([
            ('open', "Open"),
            ('rectifying', "Rectifying"),
            ('resolved', "Resolved"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        # Full text search does not split Chinese words
        cls.description.search_full_text = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(
                t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(['open', 'rectifying'])))
        cls._order = [
            ('deadline', 'ASC NULLS LAST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('open', 'rectifying'),
            ('rectifying', 'resolved'),
            ('rectifying', 'open'),
            ('resolved', 'rectifying'),
            }
        cls._buttons.update({
                'rectify': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': Eval('state') != 'rectifying',
                    'depends': ['state'],
                    },
                'analyse': {
                    'invisible': Eval('state') != 'rectifying',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'open'

    @fields.depends('response', '_parent_response.respondent')
    def on_change_with_respondent(self, name=None):
        return self.response.respondent if self.response else None

    @fields.depends('response', 'campaign', '_parent_response.campaign')
    def on_change_response(self):
        if self.response:
            self.campaign = self.response.campaign

    def get_rec_name(self, name):
        return self.description.splitlines()[0] if self.description else ''

    def get_overdue(self, name):
        return bool(
            self.deadline and self.state != 'resolved'
            and self.deadline < dt.date.today())

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        overdue = [
            ('deadline', '<', dt.date.today()),
            ('state', '!=', 'resolved'),
            ]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR',
            ('deadline', '=', None),
            ('deadline', '>=', dt.date.today()),
            ('state', '=', 'resolved'),
            ]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue'), 'danger', '')),
            ]

    @classmethod
    def copy(cls, issues, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('answer', None)
        default.setdefault('result', None)
        default.setdefault('resolved_at', None)
        return super().copy(issues, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('rectifying')
    def rectify(cls, issues):
        for issue in issues:
            if not issue.analysis or not issue.handling or (
                    issue.handling == 'notify' and not issue.department):
                raise IssueRectifyError(gettext(
                        'svc_customer_service.msg_issue_rectify_analysis',
                        issue=issue.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def analyse(cls, issues):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, issues):
        for issue in issues:
            if not issue.result:
                raise IssueResolveError(gettext(
                        'svc_customer_service.msg_issue_resolve_result',
                        issue=issue.rec_name))
        cls.write(issues, {'resolved_at': dt.date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('rectifying')
    def reopen(cls, issues):
        cls.write(issues, {'resolved_at': None})


class Statistic(ModelSQL, ModelView):
    __name__ = 'svc.survey.statistic'
    __string__ = "Survey Statistic"
    campaign = fields.Many2One(
        'svc.survey.campaign', "Campaign", required=True)
    company = fields.Many2One('company.company', "Company")
    kind = fields.Selection(KINDS, "Kind")
    question = fields.Many2One('svc.survey.question', "Question")
    stratum = fields.Char(
        "Building", help="Empty on the line of all buildings.")
    all_strata = fields.Boolean("All Buildings")
    building = fields.Function(fields.Char("Building"), 'get_building')
    forms = fields.Integer("Forms", help="The collected forms.")
    answers = fields.Integer("Answers")
    score_average = fields.Float("Average Score", digits=(16, 2))
    problems = fields.Integer("Problems")
    choice_counts = fields.Function(
        fields.Char("Choice Counts"), 'get_choice_counts')
    previous_answers = fields.Function(
        fields.Integer("Previous Answers"), 'get_previous')
    previous_score_average = fields.Function(
        fields.Float("Previous Average Score", digits=(16, 2)),
        'get_previous')
    previous_problems = fields.Function(
        fields.Integer("Previous Problems"), 'get_previous')
    score_change = fields.Function(
        fields.Float("Score Change", digits=(16, 2)), 'get_previous')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('campaign')
        cls._order = [
            ('campaign', 'DESC'),
            ('question', 'ASC'),
            ('all_strata', 'DESC'),
            ('stratum', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Answer = pool.get('svc.survey.answer')
        Response = pool.get('svc.survey.response')
        Campaign = pool.get('svc.survey.campaign')
        answer = Answer.__table__()
        response = Response.__table__()
        campaign = Campaign.__table__()
        from_item = (answer
            .join(response, condition=answer.response == response.id)
            .join(campaign, condition=response.campaign == campaign.id))
        answered = Case(
            (answer.choice != Null, 1),
            (answer.score != Null, 1),
            ((answer.text != Null) & (answer.text != ''), 1),
            else_=0)
        columns = [
            campaign.id.as_('campaign'),
            campaign.company.as_('company'),
            campaign.kind.as_('kind'),
            answer.question.as_('question'),
            Count(answer.id).as_('forms'),
            Sum(answered).as_('answers'),
            cls.score_average.sql_cast(
                Avg(cls.score_average.sql_cast(answer.score))
                ).as_('score_average'),
            Sum(Case((answer.problem == Literal(True), 1), else_=0)
                ).as_('problems'),
            ]
        group_by = [
            campaign.id, campaign.company, campaign.kind, answer.question]
        where = response.state == 'answered'
        per_stratum = from_item.select(
            (Min(answer.id) * 2).as_('id'),
            response.stratum.as_('stratum'),
            Literal(False).as_('all_strata'),
            *columns,
            where=where & (response.stratum != Null),
            group_by=group_by + [response.stratum])
        all_strata = from_item.select(
            (Min(answer.id) * 2 + 1).as_('id'),
            Literal(None).as_('stratum'),
            Literal(True).as_('all_strata'),
            *columns,
            where=where,
            group_by=group_by)
        return per_stratum | all_strata

    @classmethod
    def order_question(cls, tables):
        pool = Pool()
        Question = pool.get('svc.survey.question')
        table, _ = tables[None]
        question = tables.get('question')
        if question is None:
            question = Question.__table__()
            tables['question'] = {
                None: (question, question.id == table.question),
                }
        else:
            question, _ = question[None]
        return [
            Case((question.sequence == Null, 0), else_=1),
            question.sequence, question.id]

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.campaign.rec_name, self.question.rec_name,
                    self.stratum]))

    @classmethod
    def get_building(cls, statistics, name):
        all_strata = cls.fields_get(['all_strata'])['all_strata']['string']
        return {
            s.id: all_strata if s.all_strata else s.stratum
            for s in statistics}

    def get_choice_counts(self, name):
        pool = Pool()
        Answer = pool.get('svc.survey.answer')
        if self.question.type != 'single_choice':
            return None
        domain = [
            ('response.campaign', '=', self.campaign.id),
            ('response.state', '=', 'answered'),
            ('question', '=', self.question.id),
            ]
        if not self.all_strata:
            domain.append(('response.stratum', '=', self.stratum))
        counts = Counter(a.choice for a in Answer.search(domain))
        return ' / '.join(
            f'{c.name} {counts[c]}' for c in self.question.choices)

    @classmethod
    def get_previous(cls, statistics, names):
        result = {n: {s.id: None for s in statistics} for n in names}
        for statistic in statistics:
            previous = statistic.campaign.previous_campaign
            if not previous:
                continue
            others = cls.search([
                    ('campaign', '=', previous.id),
                    ('question.text', '=', statistic.question.text),
                    ('all_strata', '=', statistic.all_strata),
                    ('stratum', '=', statistic.stratum),
                    ], limit=1)
            if not others:
                continue
            other, = others
            values = {
                'previous_answers': other.answers,
                'previous_score_average': other.score_average,
                'previous_problems': other.problems,
                }
            if (statistic.score_average is not None
                    and other.score_average is not None):
                values['score_change'] = round(
                    statistic.score_average - other.score_average, 2)
            for name in names:
                result[name][statistic.id] = values.get(name)
        return result
