"""The staff workbench menu. Each capability registers its entries with the roles that see them."""

from dataclasses import dataclass

from django.urls import reverse

_ITEMS: list["NavItem"] = []


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    group: str = "常用"
    order: int = 100
    description: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def register(*items: NavItem) -> None:
    for item in items:
        if all(existing.url_name != item.url_name for existing in _ITEMS):
            _ITEMS.append(item)


def items_for(user) -> list[NavItem]:
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    return sorted((item for item in _ITEMS if role in item.roles), key=lambda item: (item.order, item.label))
