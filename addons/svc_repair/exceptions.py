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
