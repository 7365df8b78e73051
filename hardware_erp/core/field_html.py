"""The list pages' filter fields written in Python: the HTML `{{ field|as_crispy_field }}` gives (crispy-forms'
Bootstrap 5 `field.html` around Django's widget templates), without rendering four templates a field and one
more per `<option>` (a filter bar of ten fields with a province list was ~12 % of a customer list request, issue 19).

`filter_field(field)` writes crispy's wrapper (label, the widget with crispy's classes, errors, help text) for a
field crispy renders through its plain branches: a text-like input, a select, a single checkbox, a hidden field.
The widget is rendered by Django as always (`BoundField.as_widget`: its attributes, id, value, ARIA), through
`WidgetRenderer`, which writes Django's own `input.html`, `select.html` and `select_option.html` in Python and hands
any other template to Django's. Anything else (radio buttons, several checkboxes, a file, a multi-widget, a form
with a crispy helper, a widget wrapping another) goes through crispy itself. `tests/core/test_field_html.py`
compares both on every list page's filter form (values chosen, errors, Chinese)."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_CONTEXT = Context(autoescape=True)  # how `{{ value }}` is written in a template: localized, then escaped


def _out(value) -> str:
    """`{{ value }}`."""
    return render_value_in_context(value, _CONTEXT)


def _s(value) -> str:
    """`{{ value|stringformat:'s' }}`."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        return escape("%s" % value)  # noqa: UP031 (the filter's own formatting)
    except (ValueError, TypeError):
        return ""


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join("" if value is False else f" {_out(name)}" if value is True else f' {_out(name)}="{_s(value)}"'
                   for name, value in attrs.items())


def _input(context) -> str:
    """django/forms/widgets/input.html (text, search, date, number, checkbox, hidden, … include it)."""
    widget = context["widget"]
    value = f' value="{_s(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


SELECT_OPTION = "django/forms/widgets/select_option.html"


def _select(context) -> str | None:
    """django/forms/widgets/select.html with its options (None: an option has a template of its own)."""
    widget = context["widget"]
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                return None
            parts.append(f'\n  <option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{_out(option["label"])}</option>')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_INPUTS = ("input", "text", "search", "email", "url", "number", "password", "hidden", "date", "datetime", "time",
           "checkbox", "color", "tel")
WRITERS = {**{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
           "django/forms/widgets/select.html": _select}


class WidgetRenderer(DjangoTemplates):
    """Django's form renderer, with the input and select templates written in Python (the same HTML)."""

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        html = write(context) if write else None
        return html if html is not None else super().render(template_name, context, request)


WIDGETS = WidgetRenderer()


def _plain(field) -> bool:
    """A field crispy's Bootstrap 5 `field.html` renders through its plain branches (the ones written here)."""
    widget = field.field.widget
    return (getattr(field.form, "helper", None) is None and not field.use_fieldset
            and not hasattr(widget, "widgets") and not hasattr(widget, "widget")
            and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.FileInput))


def _crispy_classes(widget, classes: str):
    """What crispy's `{% crispy_field field 'class' classes %}` does to the widget's attributes."""
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    class_name = widget.__class__.__name__.lower()
    class_name = converters.get(class_name, class_name)
    css = widget.attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += f" {class_name}"
    else:
        css = class_name
    for name in classes.split():
        if name not in css.split():
            css += f" {name}"
    widget.attrs["class"] = css


def _help_and_errors(field) -> str:
    """crispy's help_text_and_errors.html (errors as a block, then the help text)."""
    parts = []
    if field.errors:
        parts.append(f'<div id="{_out(field.errors.field_id)}_error" class="invalid-feedback">')
        parts += [f'<p id="error_{n}_{_out(field.auto_id)}"><strong>{_out(error)}</strong></p>'
                  for n, error in enumerate(field.errors, 1)]
        parts.append("</div>")
    if field.help_text:
        helptext_id = f'id="{_out(field.auto_id)}_helptext" ' if field.auto_id else ""
        parts.append(f'<div {helptext_id}class="form-text">{field.help_text}</div>')  # `|safe` in crispy's
    return "".join(parts)


def filter_field(field) -> SafeString:
    """`{{ field|as_crispy_field }}`, the same HTML (up to whitespace between tags), written in Python."""
    if not _plain(field):
        return as_crispy_field(field)
    if field.is_hidden:
        return str(field)  # the widget's HTML (safe)
    if type(field.form.renderer) is DjangoTemplates:  # Django's default: the same templates, written in Python
        field.form.renderer = WIDGETS
    widget = field.field.widget
    required = field.field.required
    asterisk = '<span class="asteriskField">*</span>' if required else ""
    invalid = " is-invalid" if field.errors else ""
    css = f" {_out(field.css_classes())}" if field.css_classes() else ""
    if isinstance(widget, forms.CheckboxInput):
        _crispy_classes(widget, f"form-check-input{invalid}")
        html = (f'<div class="mb-3"><div id="div_{_out(field.auto_id)}" class="form-check{css}">{field}'
                f'<label for="{_out(field.id_for_label)}" class="form-check-label'
                f'{" requiredField" if required else ""}">{_out(field.label)}{asterisk}</label>'
                f"{_help_and_errors(field)}</div></div>")
        return mark_safe(html)  # noqa: S308  # nosec B308 B703 (every value escaped above, as crispy's template does)
    label = ""
    if field.label:
        label_for = f'for="{_out(field.id_for_label)}" ' if field.id_for_label else ""
        label = (f'<label {label_for}class="form-label{" requiredField" if required else ""}">'
                 f"{_out(field.label)}{asterisk}</label>")
    _crispy_classes(widget, ("form-select" if isinstance(widget, forms.Select) else "form-control") + invalid)
    html = f'<div id="div_{_out(field.auto_id)}" class="mb-3{css}">{label}{field}{_help_and_errors(field)}</div>'
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 (every value escaped above, as crispy's template does)
