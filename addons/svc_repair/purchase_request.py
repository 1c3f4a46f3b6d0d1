# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from .exceptions import PartRequestError
from .service import LINE_STATES


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'

    purchase_requests = fields.One2Many(
        'purchase.request', 'origin', "Purchase Requests", readonly=True,
        help="The missing parts asked from purchasing.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'request_parts': {
                    'invisible': ~Eval('state').in_(LINE_STATES),
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button
    def request_parts(cls, tickets):
        pool = Pool()
        Request = pool.get('purchase.request')
        requests = []
        for ticket in tickets:
            requests.extend(ticket.get_part_requests())
        with without_check_access():
            Request.save(requests)

    def get_requested_parts(self):
        "Return the quantity of each part already asked from purchasing"
        requested = defaultdict(float)
        for request in self.purchase_requests:
            if request.state != 'cancelled':
                requested[request.product] += request.quantity
        return requested

    def get_part_requests(self):
        "Return the purchase requests of the missing parts"
        pool = Pool()
        Request = pool.get('purchase.request')
        Date = pool.get('ir.date')
        if not self.from_location:
            raise PartRequestError(gettext(
                    'svc_repair.msg_part_location', ticket=self.rec_name))
        warehouse = self.from_location.warehouse
        if not warehouse:
            raise PartRequestError(gettext(
                    'svc_repair.msg_part_request_warehouse',
                    ticket=self.rec_name,
                    location=self.from_location.rec_name))
        missing = self.get_missing_parts(self.get_requested_parts())
        if not missing:
            raise PartRequestError(gettext(
                    'svc_repair.msg_part_request_none', ticket=self.rec_name))
        today = Date.today()
        return [Request(
                product=product,
                description=product.rec_name,
                quantity=quantity,
                unit=product.default_uom,
                computed_quantity=quantity,
                computed_unit=product.default_uom,
                warehouse=warehouse,
                company=self.company,
                purchase_date=today,
                supply_date=today,
                origin=self,
                state='draft')
            for product, quantity in missing.items()]


class PurchaseRequest(metaclass=PoolMeta):
    __name__ = 'purchase.request'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() | {'svc.repair.ticket'}
