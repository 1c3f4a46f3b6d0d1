# This file is part of svc-tryton-addons.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tools import escape_wildcard
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import CodeNotFoundError


class Code(ModelSQL, ModelView):
    __name__ = 'svc.procurement.tiptop.code'
    __string__ = "TIPTOP Transaction Code"
    code = fields.Char(
        "Code", required=True,
        help="The TIPTOP GP transaction code, for example \"apmt420\".")
    name = fields.Char("Name", required=True, translate=True)
    area = fields.Selection([
            ('master', "Master Data"),
            ('purchase', "Purchasing"),
            ('receiving', "Receiving and Quality"),
            ('production', "Production"),
            ('warehouse', "Warehouse"),
            ('sale', "Sales"),
            ('payable', "Payables"),
            ], "Area", required=True, sort=False)
    action = fields.Many2One(
        'ir.action', "Action", required=True, ondelete='CASCADE',
        help="The Tryton action the code opens.")
    description = fields.Text("Description", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'svc_procurement_flow.msg_tiptop_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    def get_rec_name(self, name):
        return f'{self.code} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('code', *clause[1:]),
            ('name', *clause[1:]),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Action = pool.get('ir.action')
        values = super().preprocess_values(mode, values)
        if values.get('action') is not None:
            values['action'] = Action.get_action_id(values['action'])
        return values

    @classmethod
    def get(cls, text):
        "Return the code matching text, whatever its case and spaces"
        text = (text or '').strip()
        codes = cls.search([
                ('code', 'ilike', escape_wildcard(text)),
                ], limit=1)
        if not codes:
            raise CodeNotFoundError(gettext(
                    'svc_procurement_flow.msg_tiptop_code_not_found',
                    code=text))
        code, = codes
        return code


class OpenStart(ModelView):
    __name__ = 'svc.procurement.tiptop.open.start'
    __string__ = "Open TIPTOP Transaction"
    code = fields.Char(
        "Transaction Code", required=True,
        help="Type a TIPTOP GP transaction code, for example \"apmt420\".")


class Open(Wizard):
    __name__ = 'svc.procurement.tiptop.open'
    start = StateView(
        'svc.procurement.tiptop.open.start',
        'svc_procurement_flow.tiptop_open_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Open", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('svc_procurement_flow.act_tiptop_code_form')

    def do_open_(self, action):
        pool = Pool()
        Code = pool.get('svc.procurement.tiptop.code')
        ModelAccess = pool.get('ir.model.access')
        code = Code.get(self.start.code)
        action = code.action.get_action_value()
        model = action.get('res_model')
        if model and not ModelAccess.check(
                model, 'read', raise_exception=False):
            raise AccessError(gettext(
                    'svc_procurement_flow.msg_tiptop_code_access',
                    code=code.rec_name))
        return action, {}
