"""Registry search index maintenance and queries.

`reindex_entities(ids)` is called by every writer of MarketEntity (services, importer) after its rows are
saved, inside the same transaction, so the index never lags the registry.
"""


def reindex_entities(entity_ids) -> None:
    """Refresh the search index rows of these entities. The plain-scan search needs no index rows."""
    return None
