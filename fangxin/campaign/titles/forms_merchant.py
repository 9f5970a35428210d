"""The merchant's self-assessment form, built from the published standard's items. It only parses what was typed:
the scores' ranges, the window, the level, vetoes and the evidence files are checked by
services.application_submit, whose message is shown on the form."""

from django import forms

from .choices import ItemKind

VETO_CONFIRM = "请确认本单位不存在此情形；存在一票否决情形的，不能申报示范单位。"


class ApplyForm(forms.Form):
    statement = forms.CharField(label="申报说明", max_length=3000, required=False,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text="简要介绍本单位落实“五个放心”的做法和成效",
                                error_messages={"max_length": "申报说明最多 3000 个字。"})

    def __init__(self, standard, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.items = list(standard.items.select_related("dimension").order_by("dimension__seq", "seq"))
        for item in self.items:
            name = self.field_name(item)
            if item.kind == ItemKind.VETO:
                self.fields[name] = forms.BooleanField(
                    label=f"本单位不存在此情形：{item.text}", required=True,
                    error_messages={"required": VETO_CONFIRM})
            else:
                bonus = item.kind == ItemKind.BONUS
                self.fields[name] = forms.CharField(
                    label=f"{item.seq}. {item.text}", required=not bonus, max_length=10,
                    error_messages={"required": f"请为第 {item.seq} 项自评打分（0–{item.points} 分）。"},
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                                  "class": "score-input", "aria-describedby": f"id_{name}-help"}))
            self.fields[name].item = item

    @staticmethod
    def field_name(item) -> str:
        return f"item_{item.seq}"

    def groups(self) -> list[dict]:
        """The items' bound fields grouped by dimension, in the standard's order; veto items on their own."""
        groups: dict[str, dict] = {}
        vetoes = []
        for item in self.items:
            bound = self[self.field_name(item)]
            if item.kind == ItemKind.VETO:
                vetoes.append({"item": item, "field": bound})
                continue
            group = groups.setdefault(item.dimension.code, {"name": item.dimension.name, "rows": []})
            group["rows"].append({"item": item, "field": bound})
        return [*groups.values(), {"name": "一票否决项", "rows": vetoes, "veto": True}] if vetoes else list(
            groups.values())

    def self_scores(self) -> dict:
        """{seq: score} as the service takes them; a blank bonus item is left out (no bonus claimed)."""
        scores = {}
        for item in self.items:
            if item.kind == ItemKind.VETO:
                continue
            value = (self.cleaned_data.get(self.field_name(item)) or "").strip()
            if value:
                scores[str(item.seq)] = value
        return scores


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因（选填）", required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
