import re

from django import forms

from consortium.widgets import PlainSelect

CHOICES = [("", "---"), (1, "平塚 & 研究会"), (2, "<b>第2部会</b>")]


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_plain_select_renders_the_same_html_as_djangos_select():
    attrs = {"id": "id_study_group", "required": True}
    expected = forms.Select(choices=CHOICES).render("study_group", 2, attrs)
    assert PlainSelect(choices=CHOICES).render("study_group", 2, attrs) == _squeeze(expected)


def test_plain_select_escapes_labels_and_marks_the_chosen_option():
    html = PlainSelect(choices=CHOICES).render("g", 1)
    assert '<option value="1" selected>平塚 &amp; 研究会</option>' in html
    assert "&lt;b&gt;第2部会&lt;/b&gt;" in html
