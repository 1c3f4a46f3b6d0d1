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


class TicketRemoteError(UserError):
    pass


class TicketPickupAwayError(UserError):
    pass


class PickupManufacturerError(UserError):
    pass


class PickupHandBackError(UserError):
    pass


class PickupDeleteError(AccessError):
    pass


class MaintenancePlanValidationError(ValidationError):
    pass


class InstallationValidationError(ValidationError):
    pass


class InstallationReviewValidationError(ValidationError):
    pass


class InstallationIssueError(UserError):
    pass


class InstallationRectifyError(UserError):
    pass


class InstallationEnterError(UserError):
    pass


class InstallationCommissionError(UserError):
    pass


class InstallationHandOverError(UserError):
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


class PartTransferError(UserError):
    pass


class TicketInvoiceError(UserError):
    pass


class TicketPublishError(UserError):
    pass


class TicketGrabError(UserError):
    pass


class TicketSuggestError(UserError):
    pass


class TicketHandoverError(UserError):
    pass


class AppointmentValidationError(ValidationError):
    pass


class DutyValidationError(ValidationError):
    pass


class ImageValidationError(ValidationError):
    pass


class SatisfactionValidationError(ValidationError):
    pass


class TicketSignatureError(UserError):
    pass


class TicketRevisitError(UserError):
    pass


class FollowUpDoneError(UserError):
    pass
