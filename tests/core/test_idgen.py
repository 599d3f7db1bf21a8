import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.errors import ApplicationError, NotFoundError
from core.models import AuditEvent, IdFormat, IdSequence, Tenant
from core.services.idgen import DeferredIds, id_format_validate, id_generate, id_plan

IST = ZoneInfo("Asia/Kolkata")
MID_JUNE_2026 = datetime(2026, 6, 15, 12, 0, tzinfo=IST)


def id_format(tenant: str, format: str, *, name: str = "receipt.id", reset: str = IdFormat.Reset.NEVER) -> IdFormat:
    return IdFormat.objects.create(tenant_id=tenant, name=name, format=format, reset=reset)


# --- Tokens ---------------------------------------------------------------------------------


def test_calendar_month_token_writes_the_month_in_two_digits(tenants):
    # given a format with the calendar month
    id_format("pb", "[cy:MM]/[SEQ_RCPT]")

    # when a number is taken in March
    number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=datetime(2027, 3, 5, 10, 0, tzinfo=IST))

    # then the month is 03
    assert number == "03/000001"


def test_calendar_date_token_writes_year_month_and_day(tenants):
    # given a format with the full date
    id_format("pb", "RCPT-[cy:yyyy-MM-dd]-[SEQ_RCPT]")

    # when a number is taken on 9 Feb 2027
    number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=datetime(2027, 2, 9, 10, 0, tzinfo=IST))

    # then the date is written in full
    assert number == "RCPT-2027-02-09-000001"


@pytest.mark.parametrize(
    ("moment", "label"),
    [
        (datetime(2027, 3, 31, 23, 59, tzinfo=IST), "2026-27"),
        (datetime(2027, 4, 1, 0, 0, tzinfo=IST), "2027-28"),
    ],
)
def test_financial_year_token_turns_over_on_the_first_of_april(tenants, moment, label):
    # given a format with the financial year
    id_format("pb", "[fy:yyyy-yy]/[SEQ_RCPT]")

    # when a number is taken either side of midnight on 31 March
    number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=moment)

    # then 31 March is still the old year and 1 April the new one
    assert number == f"{label}/000001"


def test_dates_are_read_in_india_time_not_utc(tenants):
    # given a format with the date and the financial year
    id_format("pb", "[cy:yyyy-MM-dd]/[fy:yyyy-yy]/[SEQ_RCPT]")

    # when a number is taken at 19:00 UTC on 31 March 2027, which is 00:30 on 1 April in India
    number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=datetime(2027, 3, 31, 19, 0, tzinfo=UTC))

    # then the number carries the Indian date and the new financial year
    assert number == "2027-04-01/2027-28/000001"


def test_dates_stay_in_india_time_when_a_request_activates_another_zone(tenants):
    # given a format with the date, and a request that works in UTC
    id_format("pb", "[cy:yyyy-MM-dd]/[SEQ_RCPT]")

    # when a number is taken at 19:00 UTC on 31 March 2027
    with timezone.override("UTC"):
        number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=datetime(2027, 3, 31, 19, 0, tzinfo=UTC))

    # then the date is still the Indian one
    assert number == "2027-04-01/000001"


def test_sequence_is_zero_padded_to_six_digits(tenants):
    # given a bare sequence format
    id_format("pb", "[SEQ_RCPT]")

    # when two numbers are taken
    numbers = [id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026) for _ in range(2)]

    # then they are six digits wide
    assert numbers == ["000001", "000002"]


def test_sequence_past_six_digits_grows_rather_than_wraps(tenants):
    # given a sequence that has handed out 999999
    id_format("pb", "[SEQ_RCPT]")
    IdSequence.objects.create(tenant_id="pb.amritsar", name="SEQ_RCPT", period="", last_value=999_999)

    # when the next number is taken
    number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)

    # then it has seven digits
    assert number == "1000000"


def test_city_code_token_writes_the_city_short_code(tenants):
    # given a format with the city code
    id_format("pb", "PI-[CITY.CODE]/[fy:yyyy-yy]/[SEQ_PI_NUM]")

    # when Amritsar takes a number
    number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)

    # then it carries Amritsar's code
    assert number == "PI-AMR/2026-27/000001"


def test_city_code_for_a_tenant_without_one_is_refused_without_using_a_number(tenants):
    # given a format with the city code, used by the state itself, which has no city code
    id_format("pb", "PI-[CITY.CODE]/[SEQ_PI_NUM]")

    # when the state takes a number
    with pytest.raises(ApplicationError) as refused:
        id_generate(tenant_id="pb", name="receipt.id", at=MID_JUNE_2026)

    # then it is refused naming the tenant, and no number was used up
    assert refused.value.field == "tenantId"
    assert not IdSequence.objects.exists()


