"""Filters of the organisation directory (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import (
    ModelChoiceField,
    ModelChoiceIterator,
)

from consortium.widgets import PlainSelect

from .models import Organisation, Sector, StudyGroup
from .querysets import GroupNames, study_group_names


class _StudyGroupChoices(ModelChoiceIterator):
    """The options as (pk, full name) tuples: the same ``<option>``s as one model instance per
    study group and its parent, without building ~600 instances a page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.group_names().choices


class StudyGroupChoiceField(ModelChoiceField):
    """Offers every study group, in the order of ``study_group_names``."""

    iterator = _StudyGroupChoices
    _names: GroupNames | None = None

    def group_names(self) -> GroupNames:
        """Read once per form, in one query."""
        if self._names is None:
            self._names = study_group_names()
        return self._names


class StudyGroupChoiceFilter(django_filters.ModelChoiceFilter):
    """A study group picked from a list of hundreds; the chosen value is still checked (and
    cleaned to a ``StudyGroup``) against the queryset as by ``ModelChoiceFilter``."""

    field_class = StudyGroupChoiceField


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("団体名・カナ"), method="filter_q")
    sector = django_filters.ChoiceFilter(
        label=_("区分"), choices=Sector.choices, widget=PlainSelect
    )
    is_local = django_filters.ChoiceFilter(
        label=_("市内・市外"),
        choices=[("1", _("市内")), ("0", _("市外"))],
        method="filter_local",
        widget=PlainSelect,
    )
    study_group = StudyGroupChoiceFilter(
        label=_("研究会"),
        queryset=StudyGroup.objects.all(),  # checks the chosen value; the options: every group
        method="filter_study_group",
        widget=PlainSelect,
        empty_label=_("すべて"),
    )
    is_confirmed = django_filters.ChoiceFilter(
        label=_("確認状態"),
        choices=[("1", _("確認済み")), ("0", _("未確認"))],
        method="filter_confirmed",
        widget=PlainSelect,
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def study_group_names(self) -> GroupNames:
        """The study groups as the form offers them (the same read as its ``<select>``)."""
        return self.form.fields["study_group"].group_names()

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(name_kana__icontains=word))
        return queryset

    def filter_local(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_local=value == "1")

    def filter_confirmed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_confirmed=value == "1")

    def filter_study_group(self, queryset: QuerySet, name: str, value: StudyGroup) -> QuerySet:
        from .models import Membership

        org_ids = Membership.objects.active().filter(study_group=value).values("organisation_id")
        return queryset.filter(pk__in=org_ids)
