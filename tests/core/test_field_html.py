"""Issue 19: the list pages' filter fields, written in Python (`core/field_html.py`, `{% filter_field %}` in
`generic/list.html`), are what crispy-forms' `{{ field|as_crispy_field }}` writes: the same labels, widgets,
classes, chosen values, help texts and errors, on every list page with a filter bar, empty, with a value in every
field, with values the form refuses, and in Chinese."""

import re
from unittest import mock

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test.html import parse_html
from django.urls import reverse

from hardware_erp.core import field_html
from hardware_erp.core.templatetags import erp
from tests.perf import querycount

pytestmark = pytest.mark.django_db

FILTER_BAR = re.compile(r'<form method="get" class="card card-body filter-bar.*?</form>', re.S)


@pytest.fixture
def demo(settings):
    settings.SLOW_REQUEST_MS = 10**9
    call_command("seed_demo", verbosity=0)


def filter_bar(response):
    found = FILTER_BAR.findall(response.content.decode())
    return found[0] if found else None


def values(form, *, refused):
    """A value for every field of a filter form: the last choice of a select, a date, a number, text (`refused`:
    values the form refuses, so that every field that checks shows its error)."""
    out = {}
    for bound in form:
        widget, name = bound.field.widget, bound.html_name
        choices = [str(value) for value, _label in getattr(bound.field, "choices", ()) if str(value)]
        if isinstance(widget, forms.CheckboxInput):
            out[name] = "on"
        elif choices:
            out[name] = "no-such-choice" if refused else choices[-1]
        elif isinstance(widget, forms.DateInput):
            out[name] = "2026-13-45" if refused else "2026-03-01"
        elif isinstance(widget, forms.NumberInput):
            out[name] = "x" if refused else "5"
        else:
            out[name] = "<b>ab&</b>" if refused else "ab"
    return out


def both_ways(client, url, data, *, shown):
    """(crispy's filter bar, the Python one) of one page (`shown`: it has a field to show)."""
    with mock.patch.object(erp, "write_filter_field", as_crispy_field):
        old = client.get(url, data)
    new = client.get(url, data)
    assert old.status_code == new.status_code == 200, (url, data, old.status_code, new.status_code)
    assert ("bootstrap5/field.html" in [t.name for t in old.templates]) == shown, url
    return filter_bar(old), filter_bar(new)


def compare_every_filter_bar(client):
    """(filter bars compared, fields compared, differences)."""
    bars, fields, differences = 0, 0, []
    for name, _view in querycount.list_pages():
        url = reverse(name)
        first = client.get(url)
        if first.status_code != 200 or not (first.context or {}).get("filter"):
            continue
        form = first.context["filter"].form
        for data in ({}, values(form, refused=False), values(form, refused=True)):
            old, new = both_ways(client, url, data, shown=any(not f.is_hidden for f in form))
            assert old and new, url
            if parse_html(old) != parse_html(new):
                differences.append((url, data, old, new))
            else:
                bars += 1
                fields += len(form.fields)
    return bars, fields, differences


def report(differences):
    return "\n\n".join(f"{url} {data}\n--- crispy\n{old}\n--- python\n{new}" for url, data, old, new in differences[:2])


def test_every_filter_bar_is_what_crispy_writes(demo, client):
    querycount.sign_in(client, get_user_model().objects.create_superuser("filters", password=None))
    bars, fields, differences = compare_every_filter_bar(client)
    assert not differences, report(differences)
    assert bars >= 3 * 30 and fields >= 300, (bars, fields)


def test_the_chinese_filter_bars_are_what_crispy_writes(demo, client):
    querycount.sign_in(client, get_user_model().objects.create_superuser("filters_zh", password=None))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "省份" in filter_bar(client.get(reverse("crm:customer_list")))
    bars, _fields, differences = compare_every_filter_bar(client)
    assert not differences, report(differences)
    assert bars >= 3 * 30, bars


def test_a_refused_value_shows_its_error_and_a_chosen_one_stays_chosen(demo, client):
    querycount.sign_in(client, get_user_model().objects.create_superuser("filters_err", password=None))
    bar = filter_bar(client.get(reverse("crm:customer_list"), {"ordered_from": "2026-13-45", "level": "b"}))
    assert 'class="dateinput form-control is-invalid"' in bar
    assert '<p id="error_1_id_ordered_from"><strong>' in bar
    assert '<option value="b" selected>' in bar


def test_widgets_the_python_does_not_write_go_through_crispy():
    class Form(forms.Form):
        kinds = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple,
                                          help_text="<i>several</i>")
        way = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        name = forms.CharField(help_text="<i>help</i>")
        ok = forms.BooleanField(required=False)
        kind = forms.ChoiceField(choices=[("", "—"), ("a", "A"), ("b", "B <&>")])
        start = forms.DateField(widget=forms.HiddenInput)

    form = Form({"kinds": ["b"], "way": "z", "name": "", "ok": "on", "kind": "b", "start": "x"})
    assert not form.is_valid()
    for bound in form:
        assert parse_html(field_html.filter_field(bound)) == parse_html(as_crispy_field(bound)), bound.name
    assert not field_html._plain(form["kinds"]) and not field_html._plain(form["way"])
    assert field_html._plain(form["name"]) and field_html._plain(form["kind"])