def test_bare_sequence_token_counts_in_a_sequence_of_its_own_format(tenants):
    # given two formats that both use a bare [SEQ]
    id_format("pb", "R-[SEQ]", name="receipt.id")
    id_format("pb", "B-[SEQ]", name="bill.id")

    # when each takes a number
    receipt = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)
    bill = id_generate(tenant_id="pb.amritsar", name="bill.id", at=MID_JUNE_2026)

    # then each starts its own count
    assert (receipt, bill) == ("R-000001", "B-000001")


# --- Tenants --------------------------------------------------------------------------------


def test_each_city_counts_separately(tenants):
    # given one state-wide format
    id_format("pb", "[CITY.CODE]-[SEQ_RCPT]")

    # when Amritsar takes two numbers and Jalandhar one
    amritsar = [id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026) for _ in range(2)]
    jalandhar = id_generate(tenant_id="pb.jalandhar", name="receipt.id", at=MID_JUNE_2026)

    # then Jalandhar's count starts at 1 regardless of Amritsar's
    assert amritsar == ["AMR-000001", "AMR-000002"]
    assert jalandhar == "JAL-000001"


def test_state_format_applies_to_its_cities(tenants):
    # given a format defined only at the state
    id_format("pb", "PB-[SEQ_RCPT]")

    # when a city takes a number
    number = id_generate(tenant_id="pb.jalandhar", name="receipt.id", at=MID_JUNE_2026)

    # then the state's format is used
    assert number == "PB-000001"


def test_city_format_overrides_its_state_format(tenants):
    # given a state format and Amritsar's own
    id_format("pb", "PB-[SEQ_RCPT]")
    id_format("pb.amritsar", "AMRITSAR-[SEQ_RCPT]")

    # when both cities take a number
    amritsar = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)
    jalandhar = id_generate(tenant_id="pb.jalandhar", name="receipt.id", at=MID_JUNE_2026)

    # then Amritsar uses its own format and Jalandhar the state's
    assert amritsar == "AMRITSAR-000001"
    assert jalandhar == "PB-000001"


def test_a_city_format_added_later_applies_to_the_next_number(tenants):
    # given Amritsar has numbered with the state's format (which is now remembered)
    id_format("pb", "PB-[SEQ_RCPT]")
    assert id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026) == "PB-000001"

    # when Amritsar gets a format of its own
    id_format("pb.amritsar", "AMRITSAR-[SEQ_RCPT]")

    # then its next number uses it
    assert id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026) == "AMRITSAR-000002"


def test_a_changed_format_applies_to_the_next_number(tenants):
    # given a state format that has been used
    state_format = id_format("pb", "PB-[SEQ_RCPT]")
    id_generate(tenant_id="pb.jalandhar", name="receipt.id", at=MID_JUNE_2026)

    # when an administrator changes it
    state_format.format = "PB/[fy:yyyy-yy]/[SEQ_RCPT]"
    state_format.save()

    # then the next number follows the new format
    assert id_generate(tenant_id="pb.jalandhar", name="receipt.id", at=MID_JUNE_2026) == "PB/2026-27/000002"


def test_format_of_another_state_does_not_apply(tenants):
    # given a format defined for Odisha only
    id_format("od", "OD-[SEQ_RCPT]")

    # when a Punjab city asks for a number
    # then there is no format for it
    with pytest.raises(NotFoundError) as refused:
        id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)
    assert refused.value.code == "ID_FORMAT_NOT_FOUND"


def test_unknown_tenant_is_refused_naming_the_tenant(tenants):
    # given a format at the state
    id_format("pb", "[SEQ_RCPT]")

    # when a tenant that does not exist asks for a number
    with pytest.raises(ApplicationError) as refused:
        id_generate(tenant_id="pb.nowhere", name="receipt.id", at=MID_JUNE_2026)

    # then it is refused naming the tenant
    assert refused.value.field == "tenantId"


# --- Resets ---------------------------------------------------------------------------------


def test_financial_year_reset_starts_again_at_one_in_a_new_year(tenants):
    # given a sequence that resets every financial year
    id_format("pb", "[fy:yyyy-yy]/[SEQ_RCPT]", reset=IdFormat.Reset.FINANCIAL_YEAR)
    march = datetime(2027, 3, 31, 12, 0, tzinfo=IST)
    april = datetime(2027, 4, 1, 12, 0, tzinfo=IST)

    # when two numbers are taken in March and one in April
    numbers = [id_generate(tenant_id="pb.amritsar", name="receipt.id", at=moment) for moment in (march, march, april)]

    # then April's count starts at 1
    assert numbers == ["2026-27/000001", "2026-27/000002", "2027-28/000001"]


