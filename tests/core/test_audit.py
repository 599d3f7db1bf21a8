from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from core.models import AuditEvent, Role
from core.services.audit import audit_record
from tests.core.factories import ApiClientFactory


@pytest.fixture
def assignment(make_employee):
    """A row that belongs to the city pb.amritsar."""
    return make_employee(role=Role.COLLECTION_OPERATOR, tenant="pb.amritsar").role_assignments.get()


def test_event_records_the_actor_and_their_username(assignment, make_employee):
    # given an approver acting on a row
    approver = make_employee(role=Role.COLLECTION_APPROVER, username="approver1")

    # when the change is recorded
    event = audit_record(actor=approver, entity=assignment, action="APPROVE")

    # then the trail names the approver by row and by username
    event.refresh_from_db()
    assert event.actor == approver
    assert event.actor_name == "approver1"


def test_event_without_an_actor_is_recorded_as_the_system(assignment):
    # given scheduled work with no user behind it
    # when the change is recorded
    event = audit_record(actor=None, entity=assignment, action="EXPIRE")

    # then the trail says the system did it
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_name == "system"


def test_event_by_an_anonymous_user_is_recorded_as_the_system(assignment):
    # given a request nobody signed in to
    # when the change is recorded
    event = audit_record(actor=AnonymousUser(), entity=assignment, action="EXPIRE")

    # then no user row is linked and the trail says the system did it
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_name == "system"


def test_event_takes_the_tenant_from_the_entity(assignment):
    # given a row of pb.amritsar
    # when its change is recorded without a tenant
    event = audit_record(actor=None, entity=assignment, action="CHANGE")

    # then the event belongs to pb.amritsar
    event.refresh_from_db()
    assert event.tenant_id == "pb.amritsar"


def test_explicit_tenant_overrides_the_entity_tenant(assignment):
    # given a row of pb.amritsar whose change concerns pb.jalandhar
    # when the change is recorded for pb.jalandhar
    event = audit_record(actor=None, entity=assignment, action="CHANGE", tenant_id="pb.jalandhar")

    # then the event belongs to pb.jalandhar
    event.refresh_from_db()
    assert event.tenant_id == "pb.jalandhar"


def test_event_for_an_entity_without_a_tenant_has_none(db):
    # given an API client, which belongs to no tenant
    client = ApiClientFactory(client_id="integrator")

    # when its change is recorded
    event = audit_record(actor=None, entity=client, action="DISABLE")

    # then the event has no tenant
    event.refresh_from_db()
    assert event.tenant_id is None


def test_event_names_the_entity_by_type_label_and_id(assignment):
    # given a role assignment
    # when its change is recorded
    event = audit_record(actor=None, entity=assignment, action="CHANGE")

    # then the event names the model label and the primary key as text
    event.refresh_from_db()
    assert event.entity_type == "core.roleassignment"
    assert event.entity_id == str(assignment.pk)


def test_event_records_the_transition_reason_address_and_data(assignment):
    # given a transition with a reason, a caller address and details
    # when it is recorded
    event = audit_record(
        actor=None,
        entity=assignment,
        action="REVOKE",
        from_state="ACTIVE",
        to_state="REVOKED",
        reason="Left the department",
        source_ip="203.0.113.7",
        data={"role": "COLLECTION_OPERATOR", "count": 2},
    )

    # then every part of it is stored
    event.refresh_from_db()
    assert event.action == "REVOKE"
    assert (event.from_state, event.to_state) == ("ACTIVE", "REVOKED")
    assert event.reason == "Left the department"
    assert event.source_ip == "203.0.113.7"
    assert event.data == {"role": "COLLECTION_OPERATOR", "count": 2}


def test_event_data_keeps_decimal_amounts_exactly_as_text(assignment):
    # given details that carry a Decimal amount
    # when the change is recorded
    event = audit_record(actor=None, entity=assignment, action="PAY", data={"amount": Decimal("1250.50")})

    # then the amount is stored as its exact text
    event.refresh_from_db()
    assert event.data == {"amount": "1250.50"}


def test_event_without_data_stores_an_empty_object(assignment):
    # given a change with no details
    # when it is recorded
    event = audit_record(actor=None, entity=assignment, action="CHANGE")

    # then the data is an empty object
    event.refresh_from_db()
    assert event.data == {}


def test_event_rolls_back_with_the_change_it_records(assignment):
    # given a change that fails after its event was recorded
    before = AuditEvent.objects.count()

    # when the transaction rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, entity=assignment, action="CHANGE")
        raise RuntimeError("the change failed")

    # then no event outlives the change
    assert AuditEvent.objects.count() == before
