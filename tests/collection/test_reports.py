import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from collection.models import PgTransaction
from collection.selectors import ReportCriteria, collection_summary, online_transaction_summary
from collection.services.remittances import RemittanceInput, remittance_create
from core.models import Role
from tests.billing.factories import financial_year, raise_demand
from tests.collection.factories import bill_of
from tests.collection.receipt_factories import receipt_act, receipt_number, receipt_take

SUMMARY = reverse("collection:report-summary")
SUMMARY_CSV = reverse("collection:report-summary-csv")
REGISTER = reverse("collection:report-register")
REGISTER_CSV = reverse("collection:report-register-csv")
REMITTANCES = reverse("collection:report-remittances")
REMITTANCES_CSV = reverse("collection:report-remittances-csv")
ONLINE = reverse("collection:report-online")
ONLINE_CSV = reverse("collection:report-online-csv")
# 19:00 UTC on the 20th is half past midnight on the 21st in India.
LATE_ON_THE_20TH_UTC = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)
NOON_ON_THE_20TH_UTC = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
NOVEMBER = {"from_date": "2026-11-01", "to_date": "2026-11-30"}


@pytest.fixture
def approver(make_employee):
    return make_employee(Role.COLLECTION_APPROVER, "pb.amritsar")


@pytest.fixture
def signed_in(client, approver):
    client.force_login(approver)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_summary_by_service_counts_live_receipts_and_sets_closed_ones_apart(masters, signed_in):
    # given two water receipts (one cancelled) and an approved property-tax cheque
    receipt_take("WS-1", "240", at=NOON_ON_THE_20TH_UTC)
    receipt_act(receipt_take("WS-2", "180", at=NOON_ON_THE_20TH_UTC), "CANCEL", reason="wrong consumer")
    receipt_act(receipt_take("PT-1", "500", service="PT", mode="CHEQUE", at=NOON_ON_THE_20TH_UTC), "APPROVE")

    # when the approver groups November by service
    response = signed_in.get(SUMMARY, {**NOVEMBER, "group_by": "service"})

    # then each service shows what it collected, the cancelled receipt apart, and the totals
    assert response.status_code == 200
    rows = [
        (row["key"], row["receipts"], row["amount"], row["closed_receipts"], row["closed_amount"])
        for row in response.context["rows"]
    ]
    assert rows == [
        ("PT", 1, Decimal("500.00"), 0, Decimal("0.00")),
        ("WS", 1, Decimal("240.00"), 1, Decimal("180.00")),
    ]
    totals = response.context["totals"]
    assert (totals["receipts"], totals["amount"], totals["closed_amount"]) == (2, Decimal("740.00"), Decimal("180.00"))


def test_the_summary_by_day_counts_a_receipt_on_its_indian_day(masters):
    # given a receipt at noon on the 20th and one half past midnight on the 21st, Indian time
    receipt_take("WS-1", "240", at=NOON_ON_THE_20TH_UTC)
    receipt_take("WS-2", "90", at=LATE_ON_THE_20TH_UTC)

    # when November is summed by day
    rows = collection_summary(
        criteria=ReportCriteria(tenant_id="pb.amritsar", from_date=date(2026, 11, 1), to_date=date(2026, 11, 30)),
        group_by="day",
    )

    # then each falls on its own IST day
    assert [(row["key"], row["amount"]) for row in rows] == [
        (date(2026, 11, 20), Decimal("240.00")),
        (date(2026, 11, 21), Decimal("90.00")),
    ]


def test_the_date_range_takes_the_whole_of_its_last_indian_day_and_nothing_after(masters):
    # given receipts on the 20th and on the 21st (IST)
    receipt_take("WS-1", "240", at=NOON_ON_THE_20TH_UTC)
    receipt_take("WS-2", "90", at=LATE_ON_THE_20TH_UTC)

    # when a report ends on the 20th
    rows = collection_summary(
        criteria=ReportCriteria(tenant_id="pb.amritsar", from_date=date(2026, 11, 20), to_date=date(2026, 11, 20)),
        group_by="service",
    )

    # then only the 20th's receipt is in it
    assert [(row["key"], row["amount"]) for row in rows] == [("WS", Decimal("240.00"))]


