# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

from . import repair
from .exceptions import (
    PickupDeleteError, PickupHandBackError, PickupManufacturerError,
    TicketPickupAwayError, TicketRemoteError)

SERVICE_TYPES = [
    ('onsite', "On-site Repair"),
    ('remote', "Remote Guidance"),
    ('taken_back', "Taken-back Repair"),
    ]
PICKUP_STATES = [
    ('taken', "Taken"),
    ('at_workshop', "At Workshop"),
    ('at_manufacturer', "At Manufacturer"),
    ('ready', "Ready for Pickup"),
    ('returned', "Returned"),
    ('cancelled', "Cancelled"),
    ]
AWAY = ['taken', 'at_workshop', 'at_manufacturer', 'ready']


class Configuration(metaclass=PoolMeta):
    __name__ = 'svc.repair.configuration'

    pickup_sequence = fields.Many2One(
        'ir.sequence', "Pickup Sequence",
        domain=[
            ('company', 'in',
                [Eval('context', {}).get('company', -1), None]),
            ('sequence_type', '=', Eval('pickup_sequence_type', -1)),
            ],
        help="Used to number the pickup receipts of taken-back products.")
    # A function field because the sequence type is created after the
    # configuration record by the XML files
    pickup_sequence_type = fields.Function(
        fields.Many2One('ir.sequence.type', "Pickup Sequence Type"),
        'get_pickup_sequence_type')

    @classmethod
    def default_pickup_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('svc_repair', 'sequence_pickup')
        except KeyError:
            return None

    def get_pickup_sequence_type(self, name):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('svc_repair', 'sequence_type_pickup')
        except KeyError:
            return None

    def get_pickup_sequence(self):
        "Return the sequence of the pickups, the default one if not set"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        return self.pickup_sequence or Sequence(
            ModelData.get_id('svc_repair', 'sequence_pickup'))


