"""Access rows of the kernel's URLs (sign-in, notifications, staff directory, admin index)."""

from hardware_erp.core.roles import ROLES

from . import ANONYMOUS, Row, everyone, only, signed_in

ADMIN_ROLES = [r.key for r in ROLES.values() if r.admin]

ROWS = [
    Row("healthz", expect=everyone((200, 503)), note="200 when every check passes, 503 otherwise"),
    Row("metrics", expect=everyone(404), note="Prometheus: only METRICS_ALLOWED_IPS or the bearer METRICS_TOKEN "
        "(unset here); 404 for everyone else"),
    Row("login", expect={**signed_in(302), ANONYMOUS: 200}, note="signed-in users are sent home"),
    Row("logout", expect=everyone(405), note="POST only"),
    Row("password_change", expect=signed_in()),
    Row("password_change_done", expect=signed_in()),
    Row("password_reset", expect=everyone()),
    Row("password_reset_done", expect=everyone()),
    Row("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}, expect=everyone(),
        note="an invalid link shows its explanation"),
    Row("password_reset_complete", expect=everyone()),
    Row("admin:index", expect={**{r: (200 if r in ADMIN_ROLES else 302) for r in ROLES}, ANONYMOUS: 302},
        note="staff roles only; others are sent to the admin sign-in"),
    Row("core:home", expect=signed_in()),
    Row("core:notifications", expect=signed_in()),
    Row("core:notification_bell", expect=signed_in()),
    Row("core:notification_settings", expect=signed_in()),
    Row("core:notifications_read_all", expect=signed_in(405), note="POST only"),
    Row("core:notification_read", kwargs={"pk": 1}, expect=signed_in(405), note="POST only"),
    Row("core:people", expect=signed_in()),
    Row("core:exports", expect=signed_in(), note="the user's own exports"),
    Row("core:export_job", kwargs={"pk": 999999}, expect=signed_in(404), note="the user who asked only"),
    Row("core:export_download", kwargs={"pk": 999999}, expect=signed_in(404),
        note="the user who asked only, while they may still export the list"),
    Row("core:company_profile", expect=only("finance_clerk", "general_manager"),
        note="the letterhead of every document"),
    Row("core:set_language", expect=everyone(405), note="POST only"),
]
