from django.urls import reverse

from core.models import Role
from tests.collection.online import PG_CREATE_URL, property_tax_bill, transaction_body
from tests.core.factories import UserFactory


def test_online_transactions_are_listed_read_only_in_the_admin(masters, pg_gateway, pg_post, client, tenants):
    # given a transaction waiting at the gateway
    txn = pg_post(PG_CREATE_URL, body={"Transaction": transaction_body(property_tax_bill())}).json()["Transaction"]

    # when an administrator opens the list
    client.force_login(
        UserFactory(tenant=tenants["pb"], is_staff=True, is_superuser=True, roles=[(Role.SUPERUSER, "pb")])
    )
    response = client.get(reverse("admin:collection_pgtransaction_changelist"))

    # then it is shown, with no way to add one
    assert response.status_code == 200
    assert txn["txnId"].encode() in response.content
    assert reverse("admin:collection_pgtransaction_add").encode() not in response.content
