"""The portal home links every public list and publication a consumer may look for."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_links_the_public_lists(client, reference):
    page = client.get(reverse("portal:home")).content.decode()
    for name in ("credit:public_lists", "inspections:public_draws", "inspections:public_results",
                 "campaign:publicity_public", "campaign:announcements", "complaints:file"):
        assert f'href="{reverse(name)}"' in page, name
