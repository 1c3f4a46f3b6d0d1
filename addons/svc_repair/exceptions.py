# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
from trytond.exceptions import UserError
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
