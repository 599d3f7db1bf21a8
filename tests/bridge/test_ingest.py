"""Ingest is bulk: a call of a thousand disbursements costs the same queries as a call of ten."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridge.models import Disbursement
from tests.bridge.conftest import disbursement_message, envelope_message
from tests.bridge.factories import BenefitProgramFactory

pytestmark = pytest.mark.django_db


def test_creating_disbursements_takes_the_same_queries_for_ten_or_a_thousand(g2p, tenants):
    BenefitProgramFactory(mnemonic="OAP")
    g2p.post(
        "create_disbursement_envelope",
        envelope_message(
            number_of_disbursements=2000, number_of_beneficiaries=2000, total_disbursement_amount="20100.00"
        ),
    )

    def queries_for(numbers) -> int:
        items = [disbursement_message(n, amount=Decimal("10.00")) for n in numbers]
        with CaptureQueriesContext(connection) as captured:
            assert g2p.post("create_disbursements", items).json()["header"]["status"] == "succ"
        return len(captured)

    ten = queries_for(range(1, 11))
    thousand = queries_for(range(11, 1011))

    assert Disbursement.objects.count() == 1010
    # Inserts are split only by SQLite's cap on query parameters; PostgreSQL takes a thousand rows in one.
    assert thousand - ten <= 100
    assert thousand < 1000 / 10
