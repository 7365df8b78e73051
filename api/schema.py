"""The OpenAPI schema: every operation documents the error answers it can give (docs/api.md's format)."""

from drf_spectacular.openapi import AutoSchema

from .errors import ErrorSerializer

ERRORS = {"400": "Invalid input, or refused by a business rule", "401": "No valid token",
          "403": "Not allowed (role, scope or object)", "404": "Not found (or not yours)",
          "422": "Idempotency-Key used for another request", "429": "Rate limit reached"}


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if code not in responses:
                body = self._get_response_for_code(ErrorSerializer, code)
                body["description"] = description
                responses[code] = body
        return responses
