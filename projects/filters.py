"""The project list's filters (django-filter): phase, theme, study group, funder, fiscal year."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from consortium.fiscal import current_fiscal_year, fiscal_year_choices
from members.models import Organisation, StudyGroup

from .models import FIRST_FISCAL_YEAR, Funding, Phase, Project


def _themes(request=None):
    themes = Project.objects.exclude(theme="").order_by().values_list("theme", flat=True).distinct()
    return [(theme, theme) for theme in sorted(themes)]


def _fiscal_years():
    return fiscal_year_choices(FIRST_FISCAL_YEAR + 25, current_fiscal_year() + 1)


class ProjectFilter(django_filters.FilterSet):
    phase = django_filters.ModelChoiceFilter(
        label=_("現在の段階"),
        queryset=Phase.objects.all(),
        method="filter_phase",
        empty_label=_("すべて"),
    )
    theme = django_filters.ChoiceFilter(label=_("テーマ・分野"), choices=_themes)
    study_group = django_filters.ModelChoiceFilter(
        label=_("研究会"),
        queryset=StudyGroup.objects.with_family(),
        field_name="study_groups",
        empty_label=_("すべて"),
    )
    funder = django_filters.ModelChoiceFilter(
        label=_("資金提供者"),
        queryset=Organisation.objects.filter(fundings_given__isnull=False).distinct(),
        method="filter_funder",
        empty_label=_("すべて"),
    )
    fiscal_year = django_filters.TypedChoiceFilter(
        label=_("財源のある年度"), choices=_fiscal_years, coerce=int, method="filter_fiscal_year"
    )

    class Meta:
        model = Project
        fields = ["phase", "theme", "study_group", "funder", "fiscal_year"]

    def filter_phase(self, queryset, name, value):
        return queryset.filter(current_phase_id=value.pk) if value else queryset

    def filter_funder(self, queryset, name, value):
        ids = Funding.objects.filter(funder=value).values("project_id")
        return queryset.filter(pk__in=ids)

    def filter_fiscal_year(self, queryset, name, value):
        ids = Funding.objects.filter(fiscal_year=value).values("project_id")
        return queryset.filter(pk__in=ids)
