"""Credit pages: staff lists, ledger and import (urls_staff), public lists (urls_public), a merchant's own grade and
credit repair (urls_merchant), joint-punishment rules and repair decisions (urls_rules)."""

from . import urls_merchant, urls_public, urls_rules, urls_staff

app_name = "credit"
urlpatterns = urls_staff.urlpatterns + urls_public.urlpatterns + urls_merchant.urlpatterns + urls_rules.urlpatterns
