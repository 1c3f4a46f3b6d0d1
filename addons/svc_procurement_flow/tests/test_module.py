# This file is part of svc-tryton-addons.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.


from trytond.model.exceptions import SQLConstraintError
from trytond.modules.svc_procurement_flow.exceptions import CodeNotFoundError
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

# TIPTOP code: (area, model the action opens)
EXPECTED = {
    'aimi100': ('master', 'product.template'),
    'apmi600': ('master', 'party.party'),
    'apmi255': ('master', 'purchase.product_supplier'),
    'abmi600': ('master', 'production.bom'),
    'apmt420': ('purchase', 'purchase.requisition'),
    'apmp500': ('purchase', 'purchase.request'),
    'apmt540': ('purchase', 'purchase.purchase'),
    'apmt110': ('receiving', 'stock.shipment.in'),
    'aqct110': ('receiving', 'quality.inspection'),
    'apmt720': ('receiving', 'stock.shipment.in'),
    'apmt721': ('receiving', 'stock.shipment.in.return'),
    'apmt722': ('receiving', 'stock.shipment.in.return'),
    'asfi301': ('production', 'production'),
    'asfi511': ('production', 'stock.move'),
    'asft620': ('production', 'stock.move'),
    'aimt301': ('warehouse', 'stock.move'),
    'aimt302': ('warehouse', 'stock.move'),
    'aimt324': ('warehouse', 'stock.shipment.internal'),
    'aapt110': ('payable', 'account.invoice'),
    'aapt210': ('payable', 'account.invoice'),
    }


class SvcProcurementFlowTestCase(ModuleTestCase):
    "Test Svc Procurement Flow module"
    module = 'svc_procurement_flow'

    @with_transaction()
    def test_code_actions(self):
        "Test every code opens an action on the expected model"
        pool = Pool()
        Code = pool.get('svc.procurement.tiptop.code')

        codes = Code.search([])
        self.assertEqual({c.code for c in codes}, set(EXPECTED))
        for code in codes:
            with self.subTest(code=code.code):
                area, model = EXPECTED[code.code]
                self.assertEqual(code.area, area)
                value = code.action.get_action_value()
                self.assertEqual(value['type'], 'ir.action.act_window')
                self.assertEqual(value['res_model'], model)

    @with_transaction()
    def test_code_action_domains(self):
        "Test the domain of every code action is valid on its model"
        pool = Pool()
        Code = pool.get('svc.procurement.tiptop.code')

        for code in Code.search([]):
            with self.subTest(code=code.code):
                value = code.action.get_action_value()
                Model = pool.get(value['res_model'])
                domain = PYSONDecoder({}).decode(value['pyson_domain'])
                Model.search(domain, limit=1)

    @with_transaction()
    def test_code_menus(self):
        "Test every code has a menu entry opening its action"
        pool = Pool()
        Code = pool.get('svc.procurement.tiptop.code')
        Menu = pool.get('ir.ui.menu')

        for code in Code.search([]):
            with self.subTest(code=code.code):
                menu, = Menu.search([('name', 'like', f'{code.code} %')])
                self.assertEqual(menu.action.action, code.action)
                self.assertEqual(menu.parent.parent.name,
                    "TIPTOP Transactions")

    @with_transaction()
    def test_get_case_insensitive(self):
        "Test finding a code whatever its case and surrounding spaces"
        pool = Pool()
        Code = pool.get('svc.procurement.tiptop.code')

        code = Code.get('apmt420')
        self.assertEqual(code.code, 'apmt420')
        for text in ['APMT420', ' apmt420 ', '\tApMt420\n']:
            with self.subTest(text=text):
                self.assertEqual(Code.get(text), code)

    @with_transaction()
    def test_get_unknown(self):
        "Test an unknown code is refused"
        pool = Pool()
        Code = pool.get('svc.procurement.tiptop.code')

        for text in ['apmt999', 'apmt42', 'apmt%', 'apmt4_0', '', None]:
            with self.subTest(text=text):
                with self.assertRaises(CodeNotFoundError):
                    Code.get(text)

    @with_transaction()
    def test_code_unique(self):
        "Test a code cannot be defined twice"
        pool = Pool()
        Code = pool.get('svc.procurement.tiptop.code')

        code = Code.get('apmt420')
        with self.assertRaises(SQLConstraintError):
            Code.create([{
                        'code': 'apmt420',
                        'name': "Duplicate",
                        'area': 'purchase',
                        'action': code.action.id,
                        }])

    @with_transaction()
    def test_open_wizard(self):
        "Test the wizard opens the action of the typed code"
        pool = Pool()
        Open = pool.get('svc.procurement.tiptop.open', type='wizard')

        session_id, _, _ = Open.create()
        result = Open.execute(
            session_id, {'start': {'code': ' APMT420 '}}, 'open_')
        (action, data), = result['actions']
        self.assertEqual(action['res_model'], 'purchase.requisition')
        Open.delete(session_id)

    @with_transaction()
    def test_open_wizard_unknown(self):
        "Test the wizard refuses an unknown code"
        pool = Pool()
        Open = pool.get('svc.procurement.tiptop.open', type='wizard')

        session_id, _, _ = Open.create()
        with self.assertRaises(CodeNotFoundError):
            Open.execute(
                session_id, {'start': {'code': 'xyz123'}}, 'open_')


del ModuleTestCase
