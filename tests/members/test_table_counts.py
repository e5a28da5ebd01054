"""The counts PostgreSQL keeps for the directory (migration members.0006_table_counts): exact
after every kind of write, and a rolled-back change leaves no trace."""

import pytest
from django.db import connection, transaction

from members.models import Organisation, StudyGroup
from members.querysets import GROUPS_VERSION_SQL, organisation_count
from tests.factories import OrganisationFactory, StudyGroupFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL keeps the counts (triggers)"
    ),
]


def version() -> str:
    with connection.cursor() as cursor:
        cursor.execute(GROUPS_VERSION_SQL)
        return cursor.fetchone()[0]


def test_the_organisation_count_follows_every_kind_of_write():
    assert organisation_count() == Organisation.objects.count()
    OrganisationFactory()
    Organisation.objects.bulk_create(
        [Organisation(name=f"一括登録{n}", name_kana=f"イッカツ{n}") for n in range(3)]
    )
    assert organisation_count() == Organisation.objects.count()
    Organisation.objects.filter(name__startswith="一括登録").delete()
    # A copy of each organisation in SQL that no Django code sees (unique columns changed).
    fields = [f for f in Organisation._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    values = ", ".join(
        ("NULL" if f.null else f"{f.column} || '２'") if f.unique else f.column for f in fields
    )
    table = Organisation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table}")
    assert organisation_count() == Organisation.objects.count()


def test_a_rolled_back_write_leaves_the_count_and_the_version_as_they_were():
    StudyGroupFactory()
    count, before = organisation_count(), version()
    with pytest.raises(RuntimeError), transaction.atomic():
        OrganisationFactory()
        StudyGroup.objects.update(name="取り消される名前")
        assert version() != before  # inside the transaction: the new rows, a new version
        raise RuntimeError
    assert organisation_count() == count and version() == before


def test_any_change_of_a_study_group_is_a_new_version():
    group = StudyGroupFactory()
    seen = {version()}
    StudyGroup.objects.filter(pk=group.pk).update(order=7)
    seen.add(version())
    StudyGroupFactory()
    seen.add(version())
    StudyGroup.objects.filter(pk=group.pk).delete()
    seen.add(version())
    assert len(seen) == 4
