"""Access rows of the governance app."""

from . import Row, module, only


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

ROWS = [
    Row("governance:index", expect=module("governance")),
    Row("governance:changerequest_list", expect=only(*APPROVERS)),
    Row("governance:changerequest", kwargs=_change_request, expect=only(*APPROVERS)),
    Row("governance:securityevent_list", expect=only(*LOG_READERS)),
    Row("governance:backuprun_list", expect=only("it_admin", "general_manager")),
    Row("governance:data_quality", expect=only(*APPROVERS)),
    Row("governance:data_quality_list", kwargs={"key": "duplicates"}, expect=only(*APPROVERS)),
]
