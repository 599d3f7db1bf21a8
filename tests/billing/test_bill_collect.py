import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from billing.models import Bill, BillAccountDetail
from billing.services.demo import BILL_COLLECT_SAMPLE
from core.models import AuditEvent, Role
from tests.billing.assertions import assert_bill_totals_consistent
from tests.billing.conftest import IMPORT_URL, bills_checked

SAMPLE = BILL_COLLECT_SAMPLE.read_bytes()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bill-collect><serviceCode>&lol9;</serviceCode></bill-collect>"""

EXTERNAL_ENTITY = SAMPLE.replace(
    b"<bill-collect>",
    b'<!DOCTYPE bill-collect [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<bill-collect>',
).replace(b"<payeeName>ramana</payeeName>", b"<payeeName>&xxe;</payeeName>")


@pytest.fixture
def post_xml(api, billing_token):
    def post(document: bytes, tenant="pb.amritsar", token=None, content_type="application/xml"):
        return bills_checked(
            api.generic(
                "POST",
                f"{IMPORT_URL}?tenantId={tenant}",
                document,
                content_type=content_type,
                HTTP_AUTHORIZATION=f"Bearer {token or billing_token}",
            )
        )

    return post


def refusal(response) -> dict:
    assert response.status_code == 400, response.content
    [error] = response.json()["Errors"]
    return error


def test_the_sample_document_imports_into_a_bill_of_1603_with_three_heads_in_order(masters, post_xml):
    # when the BPA document from the integration guide is imported
    response = post_xml(SAMPLE)

    # then one payable bill of 1603.00: scrutiny, permit and labour cess fees in `order`, with their GL codes
    assert response.status_code == 201, response.content
    [bill] = response.json()["Bill"]
    assert_bill_totals_consistent(bill)
    assert (bill["businessService"], bill["consumerCode"], bill["status"]) == ("BPA", "01365-2019-HY", "ACTIVE")
    assert Decimal(str(bill["totalAmount"])) == Decimal("1603.00")
    [detail] = bill["billDetails"]
    accounts = [(a["order"], a["description"], a["amount"], a["glCode"]) for a in detail["billAccountDetails"]]
    assert accounts == [
        (1, "Scrutiny Fee - BPA/19-20", 1000, "1401202"),
        (2, "Permit Fees - BPA/19-20", 598, "1401202"),
        (3, "Labour cess - BPA/19-20", 5, "1401202"),
    ]
    assert_bill_totals_consistent(Bill.objects.get(pk=bill["id"]))


def test_the_imported_bill_keeps_the_documents_collection_rules_and_payee(masters, post_xml):
    bill = post_xml(SAMPLE).json()["Bill"][0]

    # part payment off: everything is the minimum; bank challan refused on top of the service's refusals
    assert (bill["partPaymentAllowed"], bill["minimumAmountPayable"]) == (False, 1603)
    assert {"OFFLINE_NEFT", "OFFLINE_RTGS", "POSTAL_ORDER"} <= set(bill["collectionModesNotAllowed"])
    assert bill["overrideAccountHeadsAllowed"] is False
    assert (bill["payerName"], bill["payerAddress"]) == ("ramana", "knjbh")
    assert bill["additionalDetails"]["fundCode"] == "01"
    assert bill["billDetails"][0]["additionalDetails"]["refNo"] == "531"
    assert AuditEvent.objects.filter(entity_id=bill["id"], action="BILL_COLLECT_IMPORT").exists()


def test_importing_the_same_document_again_answers_the_same_bill(masters, post_xml):
    first = post_xml(SAMPLE).json()["Bill"][0]

    second = post_xml(SAMPLE).json()["Bill"][0]

    assert_bill_totals_consistent(second)
    assert second["id"] == first["id"]
    assert Bill.objects.count() == 1


def test_a_changed_document_replaces_the_consumers_active_bill(masters, post_xml):
    first = post_xml(SAMPLE).json()["Bill"][0]
    changed = SAMPLE.replace(b"<crAmount>5</crAmount>", b"<crAmount>7</crAmount>").replace(
        b"<totalAmount>1603</totalAmount>", b"<totalAmount>1605</totalAmount>"
    )

    second = post_xml(changed).json()["Bill"][0]

    assert_bill_totals_consistent(second)
    assert second["totalAmount"] == 1605
    assert Bill.objects.get(pk=first["id"]).status == Bill.Status.EXPIRED


def test_text_xml_is_accepted_too(masters, post_xml):
    response = post_xml(SAMPLE, content_type="text/xml")

    assert response.status_code == 201
    assert_bill_totals_consistent(response.json()["Bill"][0])


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<bill-collect><serviceCode>BPA</serviceCode>", "not well-formed"),
        (b"", "empty"),
        (BILLION_LAUGHS, "DOCTYPE"),
        (EXTERNAL_ENTITY, "DOCTYPE"),
        (SAMPLE.replace(b"<crAmount>598</crAmount>", b"<crAmount>-598</crAmount>"), "minimum value"),
        (SAMPLE.replace(b"<crAmount>598</crAmount>", b"<crAmount>598.005</crAmount>"), "fractional digits"),
        (SAMPLE.replace(b"<totalAmount>1603</totalAmount>", b"<totalAmount>1600</totalAmount>"), "accounts' total"),
        (SAMPLE.replace(b'billDate="05/07/2019"', b'billDate="31/02/2019"'), "not a date"),
        (SAMPLE.replace(b"<payees>", b"<surprise/><payees>"), "surprise"),
        ('<!DOCTYPE b [<!ENTITY a "b">]><bill-collect>&a;</bill-collect>'.encode("utf-16"), "DOCTYPE"),
    ],
    ids=[
        "malformed",
        "empty",
        "billion-laughs",
        "external-entity",
        "negative-amount",
        "three-decimals",
        "total-mismatch",
        "bad-date",
        "unknown-element",
        "utf16-doctype",
    ],
)
def test_a_bad_document_is_400_with_the_reason_and_nothing_is_stored(masters, post_xml, document, reason):
    error = refusal(post_xml(document))

    assert reason in error["message"]
    assert not Bill.objects.exists()
    assert not BillAccountDetail.objects.exists()


def test_the_external_entity_is_never_read(masters, post_xml):
    error = refusal(post_xml(EXTERNAL_ENTITY))

    assert "root:" not in error["message"]


def test_the_reason_names_where_in_the_document(masters, post_xml):
    document = SAMPLE.replace(b"<crAmount>5</crAmount>", b"<crAmount>5.001</crAmount>")

    error = refusal(post_xml(document))

    assert error["params"] == ["bill-collect/payees/payee/bills/bill/accounts/account[3]/crAmount"]


def test_an_unknown_service_is_400_and_nothing_is_stored(masters, post_xml):
    error = refusal(post_xml(SAMPLE.replace(b"<serviceCode>BPA</serviceCode>", b"<serviceCode>NOPE</serviceCode>")))

    assert error["params"] == ["bill-collect/serviceCode"]
    assert "NOPE" in error["message"]
    assert not Bill.objects.exists()


def test_an_unknown_collection_mode_is_400(masters, post_xml):
    document = SAMPLE.replace(b"bankchallan", b"barter")

    error = refusal(post_xml(document))

    assert "barter" in error["message"]
    assert not Bill.objects.exists()


def test_a_document_over_the_size_cap_is_400_and_nothing_is_stored(masters, post_xml, settings):
    settings.KOSH_BILL_COLLECT_MAX_BYTES = len(SAMPLE) - 1

    error = refusal(post_xml(SAMPLE))

    assert error["code"] == "EG_BS_BILL_COLLECT_TOO_LARGE"
    assert error["params"] == ["body"]
    assert not Bill.objects.exists()


def test_a_json_body_is_refused_as_the_wrong_media_type(masters, api, billing_token):
    response = api.post(
        f"{IMPORT_URL}?tenantId=pb.amritsar", {"RequestInfo": {"authToken": billing_token}}, format="json"
    )

    assert response.status_code == 415


def test_import_without_a_token_is_401(masters, api):
    response = api.generic("POST", f"{IMPORT_URL}?tenantId=pb.amritsar", SAMPLE, content_type="application/xml")

    assert response.status_code == 401


def test_a_collector_may_not_import(masters, post_xml, collector_token):
    response = post_xml(SAMPLE, token=collector_token)

    assert response.status_code == 403
    assert not Bill.objects.exists()


def test_a_two_bill_document_with_one_consumer_twice_is_refused(masters, post_xml):
    start = SAMPLE.index(b"<bill ")
    end = SAMPLE.index(b"</bill>") + len(b"</bill>")
    twice = SAMPLE[:end] + SAMPLE[start:end] + SAMPLE[end:]

    error = refusal(post_xml(twice))

    assert "two bills" in error["message"]


def test_the_imported_bill_is_fetched_like_any_other(masters, post_xml, fetch):
    imported = post_xml(SAMPLE).json()["Bill"][0]

    fetched = fetch(consumer="01365-2019-HY", service="BPA").json()["Bill"][0]

    assert fetched["id"] == imported["id"]


def test_the_management_command_imports_a_file(masters, make_employee):
    admin = make_employee(Role.BILLING_ADMIN)
    out = io.StringIO()

    call_command(
        "billing_import_bill_collect",
        "--tenant",
        "pb.amritsar",
        "--user",
        admin.username,
        str(BILL_COLLECT_SAMPLE),
        stdout=out,
    )

    bill = Bill.objects.get()
    assert_bill_totals_consistent(bill)
    assert bill.bill_number in out.getvalue()
    assert bill.created_by == admin


def test_the_management_command_reports_a_bad_document(masters, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(BILLION_LAUGHS)

    with pytest.raises(CommandError, match="DOCTYPE"):
        call_command("billing_import_bill_collect", "--tenant", "pb.amritsar", str(bad))

    assert not Bill.objects.exists()
