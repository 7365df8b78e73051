"""One error format for every answer that is not a success (docs/api.md):

    {"detail": "A readable message", "code": "machine_code", "errors": {"field": ["message", ...]}}

`errors` is there for invalid input (field → messages; "non_field_errors" for the request as a whole).
A refusal by a business rule (the services' BusinessRuleError) is a 400 with the service's code.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def _flat(detail):
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {"non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):  # BusinessRuleError from a service
        messages = exc.messages
        code = getattr(exc, "code", None) or "business_rule"
        body = {"detail": " ".join(messages), "code": code}
        if hasattr(exc, "error_dict"):
            body["errors"] = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("The request has invalid fields."), "code": "invalid",
                         "errors": _flat(exc.detail)}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = detail.code if hasattr(detail, "code") else "error"
        response.data = {"detail": str(detail), "code": str(code)}
    return response