class Ticket(metaclass=PoolMeta):
    __name__ = 'svc.repair.ticket'

    service_type = fields.Selection(
        SERVICE_TYPES, "Service Type", required=True, sort=False,
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned']),
            },
        help="How the problem is solved: a visit, remote guidance or "
        "taking the product back to the workshop.")
    remote_guidance = fields.Text(
        "Remote Guidance",
        states={
            'readonly': ~Eval('state').in_(['draft', 'assigned']),
            },
        help="The guidance given to the customer by phone or online. "
        "Required to resolve the ticket remotely.")
    guided_by, guided_at = repair.stamp_fields("Guided by", "Guided at")
    pickups = fields.One2Many(
        'svc.repair.pickup', 'ticket', "Taken-back Items", readonly=True)
    item_away = fields.Function(fields.Boolean(
            "Item Away",
            help="A product of the ticket has been taken back and is not "
            "yet returned to the customer."),
        'get_item_away')

    @classmethod
    def __setup__(cls):
        cls.remote_guidance.search_full_text = False
        super().__setup__()
        # Remote guidance may solve the problem before anyone is dispatched
        cls.technician.states = cls.technician.states.copy()
        cls.technician.states['required'] &= (
            Eval('service_type') != 'remote')
        cls._transitions |= {
            ('draft', 'done'),
            ('assigned', 'done'),
            }
        cls._buttons.update({
                'resolve_remotely': {
                    'invisible': ~Eval('state').in_(['draft', 'assigned']),
                    'depends': ['state'],
                    },
                'go_onsite': {
                    'invisible': (
                        ~Eval('state').in_(['draft', 'assigned'])
                        | (Eval('service_type') != 'remote')),
                    'depends': ['state', 'service_type'],
                    },
                'take_back': {
                    'invisible': ~Eval('state').in_(
                        ['assigned', 'running', 'waiting']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_service_type(cls):
        return 'onsite'

    def get_item_away(self, name):
        return any(p.state in AWAY for p in self.pickups)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('remote_guidance'):
            values.setdefault('guided_by', Transaction().user or None)
            values.setdefault('guided_at', repair.now())
        return values

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        for name in ['remote_guidance', 'guided_by', 'guided_at']:
            default.setdefault(name, None)
        default.setdefault('service_type', 'onsite')
        default.setdefault('pickups', None)
        return super().copy(tickets, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @repair.stamp('done')
    def resolve_remotely(cls, tickets):
        for ticket in tickets:
            if not (ticket.remote_guidance or '').strip():
                raise TicketRemoteError(gettext(
                        'svc_repair.msg_ticket_remote_guidance',
                        ticket=ticket.rec_name))
        for ticket in tickets:
            ticket.service_type = 'remote'
            if not ticket.work_report:
                ticket.work_report = ticket.remote_guidance
        cls.save(tickets)
        cls.record_met(tickets, 'response')
        cls.record_met(tickets, 'resolution')

    @classmethod
    @ModelView.button
    def go_onsite(cls, tickets):
        cls.write([t for t in tickets if t.service_type == 'remote'], {
                'service_type': 'onsite',
                })

    @classmethod
    @ModelView.button_action('svc_repair.act_pickup_take_back')
    def take_back(cls, tickets):
        pool = Pool()
        Pickup = pool.get('svc.repair.pickup')
        pickups = Pickup.create(
            [Pickup.values_from_ticket(t) for t in tickets])
        return {
            'res_id': [p.id for p in pickups],
            'views': [(None, 'form'), (None, 'tree')],
            }

    @classmethod
    @ModelView.button
    def close(cls, tickets):
        for ticket in tickets:
            away = [p for p in ticket.pickups if p.state in AWAY]
            if away:
                raise TicketPickupAwayError(gettext(
                        'svc_repair.msg_ticket_close_item_away',
                        ticket=ticket.rec_name,
                        pickup=away[0].rec_name,
                        whereabouts=away[0].whereabouts))
        super().close(tickets)


class Pickup(
        repair.ClockDefaultMixin, repair.NumberedMixin, Workflow, ModelSQL,
        ModelView):
    "A customer's product taken back for repair, with its receipt"
    __name__ = 'svc.repair.pickup'
    __string__ = "Taken-back Item"
    _rec_name = 'number'
    _states = {
        'readonly': Eval('state') != 'taken',
        }
    _away_states = {
        'readonly': ~Eval('state').in_(AWAY),
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    ticket = fields.Many2One(
        'svc.repair.ticket', "Repair Ticket", required=True,
        ondelete='RESTRICT', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    customer = fields.Many2One(
        'party.party', "Customer", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    contact_phone = fields.Char("Contact Phone", states=_states)
    equipment = fields.Many2One(
        'svc.repair.equipment', "Equipment", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    product = fields.Many2One(
        'product.product', "Product", states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    serial_number = fields.Char("Serial Number", states=_states)
    item_description = fields.Text(
        "Item", required=True, states=_states,
        help="The product taken back, as the customer sees it.")
    accessories = fields.Text(
        "Accessories", states=_states,
        help="The accessories taken with the product: charger, cables, "
        "remote control, box...")
    condition = fields.Text(
        "Condition", states=_states,
        help="The visible condition of the product when taken: "
        "scratches, dents, missing parts.")
    taken_by = fields.Many2One(
        'company.employee', "Taken by", required=True, states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    taken_at = fields.DateTime("Taken at", required=True, states=_states)
    expected_return = fields.Date(
        "Expected Return", states=_away_states,
        help="The date promised to the customer to hand the product back.")
    supplier = fields.Many2One(
        'party.party', "Manufacturer",
        states={
            'readonly': ~Eval('state').in_(['taken', 'at_workshop']),
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The supplier the product is returned to for repair. "
        "Required to send it to the manufacturer.")
    move_remark = fields.Char(
        "Movement Remark", states=_away_states,
        help="Recorded with the next movement, e.g. the shelf or the "
        "carrier's waybill number.")
    receiver_name = fields.Char(
        "Received by", states={
            'readonly': Eval('state') != 'ready',
            'required': Eval('state') == 'returned',
            },
        help="The name of the person who collected the product. Required "
        "to hand it back.")
    receiver_id = fields.Char(
        "Receiver ID", states={
            'readonly': Eval('state') != 'ready',
            },
        help="The identity card number of the person who collected the "
        "product.")
    returned_by, returned_at = repair.stamp_fields(
        "Handed back by", "Returned at")
    movements = fields.One2Many(
        'svc.repair.pickup.movement', 'pickup', "Movements", readonly=True)
    whereabouts = fields.Function(
        fields.Char("Whereabouts"), 'get_whereabouts')
    overdue = fields.Function(fields.Boolean(
            "Overdue",
            help="The expected return date is past and the product is not "
            "returned."),
        'get_overdue', searcher='search_overdue')
    state = fields.Selection(
        PICKUP_STATES, "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states, _away_states

    @classmethod
    def __setup__(cls):
        cls.item_description.search_full_text = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(
                    t,
                    (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(AWAY)),
                Index(t, (t.equipment, Index.Range()),
                    where=t.equipment != Null),
                })
        cls._order = [
            ('taken_at', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('taken', 'at_workshop'),
            ('taken', 'at_manufacturer'),
            ('taken', 'ready'),
            ('taken', 'cancelled'),
            ('at_workshop', 'at_manufacturer'),
            ('at_workshop', 'ready'),
            ('at_manufacturer', 'at_workshop'),
            ('at_manufacturer', 'ready'),
            ('ready', 'returned'),
            }
        cls._buttons.update({
                'to_workshop': {
                    'invisible': ~Eval('state').in_(
                        ['taken', 'at_manufacturer']),
                    'depends': ['state'],
                    },
                'to_manufacturer': {
                    'invisible': ~Eval('state').in_(
                        ['taken', 'at_workshop']),
                    'depends': ['state'],
                    },
                'make_ready': {
                    'invisible': ~Eval('state').in_(
                        ['taken', 'at_workshop', 'at_manufacturer']),
                    'depends': ['state'],
                    },
                'hand_back': {
                    'invisible': Eval('state') != 'ready',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'taken',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_taken_at(cls):
        return repair.now().replace(microsecond=0)

    @classmethod
    def default_taken_by(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_state(cls):
        return 'taken'

    @classmethod
    def values_from_ticket(cls, ticket):
        "Return the values of a new pickup of the ticket's product"
        values = {
            'company': ticket.company.id,
            'ticket': ticket.id,
            'customer': ticket.reporter.id,
            'contact_phone': ticket.contact_phone,
            'taken_at': repair.now().replace(microsecond=0),
            'item_description': ticket.description,
            }
        employee = (
            Transaction().context.get('employee')
            or (ticket.technician.id if ticket.technician else None))
        if employee:
            values['taken_by'] = employee
        equipment = getattr(ticket, 'equipment', None)
        if equipment:
            values.update({
                    'equipment': equipment.id,
                    'product': equipment.product.id,
                    'serial_number': equipment.serial_number,
                    'item_description': equipment.rec_name,
                    })
            if equipment.customer:
                values['customer'] = equipment.customer.id
        return values

    @fields.depends(
        'ticket', 'customer', 'contact_phone', 'equipment', 'taken_by',
        'item_description', methods=['on_change_equipment'])
    def on_change_ticket(self):
        if not self.ticket:
            return
        if not self.customer:
            self.customer = self.ticket.reporter
        if not self.contact_phone:
            self.contact_phone = self.ticket.contact_phone
        if not self.taken_by and self.ticket.technician:
            self.taken_by = self.ticket.technician
        if not self.equipment and getattr(self.ticket, 'equipment', None):
            self.equipment = self.ticket.equipment
            self.on_change_equipment()
        if not self.item_description:
            self.item_description = self.ticket.description

    @fields.depends('equipment', 'product', 'serial_number')
    def on_change_equipment(self):
        if self.equipment:
            self.product = self.equipment.product
            self.serial_number = self.equipment.serial_number

    def get_whereabouts(self, name):
        if self.state == 'taken':
            return gettext(
                'svc_repair.msg_pickup_whereabouts_taken',
                employee=self.taken_by.rec_name if self.taken_by else '-')
        elif self.state == 'at_manufacturer':
            return gettext(
                'svc_repair.msg_pickup_whereabouts_at_manufacturer',
                supplier=self.supplier.rec_name if self.supplier else '-')
        elif self.state == 'returned':
            return gettext(
                'svc_repair.msg_pickup_whereabouts_returned',
                receiver=self.receiver_name or '-')
        return self.state_string

    @classmethod
    def get_overdue(cls, pickups, name):
        today = cls._today()
        return {
            p.id: bool(
                p.state in AWAY
                and p.expected_return and p.expected_return < today)
            for p in pickups}

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        overdue = [
            ('state', 'in', AWAY),
            ('expected_return', '<', cls._today()),
            ]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR',
            ('state', 'not in', AWAY),
            ('expected_return', '=', None),
            ('expected_return', '>=', cls._today()),
            ]

    @classmethod
    def _today(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @classmethod
    def get_number_sequence(cls, values):
        pool = Pool()
        Configuration = pool.get('svc.repair.configuration')
        return Configuration(1).get_pickup_sequence()

    @classmethod
    def on_modification(cls, mode, pickups, field_names=None):
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        super().on_modification(mode, pickups, field_names=field_names)
        if mode == 'create':
            tickets = {p.ticket for p in pickups
                if p.ticket.service_type != 'taken_back'}
            if tickets:
                Ticket.write(list(tickets), {'service_type': 'taken_back'})
            cls.log_movements(pickups, None, 'taken')

    @classmethod
    def check_modification(cls, mode, pickups, values=None, external=False):
        super().check_modification(
            mode, pickups, values=values, external=external)
        if mode == 'delete':
            for pickup in pickups:
                if pickup.state != 'cancelled':
                    raise PickupDeleteError(gettext(
                            'svc_repair.msg_pickup_delete_cancel',
                            pickup=pickup.rec_name))

    @classmethod
    def copy(cls, pickups, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'number', 'movements', 'receiver_name', 'receiver_id',
                'returned_by', 'returned_at', 'move_remark']:
            default.setdefault(name, None)
        return super().copy(pickups, default=default)

    @classmethod
    def log_movements(cls, pickups, from_state, to_state=None):
        "Record the move of the pickups, from the state to their state"
        pool = Pool()
        Movement = pool.get('svc.repair.pickup.movement')
        at, user = repair.now(), Transaction().user or None
        with without_check_access():
            Movement.create([{
                        'pickup': p.id,
                        'from_state': from_state,
                        'to_state': to_state or p.state,
                        'supplier': (
                            p.supplier.id
                            if (to_state or p.state) == 'at_manufacturer'
                            and p.supplier else None),
                        'at': at,
                        'user': user,
                        'remark': p.move_remark,
                        } for p in pickups])
        cls.write(
            [p for p in pickups if p.move_remark], {'move_remark': None})

    @classmethod
    @ModelView.button
    def to_workshop(cls, pickups):
        cls._move(pickups, 'at_workshop')

    @classmethod
    @ModelView.button
    def to_manufacturer(cls, pickups):
        for pickup in pickups:
            if not pickup.supplier:
                raise PickupManufacturerError(gettext(
                        'svc_repair.msg_pickup_manufacturer_supplier',
                        pickup=pickup.rec_name))
        cls._move(pickups, 'at_manufacturer')

    @classmethod
    @ModelView.button
    def make_ready(cls, pickups):
        cls._move(pickups, 'ready')

    @classmethod
    @ModelView.button
    def hand_back(cls, pickups):
        for pickup in pickups:
            if not (pickup.receiver_name or '').strip():
                raise PickupHandBackError(gettext(
                        'svc_repair.msg_pickup_hand_back_receiver',
                        pickup=pickup.rec_name))
        cls._move(pickups, 'returned')
        cls.write(pickups, {
                'returned_by': Transaction().user or None,
                'returned_at': repair.now(),
                })

    @classmethod
    @ModelView.button
    def cancel(cls, pickups):
        pool = Pool()
        Ticket = pool.get('svc.repair.ticket')
        cls._move(pickups, 'cancelled')
        # A pickup made by mistake leaves the ticket as it was
        tickets = {p.ticket for p in pickups
            if all(o.state == 'cancelled' for o in p.ticket.pickups)}
        Ticket.write(
            [t for t in tickets if t.service_type == 'taken_back'],
            {'service_type': 'onsite'})

    @classmethod
    def _move(cls, pickups, to_state):
        "Move the pickups to the state and log where they come from"
        pickups = [
            p for p in pickups
            if (p.state, to_state) in cls._transitions]
        for from_state in sorted({p.state for p in pickups}):
            moved = [p for p in pickups if p.state == from_state]
            cls._transition(moved, to_state)
            cls.log_movements(moved, from_state, to_state)

    @classmethod
    def _transition(cls, pickups, to_state):
        getattr(cls, f'_set_{to_state}')(pickups)

    @classmethod
    @Workflow.transition('at_workshop')
    def _set_at_workshop(cls, pickups):
        pass

    @classmethod
    @Workflow.transition('at_manufacturer')
    def _set_at_manufacturer(cls, pickups):
        pass

    @classmethod
    @Workflow.transition('ready')
    def _set_ready(cls, pickups):
        pass

    @classmethod
    @Workflow.transition('returned')
    def _set_returned(cls, pickups):
        pass

    @classmethod
    @Workflow.transition('cancelled')
    def _set_cancelled(cls, pickups):
        pass


class PickupMovement(ModelSQL, ModelView):
    "Where a taken-back product went, when and by whom"
    __name__ = 'svc.repair.pickup.movement'
    __string__ = "Taken-back Item Movement"

    pickup = fields.Many2One(
        'svc.repair.pickup', "Taken-back Item", required=True,
        ondelete='CASCADE')
    from_state = fields.Selection(
        [(None, "")] + PICKUP_STATES, "From", readonly=True)
    to_state = fields.Selection(
        PICKUP_STATES, "To", required=True, readonly=True)
    supplier = fields.Many2One(
        'party.party', "Manufacturer", readonly=True)
    at = fields.DateTime("At", required=True, readonly=True)
    user = fields.Many2One('res.user', "By", readonly=True)
    remark = fields.Char("Remark", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('pickup', 'ASC'),
            ('at', 'ASC'),
            ('id', 'ASC'),
            ]


class PickupReceipt(Report):
    __name__ = 'svc.repair.pickup.receipt'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['local'] = cls.local_datetime
        return context

    @classmethod
    def local_datetime(cls, pickup, value):
        "Return the naive UTC value as text in the company's time zone"
        if not value:
            return ''
        return cls.format_datetime(
            value, timezone=pickup.company.timezone or 'UTC',
            format='%Y-%m-%d %H:%M')
