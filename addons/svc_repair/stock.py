# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import PartLocationError, PartStockWarning
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


class Line(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket.line'

    moves = fields.One2Many(
        'stock.move', 'origin', "Stock Moves", readonly=True)


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['svc.repair.ticket.line']
