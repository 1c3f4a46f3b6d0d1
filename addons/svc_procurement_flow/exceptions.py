# This file is part of svc-tryton-addons.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.exceptions import UserError


class CodeNotFoundError(UserError):
    pass
