"""Access rows of the governance app."""

from . import Row, module, only, signed_in


def _change_request():
    import json

    from django.contrib.contenttypes.models import ContentType

    from governance.models import ChangeRequest
    from hardware_erp.core.models import Department
    from tests.factories import DepartmentFactory, UserFactory

    dept = DepartmentFactory()
    return {"pk": ChangeRequest.objects.create(
        content_type=ContentType.objects.get_for_model(Department), object_id=dept.pk, object_repr=str(dept),
        field_names="name_zh", changes_data=json.dumps({"name_zh": {"old": dept.name_zh, "new": "新"}}),
        base_fingerprint="x", requester=UserFactory()).pk}


APPROVERS = ("sales_manager", "general_manager")
LOG_READERS = ("sales_manager", "it_admin", "general_manager")

def _user():
    from tests.factories import UserFactory

    return {"pk": UserFactory().pk}


def _lockout():
    from axes.models import AccessAttempt

    return {"pk": AccessAttempt.objects.create(username="locked", ip_address="10.0.0.9", user_agent="x",
                                               path_info="/", failures_since_start=9).pk}


ACCOUNT_ADMINS = ("it_admin", "general_manager")

ROWS = [
    Row("governance:index", expect=module("governance")),
    Row("governance:changerequest_list", expect=only(*APPROVERS)),
    Row("governance:changerequest", kwargs=_change_request, expect=only(*APPROVERS)),
    Row("governance:securityevent_list", expect=only(*LOG_READERS)),
    Row("governance:backuprun_list", expect=only("it_admin", "general_manager")),
    Row("governance:data_quality", expect=only(*APPROVERS)),
    Row("governance:data_quality_list", kwargs={"key": "duplicates"}, expect=only(*APPROVERS)),
    Row("governance:agreementacceptance_list", expect=only("it_admin", "general_manager")),
    Row("governance:user_list", expect=only(*ACCOUNT_ADMINS)),
    Row("governance:user_create", expect=only(*ACCOUNT_ADMINS)),
    Row("governance:user", kwargs=_user, expect=only(*ACCOUNT_ADMINS)),
    Row("governance:user_edit", kwargs=_user, expect=only(*ACCOUNT_ADMINS)),
    Row("governance:user_deactivate", kwargs=_user, method="post", expect=only(*ACCOUNT_ADMINS, status=302)),
    Row("governance:user_reactivate", kwargs=_user, method="post", expect=only(*ACCOUNT_ADMINS, status=302)),
    Row("governance:user_reset_otp", kwargs=_user, method="post", expect=only(*ACCOUNT_ADMINS, status=302)),
    Row("governance:user_reset_password", kwargs=_user, method="post", expect=only(*ACCOUNT_ADMINS)),
    Row("governance:lockout_list", expect=only(*ACCOUNT_ADMINS)),
    Row("governance:unlock", kwargs=_lockout, method="post", expect=only(*ACCOUNT_ADMINS, status=302)),
    Row("account:agreement", expect=signed_in(), note="every signed-in user; the gate sends users here until "
        "they accept the published version"),
    Row("account:otp_setup", expect=signed_in()),
    Row("account:otp_verify", expect=signed_in(302), note="only while a sign-in waits for the code; "
        "otherwise sent on"),
    Row("account:sessions", expect=signed_in()),
]
