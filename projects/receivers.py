"""Subscriptions of the projects app to the members app's domain signals.

The catalogue's search text holds the organisation's name (``Entry.build_search_text``): when
an organisation is renamed (``organisation_changed``), its entries are found under the new name.
"""

from __future__ import annotations

from django.dispatch import receiver

from members.signals import organisation_changed

from .catalogue.services.entries import entry_search_text_refresh


@receiver(organisation_changed, dispatch_uid="projects.catalogue_search_text")
def organisation_changed_in(sender, organisation_id=None, **kwargs) -> None:
    if organisation_id:
        entry_search_text_refresh(organisation_id=organisation_id)
