"""Rate limits per token (its own requests a minute), and per user for the signed-in session; counted in the
cache (Redis in production)."""

from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken

SESSION_RATE = 600  # a minute, for the browsable docs


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"
    rate = f"{SESSION_RATE}/min"

    def get_rate(self):
        return self.rate

    def allow_request(self, request, view):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        self.num_requests, self.duration = (token.rate_per_minute, 60) if token else (SESSION_RATE, 60)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            return f"api-throttle:token:{token.pk}"
        if request.user and request.user.is_authenticated:
            return f"api-throttle:user:{request.user.pk}"
        return f"api-throttle:ip:{self.get_ident(request)}"
