"""Reads of the catalogue (技術・製品・サービス一覧), above all *who may see what*.

- Everybody, signed in or not, sees published entries (``Entry.objects.public()``), their images
  and brochures.
- A person of an approved organisation also sees every entry of their own organisation, drafts,
  submitted, sent-back and archived ones included; another organisation's unpublished entry is a
  404.
- Secretariat staff and administrators see everything.

Who may change an entry (``editable_by``) is the entry's organisation's people and staff; which
status allows which change is the services' rule (``services.may_change``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from members import roles


class EntryQuerySet(models.QuerySet):
    def public(self) -> EntryQuerySet:
        """Published entries: what the public catalogue lists."""
        return self.filter(status="published")

    def of_organisation(self, organisation_id: int | None) -> EntryQuerySet:
        if not organisation_id:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    def visible_to(self, user) -> EntryQuerySet:
        """Staff all; a person of an organisation their organisation's and published ones;
        anyone else the published ones."""
        if roles.is_secretariat(user):
            return self
        organisation_id = roles.organisation_id_of(user)
        if not organisation_id:
            return self.public()
        return self.filter(Q(status="published") | Q(organisation_id=organisation_id))

    def editable_by(self, user) -> EntryQuerySet:
        """Entries ``user`` may act on at all: staff every one, a person their organisation's."""
        if roles.is_secretariat(user):
            return self
        return self.of_organisation(roles.organisation_id_of(user))

    def submitted(self) -> EntryQuerySet:
        """The review queue: entries waiting for staff."""
        return self.filter(status="submitted")
