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


def test_plain_select_keeps_djangos_attribute_order_and_bare_booleans():
    attrs = {"aria-invalid": "true", "aria-describedby": "id_g_error", "id": "id_g", "x": False}
    expected = forms.Select(choices=CHOICES).render("g", "", {**attrs, "required": True})
    html = PlainSelect(choices=CHOICES).render("g", "", {**attrs, "required": True})
    assert html == _squeeze(expected)
    assert (
        '<select name="g" aria-invalid="true" aria-describedby="id_g_error" id="id_g" required>'
        in html
    )


def test_plain_select_renders_grouped_choices_as_django_does():
    grouped = [("", "---"), ("海洋", [(1, "波力"), (2, "潮流")]), (3, "その他")]
    expected = forms.Select(choices=grouped).render("g", 2)
    assert PlainSelect(choices=grouped).render("g", 2) == expected


def test_plain_select_of_a_model_field_reads_its_choices_in_one_query(
    db, django_assert_num_queries
):
    from members.models import StudyGroup
    from tests.factories import StudyGroupFactory

    StudyGroupFactory.create_batch(3)
    field = forms.ModelChoiceField(StudyGroup.objects.all(), widget=PlainSelect)
    with django_assert_num_queries(1):  # the options, and no COUNT for the list's length
        html = field.widget.render("g", None)
    assert html.count("<option") == 4
