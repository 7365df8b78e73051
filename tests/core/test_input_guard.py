"""The input guard (hardware_erp/core/middleware.py): NUL bytes answer 400, numbers typed in full width become ASCII."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from hardware_erp.core.middleware import InputGuardMiddleware, ascii_number


@pytest.mark.parametrize("typed,seen", [
    ("１２３", "123"),
    ("１３８００１３８０００", "13800138000"),
    ("－５．５", "-5.5"),
    ("＋８６ １３８-００１３-８０００", "+86 138-0013-8000"),
    ("１，２３４．５０", "1,234.50"),
    ("١٢٣", "123"),  # Arabic-Indic digits
    ("12３", "123"),
    ("²", "2"),  # superscript: "²".isdigit() is true, int("²") fails
    ("①", "1"),
])
def test_numbers_in_any_digits_become_ascii(typed, seen):
    assert ascii_number(typed) == seen


@pytest.mark.parametrize("text", ["张三五金（上海）有限公司", "M８ 螺栓", "🔩", "abc", "１２３号仓库", "", "Ⅻ"])
def test_text_stays_as_typed(text):
    assert ascii_number(text) == text


def _through_guard(request):
    seen = {}

    def view(req):
        seen["GET"], seen["POST"] = req.GET, req.POST
        return "answered"

    return InputGuardMiddleware(view)(request), seen


def test_query_and_form_values_reach_the_view_in_ascii():
    form = {"quantity": "１２", "phone": ["１３８００１３８０００", "5"], "name": "张三（上海）"}
    answer, seen = _through_guard(RequestFactory().post("/x/?qty=％&page=２", form))
    assert answer == "answered"
    assert seen["GET"]["page"] == "2" and seen["GET"]["qty"] == "％"
    assert seen["POST"]["quantity"] == "12"
    assert seen["POST"].getlist("phone") == ["13800138000", "5"]
    assert seen["POST"]["name"] == "张三（上海）"
    assert not seen["POST"]._mutable


def test_ascii_requests_pass_untouched():
    request = RequestFactory().get("/x/", {"q": "M8", "page": "2"})
    get = request.GET
    answer, seen = _through_guard(request)
    assert answer == "answered" and seen["GET"] is get


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_nul_byte_answers_400_with_a_readable_page(client_as, method):
    client = client_as("sales_rep")
    response = getattr(client, method)(reverse("crm:customer_lookup"), {"q": "abc\x00def"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_byte_in_a_parameter_name_answers_400(client_as):
    response = client_as("sales_rep").get(reverse("crm:customer_lookup") + "?q%00x=1")
    assert response.status_code == 400


@pytest.mark.django_db
def test_full_width_search_finds_the_ascii_record(client_as):
    from tests.factories.inventory import ProductFactory

    ProductFactory(sku="GB5782-M8X30")
    response = client_as("warehouse_clerk").get(reverse("inventory:product_lookup"), {"q": "５７８２"})
    assert response.status_code == 200
    assert "GB5782-M8X30" in response.content.decode()
