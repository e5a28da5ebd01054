"""Writes of the members app. Every write that is more than one save() lives here."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from .models import Organisation, Person


@transaction.atomic
def person_register(
    *,
    user: User,
    name: str,
    name_kana: str = "",
    department: str = "",
    organisation: Organisation | None = None,
    new_organisation_name: str = "",
    new_organisation_kana: str = "",
    new_organisation_sector: str = "",
    new_organisation_corporate_number: str = "",
) -> Person:
    """Create the Person behind a new account; a proposed organisation waits for staff."""
    if organisation is None:
        organisation = Organisation.objects.create(
            name=new_organisation_name,
            name_kana=new_organisation_kana,
            sector=new_organisation_sector,
            corporate_number=new_organisation_corporate_number or None,
            is_confirmed=False,
        )
    return Person.objects.create(
        user=user,
        name=name,
        name_kana=name_kana,
        email=user.email,
        department=department,
        organisation=organisation,
    )
