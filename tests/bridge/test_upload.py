"""/upload_mt940: authenticated, size-capped, type-checked; every real bank sample is answered, never with a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bridge.models import ReviewItem, Statement, StatementFile
from tests.bridge.statements import line, statement
from tests.bridge.test_mt940_parser import GOLDEN, REJECTED, SAMPLES, needs_samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(g2p, django_capture_on_commit_callbacks):
    def send(content: bytes, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return g2p.upload(content, **data)

    return send


def test_an_upload_without_a_client_token_is_refused(api, tenants):
    response = api.post("/upload_mt940", {"statement_file": SimpleUploadedFile("s.sta", statement([]))})

    assert response.status_code == 401
    assert not Statement.objects.exists()


def test_an_upload_is_answered_with_its_statement_id(upload):
    response = upload(statement([line("D", "D-1", "10.00")]))

    answer = response.json()
    assert answer["header"]["status"] == "succ"
    assert answer["message"] == str(Statement.objects.get().statement_id)


def test_an_upload_without_a_file_is_refused(g2p):
    response = g2p.api.post("/upload_mt940", {}, HTTP_AUTHORIZATION=f"Bearer {g2p.token}")

    assert response.json()["header"]["status_reason_code"] == "STATEMENT_UPLOAD_ERROR"
    assert "NO_FILE" in response.json()["header"]["status_reason_detail"]


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", b"beneficiary,amount\nRam,100\n", b"", b"\x89PNG\r\n\x1a\n\x00\x00"],
)
def test_a_file_that_is_not_mt940_is_refused_and_nothing_kept(upload, content):
    response = upload(content)

    header = response.json()["header"]
    assert response.status_code == 200
    assert header["status"] == "rjct"
    assert header["status_reason_code"] == "STATEMENT_UPLOAD_ERROR"
    assert response.json()["message"] == "STATEMENT_UPLOAD_ERROR"
    assert not Statement.objects.exists()
    assert not StatementFile.objects.exists()


def test_a_50_megabyte_upload_is_refused_before_it_is_read(upload):
    content = statement([line("D", "D-1", "10.00")]) + b" " * (50 * 1024 * 1024)

    response = upload(content)

    assert response.json()["header"]["status_reason_code"] == "STATEMENT_UPLOAD_ERROR"
    assert "FILE_TOO_LARGE" in response.json()["header"]["status_reason_detail"]
    assert not Statement.objects.exists()


def test_a_file_just_over_the_cap_is_refused_by_its_size(upload, settings):
    settings.BRIDGE_STATEMENT_MAX_BYTES = 1000
    content = statement([line("D", "D-1", "10.00")]) + b" " * 2000

    response = upload(content)

    assert "FILE_TOO_LARGE" in response.json()["header"]["status_reason_detail"]
    assert not Statement.objects.exists()


@pytest.mark.parametrize("encoding", ["klingon", "rot13", "zlib", "x" * 50])
def test_an_encoding_that_does_not_read_text_is_refused(upload, encoding):
    response = upload(statement([line("D", "D-1", "10.00")]), encoding=encoding)

    assert response.status_code == 200
    assert "UNKNOWN_ENCODING" in response.json()["header"]["status_reason_detail"]
    assert not Statement.objects.exists()


@needs_samples
@pytest.mark.parametrize("name", sorted(GOLDEN) + sorted(REJECTED))
def test_every_bank_sample_is_accepted_or_refused_with_a_reason_never_a_500(upload, name):
    response = upload((SAMPLES / name).read_bytes(), filename=name.rsplit("/", 1)[-1])

    assert response.status_code == 200
    header = response.json()["header"]
    if name in REJECTED:
        assert header["status_reason_code"] == "STATEMENT_UPLOAD_ERROR"
        assert REJECTED[name] in header["status_reason_detail"]
        assert not Statement.objects.exists()
        return
    blocks, marks, _balanced = GOLDEN[name]
    statement_row = Statement.objects.get()
    assert header["status"] == "succ"
    assert statement_row.status == Statement.Status.PROCESSED
    assert (statement_row.block_count, statement_row.entry_count) == (blocks, sum(marks.values()))
    # No program pays from these foreign accounts: each block is kept for review (or, repeated in the file, marked
    # as a repeat), none paid.
    block_reasons = [ReviewItem.Reason.INVALID_ACCOUNT_NUMBER, ReviewItem.Reason.REPEATED_STATEMENT]
    assert ReviewItem.objects.filter(reason__in=block_reasons).count() == blocks
    assert statement_row.remittance_count == 0
