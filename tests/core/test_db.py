from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import DemandDetail
from billing.services.masters import billing_masters_seed
from core.db import CommitPipeline, relation_loaded, rows_update
from core.models import IdSequence, Tenant
from tests.billing.factories import raise_demand
from tests.core.factories import TenantFactory


def sequences(tenant: Tenant, count: int) -> list[IdSequence]:
    return [IdSequence.objects.create(tenant=tenant, name=f"SEQ_{n}", last_value=n) for n in range(count)]


def test_rows_update_writes_each_row_its_own_values_in_one_statement(db):
    # given three sequences
    rows = sequences(TenantFactory(code="pb"), 3)

    # when each is given a value of its own
    for row, value in zip(rows, (40, 7, 1_000_000_000_001), strict=True):
        row.last_value = value
    with CaptureQueriesContext(connection) as queries:
        updated = rows_update(rows, ["last_value"])

    # then one statement stored every value
    assert updated == 3
    assert len(queries.captured_queries) == 1
    stored = dict(IdSequence.objects.values_list("name", "last_value"))
    assert stored == {"SEQ_0": 40, "SEQ_1": 7, "SEQ_2": 1_000_000_000_001}


def test_rows_update_leaves_other_rows_and_other_fields_alone(db):
    # given two sequences in two periods
    first, second = sequences(TenantFactory(code="pb"), 2)

    # when only the first one's value is written, after its period changed in memory only
    first.last_value, first.period = 99, "2030-31"
    rows_update([first], ["last_value"])

    # then the second is untouched and the first's period is what was stored before
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.last_value, first.period) == (99, "")
    assert second.last_value == 1


def test_rows_update_keeps_decimal_places_and_stamps_auto_now(tenants):
    # given a demand's details, last modified a day ago
    billing_masters_seed(state_id="pb")
    demand = raise_demand(heads={"10101": "240", "10102": "60"})
    details = list(DemandDetail.objects.filter(demand=demand).order_by("pk"))
    DemandDetail.objects.filter(pk__in=[d.pk for d in details]).update(modified_at=timezone.now() - timedelta(days=1))
    before = timezone.now()

    # when a collection with paise is written
    details[0].collection_amount = Decimal("10.55")
    rows_update(details[:1], ["collection_amount", "modified_at"])

    # then the amount is exact and the row is stamped now
    stored = DemandDetail.objects.get(pk=details[0].pk)
    assert stored.collection_amount == Decimal("10.55")
    assert stored.modified_at >= before


def test_rows_update_of_no_rows_runs_no_statement(db):
    with CaptureQueriesContext(connection) as queries:
        assert rows_update([], ["last_value"]) == 0
    assert queries.captured_queries == []


def test_a_loaded_relation_answers_its_rows_without_a_query(db):
    # given a state whose cities are in hand
    state = TenantFactory(code="pb")
    cities = [TenantFactory(code="pb.amritsar"), TenantFactory(code="pb.jalandhar")]
    relation_loaded(state, "cities", cities)

    # when its cities are listed, then the rows in hand are answered and nothing is read
    with CaptureQueriesContext(connection) as queries:
        assert list(state.cities.all()) == cities
    assert queries.captured_queries == []


def pipeline_on() -> bool:
    return connection.connection.pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_commit_pipeline_sends_the_last_statement_with_the_commit_and_answers_after_it(tenants):
    # given the outermost transaction, opened in a commit pipeline
    with CommitPipeline() as commit, transaction.atomic():
        IdSequence.objects.create(tenant_id="pb.amritsar", name="SEQ_A", last_value=1)
        # when its last statement is sent
        commit.enter()
        sent_in_pipeline = pipeline_on()
        cursor = connection.cursor()
        cursor.execute('UPDATE "core_idsequence" SET "last_value" = "last_value" + 1 RETURNING "last_value"')

    # then it went without waiting for its answer, which is read once the transaction has committed
    assert sent_in_pipeline
    assert not pipeline_on()
    assert cursor.fetchall() == [(2,)]
    assert IdSequence.objects.get(name="SEQ_A").last_value == 2


@pytest.mark.postgres
def test_commit_pipeline_inside_a_callers_transaction_changes_nothing(tenants):
    # given a commit pipeline opened inside a transaction that is not its to commit
    with CommitPipeline() as commit, transaction.atomic():
        # when its last statement is sent
        commit.enter()

        # then statements are sent and answered one by one as ever
        assert not pipeline_on()
        assert Tenant.objects.filter(code="pb.amritsar").exists()
