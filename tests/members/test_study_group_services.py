"""The study-group writes behind the secretariat's pages (``members.services``)."""

from members import services
from members.models import StudyGroup
from members.signals import study_group_changed
from tests.factories import StudyGroupFactory


def test_a_new_study_group_is_saved_from_the_forms_fields(db):
    group = services.study_group_save(
        group=StudyGroup(), fields={"name": "水素研究会", "applications_open": False, "order": 3}
    )
    group.refresh_from_db()
    assert (group.name, group.applications_open, group.order) == ("水素研究会", False, 3)


def test_moving_a_subcommittee_to_another_parent_tells_the_reports(db):
    old_parent, new_parent = StudyGroupFactory(), StudyGroupFactory()
    sub = StudyGroupFactory(parent=old_parent)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    study_group_changed.connect(receiver)
    try:
        services.study_group_save(group=sub, fields={"parent": new_parent})
    finally:
        study_group_changed.disconnect(receiver)
    assert received[-1]["study_group_id"] == sub.pk
    assert received[-1]["parent_ids"] == {old_parent.pk, new_parent.pk}


def test_toggling_applications_flips_what_is_stored_not_what_the_page_read(db):
    group = StudyGroupFactory(applications_open=True)
    stale = StudyGroup.objects.get(pk=group.pk)
    services.study_group_toggle_applications(group=group)  # closed
    services.study_group_toggle_applications(group=stale)  # read while open: opens again
    group.refresh_from_db()
    assert group.applications_open is True
