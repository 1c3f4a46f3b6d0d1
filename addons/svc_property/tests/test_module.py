# This file is part of svc-tryton-addons.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessError, SQLConstraintError, ValidationError)
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


def create_house(number='1201', owner=None):
    pool = Pool()
    Estate = pool.get('svc.property.estate')
    estate, = Estate.create([{
                'name': "翠湖花园",
                'buildings': [('create', [{
                                'name': "3栋",
                                'units': [('create', [{
                                                'name': "2单元",
                                                }])],
                                }])],
                }])
    unit, = estate.buildings[0].units
    House = pool.get('svc.property.house')
    house, = House.create([{
                'unit': unit.id,
                'number': number,
                'owner': owner.id if owner else None,
                }])
    return house


class SvcPropertyTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Svc Property module"
    module = 'svc_property'

    @with_transaction()
    def test_house_rec_name(self):
        "Test house rec_name, building and estate"
        company = create_company()
        with set_company(company):
            house = create_house()

            self.assertEqual(house.rec_name, "翠湖花园 3栋2单元 1201")
            self.assertEqual(house.building.name, "3栋")
            self.assertEqual(house.estate.name, "翠湖花园")
            self.assertEqual(house.estate.company, company)

    @with_transaction()
    def test_house_search_rec_name(self):
        "Test searching a house by number or by a parent name"
        pool = Pool()
        House = pool.get('svc.property.house')
        company = create_company()
        with set_company(company):
            house = create_house()
            other, = House.create([{
                        'unit': house.unit.id,
                        'number': '1202',
                        }])

            for text, result in [
                    ('1201', [house]),
                    ('翠湖', [house, other]),
                    ('3栋', [house, other]),
                    ('2单元', [house, other]),
                    ('1203', []),
                    ]:
                with self.subTest(text=text):
                    self.assertEqual(
                        House.search([('rec_name', 'ilike', f'%{text}%')]),
                        result)
            self.assertEqual(
                House.search([('rec_name', 'not ilike', '%1201%')]),
                [other])

    @with_transaction()
    def test_house_search_estate(self):
        "Test filtering houses by estate and building"
        pool = Pool()
        House = pool.get('svc.property.house')
        company = create_company()
        with set_company(company):
            house = create_house()

            self.assertEqual(
                House.search([('estate', '=', house.estate.id)]), [house])
            self.assertEqual(
                House.search([('estate.name', '=', "翠湖花园")]), [house])
            self.assertEqual(
                House.search([('building', '=', house.building.id)]),
                [house])
            self.assertEqual(
                House.search([('estate.name', '=', "碧水湾")]), [])

    @with_transaction()
    def test_house_number_unique(self):
        "Test house number is unique in a unit"
        pool = Pool()
        House = pool.get('svc.property.house')
        company = create_company()
        with set_company(company):
            house = create_house()

            with self.assertRaises(SQLConstraintError) as cm:
                House.create([{'unit': house.unit.id, 'number': '1201'}])
            self.assertIn("number already exists", cm.exception.message)

    @with_transaction()
    def test_building_name_unique(self):
        "Test building name is unique in an estate"
        pool = Pool()
        Building = pool.get('svc.property.building')
        company = create_company()
        with set_company(company):
            house = create_house()

            with self.assertRaises(SQLConstraintError):
                Building.create([{'estate': house.estate.id, 'name': "3栋"}])

    @with_transaction()
    def test_house_area_negative(self):
        "Test house area cannot be negative"
        company = create_company()
        with set_company(company):
            house = create_house()

            house.area = Decimal('-1')
            with self.assertRaises(ValidationError) as cm:
                house.save()
            self.assertIn("cannot be negative", cm.exception.message)

            house.area = Decimal('89.50')
            house.save()

    @with_transaction()
    def test_estate_name_required(self):
        "Test an estate needs a name"
        pool = Pool()
        Estate = pool.get('svc.property.estate')
        company = create_company()
        with set_company(company):
            with self.assertRaises(UserError):
                Estate.create([{'name': ''}])

    @with_transaction()
    def test_party_houses(self):
        "Test the houses of an owner"
        pool = Pool()
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            owner = Party(name="张三")
            owner.save()
            house = create_house(owner=owner)

            self.assertEqual(list(owner.houses), [house])

    @with_transaction()
    def test_access_without_group(self):
        "Test a user without the group reads but cannot create an estate"
        pool = Pool()
        User = pool.get('res.user')
        Estate = pool.get('svc.property.estate')
        company = create_company()
        with set_company(company):
            house = create_house()
        user = User(
            login='reception', companies=[company], company=company)
        user.save()

        transaction = Transaction()
        with transaction.set_user(user.id), \
                transaction.set_context(
                    User.get_preferences(context_only=True),
                    _check_access=True):
            self.assertEqual(
                Estate.search([]), [house.estate])
            with self.assertRaises(AccessError):
                Estate.create([{'name': "碧水湾", 'company': company.id}])

    @with_transaction()
    def test_access_other_company(self):
        "Test estates of another company are hidden"
        pool = Pool()
        User = pool.get('res.user')
        House = pool.get('svc.property.house')
        company = create_company()
        other_company = create_company(name="Other")
        with set_company(company):
            create_house()
        user = User(
            login='other', companies=[other_company], company=other_company)
        user.save()

        transaction = Transaction()
        with transaction.set_user(user.id), \
                transaction.set_context(
                    User.get_preferences(context_only=True),
                    _check_access=True):
            self.assertEqual(House.search([]), [])


del ModuleTestCase
