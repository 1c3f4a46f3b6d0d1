# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields


class Category(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'svc.repair.category'
    __string__ = "Repair Category"
    name = fields.Char("Name", required=True)
    code = fields.Char("Code")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))
