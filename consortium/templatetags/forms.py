"""How forms are laid out: ``{% for legend, fields in form|fieldsets %}``, and
``{% error_title %}``, which puts 「エラー：」 before the page title when a submitted form came
back with errors.

A form groups its fields by declaring ``fieldsets``, a sequence of ``(legend, field names)``;
``templates/includes/_fields.html`` draws each group as a ``<fieldset>`` with its ``<legend>``.
Visible fields no group names follow in a last group without a legend; a form that declares
nothing is one such group.
"""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def fieldsets(form: forms.BaseForm) -> list[tuple[str, list[BoundField]]]:
    visible = {field.name: field for field in form.visible_fields()}
    groups: list[tuple[str, list[BoundField]]] = []
    for legend, names in getattr(form, "fieldsets", ()):
        fields = [visible.pop(name) for name in names if name in visible]
        if fields:
            groups.append((legend, fields))
    if visible:
        groups.append(("", list(visible.values())))
    return groups


def _has_errors(value: object) -> bool:
    if isinstance(value, forms.BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, forms.BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    return False


@register.simple_tag(takes_context=True)
def error_title(context: template.Context) -> str:
    """「エラー：」 (``Error: ``) before the page title when a submitted form on the page came
    back with errors, so the first thing a screen reader announces says the submit failed."""
    if any(_has_errors(value) for value in context.flatten().values()):
        return str(_("エラー："))
    return ""