def test_never_reset_continues_into_a_new_year(tenants):
    # given a sequence that never resets
    id_format("pb", "[fy:yyyy-yy]/[SEQ_RCPT]", reset=IdFormat.Reset.NEVER)
    march = datetime(2027, 3, 31, 12, 0, tzinfo=IST)
    april = datetime(2027, 4, 1, 12, 0, tzinfo=IST)

    # when a number is taken in March and one in April
    numbers = [id_generate(tenant_id="pb.amritsar", name="receipt.id", at=moment) for moment in (march, april)]

    # then April's number follows March's
    assert numbers == ["2026-27/000001", "2027-28/000002"]


def test_financial_year_reset_follows_the_city_start_month(tenants):
    # given a city whose financial year starts in January, with a yearly sequence
    Tenant.objects.filter(code="pb.amritsar").update(financial_year_start_month=1)
    id_format("pb", "[fy:yyyy]/[SEQ_RCPT]", reset=IdFormat.Reset.FINANCIAL_YEAR)
    december = datetime(2026, 12, 31, 12, 0, tzinfo=IST)
    january = datetime(2027, 1, 1, 12, 0, tzinfo=IST)

    # when a number is taken on 31 December and on 1 January
    numbers = [id_generate(tenant_id="pb.amritsar", name="receipt.id", at=moment) for moment in (december, january)]

    # then the count starts again on 1 January
    assert numbers == ["2026/000001", "2027/000001"]


# --- Formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("RCPT-[SEQ_A]-[CITY]", "unknown token [CITY]"),
        ("RCPT-[SEQ_A]-[ward]", "unknown token [ward]"),
        ("RCPT-[cy:MM]", "exactly one"),
        ("RCPT-[SEQ_A]-[SEQ_B]", "exactly one"),
        ("RCPT-[SEQ_A]-[SEQ_A]", "exactly one"),
        ("RCPT-[fy:yy]/[SEQ_A]", "unknown financial-year pattern"),
        ("RCPT-[cy:MMM]/[SEQ_A]", "[cy:MMM]"),
        ("RCPT-[cy:month]/[SEQ_A]", "[cy:month]"),
        ("RCPT-[cy:]/[SEQ_A]", "[cy:]"),
    ],
)
def test_bad_formats_are_refused_naming_the_format(text, complaint):
    # given a format with an unknown token or no single sequence
    # when it is checked
    with pytest.raises(ApplicationError) as refused:
        id_format_validate(text=text)

    # then it is refused naming the format field
    assert refused.value.code == "INVALID_ID_FORMAT"
    assert refused.value.field == "format"
    assert complaint in refused.value.message


def test_good_format_names_its_sequence():
    # given a DIGIT receipt format
    text = "[cy:MM]/[fy:yyyy-yy]/[SEQ_COLL_RCPT_NUM]"

    # when it is checked
    sequence = id_format_validate(text=text)

    # then its sequence is named
    assert sequence == "SEQ_COLL_RCPT_NUM"


def test_stored_bad_format_is_refused_when_used(tenants):
    # given a format saved with a typo
    id_format("pb", "RCPT-[SEQ_RCPT]-[CITYCODE]")

    # when a number is taken
    with pytest.raises(ApplicationError) as refused:
        id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)

    # then it is refused naming the format, and no number was used up
    assert refused.value.field == "format"
    assert not IdSequence.objects.exists()


# --- Transactions and concurrency -----------------------------------------------------------


def test_number_taken_in_a_rolled_back_transaction_is_given_back(tenants):
    # given a receipt that took a number and then failed
    id_format("pb", "[SEQ_RCPT]")
    with pytest.raises(RuntimeError), transaction.atomic():
        id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)
        raise RuntimeError("the receipt failed")

    # when the next receipt takes a number
    number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)

    # then it gets the number the failed one gave back
    assert number == "000001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("start_month", "format", "reset", "prefix"),
    [
        (4, "[fy:yyyy-yy]/[SEQ_RCPT]", IdFormat.Reset.NEVER, "2026-27/"),
        (1, "[fy:yyyy]/[SEQ_RCPT]", IdFormat.Reset.FINANCIAL_YEAR, "2026/"),
    ],
)
def test_fifty_concurrent_callers_get_fifty_consecutive_numbers(tenants, start_month, format, reset, prefix):
    # given one format and one city (its year starting in April, or in January with a yearly sequence)
    Tenant.objects.filter(code="pb.amritsar").update(financial_year_start_month=start_month)
    id_format("pb", format, reset=reset)
    callers = 50
    start_together = threading.Barrier(callers)

    def take_number() -> str:
        try:
            connection.ensure_connection()
            start_together.wait(timeout=60)
            with transaction.atomic():
                return id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)
        finally:
            connection.close()

    # when fifty callers, each in its own transaction, take a number at the same moment
    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(take_number) for _ in range(callers)]
        numbers = [future.result() for future in futures]

    # then they get 1 to 50, each exactly once
    assert sorted(numbers) == [f"{prefix}{n:06d}" for n in range(1, callers + 1)]
    assert IdSequence.objects.get(tenant_id="pb.amritsar").last_value == callers


