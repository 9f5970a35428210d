from django.db import models
from django.db.models import Q

from fangxin.accounts.scope import ScopedQuerySet
from fangxin.core.models import TimeStampedModel

from .choices import ExitReason, ListKind


class ListEntryQuerySet(ScopedQuerySet):
    scope_fields = {"region": "entity__region", "sector": "entity__sector", "entity": "entity"}

    def current(self):
        return self.filter(exited_on__isnull=True)


class ListEntry(TimeStampedModel):
    """An entry of a business on a credit list, with the decision that put it there and the one that took it off."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.PROTECT,
                               related_name="list_entries")
    kind = models.CharField("名单", max_length=12, choices=ListKind.choices)
    reason_code = models.CharField("列入事由代码", max_length=20)
    reason = models.CharField("列入事由", max_length=300)
    authority = models.CharField("作出决定机关", max_length=100)
    document_number = models.CharField("决定书文号", max_length=100)
    entered_on = models.DateField("列入日期")
    exited_on = models.DateField("移出日期", null=True, blank=True)
    exit_reason = models.CharField("移出原因", max_length=20, choices=ExitReason.choices, blank=True)
    exit_document_number = models.CharField("移出决定文号", max_length=100, blank=True)

    objects = ListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "信用名单记录"
        verbose_name_plural = "信用名单记录"
        ordering = ["-entered_on"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "kind"], condition=Q(exited_on__isnull=True),
                                    name="list_entry_one_current_per_kind"),
        ]

    def __str__(self):
        return f"{self.entity} · {self.get_kind_display()}"
