# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

from . import repair
from .exceptions import (
    InstallationCommissionError, InstallationEnterError,
    InstallationHandOverError, InstallationIssueError,
    InstallationRectifyError, InstallationReviewValidationError,
    InstallationValidationError)

REVIEWABLE = ['in_review', 'rectify']


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.repair.configuration'
    installation_sequence = fields.Many2One(
        'ir.sequence', "Installation Sequence",
        domain=[
            ('company', 'in',
                [Eval('context', {}).get('company', -1), None]),
            ('sequence_type', '=',
                Id('svc_repair', 'sequence_type_installation')),
            ],
        help="Used to number the installation tasks.")
    installation_notice_days = fields.Integer(
        "Installation Notice (Days)", required=True,
        domain=[
            ('installation_notice_days', '>=', 0),
            ],
        help="The task sheet must be issued at least this many days "
        "before the entry on site.")

    @classmethod
    def default_installation_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('svc_repair', 'sequence_installation')
        except KeyError:
            return None

    @classmethod
    def default_installation_notice_days(cls):
        return 7


class Installation(repair.NumberedMixin, Workflow, ModelSQL, ModelView):
    "Installation and commissioning of a new project"
    __name__ = 'svc.repair.installation'
    __string__ = "Installation Task"
    _rec_name = 'number'
    _states = {
        'readonly': Eval('state') != 'draft',
        }
    _team_states = {
        'readonly': ~Eval('state').in_(['draft', 'task_issued']),
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    customer = fields.Many2One(
        'party.party', "Customer", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    project_name = fields.Char(
        "Project", required=True, states=_states)
    site = fields.Char("Site", required=True, states=_states)
    project_manager = fields.Many2One(
        'company.employee', "Project Manager", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    products = fields.Text(
        "Equipment to Install", required=True, states=_states)
    entry_date = fields.Date(
        "Planned Entry Date", required=True, states=_team_states)
    task_issued_date = fields.Date(
        "Task Sheet Issued", states=_states,
        help="The task sheet must be issued some days before the entry "
        "(7 by default).")
    team = fields.Many2One(
        'svc.repair.team', "Repair Team",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states=_team_states,
        help="Fills the team leader and the members from a repair team.")
    leader = fields.Many2One(
        'company.employee', "Team Leader",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': _team_states['readonly'],
            'required': ~Eval('state').in_(['draft', 'task_issued',
                        'cancelled']),
            },
        help="Set by the after-sales head. Required to review the site.")
    members = fields.Many2Many(
        'svc.repair.installation-company.employee', 'installation',
        'employee', "Team Members",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('leader', -1)),
            ],
        states=_team_states)
    reviews = fields.One2Many(
        'svc.repair.installation.review', 'installation', "Entry Reviews",
        states={
            'readonly': ~Eval('state').in_(REVIEWABLE),
            })
    work_plan = fields.Text(
        "Work Plan",
        states={
            'readonly': ~Eval('state').in_(['in_review', 'entering']),
            },
        help="Filed with the department head once the site is fit.")
    site_changes = fields.Text(
        "Site Changes",
        states={
            'readonly': Eval('state') != 'entering',
            },
        help="Changes on site and how the plan was adjusted.")
    commissioning_report = fields.Text(
        "Commissioning Report",
        states={
            'readonly': Eval('state') != 'entering',
            'required': Eval('state').in_(['commissioned', 'done']),
            },
        help="Required to finish the commissioning.")
    customer_signatory = fields.Char(
        "Accepted by",
        states={
            'readonly': Eval('state') != 'commissioned',
            'required': Eval('state') == 'done',
            },
        help="The customer's representative who accepts the handover.")
    acceptance_stamp = fields.Boolean(
        "Customer Stamp",
        states={
            'readonly': Eval('state') != 'commissioned',
            },
        help="The acceptance sheet bears the customer's stamp.")
    entered_at = fields.DateTime("Entered at", readonly=True)
    commissioned_at = fields.DateTime("Commissioned at", readonly=True)
    handed_over_at = fields.DateTime("Handed over at", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('task_issued', "Task Sheet Issued"),
            ('in_review', "Entry Review"),
            ('rectify', "Rectification"),
            ('entering', "Entered"),
            ('commissioned', "Commissioned"),
            ('done', "Handed Over"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states, _team_states

    @classmethod
    def __setup__(cls):
        cls.products.search_full_text = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(
                t,
                (t.state, Index.Equality(cardinality='low')),
                where=~t.state.in_(['done', 'cancelled'])))
        cls._order = [
            ('entry_date', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'task_issued'),
            ('task_issued', 'in_review'),
            ('in_review', 'rectify'),
            ('rectify', 'in_review'),
            ('in_review', 'entering'),
            ('entering', 'commissioned'),
            ('commissioned', 'done'),
            ('draft', 'cancelled'),
            ('task_issued', 'cancelled'),
            ('in_review', 'cancelled'),
            ('rectify', 'cancelled'),
            ('entering', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'issue': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'review': {
                    'invisible': ~Eval('state').in_(
                        ['task_issued', 'rectify']),
                    'depends': ['state'],
                    },
                'rectify': {
                    'invisible': Eval('state') != 'in_review',
                    'depends': ['state'],
                    },
                'enter': {
                    'invisible': Eval('state') != 'in_review',
                    'depends': ['state'],
                    },
                'commission': {
                    'invisible': Eval('state') != 'entering',
                    'depends': ['state'],
                    },
                'hand_over': {
                    'invisible': Eval('state') != 'commissioned',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'task_issued', 'in_review', 'rectify',
                            'entering']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @fields.depends('team', 'leader', 'members')
    def on_change_team(self):
        if self.team:
            self.leader = self.team.leader or self.leader
            self.members = [
                m for m in self.team.members if m != self.leader]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_acceptance_stamp(cls):
        return False

    @classmethod
    def validate_fields(cls, installations, field_names):
        super().validate_fields(installations, field_names)
        cls.check_notice(installations, field_names)

    @classmethod
    def check_notice(cls, installations, field_names=None):
        "Refuse a task sheet issued less than the notice before the entry"
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        Lang = pool.get('ir.lang')
        names = {'entry_date', 'task_issued_date'}
        if field_names and not (names & set(field_names)):
            return
        days = Configuration(1).installation_notice_days or 0
        lang = Lang.get()
        for installation in installations:
            issued = installation.task_issued_date
            if not issued or not installation.entry_date:
                continue
            if (installation.entry_date - issued).days < days:
                raise InstallationValidationError(gettext(
                        'svc_repair.msg_installation_notice',
                        installation=cls.__names__(
                            record=installation)['record'],
                        days=days,
                        issued=lang.strftime(issued),
                        entry=lang.strftime(installation.entry_date)))

    @classmethod
    def get_number_sequence(cls, values):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        return Configuration(1).installation_sequence

    @classmethod
    def copy(cls, installations, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'number', 'task_issued_date', 'reviews', 'work_plan',
                'site_changes', 'commissioning_report', 'customer_signatory',
                'entered_at', 'commissioned_at', 'handed_over_at']:
            default.setdefault(name, None)
        default.setdefault('acceptance_stamp', False)
        return super().copy(installations, default=default)

    @property
    def last_review(self):
        if self.reviews:
            return max(self.reviews, key=lambda r: (r.reviewed_at, r.id))

    @classmethod
    @ModelView.button
    @Workflow.transition('task_issued')
    def issue(cls, installations):
        pool = Pool()
        Date = pool.get('ir.date')
        for installation in installations:
            if not installation.task_issued_date:
                installation.task_issued_date = Date.today()
        # Saving runs the notice check on the issued date
        cls.save(installations)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_review')
    def review(cls, installations):
        pool = Pool()
        Review = pool.get('svc.repair.installation.review')
        for installation in installations:
            if not installation.leader:
                raise InstallationIssueError(gettext(
                        'svc_repair.msg_installation_review_leader',
                        installation=installation.rec_name))
        Review.save([Review(installation=i) for i in installations])

    @classmethod
    @ModelView.button
    @Workflow.transition('rectify')
    def rectify(cls, installations):
        for installation in installations:
            review = installation.last_review
            if not review or review.result != 'rectify':
                raise InstallationRectifyError(gettext(
                        'svc_repair.msg_installation_rectify_review',
                        installation=installation.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('entering')
    def enter(cls, installations):
        for installation in installations:
            review = installation.last_review
            if not review or review.result != 'pass':
                raise InstallationEnterError(gettext(
                        'svc_repair.msg_installation_enter_review',
                        installation=installation.rec_name))
        cls.write(installations, {'entered_at': repair.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('commissioned')
    def commission(cls, installations):
        for installation in installations:
            if not installation.commissioning_report:
                raise InstallationCommissionError(gettext(
                        'svc_repair.msg_installation_commission_report',
                        installation=installation.rec_name))
        cls.write(installations, {'commissioned_at': repair.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def hand_over(cls, installations):
        for installation in installations:
            if (not installation.customer_signatory
                    or not installation.acceptance_stamp):
                raise InstallationHandOverError(gettext(
                        'svc_repair.msg_installation_hand_over_acceptance',
                        installation=installation.rec_name))
        cls.write(installations, {'handed_over_at': repair.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, installations):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, installations):
        pass


class Installation_Employee(ModelSQL):
    __name__ = 'svc.repair.installation-company.employee'
    __string__ = "Installation - Employee"
    installation = fields.Many2One(
        'svc.repair.installation', "Installation", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')


class Review(repair.ClockDefaultMixin, ModelSQL, ModelView):
    "Entry review sheet: whether the site is fit for the team to enter"
    __name__ = 'svc.repair.installation.review'
    __string__ = "Entry Review"
    _states = {
        'readonly': Eval('installation_state') != 'in_review',
        }

    installation = fields.Many2One(
        'svc.repair.installation', "Installation", required=True,
        ondelete='CASCADE', readonly=True)
    installation_state = fields.Function(
        fields.Selection('get_installation_states', "Installation State"),
        'on_change_with_installation_state')
    reviewed_at = fields.DateTime(
        "Reviewed at", required=True, states=_states)
    reviewer = fields.Many2One(
        'company.employee', "Reviewer", states=_states)
    checklist = fields.Text(
        "Checklist", states=_states,
        help="What was checked on site: power, water, access, "
        "building progress, safety.")
    result = fields.Selection([
            (None, ""),
            ('pass', "Fit for Entry"),
            ('rectify', "Rectification Required"),
            ], "Result", sort=False, states=_states)
    rectification = fields.Text(
        "Rectification Required",
        states={
            'readonly': _states['readonly'],
            'required': Eval('result') == 'rectify',
            'invisible': Eval('result') != 'rectify',
            },
        help="What the project manager must put right before the site is "
        "reviewed again.")

    del _states

    @classmethod
    def __setup__(cls):
        cls.checklist.search_full_text = False
        cls.rectification.search_full_text = False
        super().__setup__()
        cls.__access__.add('installation')
        cls._order = [
            ('installation', 'ASC'),
            ('reviewed_at', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_reviewed_at(cls):
        return repair.now().replace(microsecond=0)

    @classmethod
    def default_reviewer(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_installation_state(cls):
        return 'in_review'

    @classmethod
    def get_installation_states(cls):
        pool = Pool()
        Installation = pool.get('svc.repair.installation')
        return Installation.fields_get(['state'])['state']['selection']

    @fields.depends('installation', '_parent_installation.state')
    def on_change_with_installation_state(self, name=None):
        if self.installation:
            return self.installation.state

    @classmethod
    def validate_fields(cls, reviews, field_names):
        super().validate_fields(reviews, field_names)
        cls.check_rectification(reviews, field_names)

    @classmethod
    def check_rectification(cls, reviews, field_names=None):
        if field_names and not ({'result', 'rectification'}
                & set(field_names)):
            return
        for review in reviews:
            if review.result == 'rectify' and not review.rectification:
                raise InstallationReviewValidationError(gettext(
                        'svc_repair.msg_installation_review_rectification',
                        installation=review.installation.rec_name))

    @classmethod
    def check_modification(cls, mode, reviews, values=None, external=False):
        super().check_modification(
            mode, reviews, values=values, external=external)
        if mode == 'write':
            for review in reviews:
                if review.installation.state != 'in_review':
                    raise InstallationReviewValidationError(gettext(
                            'svc_repair.msg_installation_review_closed',
                            installation=review.installation.rec_name))
