"""The staff workbench menu. Each capability registers its entries with the roles that see them."""

from dataclasses import dataclass

from django.urls import reverse

_ITEMS: list["NavItem"] = []
DEFAULT_GROUP = "常用"
# The menu group of an entry that names none, by its URL namespace: each capability's pages stay together.
NAMESPACE_GROUPS = {
    "complaints": "投诉举报", "alerts": "投诉举报", "triage": "投诉举报",
    "credit": "信用监管", "inspections": "双随机抽查", "stats": "统计分析", "opendata": "统计分析",
    "supervision": "督导评价", "content": "门户内容", "registry_import": "市场主体",
}
FLAT_MENU_MAX = 8  # a short menu (a merchant's) reads best as one row without headings


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    group: str = DEFAULT_GROUP
    order: int = 100
    description: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def menu_group(self) -> str:
        if self.group != DEFAULT_GROUP:
            return self.group
        return NAMESPACE_GROUPS.get(self.url_name.partition(":")[0], DEFAULT_GROUP)


def register(*items: NavItem) -> None:
    for item in items:
        if all(existing.url_name != item.url_name for existing in _ITEMS):
            _ITEMS.append(item)


def items_for(user) -> list[NavItem]:
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    return sorted((item for item in _ITEMS if role in item.roles), key=lambda item: (item.order, item.label))


def groups_for(user) -> list[tuple[str, list[NavItem]]]:
    """The user's entries grouped by capability, groups in the order of their first entry; one unnamed group
    when the menu is short."""
    items = items_for(user)
    if len(items) <= FLAT_MENU_MAX:
        return [("", items)] if items else []
    groups: dict[str, list[NavItem]] = {}
    for item in items:
        groups.setdefault(item.menu_group, []).append(item)
    return list(groups.items())
