"""Subscriptions of the projects app to the members app's domain signals.

The catalogue's search text holds the organisation's name (``Entry.build_search_text``): when
an organisation is renamed (``organisation_changed``), its entries are found under the new name.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import receiver

from members.signals import organisation_changed

from .catalogue.services.entries import entry_search_text_refresh


@receiver(organisation_changed, dispatch_uid="projects.catalogue_search_text")
def organisation_changed_in(
    sender: object,
    organisation_id: int | None = None,
    organisation_ids: Iterable[int] = (),
    **kwargs: object,
) -> None:
    if organisation_id or organisation_ids:
        entry_search_text_refresh(
            organisation_id=organisation_id, organisation_ids=organisation_ids
        )
