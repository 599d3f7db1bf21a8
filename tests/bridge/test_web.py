"""The bridge operator's pages: envelopes with their stages, statement upload and its result, the review queue."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bridge.models import Disbursement, EnvelopeStage, ReviewItem, Statement
from core.models import AuditEvent, Role
from tests.bridge.factories import BenefitProgramFactory, DisbursementFactory, EnvelopeFactory
from tests.bridge.statements import line, statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_employee, client):
    user = make_employee(role=Role.BRIDGE_OPERATOR)
    client.force_login(user)
    return user


@pytest.fixture
def envelope(tenants):
    program = BenefitProgramFactory(mnemonic="OAP", sponsor_bank_account_number="500000000001")
    envelope = EnvelopeFactory(program=program, envelope_id="ENV-WEB")
    for n in range(1, 4):
        DisbursementFactory(envelope=envelope, disbursement_id=f"D-{n}", status=Disbursement.Status.SHIPPED)
    EnvelopeStage.objects.filter(envelope=envelope).update(status="DONE")
    EnvelopeStage.objects.filter(envelope=envelope, stage="RECONCILE").update(status="PENDING")
    return envelope


def upload(client, content: bytes, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            "/bridge/statements/",
            {"statement_file": SimpleUploadedFile("nov.sta", content), "encoding": "", **extra},
        )


def test_an_employee_without_the_bridge_role_is_refused(client, make_employee):
    client.force_login(make_employee(role=Role.COLLECTION_OPERATOR))

    assert client.get("/bridge/").status_code == 403
    assert client.get("/bridge/review/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/bridge/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_operator_sees_the_bridge_cards_at_home(client, operator):
    page = client.get("/").content.decode()

    assert "Benefit disbursements" in page
    assert "Statement review queue" in page


def test_the_envelope_list_shows_each_envelope_with_its_counts(client, operator, envelope):
    page = client.get("/bridge/").content.decode()

    assert "ENV-WEB" in page
    assert "OAP" in page


def test_the_envelope_page_shows_a_progress_bar_per_stage(client, operator, envelope):
    page = client.get(f"/bridge/envelopes/{envelope.pk}/").content.decode()

    for label in ("Resolve accounts", "Check funds", "Block funds", "Disburse", "Reconcile"):
        assert label in page
    assert page.count('role="progressbar"') == 5
    assert "Waiting for the bank's statement." in page
    assert envelope.program.sponsor_bank_account_number not in page
    assert "••••0001" in page


def test_an_error_is_shown_with_its_reason_and_a_retry_button(client, operator, envelope):
    EnvelopeStage.objects.filter(envelope=envelope, stage="FUNDS_CHECK").update(
        status="ERROR", last_error_code="FUNDS_NOT_AVAILABLE", last_error="Needs 600.00; has 10.00."
    )

    page = client.get(f"/bridge/envelopes/{envelope.pk}/").content.decode()

    assert "FUNDS_NOT_AVAILABLE" in page and "Needs 600.00; has 10.00." in page
    assert f"/bridge/envelopes/{envelope.pk}/stages/FUNDS_CHECK/retry" in page


def test_the_retry_button_gives_the_stage_new_attempts(client, operator, envelope, django_capture_on_commit_callbacks):
    EnvelopeStage.objects.filter(envelope=envelope, stage="RELEASE").delete()
    EnvelopeStage.objects.filter(envelope=envelope, stage="FUNDS_CHECK").update(status="ERROR", attempts=5)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/bridge/envelopes/{envelope.pk}/stages/FUNDS_CHECK/retry")

    check = EnvelopeStage.objects.get(envelope=envelope, stage="FUNDS_CHECK")
    assert response.status_code == 302
    assert (check.status, check.attempts) == ("PENDING", 0)
    assert AuditEvent.objects.filter(action="stage_funds_check_retry").exists()


def test_another_tenants_envelope_is_not_found(client, operator, tenants):
    other = EnvelopeFactory(program=BenefitProgramFactory(tenant=tenants["pb.jalandhar"]))

    assert client.get(f"/bridge/envelopes/{other.pk}/").status_code == 404


def test_an_uploaded_statement_shows_its_parse_result_and_balance_check(
    client, operator, envelope, django_capture_on_commit_callbacks
):
    response = upload(
        client, statement([line("D", "D-1", "200.00"), line("D", "D-404", "5.00")]), django_capture_on_commit_callbacks
    )

    statement_row = Statement.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert statement_row.uploaded_by == operator
    assert "Balances" in page
    assert "No such disbursement" in page
    assert statement_row.remittance_count == 1 and statement_row.review_count == 1


def test_a_file_that_is_not_mt940_is_refused_on_the_form(client, operator, django_capture_on_commit_callbacks):
    response = upload(client, b"name,amount\nRam,10\n", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "no statement block" in response.content.decode()
    assert not Statement.objects.exists()


def test_the_review_queue_lists_open_lines(client, operator, envelope, django_capture_on_commit_callbacks):
    upload(client, statement([line("D", "D-1", "199.00")]), django_capture_on_commit_callbacks)

    page = client.get("/bridge/review/").content.decode()

    assert "Amount differs from the disbursement" in page
    assert "Resolve" in page and "Ignore" in page


def test_resolving_a_line_needs_a_note(client, operator, envelope, django_capture_on_commit_callbacks):
    upload(client, statement([line("D", "D-1", "199.00")]), django_capture_on_commit_callbacks)
    item = ReviewItem.objects.get()

    client.post(f"/bridge/review/{item.pk}/close", {"action": "RESOLVED", "note": ""})
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.OPEN

    client.post(f"/bridge/review/{item.pk}/close", {"action": "RESOLVED", "note": "Bank charged a fee; agreed."})
    item.refresh_from_db()
    assert (item.status, item.resolved_by, item.resolution_note) == (
        "RESOLVED",
        operator,
        "Bank charged a fee; agreed.",
    )


def test_ignoring_a_line_closes_it_and_records_who(client, operator, envelope, django_capture_on_commit_callbacks):
    upload(client, statement([line("C", "FUNDING", "5000.00")]), django_capture_on_commit_callbacks)
    item = ReviewItem.objects.get()

    response = client.post(f"/bridge/review/{item.pk}/close", {"action": "IGNORED", "next": "https://evil.example/"})

    item.refresh_from_db()
    assert item.status == ReviewItem.Status.IGNORED
    assert response["Location"] == "/bridge/review/"
    assert AuditEvent.objects.get(action="review_close").actor == operator


def test_reprocessing_from_the_page_changes_nothing(client, operator, envelope, django_capture_on_commit_callbacks):
    upload(client, statement([line("D", "D-1", "200.00")]), django_capture_on_commit_callbacks)
    statement_row = Statement.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/bridge/statements/{statement_row.pk}/reprocess")

    statement_row.refresh_from_db()
    assert statement_row.remittance_count == 1
    assert Disbursement.objects.get(disbursement_id="D-1").status == "PAID"
    assert statement_row.status == Statement.Status.PROCESSED


def test_amounts_on_the_envelope_page_are_exact(client, operator, envelope):
    Disbursement.objects.filter(disbursement_id="D-1").update(amount=Decimal("0.10"))

    page = client.get(f"/bridge/envelopes/{envelope.pk}/").content.decode()

    assert "₹400.10" in page