def test_the_summary_is_one_grouped_query_however_many_receipts(masters, django_assert_num_queries):
    for number in range(6):
        if number % 2:
            receipt_take(f"WS-{number}", "240")
        else:
            receipt_take(f"BPA-{number}", "240", service="BPA", mode="DD")
    criteria = ReportCriteria(tenant_id="pb.amritsar")

    with django_assert_num_queries(1):
        rows = collection_summary(criteria=criteria, group_by="mode")

    assert [(row["key"], row["receipts"], row["amount"]) for row in rows] == [
        ("CASH", 3, Decimal("720.00")),
        ("DD", 3, Decimal("720.00")),
    ]


def test_the_summary_by_collector_names_who_took_the_money(masters, make_employee, signed_in):
    first, second = make_employee(Role.COLLECTION_OPERATOR), make_employee(Role.COLLECTION_OPERATOR)
    receipt_take("WS-1", "240", actor=first)
    receipt_take("WS-2", "100", actor=second)
    receipt_take("WS-3", "60", actor=second)

    response = signed_in.get(SUMMARY, {"group_by": "collector"})

    amounts = {row["label"]: row["amount"] for row in response.context["rows"]}
    assert amounts == {first.username: Decimal("240.00"), second.username: Decimal("160.00")}


def test_the_summary_chart_draws_a_bar_per_row_scaled_to_the_largest(masters, signed_in):
    receipt_take("WS-1", "400")
    receipt_take("PT-1", "100", service="PT", mode="CASH")

    response = signed_in.get(SUMMARY, {"group_by": "service"})

    bars = {bar["label"]: bar["width"] for bar in response.context["chart"]["bars"]}
    assert bars["WS"] == 4 * bars["PT"] > 0
    page = response.content.decode()
    assert page.count('class="chart-bar"') == 2
    assert "<script" not in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )


def test_the_summary_csv_has_a_line_per_row_with_exact_amounts(masters, signed_in):
    receipt_take("WS-1", "181", at=NOON_ON_THE_20TH_UTC)
    receipt_take("PT-1", "500", service="PT", mode="CASH", at=NOON_ON_THE_20TH_UTC)

    rows = csv_rows(signed_in.get(SUMMARY_CSV, {**NOVEMBER, "group_by": "service"}))

    assert rows == [
        ["Service", "Receipts", "Amount collected", "Receipts closed", "Amount closed"],
        ["PT", "1", "500.00", "0", "0.00"],
        ["WS", "1", "181.00", "0", "0.00"],
    ]


def test_another_citys_receipts_are_not_in_a_citys_report_but_are_in_its_states(masters, make_employee, client):
    receipt_take("WS-1", "240")
    receipt_take("WS-9", "70", tenant="pb.jalandhar")
    city = make_employee(Role.COLLECTION_APPROVER, "pb.amritsar")
    state = make_employee(Role.COLLECTION_APPROVER, "pb")

    client.force_login(city)
    city_totals = client.get(SUMMARY).context["totals"]
    client.force_login(state)
    state_totals = client.get(SUMMARY).context["totals"]

    assert city_totals["amount"] == Decimal("240.00")
    assert state_totals["amount"] == Decimal("310.00")


def test_only_a_collection_approver_opens_the_reports(masters, make_employee, client):
    client.force_login(make_employee(Role.COLLECTION_OPERATOR))

    for url in (SUMMARY, SUMMARY_CSV, REGISTER, REGISTER_CSV, ONLINE, ONLINE_CSV, REMITTANCES, REMITTANCES_CSV):
        assert client.get(url).status_code == 403, url


