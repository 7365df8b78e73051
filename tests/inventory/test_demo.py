import pytest
from django.core.management import call_command

from inventory.models import Product, PurchaseSuggestion, StockLevel, StockMovement, Stocktake
from inventory.selectors import ledger_differences

pytestmark = pytest.mark.django_db


def test_demo_seed_is_consistent_and_idempotent():
    call_command("seed_demo", "--only", "inventory", verbosity=0)
    n = Product.objects.count()
    assert 250 <= n <= 600
    assert Product.objects.filter(name_en__startswith="Hex head bolt M16").exists()
    assert StockMovement.objects.filter(kind="issue").count() > 10 * n
    assert ledger_differences() == []
    assert StockLevel.objects.filter(on_hand__lt=0).count() == 0
    assert PurchaseSuggestion.objects.exists()
    assert Stocktake.objects.filter(status="counting").count() == 1
    call_command("seed_demo", "--only", "inventory", verbosity=0)
    assert Product.objects.count() == n
