"""Writes of the brands and certifications the secretariat grants (認定・ブランド).

Staff define the awards (a city brand, a low-CO2 brand and its 大賞) and grant one to a
published catalogue entry in a fiscal year; an entry holds each award once. A grant can be
withdrawn (a mistake, a certification revoked); an award nobody holds can be deleted. Every
change sends ``award_changed`` with the fiscal years it touched, and ``catalogue_changed`` for
the entries whose page shows the award, once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from consortium.fiscal import current_fiscal_year, fiscal_label

from ...signals import award_changed
from ..models import Award, AwardGrant, Entry, EntryStatus
from .entries import _check_staff, announce, lock

# The first fiscal year a grant may be recorded in: the city brands of the seeds began in the
# Heisei era; older history is not kept here.
FIRST_AWARD_YEAR = 1989
GRANTABLE = (EntryStatus.PUBLISHED, EntryStatus.ARCHIVED)


def _announce(*, fiscal_years: Iterable[int], entry_ids: Iterable[int]) -> None:
    years = {int(year) for year in fiscal_years}
    if years:
        transaction.on_commit(lambda: award_changed.send(sender=AwardGrant, fiscal_years=years))
    announce(entry_ids=entry_ids)


@transaction.atomic
def award_save(*, award: Award, saved_by: User) -> Award:
    """Create or rename an award; the entries holding it show the new name at once."""
    _check_staff(saved_by)
    if award.parent_id and award.pk and award.parent_id == award.pk:
        raise ValidationError({"parent": _("自分自身を上位の認定にはできません。")})
    if award.parent_id and Award.objects.filter(pk=award.parent_id, parent__isnull=False).exists():
        raise ValidationError(
            {"parent": _("上位の認定には、ほかの認定の中の賞ではない認定を選んでください。")}
        )
    if award.pk and award.parent_id and award.children.exists():
        raise ValidationError(
            {"parent": _("この認定の中に賞があるため、ほかの認定の中には入れられません。")}
        )
    award.full_clean()
    award._history_user = saved_by
    award.save()
    grants = AwardGrant.objects.filter(award=award).values_list("fiscal_year", "entry_id")
    _announce(fiscal_years={y for y, _e in grants}, entry_ids={e for _y, e in grants})
    return award


@transaction.atomic
def award_delete(*, award: Award, deleted_by: User) -> None:
    """Delete an award nobody holds and that holds no prize; otherwise it stays and says why."""
    _check_staff(deleted_by)
    held = award.grants.count()
    if held or award.children.exists():
        raise ValidationError(
            _(
                "「%(name)s」は%(n)s件の技術・製品に付与されているか、中に賞があるため"
                "削除できません。先に付与を取り消してください。"
            ),
            code="award_in_use",
            params={"name": award.name, "n": held},
        )
    try:
        award.delete()
    except ProtectedError:  # granted meanwhile
        raise ValidationError(
            _("「%(name)s」は使われているため削除できません。"),
            code="award_in_use",
            params={"name": award.name},
        ) from None


def check_fiscal_year(fiscal_year: int) -> None:
    last = current_fiscal_year()
    if not FIRST_AWARD_YEAR <= fiscal_year <= last:
        raise ValidationError(
            {
                "fiscal_year": _("認定年度は%(first)sから%(last)sまでの年度を選んでください。")
                % {
                    "first": fiscal_label(FIRST_AWARD_YEAR),
                    "last": fiscal_label(last),
                }
            }
        )


@transaction.atomic
def award_grant(
    *, award: Award, entry: Entry, fiscal_year: int, granted_by: User, note: str = ""
) -> AwardGrant:
    """Grant ``award`` to a published (or since archived) entry in ``fiscal_year``. The entry
    holds each award once: a second grant is refused, naming the year of the first."""
    _check_staff(granted_by)
    current = lock(entry)
    if current.status not in GRANTABLE:
        raise ValidationError(
            _("認定は公開中（または公開を終了した）技術・製品にだけ付与できます。"),
            code="entry_not_published",
        )
    check_fiscal_year(fiscal_year)
    existing = AwardGrant.objects.filter(award=award, entry=current).first()
    if existing is not None:
        raise ValidationError(
            _("「%(award)s」は%(year)sに付与済みです。"),
            code="award_already_granted",
            params={"award": award.label, "year": fiscal_label(existing.fiscal_year)},
        )
    grant = AwardGrant(
        award=award, entry=current, fiscal_year=fiscal_year, note=note, granted_by=granted_by
    )
    grant.full_clean(validate_unique=False)
    grant._history_user = granted_by
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:  # the same grant from a second tab at the same moment
        raise ValidationError(
            _("「%(award)s」はすでに付与されています。"),
            code="award_already_granted",
            params={"award": award.label},
        ) from None
    _announce(fiscal_years={fiscal_year}, entry_ids={current.pk})
    return grant


@transaction.atomic
def award_revoke(*, grant: AwardGrant, revoked_by: User) -> None:
    """Withdraw a grant (kept in the history)."""
    _check_staff(revoked_by)
    current = AwardGrant.objects.select_for_update().filter(pk=grant.pk).first()
    if current is None:  # withdrawn meanwhile: nothing left to do
        return
    current._history_user = revoked_by
    year, entry_id = current.fiscal_year, current.entry_id
    current.delete()
    _announce(fiscal_years={year}, entry_ids={entry_id})