# --- Numbered in the last statement ---------------------------------------------------------


def audit_row(reason: str, data: dict) -> AuditEvent:
    return AuditEvent.objects.create(
        tenant_id="pb.amritsar", entity_type="test.row", entity_id="1", action="TEST", reason=reason, data=data
    )


def test_deferred_ids_put_numbers_in_place_of_their_placeholders_in_the_database_and_in_hand(tenants):
    # given two kinds of id, and a row carrying placeholders for both in a text and in a JSON field
    id_format("pb", "R/[SEQ_RCPT]")
    id_format("pb", "[fy:yyyy-yy]/V/[SEQ_VCH]", name="voucher.id")
    ids = DeferredIds()
    receipt = ids.take(id_plan(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026))
    voucher = ids.take(id_plan(tenant_id="pb.amritsar", name="voucher.id", at=MID_JUNE_2026))
    row = audit_row(f"receipt {receipt}", {"numbers": [receipt, voucher], "voucher": {"number": voucher}})
    ids.carried_by([row], ["reason", "data"])

    # when they are assigned
    ids.assign()
    numbers = ids.numbers()

    # then each placeholder became its number, in the stored row and in the row in hand
    assert numbers == {receipt: "R/000001", voucher: "2026-27/V/000001"}
    expected = (
        "receipt R/000001",
        {"numbers": ["R/000001", "2026-27/V/000001"], "voucher": {"number": "2026-27/V/000001"}},
    )
    stored = AuditEvent.objects.get(pk=row.pk)
    assert (stored.reason, stored.data) == expected
    assert (row.reason, row.data) == expected


def test_deferred_ids_of_one_sequence_are_numbered_in_the_order_taken(tenants):
    # given a sequence that has handed out 7, and three ids taken from it
    id_format("pb", "[SEQ_RCPT]")
    IdSequence.objects.create(tenant_id="pb.amritsar", name="SEQ_RCPT", period="", last_value=7)
    ids = DeferredIds()
    plan = id_plan(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)
    placeholders = [ids.take(plan) for _ in range(3)]

    # when they are assigned
    ids.assign()
    numbers = ids.numbers()

    # then they follow on in that order
    assert [numbers[placeholder] for placeholder in placeholders] == ["000008", "000009", "000010"]
    assert IdSequence.objects.get(tenant_id="pb.amritsar").last_value == 10


def test_deferred_ids_rolled_back_give_their_numbers_back(tenants):
    # given ids assigned in a transaction that then failed
    id_format("pb", "[SEQ_RCPT]")
    with pytest.raises(RuntimeError), transaction.atomic():
        ids = DeferredIds()
        ids.take(id_plan(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026))
        ids.assign()
        raise RuntimeError("the receipt failed")

    # when the next id is taken
    number = id_generate(tenant_id="pb.amritsar", name="receipt.id", at=MID_JUNE_2026)

    # then it is the number the failed one gave back
    assert number == "000001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deferred_ids_taken_in_either_order_of_two_sequences_never_deadlock(tenants):
    # given two kinds of id, and callers taking them in opposite orders
    id_format("pb", "R/[SEQ_RCPT]")
    id_format("pb", "V/[SEQ_VCH]", name="voucher.id")
    callers = 20
    start_together = threading.Barrier(callers)

    def take_both(n: int) -> tuple[str, str]:
        try:
            connection.ensure_connection()
            start_together.wait(timeout=60)
            with transaction.atomic():
                ids = DeferredIds()
                kinds = ["receipt.id", "voucher.id"] if n % 2 else ["voucher.id", "receipt.id"]
                taken = {
                    kind: ids.take(id_plan(tenant_id="pb.amritsar", name=kind, at=MID_JUNE_2026)) for kind in kinds
                }
                ids.assign()
                numbers = ids.numbers()
                return numbers[taken["receipt.id"]], numbers[taken["voucher.id"]]
        finally:
            connection.close()

    # when they all assign at the same moment, each in its own transaction
    with ThreadPoolExecutor(max_workers=callers) as pool:
        pairs = list(pool.map(take_both, range(callers)))

    # then every caller got one of each, and each sequence handed out 1 to 20 exactly once
    assert sorted(receipt for receipt, _ in pairs) == [f"R/{n:06d}" for n in range(1, callers + 1)]
    assert sorted(voucher for _, voucher in pairs) == [f"V/{n:06d}" for n in range(1, callers + 1)]
