"""The portal's search page at scale: past the cap it lists the first matches and asks for a narrower search."""

from django.core.cache import cache
from django.urls import reverse

from fangxin.merchants import search, selectors
from fangxin.merchants.models import MarketEntity


def test_more_matches_than_the_cap_are_announced(client, entities, monkeypatch):
    search.reindex_entities(MarketEntity.objects.values_list("pk", flat=True))
    cache.clear()
    monkeypatch.setattr(selectors, "PUBLIC_SEARCH_CAP", 1)
    text = client.get(reverse("portal:search"), {"q": "华联"}).content.decode()
    assert "超过 1 家，下面只列出其中 1 家" in text
    assert text.count('class="result-name"') == 1
    cache.clear()
    monkeypatch.setattr(selectors, "PUBLIC_SEARCH_CAP", 1000)
    text = client.get(reverse("portal:search"), {"q": "华联"}).content.decode()
    assert "共找到 2 家商家" in text and "超过" not in text
