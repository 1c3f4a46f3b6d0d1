# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from itertools import groupby
from operator import attrgetter

from trytond.model import ModelSQL, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval


class Reception(metaclass=PoolMeta):
    __name__ = 'svc.reception'
    house = fields.Many2One(
        'svc.property.house', "House",
        states={
            'readonly': Eval('state') != 'open',
            },
        help="The house the request is about.")

    @fields.depends('house', 'address', methods=['on_change_caller'])
    def on_change_house(self):
        if not self.house:
            return
        if self.house.owner:
            self.caller = self.house.owner
            self.on_change_caller()
        self.address = self.house.rec_name

    def get_ticket(self):
        ticket = super().get_ticket()
        ticket.house = self.house
        return ticket


class SurveyCampaign(metaclass=PoolMeta):
    __name__ = 'svc.survey.campaign'
    estates = fields.Many2Many(
        'svc.survey.campaign-svc.property.estate', 'campaign', 'estate',
        "Estates",
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The houses of these estates with an owner are surveyed, "
        "each building being a stratum of the sample.")

    def get_strata(self):
        pool = Pool()
        House = pool.get('svc.property.house')
        strata = []
        if self.estates:
            houses = House.search([
                    ('unit.building.estate', 'in',
                        [e.id for e in self.estates]),
                    ('owner', '!=', None),
                    ], order=[
                    ('unit.building', 'ASC'),
                    ('unit', 'ASC'),
                    ('number', 'ASC'),
                    ('id', 'ASC'),
                    ])
            for building, houses in groupby(
                    houses, key=attrgetter('building')):
                strata.append([{
                            'respondent': h.owner,
                            'house': h,
                            'stratum': building.rec_name,
                            } for h in houses])
        return strata + super().get_strata()


class SurveyCampaign_Estate(ModelSQL):
    __name__ = 'svc.survey.campaign-svc.property.estate'
    __string__ = "Survey Campaign - Estate"
    campaign = fields.Many2One(
        'svc.survey.campaign', "Campaign", required=True,
        ondelete='CASCADE')
    estate = fields.Many2One(
        'svc.property.estate', "Estate", required=True, ondelete='CASCADE')


class SurveyResponse(metaclass=PoolMeta):
    __name__ = 'svc.survey.response'
    house = fields.Many2One(
        'svc.property.house', "House", readonly=True, ondelete='RESTRICT')

    def get_rec_name(self, name):
        if self.house:
            return f'{self.campaign.rec_name} {self.house.rec_name}'
        return super().get_rec_name(name)

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        return domain + [('house.rec_name', *clause[1:])]


class LookupResult(metaclass=PoolMeta):
    __name__ = 'svc.reception.lookup.result'
    houses = fields.Many2Many(
        'svc.property.house', None, None, "Houses", readonly=True)


class Lookup(metaclass=PoolMeta):
    __name__ = 'svc.reception.lookup'

    def default_result(self, fields):
        pool = Pool()
        House = pool.get('svc.property.house')
        Reception = pool.get('svc.reception')
        values = super().default_result(fields)
        houses = House.search([('owner', 'in', values['callers'])])
        houses += [
            r.house for r in Reception.browse(values['receptions'])
            if r.house]
        values['houses'] = list(dict.fromkeys(h.id for h in houses))
        return values
