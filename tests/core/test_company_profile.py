"""The company profile: edited by the general manager and finance through the service, printed on documents."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import CompanyProfile
from hardware_erp.core.services import update_company_profile

pytestmark = pytest.mark.django_db
CODE = "91330300MA2AXXXX0X"


def _png():
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile("logo.png", buf.getvalue(), content_type="image/png")


def test_finance_saves_the_profile_normalised(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = make_user("finance_clerk")
    profile = update_company_profile(actor=clerk, name="温州华丰五金有限公司",
                                     credit_code="9133 0300 ＭＡ２Ａ ＸＸＸＸ ０Ｘ",
                                     address="温州市鹿城区", phone="0577-88888888", bank_name="工商银行温州分行",
                                     bank_account="1203 2000 0900 1234 567", logo=_png())
    stored = CompanyProfile.current()
    assert stored.pk == profile.pk and CompanyProfile.objects.count() == 1
    assert stored.credit_code == CODE
    assert stored.bank_account == "1203200009001234567"
    assert stored.updated_by == clerk
    assert stored.logo.name.startswith("company/") and (tmp_path / stored.logo.name).is_file()


def test_rep_may_not_edit_and_bad_values_are_refused(make_user):
    with pytest.raises(BusinessRuleError):
        update_company_profile(actor=make_user("sales_rep"), name="X")
    gm = make_user("general_manager")
    with pytest.raises(BusinessRuleError) as exc:
        update_company_profile(actor=gm, name="X", credit_code="123")
    assert "credit_code" in exc.value.message_dict
    with pytest.raises(BusinessRuleError):
        update_company_profile(actor=gm, name="X", bank_account="12ab")
    assert not CompanyProfile.objects.exists()


def test_page_saves_through_the_service(client_as):
    client = client_as("general_manager")
    url = reverse("core:company_profile")
    assert client.get(url).status_code == 200
    page = client.get(url).content.decode()
    token = page.split('name="_once" value="')[1].split('"')[0]
    resp = client.post(url, {"name": "华丰五金", "credit_code": "", "address": "温州", "phone": "", "bank_name": "",
                             "bank_account": "", "name_en": "", "_once": token})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert CompanyProfile.current().name == "华丰五金"
    assert client_as("sales_rep").get(url).status_code == 403
