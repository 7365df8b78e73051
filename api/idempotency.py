"""Idempotency-Key: a POST sent again with the same key (a retry after a lost answer) gets the first answer and
changes nothing. The key is per user; the same key with a different request is refused (422)."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
PARAMETER = OpenApiParameter(HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                             description="A unique key per intended write (a UUID): a repeat returns the first "
                                         "answer and writes nothing.")
REQUIRED_PARAMETER = OpenApiParameter(HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                                      description="Required: a unique key per intended write (a UUID).")


def request_key(request) -> str:
    return (request.headers.get(HEADER) or "").strip()


def _hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _refuse(detail, code, http=status.HTTP_400_BAD_REQUEST):
    return Response({"detail": detail, "code": code}, status=http)


def run_once(request, perform, *, required=False):
    """Call `perform()` (returns a Response) at most once per user and key."""
    key = request_key(request)
    if not key:
        if required:
            return _refuse(_("Send an Idempotency-Key header with this request."), "idempotency_key_required")
        return perform()
    if len(key) > 100 or not key.isprintable():
        return _refuse(_("The Idempotency-Key must be at most 100 printable characters."), "idempotency_key_invalid")
    digest = _hash(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=request.user, key=key, method=request.method,
                                                          path=request.path[:300], request_hash=digest)
        except IntegrityError:  # sent before (a concurrent twin waited on the key until the first committed)
            record = IdempotencyRecord.objects.get(user=request.user, key=key)
            if record.request_hash != digest:
                return _refuse(_("This Idempotency-Key was used for a different request."), "idempotency_key_reused",
                               status.HTTP_422_UNPROCESSABLE_ENTITY)
            response = Response(record.response, status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        response = perform()
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.response = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
            record.save(update_fields=["status_code", "response"])
        else:
            transaction.set_rollback(True)  # a refusal is not remembered: the caller may fix it and retry
    return response
