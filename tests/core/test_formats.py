"""Chinese pages render date boxes in ISO (the only value <input type="date"> accepts) and still read 2026/12/06."""

import datetime

from django import forms
from django.utils import translation


class DayForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def test_a_date_box_is_filled_in_iso_on_chinese_pages():
    with translation.override("zh-hans"):
        html = str(DayForm(initial={"day": datetime.date(2026, 12, 6)})["day"])
        assert 'value="2026-12-06"' in html
        for typed in ("2026-12-06", "2026/12/06", "2026年12月6日"):
            form = DayForm({"day": typed})
            assert form.is_valid(), typed
            assert form.cleaned_data["day"] == datetime.date(2026, 12, 6)
