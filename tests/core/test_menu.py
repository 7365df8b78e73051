"""Every sidebar entry a role sees opens for that role: a menu never offers a page that answers 403."""

import pytest

from hardware_erp.core.nav import modules_for
from hardware_erp.core.roles import ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(ROLES))
def test_every_menu_entry_opens_for_the_role_that_sees_it(client_as, role):
    client = client_as(role)
    refused = []
    for module in modules_for(client.user):
        for url in [module["url"], *(link["url"] for link in module["links"])]:
            status = client.get(url).status_code
            if status == 403:
                refused.append(url)
    assert not refused, f"{role} sees menu entries that refuse it: {refused}"
