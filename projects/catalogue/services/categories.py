"""Writes of the catalogue's taxonomy (技術分野), which the secretariat keeps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from ..models import Category
from .entries import announce


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Create or rename a category; its entries are listed under the new name at once."""
    category.full_clean()
    category.save()
    announce(entry_ids=category.entries.values_list("pk", flat=True))
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete a category no entry uses. A category in use stays (the database protects it):
    move its entries to another category first."""
    in_use = category.entries.count()
    if in_use:
        raise ValidationError(
            _(
                "「%(name)s」には技術・製品が%(n)s件登録されているため削除できません。"
                "先に別の分野に移してください。"
            ),
            code="category_in_use",
            params={"name": category.name, "n": in_use},
        )
    try:
        category.delete()
    except ProtectedError:  # an entry was added meanwhile
        raise ValidationError(
            _("「%(name)s」は使われているため削除できません。"),
            code="category_in_use",
            params={"name": category.name},
        ) from None
