# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import datetime as dt
from unittest.mock import patch
from zoneinfo import ZoneInfo

from proteus import Model

from trytond.modules.company.tests.tools import get_company

__all__ = ['get_group', 'create_employee', 'create_user', 'FrozenClock']


def get_group(xml_id, config=None):
    "Return the group of the XML id, as 'group_technician' or 'module.id'"
    Group = Model.get('res.group', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    if '.' not in xml_id:
        xml_id = f'svc_repair.{xml_id}'
    return Group(ModelData.get_id(xml_id, {}))


def create_employee(name, company=None, config=None):
    "Create an employee of the company with a new party named name"
    Party = Model.get('party.party', config=config)
    Employee = Model.get('company.employee', config=config)
    if not company:
        company = get_company(config=config)
    party = Party(name=name)
    party.save()
    employee = Employee(party=party, company=company)
    employee.save()
    return employee


def create_user(login, groups, employee=None, company=None, config=None):
    "Create a user of the company in the groups, acting as the employee"
    User = Model.get('res.user', config=config)
    if not company:
        company = get_company(config=config)
    user = User(name=login, login=login)
    user.companies.append(company)
    user.company = company
    for xml_id in groups:
        user.groups.append(get_group(xml_id, config=config))
    if employee:
        user.employees.append(employee)
        user.employee = employee
    user.save()
    return user


class FrozenClock:
    """The time the repair module sees, set in a local time zone

    Scenarios run the server in the same process, so patching works."""

    def __init__(self, timezone='Asia/Shanghai'):
        self.timezone = ZoneInfo(timezone)
        self.utc = None
        self._patch = patch(
            'trytond.modules.svc_repair.repair.now',
            side_effect=lambda: self.utc)
        self._patch.start()

    def set(self, *args):
        "Set the local time and return it as naive UTC"
        self.utc = dt.datetime(*args, tzinfo=self.timezone).astimezone(
            dt.timezone.utc).replace(tzinfo=None)
        return self.utc

    def local(self, value):
        "Return the naive UTC value as local text"
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc).astimezone(
            self.timezone).strftime('%a %Y-%m-%d %H:%M')

    def stop(self):
        self._patch.stop()
