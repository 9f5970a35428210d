from django import forms

from fangxin.organisation.models import Region, Sector
from fangxin.organisation.selectors import counties

from .models import MarketEntity

ENTITY_FORM_FIELDS = ["uscc", "name", "entity_type", "legal_representative", "address", "region", "sector",
                      "online_platform", "online_shop_url", "operating_status", "contact_phone"]


class EntityForm(forms.ModelForm):
    online_shop_url = forms.URLField(label="网店地址", required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = MarketEntity
        fields = ENTITY_FORM_FIELDS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        within = user.region if user is not None and getattr(user, "region_id", None) else None
        regions = counties(within) if within and within.level != "region" else counties()
        self.fields["region"].queryset = regions if regions.exists() else Region.objects.none()
        self.fields["sector"].queryset = Sector.objects.order_by("seq")
        self.fields["uscc"].help_text = "18 位，不含 I、O、S、V、Z"
        if self.instance.pk:
            self.fields["uscc"].disabled = True

    def validate_unique(self):
        """Uniqueness is the service's job (it answers with a Chinese message in the same transaction)."""
