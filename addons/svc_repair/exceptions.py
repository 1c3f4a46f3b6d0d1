# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class SLAValidationError(ValidationError):
    pass


class EscalationValidationError(ValidationError):
    pass


class TicketDispatchError(UserError):
    pass


class TicketFinishError(UserError):
    pass


class TicketWaitError(UserError):
    pass


class TicketAcceptError(UserError):
    pass


class TicketCloseError(UserError):
    pass


class TicketDeleteError(AccessError):
    pass


class ContractValidationError(ValidationError):
    pass


class ServiceCategoryValidationError(ValidationError):
    pass


class TicketLineValidationError(ValidationError):
    pass


class QuotationError(UserError):
    pass


class TicketStartQuotationError(UserError):
    pass


class CashValidationError(ValidationError):
    pass


class PartStockWarning(UserWarning):
    pass


class PartLocationError(UserError):
    pass


class PartRequestError(UserError):
    pass


class TicketInvoiceError(UserError):
    pass
