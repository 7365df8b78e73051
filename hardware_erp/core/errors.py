from django.core.exceptions import ValidationError


class BusinessRuleError(ValidationError):
    """A rule of the business refused the operation; the message is for the user to read.

    Raised by service functions. Views turn it into a form error or a flash message;
    because it is a ValidationError, a form's clean() may simply let it through.
    """
