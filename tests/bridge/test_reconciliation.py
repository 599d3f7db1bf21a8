"""MT940 reconciliation: D lines pay, RD lines reverse, the amount is checked, anything else goes to review, a bad
line never fails the file, a file or block seen before changes nothing, and processing again changes nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridge.models import Disbursement, DisbursementRecon, EnvelopeStage, ReviewItem, Statement, StatementFile
from bridge.services.statements import statement_process, statement_reprocess
from tests.bridge.factories import BenefitProgramFactory, DisbursementFactory, EnvelopeFactory
from tests.bridge.statements import line, statement

pytestmark = pytest.mark.django_db

Status = Disbursement.Status


@pytest.fixture
def envelope(tenants):
    program = BenefitProgramFactory(mnemonic="OAP", sponsor_bank_account_number="500000000001")
    envelope = EnvelopeFactory(program=program, envelope_id="ENV-1")
    EnvelopeStage.objects.filter(envelope=envelope, stage="DISPATCH").update(status="DONE")
    EnvelopeStage.objects.filter(envelope=envelope, stage="RECONCILE").update(status="PENDING")
    return envelope


@pytest.fixture
def shipped(envelope):
    return [
        DisbursementFactory(
            envelope=envelope, disbursement_id=f"D-{n}", amount=Decimal("200.00"), status=Status.SHIPPED
        )
        for n in range(1, 4)
    ]


@pytest.fixture
def upload(g2p, django_capture_on_commit_callbacks):
    """Upload through /upload_mt940 and run the processing the upload queues."""

    def send(content: bytes, **data):
        with django_capture_on_commit_callbacks(execute=True):
            response = g2p.upload(content, **data)
        return response

    return send


def status_of(disbursement_id: str) -> str:
    return Disbursement.objects.get(disbursement_id=disbursement_id).status


def reasons() -> list[str]:
    return sorted(ReviewItem.objects.values_list("reason", flat=True))


def test_a_debit_line_marks_its_disbursement_paid_with_a_recon_record(shipped, upload):
    response = upload(statement([line("D", "D-1", "200.00", bank_reference="SB-REF-1")]))

    recon = DisbursementRecon.objects.get()
    assert response.json()["header"]["status"] == "succ"
    assert status_of("D-1") == Status.PAID
    assert recon.disbursement.disbursement_id == "D-1"
    assert recon.remittance_reference_number == "SB-REF-1"
    assert recon.remittance_amount == Decimal("200.00")
    assert recon.remittance_entry_sequence == 1
    assert recon.beneficiary_name_from_bank == "Beneficiary"
    assert str(recon.remittance_statement.statement_id) == response.json()["message"]


def test_a_returned_payment_is_reversed_with_the_banks_reason(shipped, upload):
    upload(statement([line("D", "D-1", "200.00"), line("RD", "D-1", "200.00", reason="ACCOUNT_CLOSED")]))

    recon = DisbursementRecon.objects.get()
    disbursement = Disbursement.objects.get(disbursement_id="D-1")
    assert disbursement.status == Status.REVERSED
    assert disbursement.failure_code == "ACCOUNT_CLOSED"
    assert (recon.reversal_found, recon.reversal_reason, recon.reversal_entry_sequence) == (True, "ACCOUNT_CLOSED", 2)


def test_a_reversal_in_a_later_statement_reverses_an_earlier_payment(shipped, upload):
    upload(statement([line("D", "D-1", "200.00")], reference="ST-1"))

    upload(statement([line("RD", "D-1", "200.00", reason="ACCOUNT_DORMANT")], reference="ST-2", number=2))

    recon = DisbursementRecon.objects.get()
    assert status_of("D-1") == Status.REVERSED
    assert recon.reversal_statement_id != recon.remittance_statement_id
    assert recon.reversal_reason == "ACCOUNT_DORMANT"


def test_a_line_whose_amount_differs_goes_to_review_and_pays_nothing(shipped, upload):
    upload(statement([line("D", "D-1", "199.99")]))

    item = ReviewItem.objects.get()
    assert item.reason == ReviewItem.Reason.AMOUNT_MISMATCH
    assert item.disbursement.disbursement_id == "D-1"
    assert "199.99" in item.detail
    assert status_of("D-1") == Status.SHIPPED
    assert not DisbursementRecon.objects.exists()


def test_a_line_naming_no_disbursement_goes_to_review(shipped, upload):
    upload(statement([line("D", "D-404", "200.00")]))

    assert reasons() == [ReviewItem.Reason.INVALID_DISBURSEMENT_ID]
    assert ReviewItem.objects.get().reference == "D-404"


def test_a_payment_twice_on_the_statements_is_a_duplicate(shipped, upload):
    upload(statement([line("D", "D-1", "200.00"), line("D", "D-1", "200.00", bank_reference="SB2")]))

    assert reasons() == [ReviewItem.Reason.DUPLICATE_DISBURSEMENT]
    assert DisbursementRecon.objects.count() == 1


def test_a_reversal_of_a_payment_never_seen_is_invalid(shipped, upload):
    upload(statement([line("RD", "D-1", "200.00", reason="ACCOUNT_CLOSED")]))

    assert reasons() == [ReviewItem.Reason.INVALID_REVERSAL]
    assert status_of("D-1") == Status.SHIPPED


def test_a_reversal_twice_is_a_duplicate_reversal(shipped, upload):
    upload(
        statement(
            [
                line("D", "D-1", "200.00"),
                line("RD", "D-1", "200.00", reason="ACCOUNT_CLOSED"),
                line("RD", "D-1", "200.00", reason="ACCOUNT_CLOSED", bank_reference="SB2"),
            ]
        )
    )

    assert reasons() == [ReviewItem.Reason.DUPLICATE_REVERSAL]


def test_credit_lines_go_to_review(shipped, upload):
    upload(statement([line("C", "FUNDING", "5000.00"), line("D", "D-1", "200.00")]))

    assert reasons() == [ReviewItem.Reason.UNEXPECTED_CREDIT]
    assert status_of("D-1") == Status.PAID


def test_a_payment_never_sent_to_the_bank_goes_to_review(envelope, upload):
    DisbursementFactory(envelope=envelope, disbursement_id="D-9", status=Status.RESOLVED)

    upload(statement([line("D", "D-9", "200.00")]))

    assert reasons() == [ReviewItem.Reason.NOT_SHIPPED]
    assert status_of("D-9") == Status.RESOLVED


def test_a_statement_of_an_account_of_no_program_is_kept_for_review(shipped, upload):
    upload(statement([line("D", "D-1", "200.00")], account="999999999999"))

    item = ReviewItem.objects.get()
    assert item.reason == ReviewItem.Reason.INVALID_ACCOUNT_NUMBER
    assert "9999" in item.detail and "999999999999" not in item.detail
    assert status_of("D-1") == Status.SHIPPED
    assert Statement.objects.get().status == Statement.Status.PROCESSED


def test_a_block_that_does_not_balance_is_flagged(shipped, upload):
    upload(statement([line("D", "D-1", "200.00")], closing="99999.00"))

    statement_row = Statement.objects.get()
    assert reasons() == [ReviewItem.Reason.BALANCE_MISMATCH]
    assert statement_row.unbalanced_block_count == 1
    assert status_of("D-1") == Status.PAID


def test_a_balanced_statement_reports_its_blocks_balanced(shipped, upload):
    upload(statement([line("D", "D-1", "200.00"), line("D", "D-2", "200.00")]))

    block = Statement.objects.get().blocks.get()
    assert block.balance_ok is True
    assert block.opening_balance + block.entries_total == block.closing_balance


def test_a_bad_line_is_reviewed_and_the_rest_of_the_file_still_pays(shipped, upload):
    content = statement([line("D", "D-1", "200.00"), line("D", "D-2", "200.00")])

    upload(content.replace(b":61:2611201120D200,00NTRFD-2", b":61:NOT A LINE"))

    assert status_of("D-1") == Status.PAID
    assert ReviewItem.objects.filter(reason=ReviewItem.Reason.UNREADABLE_ENTRY, entry_sequence=2).exists()
    assert Statement.objects.get().unreadable_count == 1


def test_the_same_file_twice_is_refused_and_changes_nothing(shipped, upload):
    content = statement([line("D", "D-1", "200.00"), line("RD", "D-1", "200.00", reason="ACCOUNT_CLOSED")])
    upload(content)

    again = upload(content).json()

    assert again["header"]["status_reason_code"] == "STATEMENT_UPLOAD_ERROR"
    assert "DUPLICATE_FILE" in again["header"]["status_reason_detail"]
    assert Statement.objects.count() == 1
    assert DisbursementRecon.objects.filter(reversal_found=True).count() == 1


def test_a_statement_seen_before_in_another_file_is_not_counted_twice(shipped, upload):
    content = statement([line("D", "D-1", "200.00"), line("RD", "D-1", "200.00", reason="ACCOUNT_CLOSED")])
    upload(content)

    upload(content + b"\r\n")

    second = Statement.objects.order_by("id").last()
    assert second.repeated_block_count == 1
    assert ReviewItem.objects.get().reason == ReviewItem.Reason.REPEATED_STATEMENT
    assert DisbursementRecon.objects.count() == 1
    assert status_of("D-1") == Status.REVERSED


def test_processing_a_statement_again_changes_nothing(shipped, upload, django_capture_on_commit_callbacks):
    upload(
        statement(
            [line("D", "D-1", "200.00"), line("RD", "D-1", "200.00", reason="ACCOUNT_CLOSED"), line("D", "D-404", "5")]
        )
    )
    first = Statement.objects.values().get()
    counts = (DisbursementRecon.objects.count(), ReviewItem.objects.count(), Statement.objects.get().blocks.count())

    with django_capture_on_commit_callbacks(execute=True):
        statement_reprocess(statement=Statement.objects.get(), actor=None)

    again = Statement.objects.values().get()
    assert again["status"] == Statement.Status.PROCESSED
    assert again["attempts"] == 1
    assert {k: again[k] for k in ("remittance_count", "reversal_count", "review_count", "entry_count")} == {
        k: first[k] for k in ("remittance_count", "reversal_count", "review_count", "entry_count")
    }
    assert (DisbursementRecon.objects.count(), ReviewItem.objects.count(), Statement.objects.get().blocks.count()) == (
        counts
    )
    assert status_of("D-1") == Status.REVERSED


def test_reconciliation_ends_when_every_shipped_payment_is_on_a_statement(envelope, shipped, upload):
    upload(statement([line("D", "D-1", "200.00"), line("D", "D-2", "200.00")]))
    assert EnvelopeStage.objects.get(envelope=envelope, stage="RECONCILE").status == "PENDING"

    upload(statement([line("D", "D-3", "200.00")], reference="ST-2", number=2))

    assert EnvelopeStage.objects.get(envelope=envelope, stage="RECONCILE").status == "DONE"


def test_the_uploaded_file_is_kept_byte_for_byte(shipped, upload):
    content = statement([line("D", "D-1", "200.00")])

    upload(content)

    assert bytes(StatementFile.objects.get().content) == content


def test_disbursement_status_carries_the_recon_and_error_records(g2p, shipped, upload):
    upload(statement([line("D", "D-1", "200.00"), line("RD", "D-1", "200.00", reason="ACCOUNT_CLOSED")]))
    upload(statement([line("D", "D-1", "200.00", bank_reference="SB9")], reference="ST-2", number=2))

    item = g2p.post("get_disbursement_status", ["D-1"]).json()["message"][0]

    records = item["disbursement_recon_records"]
    assert item["status"] == "REVERSED"
    assert records["disbursement_recon_payloads"][0]["reversal_found"] is True
    assert records["disbursement_recon_payloads"][0]["reversal_reason"] == "ACCOUNT_CLOSED"
    assert [error["error_reason"] for error in records["disbursement_error_recon_payloads"]] == [
        "DUPLICATE_DISBURSEMENT"
    ]


def test_reconciliation_queries_do_not_grow_with_the_lines(envelope, g2p, django_capture_on_commit_callbacks):
    def queries_for(count: int, first: int, reference: str) -> int:
        numbers = range(first, first + count)
        Disbursement.objects.bulk_create(
            DisbursementFactory.build(
                envelope=envelope, disbursement_id=f"Q-{n}", amount=Decimal("10.00"), status=Status.SHIPPED
            )
            for n in numbers
        )
        lines = [line("D", f"Q-{n}", "10.00") for n in numbers]
        lines += [line("RD", f"Q-{n}", "10.00", reason="ACCOUNT_CLOSED") for n in numbers[::3]]
        lines += [line("D", f"UNKNOWN-{n}", "10.00") for n in numbers[::5]]
        with django_capture_on_commit_callbacks(execute=False):
            g2p.upload(statement(lines, reference=reference))
        with CaptureQueriesContext(connection) as captured:
            statement_process(statement_pk=Statement.objects.order_by("id").last().pk)
        return len(captured)

    few = queries_for(10, 1, "ST-A")
    many = queries_for(600, 1000, "ST-B")

    assert Disbursement.objects.filter(status=Status.PAID).count() == 6 + 400
    # Bulk writes only: the few extra queries are inserts split by SQLite's cap on query parameters.
    assert many - few <= 20
