# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import PartLocationError, PartStockWarning, PartTransferError
from .service import LINE_STATES


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    repair_location = fields.Many2One(
        'stock.location', "Van Location",
        domain=[
            ('type', '=', 'storage'),
            ],
        help="The storage location of the technician's van: the parts of "
        "his tickets come from it.")


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'

    from_location = fields.Many2One(
        'stock.location', "Parts from",
        domain=[
            ('type', '=', 'storage'),
            ],
        states={
            'readonly': ~Eval('state').in_(LINE_STATES),
            },
        help="The technician's van or the warehouse storage the parts come "
        "from and the removed parts go back to.")
    moves = fields.Function(fields.Many2Many(
            'stock.move', None, None, "Stock Moves", readonly=True,
            help="The parts moved to or from the customer when the ticket "
            "is finished."),
        'get_moves')
    internal_shipments = fields.Many2Many(
        'svc.repair.ticket-stock.shipment.internal', 'ticket', 'shipment',
        "Internal Shipments", readonly=True,
        help="The missing parts sent from the warehouse to the location "
        "they come from.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'request_transfer': {
                    'invisible': ~Eval('state').in_(LINE_STATES),
                    'depends': ['state'],
                    },
                })

    @fields.depends('technician', 'from_location')
    def on_change_technician(self):
        try:
            super().on_change_technician()
        except AttributeError:
            pass
        if van := self.get_technician_van():
            self.from_location = van

    def get_moves(self, name):
        return [m.id for l in self.lines for m in l.moves]

    @classmethod
    @ModelView.button
    @Workflow.transition('assigned')
    def dispatch(cls, tickets):
        cls.set_technician_van(tickets)
        super().dispatch(tickets)

    @classmethod
    @ModelView.button
    def transfer(cls, tickets):
        super().transfer(tickets)
        cls.set_technician_van(cls.browse([t.id for t in tickets]))

    @classmethod
    @ModelView.button
    def request_transfer(cls, tickets):
        pool = Pool()
        Shipment = pool.get('stock.shipment.internal')
        TicketShipment = pool.get('svc.repair.ticket-stock.shipment.internal')
        shipments = [t.get_part_transfer() for t in tickets]
        with without_check_access():
            Shipment.save(shipments)
            TicketShipment.create([{
                        'ticket': t.id,
                        'shipment': s.id,
                        } for t, s in zip(tickets, shipments)])

    @classmethod
    def finish(cls, tickets):
        pool = Pool()
        Move = pool.get('stock.move')
        moves = []
        for ticket in tickets:
            if ticket.state == 'running':
                moves.extend(ticket.get_part_moves())
        cls.check_part_stock(moves)
        super().finish(tickets)
        with without_check_access():
            Move.save(moves)
            Move.do(moves)

    def get_technician_van(self):
        "Return the technician's van if the parts should now come from it"
        pool = Pool()
        Employee = pool.get('company.employee')
        van = self.technician.repair_location if self.technician else None
        if not van or van == self.from_location:
            return
        if self.from_location and not Employee.search([
                    ('repair_location', '=', self.from_location.id),
                    ], limit=1):
            return
        return van

    @classmethod
    def set_technician_van(cls, tickets):
        "Take the parts from the technician's van unless chosen otherwise"
        to_write = defaultdict(list)
        for ticket in tickets:
            if van := ticket.get_technician_van():
                to_write[van].append(ticket)
        args = []
        for van, van_tickets in to_write.items():
            args.extend((van_tickets, {'from_location': van.id}))
        if args:
            with without_check_access():
                cls.write(*args)

    def get_missing_parts(self, requested=None):
        "Return the quantity of each part missing at the source, not requested"
        pool = Pool()
        Product = pool.get('product.product')
        Date = pool.get('ir.date')
        requested = requested or {}
        needed = defaultdict(float)
        for line in self.lines:
            if line.kind == 'part' and not line.removed:
                needed[line.product] += line.quantity - sum(
                    m.quantity for m in line.moves if m.state == 'done')
        if not needed:
            return {}
        location = self.from_location
        with without_check_access(), Transaction().set_context(
                stock_date_end=Date.today(), stock_assign=True):
            quantities = Product.products_by_location(
                [location.id], with_childs=True,
                grouping_filter=([p.id for p in needed],))
        missing = {}
        for product, quantity in needed.items():
            shortage = (quantity
                - max(quantities.get((location.id, product.id), 0), 0)
                - requested.get(product, 0))
            shortage = product.default_uom.round(shortage)
            if shortage > 0:
                missing[product] = shortage
        return missing

    def get_transferring_parts(self):
        "Return the quantity of each part on its way to the source location"
        pool = Pool()
        Uom = pool.get('product.uom')
        quantities = defaultdict(float)
        with without_check_access():
            for shipment in self.internal_shipments:
                if shipment.state in {'done', 'cancelled'}:
                    continue
                for move in shipment.incoming_moves:
                    if (move.state != 'cancelled'
                            and move.to_location == self.from_location):
                        quantities[move.product] += Uom.compute_qty(
                            move.unit, move.quantity,
                            move.product.default_uom, round=False)
        return quantities

    def get_part_transfer(self):
        "Return the internal shipment of the parts missing at the source"
        pool = Pool()
        Shipment = pool.get('stock.shipment.internal')
        Move = pool.get('stock.move')
        Date = pool.get('ir.date')
        location = self.from_location
        if not location:
            raise PartTransferError(gettext(
                    'svc_repair.msg_part_location', ticket=self.rec_name))
        if not location.warehouse:
            raise PartTransferError(gettext(
                    'svc_repair.msg_part_transfer_warehouse',
                    ticket=self.rec_name, location=location.rec_name))
        storage = location.warehouse.storage_location
        if location == storage:
            raise PartTransferError(gettext(
                    'svc_repair.msg_part_transfer_storage',
                    ticket=self.rec_name, location=location.rec_name))
        missing = self.get_missing_parts(self.get_transferring_parts())
        if not missing:
            raise PartTransferError(gettext(
                    'svc_repair.msg_part_transfer_none',
                    ticket=self.rec_name, location=location.rec_name))
        with Transaction().set_context(company=self.company.id):
            today = Date.today()
        return Shipment(
            company=self.company,
            reference=self.number,
            from_location=storage,
            to_location=location,
            planned_date=today,
            planned_start_date=today,
            moves=[Move(
                    product=product,
                    unit=product.default_uom,
                    quantity=quantity,
                    from_location=storage,
                    to_location=location,
                    company=self.company,
                    planned_date=today)
                for product, quantity in missing.items()])

    def get_part_moves(self):
        "Return the stock moves still missing for the parts"
        pool = Pool()
        Move = pool.get('stock.move')
        Date = pool.get('ir.date')
        lines = [l for l in self.lines if l.kind == 'part']
        if not lines:
            return []
        if not self.from_location:
            raise PartLocationError(gettext(
                    'svc_repair.msg_part_location', ticket=self.rec_name))
        customer_location = self.reporter.customer_location
        if not customer_location:
            raise PartLocationError(gettext(
                    'svc_repair.msg_part_customer_location',
                    ticket=self.rec_name, party=self.reporter.rec_name))
        with Transaction().set_context(company=self.company.id):
            today = Date.today()
        moves = []
        for line in lines:
            quantity = line.quantity - sum(
                m.quantity for m in line.moves if m.state == 'done')
            quantity = line.unit.round(quantity)
            if quantity <= 0:
                continue
            from_, to = self.from_location, customer_location
            if line.removed:
                from_, to = to, from_
            unit_price = line.unit_price
            if unit_price is None:
                unit_price = line.product.cost_price or 0
            moves.append(Move(
                    product=line.product,
                    unit=line.unit,
                    quantity=quantity,
                    from_location=from_,
                    to_location=to,
                    company=self.company,
                    unit_price=unit_price,
                    currency=self.company.currency,
                    planned_date=today,
                    effective_date=today,
                    origin=line))
        return moves

    @classmethod
    def check_part_stock(cls, moves):
        "Warn when a source location has not enough of a part"
        pool = Pool()
        Product = pool.get('product.product')
        Warning_ = pool.get('res.user.warning')
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        needed = defaultdict(float)
        tickets_of = {}
        for move in moves:
            if move.from_location.type != 'storage':
                continue
            key = (move.from_location, move.product)
            needed[key] += move.quantity
            tickets_of[key] = move.origin.ticket
        if not needed:
            return
        locations = {l.id for l, _ in needed}
        products = {p.id for _, p in needed}
        with without_check_access(), Transaction().set_context(
                stock_date_end=Date.today(), stock_assign=True):
            quantities = Product.products_by_location(
                list(locations), with_childs=True,
                grouping_filter=(list(products),))
        for (location, product), quantity in needed.items():
            available = quantities.get((location.id, product.id), 0)
            if available < quantity:
                ticket = tickets_of[(location, product)]
                key = Warning_.format('svc_repair_part_stock', [ticket])
                if Warning_.check(key):
                    raise PartStockWarning(key, gettext(
                            'svc_repair.msg_part_stock',
                            location=location.rec_name,
                            product=product.rec_name,
                            ticket=ticket.rec_name,
                            available=lang.format_number_symbol(
                                available, product.default_uom,
                                digits=product.default_uom.digits),
                            quantity=lang.format_number_symbol(
                                quantity, product.default_uom,
                                digits=product.default_uom.digits)))


class Ticket_ShipmentInternal(ModelSQL):
    __name__ = 'svc.repair.ticket-stock.shipment.internal'
    __string__ = "Repair Ticket - Internal Shipment"
    ticket = fields.Many2One(
        'svc.repair.ticket', "Ticket", required=True, ondelete='CASCADE')
    shipment = fields.Many2One(
        'stock.shipment.internal', "Internal Shipment", required=True,
        ondelete='CASCADE')


class Line(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket.line'

    moves = fields.One2Many(
        'stock.move', 'origin', "Stock Moves", readonly=True)


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['svc.repair.ticket.line']
