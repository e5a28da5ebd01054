"""Filters of the organisation directory (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from consortium.widgets import PlainSelect

from .models import Organisation, Sector, StudyGroup


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("団体名・カナ"), method="filter_q")
    sector = django_filters.ChoiceFilter(label=_("区分"), choices=Sector.choices)
    is_local = django_filters.ChoiceFilter(
        label=_("市内・市外"),
        choices=[("1", _("市内")), ("0", _("市外"))],
        method="filter_local",
    )
    study_group = django_filters.ModelChoiceFilter(
        label=_("研究会"),
        queryset=StudyGroup.objects.with_family().order_by("parent__order", "order", "name"),
        method="filter_study_group",
        widget=PlainSelect,
    )
    is_confirmed = django_filters.ChoiceFilter(
        label=_("確認状態"),
        choices=[("1", _("確認済み")), ("0", _("未確認"))],
        method="filter_confirmed",
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

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
