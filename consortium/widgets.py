"""Form widgets shared by the apps."""

from __future__ import annotations

import html

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A ``<select>`` rendered in Python, not with one template include per option.

    The same HTML as ``forms.Select`` for flat choices (grouped choices fall back to Django's
    templates); a list of hundreds of study groups costs well under a millisecond instead of
    most of a page's rendering time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # list() of the iterator, not of the choices: list() asks a ModelChoiceIterator for its
        # len(), which is a COUNT query.
        choices = list(iter(self.choices))
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        options = []
        has_selected = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            # As ChoiceWidget.optgroups: only the first matching option of a single select.
            selected = (not has_selected or self.allow_multiple_selected) and text in chosen
            has_selected |= selected
            options.append(
                f'<option value="{html.escape(text)}"{" selected" if selected else ""}>'
                f"{_escape(label)}</option>"
            )
        return format_html(
            '<select name="{}"{}>{}</select>', name, _attrs(attrs), mark_safe("".join(options))
        )


def _attrs(attrs: dict) -> str:
    """As ``django/forms/widgets/attrs.html``: in order, True as a bare name, False left out."""
    return mark_safe(
        "".join(
            f" {html.escape(str(name))}"
            if value is True
            else f' {html.escape(str(name))}="{html.escape(str(value))}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


def _escape(text) -> str:
    """``conditional_escape`` without its lazy-string wrapper, for hundreds of options."""
    text = str(text)  # a lazy label becomes its translation; a SafeString stays safe
    return text.__html__() if hasattr(text, "__html__") else html.escape(text)


class DateTimeLocalInput(forms.DateTimeInput):
    """A date and time picker (``<input type="datetime-local">``); the value is read in the
    site's time zone (Asia/Tokyo)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EnglishTextInput(forms.TextInput):
    """A text box for an English field (段階名（英語）, 会議名（英語）, …): ``lang="en"``, so
    that on a Japanese page it is read out, spell-checked and typed as English."""

    def __init__(self, attrs=None):
        super().__init__({"lang": "en", **(attrs or {})})
