# This file is part of Tryton.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class CreateTicketError(UserError):
    pass


class CloseError(UserError):
    pass


class CancelError(UserError):
    pass


class QuestionValidationError(ValidationError):
    pass


class AnswerValidationError(ValidationError):
    pass


class CampaignStartError(UserError):
    pass


class CampaignDeleteError(AccessError):
    pass


class IssueRectifyError(UserError):
    pass


class IssueResolveError(UserError):
    pass


class ResponseSubmitError(UserError):
    pass


class LeadError(UserError):
    pass


class DuplicateReceptionWarning(UserWarning):
    pass


class RevisitError(UserError):
    pass


class InboundEmailError(UserError):
    pass


class ComplaintError(UserError):
    pass


class ComplaintSLAValidationError(ValidationError):
    pass