def test_a_range_ending_before_it_starts_is_refused_on_its_field_and_offers_no_download(masters, signed_in):
    response = signed_in.get(REGISTER, {"from_date": "2026-11-20", "to_date": "2026-11-01"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"to_date": ["To is before From."]}
    assert "Download CSV" not in response.content.decode()


def test_the_register_lists_the_ranges_receipts_oldest_first_with_their_status(masters, signed_in):
    first = receipt_take("WS-1", "240", at=NOON_ON_THE_20TH_UTC)
    second = receipt_act(receipt_take("WS-2", "90", at=LATE_ON_THE_20TH_UTC), "CANCEL", reason="duplicate")
    receipt_take("WS-3", "10", at=datetime(2026, 10, 30, 6, 0, tzinfo=UTC))

    response = signed_in.get(REGISTER, NOVEMBER)

    lines = [(receipt.receipt_number, receipt.payment.instrument_status) for receipt in response.context["page"]]
    assert lines == [(receipt_number(first), "APPROVED"), (receipt_number(second), "CANCELLED")]
    assert response.context["totals"] == {"receipts": 2, "amount": Decimal("330.00")}


def test_the_register_filters_by_status_and_pages(masters, signed_in, monkeypatch):
    monkeypatch.setattr("collection.views.reports.PAGE_SIZE", 2)
    for number in range(5):
        receipt_take(f"WS-{number}", "100")
    receipt_act(receipt_take("WS-9", "50"), "CANCEL", reason="mistake")

    first = signed_in.get(REGISTER, {"instrument_status": "APPROVED"})
    last = signed_in.get(REGISTER, {"instrument_status": "APPROVED", "page": 3})

    assert first.context["totals"]["receipts"] == 5
    assert [len(first.context["page"]), len(last.context["page"])] == [2, 1]
    assert "page=2" in first.content.decode()


def test_the_register_csv_has_every_receipt_with_exact_amounts(masters, signed_in, make_employee):
    collector = make_employee(Role.COLLECTION_OPERATOR)
    cash = receipt_take("WS-1", "181", actor=collector, at=NOON_ON_THE_20TH_UTC)
    cheque = receipt_take("PT-1", "500", service="PT", mode="CHEQUE", at=LATE_ON_THE_20TH_UTC)

    rows = csv_rows(signed_in.get(REGISTER_CSV, NOVEMBER))

    assert rows[0][0] == "Receipt number" and rows[0][-1] == "Amount paid"
    assert rows[1] == [
        receipt_number(cash),
        "20/11/2026 12:00",
        "WS",
        "WS-1",
        cash.details.get().bill.bill_number,
        "Gurpreet Kaur",
        "CASH",
        "",
        "APPROVED",
        collector.username,
        "181.00",
    ]
    assert rows[2][0] == receipt_number(cheque)
    assert (rows[2][1], rows[2][6], rows[2][7], rows[2][8], rows[2][10]) == (
        "21/11/2026 00:30",
        "CHEQUE",
        "000123",
        "APPROVAL_PENDING",
        "500.00",
    )
    assert len(rows) == 3


def test_the_remittances_report_shows_each_remittance_with_its_receipts_and_a_masked_account(masters, signed_in):
    first, second = receipt_take("WS-1", "240"), receipt_take("WS-2", "110")
    remittance = remittance_create(
        remittance=RemittanceInput(
            tenant_id="pb.amritsar",
            bank_account="SBIN000123456",
            receipt_numbers=[receipt_number(first), receipt_number(second)],
        ),
        actor=None,
    )

    page = signed_in.get(REMITTANCES)
    rows = csv_rows(signed_in.get(REMITTANCES_CSV))

    [row] = page.context["page"]
    assert (row.reference_number, row.receipts, row.total_amount) == (remittance.reference_number, 2, Decimal("350.00"))
    assert "SBIN000123456" not in page.content.decode() and "••••3456" in page.content.decode()
    assert page.context["totals"] == {"remittances": 1, "amount": Decimal("350.00")}
    assert rows[1][0] == remittance.reference_number
    assert rows[1][2:5] == ["••••3456", "2", remittance.voucher.number]
    assert rows[1][-1] == "350.00"


def test_the_approvers_home_page_offers_the_reports_and_the_remittance(masters, signed_in):
    page = signed_in.get(reverse("core:home")).content.decode()

    assert SUMMARY in page and reverse("collection:remittance-create") in page


def gateway_transaction(consumer: str, amount: str, status: str, at: datetime, tenant: str = "pb.amritsar"):
    """A pg-service transaction as the online-payment services leave it: a SUCCESS one with its ONLINE receipt."""
    payment = None
    if status == PgTransaction.Status.SUCCESS:
        payment = receipt_take(consumer, amount, service="BPA", mode="ONLINE", tenant=tenant, at=at)
        bill = payment.details.get().bill
    else:
        raise_demand(
            tenant=tenant,
            service="BPA",
            consumer=consumer,
            heads={"BPA_PERMIT_FEE": amount},
            period=financial_year(2026),
        )
        bill = bill_of(consumer=consumer, service="BPA", tenant=tenant)
    transaction = PgTransaction.objects.create(
        tenant_id=tenant,
        txn_id=f"PB_PG_{consumer}",
        txn_amount=Decimal(amount),
        bill=bill,
        business_service=bill.business_service,
        consumer_code=consumer,
        gateway="SIMPG",
        payer_name="Gurpreet Kaur",
        txn_status=status,
        txn_status_msg="" if status != PgTransaction.Status.FAILURE else "Declined by the payer",
        payment=payment,
    )
    PgTransaction.objects.filter(pk=transaction.pk).update(created_at=at)
    return transaction


def test_the_online_report_counts_transactions_by_status_and_lists_them_with_their_receipts(masters, signed_in):
    paid = gateway_transaction("BPA-1", "300", "SUCCESS", NOON_ON_THE_20TH_UTC)
    gateway_transaction("BPA-2", "150", "FAILURE", NOON_ON_THE_20TH_UTC)
    gateway_transaction("BPA-3", "90", "PENDING", LATE_ON_THE_20TH_UTC)
    gateway_transaction("BPA-4", "80", "SUCCESS", datetime(2026, 10, 30, 6, 0, tzinfo=UTC))
    gateway_transaction("BPA-9", "70", "SUCCESS", NOON_ON_THE_20TH_UTC, tenant="pb.jalandhar")

    response = signed_in.get(ONLINE, NOVEMBER)
    rows = csv_rows(signed_in.get(ONLINE_CSV, NOVEMBER))

    statuses = [(row["txn_status"], row["transactions"], row["amount"]) for row in response.context["statuses"]]
    assert statuses == [
        ("FAILURE", 1, Decimal("150.00")),
        ("PENDING", 1, Decimal("90.00")),
        ("SUCCESS", 1, Decimal("300.00")),
    ]
    assert [transaction.txn_id for transaction in response.context["page"]] == [
        "PB_PG_BPA-1",
        "PB_PG_BPA-2",
        "PB_PG_BPA-3",
    ]
    assert rows[0][0] == "Transaction id" and len(rows) == 4
    assert rows[1] == [
        "PB_PG_BPA-1",
        "20/11/2026 12:00",
        "BPA",
        "BPA-1",
        "SIMPG",
        "",
        "SUCCESS",
        "",
        paid.payment.details.get().receipt_number,
        "300.00",
    ]
    assert rows[2][6:8] == ["FAILURE", "Declined by the payer"]


def test_the_online_report_filters_by_status(masters, signed_in):
    gateway_transaction("BPA-1", "300", "SUCCESS", NOON_ON_THE_20TH_UTC)
    gateway_transaction("BPA-2", "150", "FAILURE", NOON_ON_THE_20TH_UTC)

    response = signed_in.get(ONLINE, {**NOVEMBER, "status": "FAILURE"})

    assert [transaction.txn_id for transaction in response.context["page"]] == ["PB_PG_BPA-2"]
    assert [row["txn_status"] for row in response.context["statuses"]] == ["FAILURE"]


def test_the_online_summary_is_one_grouped_query(masters, django_assert_num_queries):
    for number in range(4):
        gateway_transaction(f"BPA-{number}", "100", "FAILURE" if number % 2 else "PENDING", NOON_ON_THE_20TH_UTC)

    with django_assert_num_queries(1):
        rows = online_transaction_summary(tenant_id="pb.amritsar")

    assert [(row["txn_status"], row["transactions"], row["amount"]) for row in rows] == [
        ("FAILURE", 2, Decimal("200.00")),
        ("PENDING", 2, Decimal("200.00")),
    ]
