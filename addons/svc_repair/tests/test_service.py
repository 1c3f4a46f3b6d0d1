# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.svc_repair.exceptions import (
    CashValidationError, ContractValidationError, PartLocationError,
    PartRequestError, PartStockWarning, PartTransferError, QuotationError,
    ServiceCategoryValidationError, TicketInvoiceError,
    TicketLineValidationError, TicketStartQuotationError)
from trytond.modules.svc_repair.tests.test_module import (
    ZhCnTestCase, as_user, create_user, savepoint)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


class SvcRepairServiceTestCase(ZhCnTestCase):
    "Test the service categories, parts, labour, quotation and cash"

    def setup_service(self):
        pool = Pool()
        Party = pool.get('party.party')
        ModelData = pool.get('ir.model.data')
        Location = pool.get('stock.location')
        company = create_company()
        tech = create_employee(company, "李师傅")
        customer, = Party.create([{'name': "张三"}])
        unit = ModelData.get_id('product', 'uom_unit')
        hour = ModelData.get_id('product', 'uom_hour')
        with set_company(company):
            pump, labour = self.create_products(unit, hour)
        storage, = Location.search([('code', '=', 'STO')])
        users = SimpleNamespace(
            reception=create_user(
                'reception', ['group_reception'], company),
            dispatcher=create_user(
                'dispatcher', ['group_dispatcher'], company),
            tech=create_user('tech', ['group_technician'], company, tech),
            manager=create_user(
                'manager', ['group_service_manager'], company),
            )
        return SimpleNamespace(
            company=company, tech=tech, customer=customer,
            pump=pump.products[0], labour=labour.products[0],
            storage=storage, users=users)

    def create_products(self, unit, hour):
        Template = Pool().get('product.template')
        return Template.create([{
                    'name': "水泵",
                    'type': 'goods',
                    'purchasable': True,
                    'purchase_uom': unit,
                    'default_uom': unit,
                    'list_price': Decimal('200'),
                    'products': [('create', [{}])],
                    }, {
                    'name': "维修工时",
                    'type': 'service',
                    'default_uom': hour,
                    'list_price': Decimal('80'),
                    'products': [('create', [{}])],
                    }])

    def create_ticket(self, env, **values):
        Ticket = Pool().get('svc.repair.ticket')
        values.setdefault('reporter', env.customer.id)
        values.setdefault('description', "水泵不出水")
        values.setdefault('grade', 'B')
        values.setdefault('urgency', 'general')
        values.setdefault('technician', env.tech.id)
        ticket, = Ticket.create([values])
        return ticket

    def create_equipment(self, env, **values):
        Equipment = Pool().get('svc.repair.equipment')
        values.setdefault('product', env.pump.id)
        values.setdefault('serial_number', 'SN-001')
        values.setdefault('customer', env.customer.id)
        equipment, = Equipment.create([values])
        return equipment

    def add_line(self, ticket, product, quantity, **values):
        Line = Pool().get('svc.repair.ticket.line')
        line, = Line.create([{
                    'ticket': ticket.id,
                    'kind': 'labour' if product.type == 'service' else 'part',
                    'product': product.id,
                    'quantity': quantity,
                    'unit_price': product.list_price_used,
                    **values,
                    }])
        return line

    @with_transaction()
    def test_category_proposal(self):
        "Test the category follows the contract and the warranty"
        pool = Pool()
        Contract = pool.get('svc.repair.contract')
        Date = pool.get('ir.date')
        today = Date.today()
        env = self.setup_service()
        with set_company(env.company):
            paid = self.create_ticket(env)
            self.assertEqual(paid.service_category, 'A')
            self.assertIsNone(paid.contract)

            in_warranty = self.create_equipment(
                env, purchase_date=today - dt.timedelta(days=30),
                warranty_end=today + dt.timedelta(days=335))
            free = self.create_ticket(env, equipment=in_warranty.id)
            self.assertEqual(free.service_category, 'C')

            contract, = Contract.create([{
                        'party': env.customer.id,
                        'start_date': today - dt.timedelta(days=10),
                        'end_date': today + dt.timedelta(days=355),
                        'products': [('add', [env.pump.id])],
                        }])
            self.assertTrue(contract.number.startswith('HT'))
            ticket = self.create_ticket(env, equipment=in_warranty.id)
            self.assertEqual(ticket.service_category, 'C')
            self.assertIsNone(ticket.contract)

            Contract.run([contract])
            ticket = self.create_ticket(env, equipment=in_warranty.id)
            self.assertEqual(ticket.contract, contract)
            self.assertEqual(ticket.service_category, 'B')
            other = self.create_equipment(env, serial_number='SN-002')
            ticket = self.create_ticket(env, equipment=other.id)
            self.assertEqual(ticket.service_category, 'B')

            Contract.close([contract])
            ticket = self.create_ticket(env, equipment=other.id)
            self.assertEqual(ticket.service_category, 'A')

    @with_transaction()
    def test_category_override_reason(self):
        "Test a category other than the proposed one needs a reason"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_service()
        with set_company(env.company):
            ticket = self.create_ticket(env)
            with self.assertRaises(ServiceCategoryValidationError) as cm, \
                    savepoint():
                Ticket.write([ticket], {'service_category': 'C'})
            # Created by this same transaction, which the refusal rolls back
            self.assertNotIn(ticket.number, cm.exception.message)
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.service_category, 'A')
            Ticket.write([ticket], {
                    'service_category': 'D',
                    'category_reason': "季度设备巡检",
                    })
            self.assertEqual(ticket.service_category, 'D')

    @with_transaction()
    def test_contract_dates(self):
        "Test a contract cannot end before it starts"
        pool = Pool()
        Contract = pool.get('svc.repair.contract')
        env = self.setup_service()
        with set_company(env.company):
            with self.assertRaises(ContractValidationError):
                Contract.create([{
                            'party': env.customer.id,
                            'start_date': dt.date(2026, 5, 1),
                            'end_date': dt.date(2026, 4, 1),
                            }])

    @with_transaction()
    def test_quotation_before_start(self):
        "Test paid work over the threshold starts once quoted and confirmed"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Configuration = pool.get('svc.repair.configuration')
        Configuration.write([Configuration(1)], {
                'quotation_threshold': Decimal('300'),
                })
        env = self.setup_service()
        with set_company(env.company):
            ticket = self.create_ticket(env)
            Ticket.dispatch([ticket])
            self.add_line(ticket, env.pump, 1)
            self.add_line(ticket, env.labour, 2)
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.total_amount, Decimal('360'))
            self.assertTrue(ticket.quotation_required)
            with self.assertRaises(TicketStartQuotationError):
                Ticket.start([ticket])
            self.assertEqual(Ticket(ticket.id).state, 'assigned')

            with self.assertRaises(QuotationError):
                Ticket.quote([ticket])
            ticket.quotation_plan = "更换水泵，2小时"
            ticket.save()
            Ticket.quote([ticket])
            self.assertEqual(ticket.quotation_state, 'to_confirm')
            self.assertEqual(ticket.quotation_amount, Decimal('360'))
            with self.assertRaises(TicketStartQuotationError):
                Ticket.start([ticket])

            with as_user(env.users.reception):
                Ticket.confirm_quotation([Ticket(ticket.id)])
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.quotation_state, 'confirmed')
            self.assertEqual(ticket.quotation_by, env.users.reception)
            self.assertTrue(ticket.quotation_at)
            with self.assertRaises(QuotationError):
                Ticket.refuse_quotation([ticket])
            Ticket.start([ticket])
            self.assertEqual(ticket.state, 'running')

    @with_transaction()
    def test_line_rules(self):
        "Test the lines need a product of their kind and an open ticket"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Line = pool.get('svc.repair.ticket.line')
        env = self.setup_service()
        with set_company(env.company):
            ticket = self.create_ticket(env)
            with self.assertRaises(TicketLineValidationError):
                self.add_line(ticket, env.pump, 1, kind='labour')
            line = self.add_line(ticket, env.labour, 1.5)
            self.assertEqual(line.unit.symbol, 'h')
            self.assertEqual(line.amount, Decimal('120'))
            removed = self.add_line(ticket, env.pump, 1, removed=True)
            self.assertEqual(removed.amount, Decimal('0'))

            ticket.from_location = env.storage
            ticket.save()
            Line.delete([removed])
            Ticket.dispatch([ticket])
            Ticket.start([ticket])
            ticket.work_report = "检修水泵"
            ticket.save()
            Ticket.finish([ticket])
            with self.assertRaises(TicketLineValidationError):
                Line.write([line], {'quantity': 3})
            with self.assertRaises(TicketLineValidationError):
                self.add_line(ticket, env.labour, 1)

            cancelled = self.create_ticket(env)
            self.add_line(cancelled, env.labour, 1)
            Ticket.cancel([cancelled])
            Ticket.delete([cancelled])
            self.assertEqual(
                Line.search([('ticket', '=', cancelled.id)]), [])

    @with_transaction()
    def test_line_roles(self):
        "Test the technician adds lines to his tickets, the reception cannot"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Line = pool.get('svc.repair.ticket.line')
        env = self.setup_service()
        with set_company(env.company):
            ticket = self.create_ticket(env)
            Ticket.dispatch([ticket])
            values = {
                'ticket': ticket.id, 'kind': 'labour',
                'product': env.labour.id, 'quantity': 1,
                'unit_price': Decimal('80'),
                }
            with as_user(env.users.tech):
                Line.create([values])
            with as_user(env.users.dispatcher):
                Line.create([values])
            with as_user(env.users.reception):
                with self.assertRaises(AccessError):
                    Line.create([values])
            self.assertEqual(len(Ticket(ticket.id).lines), 2)

    @with_transaction()
    def test_part_stock_warning(self):
        "Test finishing with a part missing at the source warns first"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Warning_ = pool.get('res.user.warning')
        Product = pool.get('product.product')
        env = self.setup_service()
        with set_company(env.company):
            ticket = self.create_ticket(env)
            Ticket.dispatch([ticket])
            Ticket.start([ticket])
            self.add_line(ticket, env.pump, 2)
            ticket = Ticket(ticket.id)
            ticket.work_report = "更换水泵"
            ticket.save()
            with self.assertRaises(PartLocationError):
                Ticket.finish([ticket])
            ticket.from_location = env.storage
            ticket.save()
            # The warnings are for users, not for root
            with Transaction().set_user(env.users.tech.id):
                with self.assertRaises(PartStockWarning) as cm:
                    Ticket.finish([ticket])
                self.assertEqual(Ticket(ticket.id).state, 'running')
                self.assertEqual(Ticket(ticket.id).moves, ())

                Warning_.skip(cm.exception.name, True)
                Ticket.finish([Ticket(ticket.id)])
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.state, 'done')
            move, = ticket.moves
            self.assertEqual(move.state, 'done')
            self.assertEqual(move.to_location, env.customer.customer_location)
            with Transaction().set_context(
                    stock_date_end=pool.get('ir.date').today()):
                quantities = Product.products_by_location(
                    [env.storage.id], grouping_filter=([env.pump.id],))
            self.assertEqual(
                quantities[(env.storage.id, env.pump.id)], -2)

    @with_transaction()
    def test_request_parts(self):
        "Test the missing parts are asked from purchasing once"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_service()
        with set_company(env.company):
            ticket = self.create_ticket(env, from_location=env.storage.id)
            Ticket.dispatch([ticket])
            self.add_line(ticket, env.pump, 3)
            with as_user(env.users.tech):
                Ticket.request_parts([Ticket(ticket.id)])
            request, = Ticket(ticket.id).purchase_requests
            self.assertEqual(request.product, env.pump)
            self.assertEqual(request.quantity, 3)
            self.assertEqual(request.warehouse, env.storage.warehouse)
            with self.assertRaises(PartRequestError):
                Ticket.request_parts([Ticket(ticket.id)])

    def create_van(self, env, name, employee=None):
        pool = Pool()
        Location = pool.get('stock.location')
        Employee = pool.get('company.employee')
        van, = Location.create([{
                    'name': name,
                    'type': 'storage',
                    'parent': env.storage.warehouse.id,
                    }])
        if employee:
            Employee.write([employee], {'repair_location': van.id})
        return van

    @with_transaction()
    def test_technician_van(self):
        "Test the parts come from the technician's van unless chosen"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_service()
        with set_company(env.company):
            wang = create_employee(env.company, "王师傅")
            li_van = self.create_van(env, "李师傅工具车", env.tech)
            ticket = self.create_ticket(env)
            chosen = self.create_ticket(env, from_location=env.storage.id)
            no_van = self.create_ticket(env, technician=wang.id)
            Ticket.dispatch([ticket, chosen, no_van])
            self.assertEqual(
                [t.from_location for t in Ticket.browse(
                        [ticket, chosen, no_van])],
                [li_van, env.storage, None])

            draft = Ticket(technician=env.tech, from_location=None)
            draft.on_change_technician()
            self.assertEqual(draft.from_location, li_van)
            draft.from_location = env.storage
            draft.on_change_technician()
            self.assertEqual(draft.from_location, env.storage)

            wang_van = self.create_van(env, "王师傅工具车", wang)
            draft.technician = wang
            draft.from_location = li_van
            draft.on_change_technician()
            self.assertEqual(draft.from_location, wang_van)

            Ticket.write([ticket, chosen], {
                    'handover_to': wang.id,
                    'handover_reason': "请假",
                    })
            with as_user(env.users.tech):
                Ticket.transfer([Ticket(ticket.id)])
            Ticket.transfer([Ticket(chosen.id)])
            self.assertEqual(
                [t.from_location for t in Ticket.browse([ticket, chosen])],
                [wang_van, env.storage])

    @with_transaction()
    def test_request_transfer(self):
        "Test the parts missing in the van are sent from the warehouse once"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Shipment = pool.get('stock.shipment.internal')
        Location = pool.get('stock.location')
        env = self.setup_service()
        with set_company(env.company):
            van = self.create_van(env, "李师傅工具车")
            elsewhere, = Location.create([{
                        'name': "外协仓", 'type': 'storage'}])
            ticket = self.create_ticket(env)
            Ticket.dispatch([ticket])
            self.add_line(ticket, env.pump, 3)
            self.add_line(ticket, env.pump, 1, removed=True)
            self.add_line(ticket, env.labour, 2)
            for location in [None, elsewhere, env.storage]:
                Ticket.write([ticket], {
                        'from_location': location.id if location else None,
                        })
                with as_user(env.users.dispatcher), \
                        self.assertRaises(PartTransferError):
                    Ticket.request_transfer([Ticket(ticket.id)])
            Ticket.write([ticket], {'from_location': van.id})
            with as_user(env.users.tech), \
                    self.assertRaises(AccessButtonError):
                Ticket.request_transfer([Ticket(ticket.id)])

            with as_user(env.users.dispatcher):
                Ticket.request_transfer([Ticket(ticket.id)])
            shipment, = Ticket(ticket.id).internal_shipments
            self.assertEqual(
                (shipment.state, shipment.from_location, shipment.to_location,
                    shipment.company, shipment.reference),
                ('draft', env.storage, van, env.company, ticket.number))
            self.assertEqual(
                [(m.product, m.quantity, m.unit, m.from_location,
                    m.to_location) for m in shipment.moves],
                [(env.pump, 3, env.pump.default_uom, env.storage, van)])
            with as_user(env.users.manager), \
                    self.assertRaises(PartTransferError):
                Ticket.request_transfer([Ticket(ticket.id)])

            self.add_line(ticket, env.pump, 1)
            Shipment.cancel([shipment])
            with as_user(env.users.manager):
                Ticket.request_transfer([Ticket(ticket.id)])
            _, shipment = Ticket(ticket.id).internal_shipments
            self.assertEqual(
                [(m.product, m.quantity) for m in shipment.moves],
                [(env.pump, 4)])

    @with_transaction()
    def test_invoice_refused(self):
        "Test free and internal work is never invoiced"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        env = self.setup_service()
        with set_company(env.company):
            for category in ['C', 'D']:
                with self.subTest(category=category):
                    ticket = self.create_ticket(
                        env, service_category=category,
                        category_reason="测试")
                    Ticket.dispatch([ticket])
                    Ticket.start([ticket])
                    self.add_line(ticket, env.labour, 1)
                    ticket = Ticket(ticket.id)
                    ticket.work_report = "检修"
                    ticket.save()
                    Ticket.finish([ticket])
                    with self.assertRaises(TicketInvoiceError):
                        Ticket.invoice([ticket])
                    self.assertEqual(Ticket(ticket.id).invoices, ())
            ticket = self.create_ticket(env)
            with self.assertRaises(TicketInvoiceError):
                Ticket.invoice([ticket])
            with as_user(env.users.dispatcher):
                with self.assertRaises(AccessButtonError):
                    Ticket.invoice([Ticket(ticket.id)])

    @with_transaction()
    def test_cash(self):
        "Test the cash is positive and only the manager hands it over"
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        Cash = pool.get('svc.repair.cash')
        env = self.setup_service()
        with set_company(env.company):
            ticket = self.create_ticket(env)
            Ticket.dispatch([ticket])
            Ticket.start([ticket])
            with as_user(env.users.tech):
                with self.assertRaises(CashValidationError):
                    Cash.create([{
                                'ticket': ticket.id,
                                'amount': Decimal('-5'),
                                }])
                receipt, = Cash.create([{
                            'ticket': ticket.id,
                            'amount': Decimal('150'),
                            }])
                self.assertEqual(receipt.received_by, env.users.tech)
                self.assertEqual(receipt.currency, env.company.currency)
                with self.assertRaises(AccessButtonError):
                    Cash.hand_over([receipt])
            with as_user(env.users.reception):
                with self.assertRaises(AccessButtonError):
                    Cash.hand_over([Cash(receipt.id)])
            with as_user(env.users.manager):
                Cash.hand_over([Cash(receipt.id)])
            receipt = Cash(receipt.id)
            self.assertEqual(receipt.state, 'handed_over')
            self.assertEqual(receipt.handed_over_by, env.users.manager)
            with self.assertRaises(CashValidationError):
                Cash.delete([receipt])
