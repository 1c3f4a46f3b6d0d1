# This file is part of svc-tryton-addons.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.transaction import Transaction

from .exceptions import HouseValidationError


class Estate(ModelSQL, ModelView):
    __name__ = 'svc.property.estate'
    __string__ = "Estate"
    name = fields.Char("Name", required=True)
    code = fields.Char("Code")
    company = fields.Many2One('company.company', "Company", required=True)
    address = fields.Char("Address")
    buildings = fields.One2Many(
        'svc.property.building', 'estate', "Buildings")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_company_unique', Unique(t, t.company, t.name),
                'svc_property.msg_estate_name_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', *clause[1:]),
            ('code', *clause[1:]),
            ]


class Building(ModelSQL, ModelView):
    __name__ = 'svc.property.building'
    __string__ = "Building"
    estate = fields.Many2One(
        'svc.property.estate', "Estate", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    units = fields.One2Many('svc.property.unit', 'building', "Units")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_estate_unique', Unique(t, t.estate, t.name),
                'svc_property.msg_building_name_unique'),
            ]
        cls._order.insert(0, ('estate', 'ASC'))
        cls._order.insert(1, ('name', 'ASC'))

    def get_rec_name(self, name):
        return f'{self.estate.name} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', *clause[1:]),
            ('estate.name', *clause[1:]),
            ]


class Unit(ModelSQL, ModelView):
    __name__ = 'svc.property.unit'
    __string__ = "Unit"
    building = fields.Many2One(
        'svc.property.building', "Building", required=True,
        ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    houses = fields.One2Many('svc.property.house', 'unit', "Houses")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_building_unique', Unique(t, t.building, t.name),
                'svc_property.msg_unit_name_unique'),
            ]
        cls._order.insert(0, ('building', 'ASC'))
        cls._order.insert(1, ('name', 'ASC'))

    def get_rec_name(self, name):
        return f'{self.building.estate.name} {self.building.name}{self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', *clause[1:]),
            ('building.name', *clause[1:]),
            ('building.estate.name', *clause[1:]),
            ]


class House(ModelSQL, ModelView):
    __name__ = 'svc.property.house'
    __string__ = "House"
    unit = fields.Many2One(
        'svc.property.unit', "Unit", required=True, ondelete='CASCADE')
    number = fields.Char("Number", required=True)
    building = fields.Function(
        fields.Many2One('svc.property.building', "Building"),
        'on_change_with_building', searcher='search_structure')
    estate = fields.Function(
        fields.Many2One('svc.property.estate', "Estate"),
        'on_change_with_estate', searcher='search_structure')
    floor = fields.Integer("Floor")
    area = fields.Numeric("Area", digits=(16, 2), help="In square metres.")
    owner = fields.Many2One('party.party', "Owner", ondelete='RESTRICT')
    residents = fields.One2Many('svc.property.resident', 'house', "Residents")
    status = fields.Selection([
            ('vacant', "Vacant"),
            ('occupied', "Occupied"),
            ], "Status", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unit_unique', Unique(t, t.unit, t.number),
                'svc_property.msg_house_number_unique'),
            ]
        cls._order.insert(0, ('unit', 'ASC'))
        cls._order.insert(1, ('number', 'ASC'))

    @classmethod
    def default_status(cls):
        return 'vacant'

    @fields.depends('unit', '_parent_unit.building')
    def on_change_with_building(self, name=None):
        return self.unit.building if self.unit else None

    @fields.depends('unit', '_parent_unit.building')
    def on_change_with_estate(self, name=None):
        if self.unit and self.unit.building:
            return self.unit.building.estate

    @classmethod
    def search_structure(cls, name, clause):
        nested = clause[0][len(name):]
        path = {
            'building': 'unit.building',
            'estate': 'unit.building.estate',
            }[name]
        return [(path + nested, *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.unit.rec_name} {self.number}'

    @classmethod
    def validate_fields(cls, houses, field_names):
        super().validate_fields(houses, field_names)
        if 'area' in field_names:
            for house in houses:
                house.check_area()

    def check_area(self):
        if self.area is not None and self.area < 0:
            raise HouseValidationError(gettext(
                    'svc_property.msg_house_area_negative',
                    house=self.rec_name))

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', *clause[1:]),
            ('unit.name', *clause[1:]),
            ('unit.building.name', *clause[1:]),
            ('unit.building.estate.name', *clause[1:]),
            ]


class Resident(ModelSQL, ModelView):
    __name__ = 'svc.property.resident'
    __string__ = "Resident"
    house = fields.Many2One(
        'svc.property.house', "House", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT')
    relation = fields.Selection([
            ('owner', "Owner"),
            ('family', "Family Member"),
            ('tenant', "Tenant"),
            ], "Relation", required=True)
    phone = fields.Char("Phone")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('house_party_unique', Unique(t, t.house, t.party),
                'svc_property.msg_resident_house_party_unique'),
            ]

    @classmethod
    def default_relation(cls):
        return 'family'

    @fields.depends('party', 'phone')
    def on_change_party(self):
        if self.party and not self.phone:
            self.phone = self.party.phone

    def get_rec_name(self, name):
        return self.party.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('party.rec_name', *clause[1:])]
