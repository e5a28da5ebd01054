"""Writes of calls (公募), city challenges (市の課題) and support kinds (支援の種類).

A call goes draft → published → closed; ``decided`` is set when the decisions are released
(``services.decisions``). Every write announces ``call_changed`` with the budget years it touched,
once the transaction commits, so reports recount those years.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ...signals import call_changed
from ..models import Call, CityChallenge, ReviewCriterion, SupportKind


class CallStatusError(ValidationError):
    """A transition the call's status does not allow (publish a closed call …)."""


def announce(*, fiscal_years: Iterable[int]) -> None:
    """Send ``call_changed`` for these budget years when the transaction commits."""
    years = {int(fy) for fy in fiscal_years if fy}
    if years:
        transaction.on_commit(lambda: call_changed.send(sender=Call, fiscal_years=years))


def _save_criteria(
    call: Call, criteria: Sequence[ReviewCriterion], deleted: Sequence[ReviewCriterion]
) -> None:
    for criterion in deleted:
        if criterion.pk and criterion.call_id == call.pk:
            if criterion.scores.exists():
                raise ValidationError(
                    _("審査項目「%(name)s」には評点があるため削除できません。"),
                    code="criterion_scored",
                    params={"name": criterion.name},
                )
            criterion.delete()
    for criterion in criteria:
        criterion.call = call
        criterion.full_clean()
        criterion.save()


def _check_published_has_criteria(call: Call) -> None:
    if call.status != Call.Status.DRAFT and not call.criteria.exists():
        raise ValidationError(_("公開した公募には審査項目が1つ以上必要です。"), code="no_criteria")


@transaction.atomic
def call_create(
    *,
    call: Call,
    support_kinds: Iterable[SupportKind],
    challenges: Iterable[CityChallenge],
    criteria: Sequence[ReviewCriterion] = (),
) -> Call:
    """Create a call as a draft with its support kinds, challenges and review criteria."""
    call.status = Call.Status.DRAFT
    call.full_clean()
    call.save()
    call.support_kinds.set(support_kinds)
    call.challenges.set(challenges)
    _save_criteria(call, criteria, ())
    announce(fiscal_years={call.fiscal_year})
    return call


@transaction.atomic
def call_update(
    *,
    call: Call,
    support_kinds: Iterable[SupportKind],
    challenges: Iterable[CityChallenge],
    criteria: Sequence[ReviewCriterion] = (),
    criteria_deleted: Sequence[ReviewCriterion] = (),
) -> Call:
    """Save a call's changes; ``criteria`` are new or changed criteria, ``criteria_deleted``
    those to remove (not if they have scores).

    Once an application has its number, the budget year and the number's code stay as they are:
    the numbers already sent out must keep naming this call. A published call keeps at least one
    criterion.
    """
    previous = Call.objects.select_for_update().get(pk=call.pk)
    renumbered = (previous.fiscal_year, previous.number_code) != (
        call.fiscal_year,
        call.number_code,
    )
    if renumbered and call.applications.exclude(number="").exists():
        raise ValidationError(
            _("受付番号を付けた応募があるため、予算年度と受付番号の記号は変更できません。"),
            code="numbered",
        )
    call.status = previous.status  # status changes only through publish / close / release
    call.full_clean()
    call.save()
    call.support_kinds.set(support_kinds)
    call.challenges.set(challenges)
    _save_criteria(call, criteria, criteria_deleted)
    _check_published_has_criteria(call)
    announce(fiscal_years={previous.fiscal_year, call.fiscal_year})
    return call


@transaction.atomic
def call_publish(*, call: Call) -> Call:
    """Open a draft call to the public. It needs review criteria and a valid period."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status != Call.Status.DRAFT:
        raise CallStatusError(_("下書きの公募だけを公開できます。"), code="not_draft")
    if not locked.criteria.exists():
        raise CallStatusError(
            _("審査項目が登録されていないため公開できません。先に審査項目を登録してください。"),
            code="no_criteria",
        )
    locked.full_clean()
    locked.status = Call.Status.PUBLISHED
    locked.save(update_fields=["status"])
    call.status = locked.status
    announce(fiscal_years={locked.fiscal_year})
    return locked


@transaction.atomic
def call_close(*, call: Call) -> Call:
    """Stop taking applications now, whatever the deadline says."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status != Call.Status.PUBLISHED:
        raise CallStatusError(_("公開中の公募だけを締め切れます。"), code="not_published")
    locked.status = Call.Status.CLOSED
    locked.save(update_fields=["status"])
    call.status = locked.status
    announce(fiscal_years={locked.fiscal_year})
    return locked


@transaction.atomic
def challenge_save(*, challenge: CityChallenge) -> CityChallenge:
    """Create or update a city challenge (its history is kept)."""
    challenge.full_clean()
    challenge.save()
    if challenge.pk:
        announce(fiscal_years=challenge.calls.values_list("fiscal_year", flat=True))
    return challenge


@transaction.atomic
def support_kind_save(*, support_kind: SupportKind) -> SupportKind:
    support_kind.full_clean()
    support_kind.save()
    return support_kind
