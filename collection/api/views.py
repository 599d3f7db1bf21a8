"""DIGIT collection-services endpoints (`/collection-services/...`). Thin: bodies and criteria are checked here, the
work is done by `collection.services`, reads by `collection.selectors`."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers

from collection.api.serializers import payment_data, pg_transaction_data, remittance_data
from collection.models import InstrumentStatus, PaymentMode, PaymentStatus, PgTransaction
from collection.selectors import (
    PaymentCriteria,
    PgTransactionCriteria,
    payment_get,
    payment_list,
    pg_transaction_get,
    pg_transaction_list,
    remittance_list,
)
from collection.services.online import PgTransactionInput, pg_transaction_create, pg_transaction_update
from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create, payment_validate
from collection.services.remittances import RemittanceInput, remittance_create
from collection.services.workflow import WorkflowAction, WorkflowItem, payment_workflow
from core.digit.fields import AmountField, CommaSeparatedListField, EpochMillisField
from core.digit.views import DigitApiView
from core.http import client_ip
from core.models import Role
from core.services.idempotency import idempotency_run, request_digest
from core.services.idgen import ID_TIME_ZONE

DIGIT_COLLECTION_TAG = "DIGIT: collection"
MOBILE_NUMBER = r"^[6-9][0-9]{9}$"
# DIGIT's name rule, written without nested repetition so a long name cannot make it backtrack.
PERSON_NAME = r"^[a-zA-Z][a-zA-Z _\-'`.]*$"
IFSC_CODE = r"^[A-Z]{4}0[A-Z0-9]{6}$"
MAX_BILLS_PER_PAYMENT = 50
ADDITIONAL_DETAILS_MAX_CHARACTERS = 8192

PAYMENT_WRITERS = (Role.COLLECTION_OPERATOR, Role.INTEGRATOR)
PAYMENT_APPROVERS = (Role.COLLECTION_APPROVER,)
PAYMENT_READERS = (Role.COLLECTION_OPERATOR, Role.COLLECTION_APPROVER, Role.INTEGRATOR)


class AdditionalDetailsField(serializers.JSONField):
    """DIGIT's free-form `additionalDetails`: a JSON object (null means none), kept small."""

    def to_internal_value(self, data):
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise serializers.ValidationError("must be a JSON object", code="invalid")
        if len(str(data)) > ADDITIONAL_DETAILS_MAX_CHARACTERS:
            raise serializers.ValidationError(
                f"at most {ADDITIONAL_DETAILS_MAX_CHARACTERS} characters", code="max_length"
            )
        return data


class CollectionApi(DigitApiView):
    """A collection endpoint; `body_tenant_path` names where a body carries its tenant (else `?tenantId=`)."""

    body_tenant_path: tuple[str, ...] = ()

    def request_tenant_id(self, request) -> str:
        if not self.body_tenant_path:
            return super().request_tenant_id(request)
        data = request.data if isinstance(request.data, dict) else {}
        for key in self.body_tenant_path:
            data = data.get(key) if isinstance(data, dict) else None
        return data if isinstance(data, str) else ""

    def body(self, request, serializer_class) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def query(self, request, serializer_class) -> dict:
        serializer = serializer_class(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def idempotent(request, *, scope: str, tenant_id: str, operation) -> tuple[int, dict]:
    """Run a money-moving request once per `Idempotency-Key` header (per tenant and caller), if one is sent.
    The fingerprint leaves out RequestInfo: a retry may carry a fresh token."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return operation()
    body = {name: value for name, value in request.data.items() if name != "RequestInfo"}
    status, data, _ = idempotency_run(
        scope=f"{scope}:{tenant_id}:{request.user.pk}", key=key, digest=request_digest(body), operation=operation
    )
    return status, data


# --- Payments -------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CollectionPaymentDetailInput")
class PaymentDetailSerializer(serializers.Serializer):
    billId = serializers.UUIDField()
    businessService = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    totalDue = AmountField(required=False, allow_null=True)
    totalAmountPaid = AmountField(allow_zero=False)
    manualReceiptNumber = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    manualReceiptDate = EpochMillisField(required=False, allow_null=True)


@extend_schema_serializer(component_name="CollectionPaymentInput")
class PaymentSerializer(serializers.Serializer):
    tenantId = serializers.CharField(max_length=64)
    totalDue = AmountField(required=False, allow_null=True)
    totalAmountPaid = AmountField(allow_zero=False)
    paymentMode = serializers.ChoiceField(choices=PaymentMode.values)
    paidBy = serializers.RegexField(PERSON_NAME, max_length=200)
    payerName = serializers.RegexField(PERSON_NAME, max_length=200, required=False, allow_blank=True, allow_null=True)
    mobileNumber = serializers.RegexField(MOBILE_NUMBER, required=False, allow_blank=True, allow_null=True)
    payerAddress = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)
    payerEmail = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    payerId = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    transactionNumber = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    instrumentNumber = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    instrumentDate = EpochMillisField(required=False, allow_null=True)
    ifscCode = serializers.RegexField(IFSC_CODE, required=False, allow_blank=True, allow_null=True)
    additionalDetails = AdditionalDetailsField(required=False, allow_null=True)
    paymentDetails = PaymentDetailSerializer(many=True, allow_empty=False, max_length=MAX_BILLS_PER_PAYMENT)


@extend_schema_serializer(component_name="CollectionPaymentRequest")
class PaymentRequestSerializer(serializers.Serializer):
    Payment = PaymentSerializer()


def _payment_input(data: dict) -> PaymentInput:
    return PaymentInput(
        tenant_id=data["tenantId"],
        payment_mode=data["paymentMode"],
        total_amount_paid=data["totalAmountPaid"],
        paid_by=data["paidBy"],
        payer_name=data.get("payerName") or "",
        mobile_number=data.get("mobileNumber") or "",
        payer_address=data.get("payerAddress") or "",
        payer_email=data.get("payerEmail") or "",
        payer_id=data.get("payerId") or "",
        transaction_number=(data.get("transactionNumber") or "").strip(),
        instrument_number=(data.get("instrumentNumber") or "").strip(),
        instrument_date=data.get("instrumentDate"),
        ifsc_code=data.get("ifscCode") or "",
        additional_details=data.get("additionalDetails") or {},
        details=[
            PaymentDetailInput(
                bill_id=str(detail["billId"]),
                total_amount_paid=detail["totalAmountPaid"],
                total_due=detail.get("totalDue"),
                business_service=detail.get("businessService") or "",
                manual_receipt_number=detail.get("manualReceiptNumber") or "",
                manual_receipt_date=detail.get("manualReceiptDate"),
            )
            for detail in data["paymentDetails"]
        ],
    )


class PaymentCreateApi(CollectionApi):
    """`POST /collection-services/payments/_create` with `{RequestInfo, Payment}`: one receipt per bill paid.
    An `Idempotency-Key` header makes a retry answer the first receipts."""

    required_roles = PAYMENT_WRITERS
    body_tenant_path = ("Payment", "tenantId")

    @extend_schema(tags=[DIGIT_COLLECTION_TAG], request=PaymentRequestSerializer, responses={200: dict})
    def post(self, request):
        data = self.body(request, PaymentRequestSerializer)["Payment"]

        def create() -> tuple[int, dict]:
            payment = payment_create(payment=_payment_input(data), actor=request.user, source_ip=client_ip(request))
            return 200, {"Payments": [payment_data(payment)]}

        status, body = idempotent(request, scope="collection.payment", tenant_id=data["tenantId"], operation=create)
        return self.respond("Payments", body["Payments"], status=status)


class PaymentValidateApi(CollectionApi):
    """`POST /collection-services/payments/_validate`: every `_create` check, nothing written."""

    required_roles = PAYMENT_WRITERS
    body_tenant_path = ("Payment", "tenantId")

    @extend_schema(tags=[DIGIT_COLLECTION_TAG], request=PaymentRequestSerializer, responses={200: dict})
    def post(self, request):
        payment_validate(payment=_payment_input(self.body(request, PaymentRequestSerializer)["Payment"]))
        return self.respond("Payments", [request.data["Payment"]])


@extend_schema_serializer(component_name="CollectionPaymentSearchCriteria")
class PaymentSearchCriteriaSerializer(serializers.Serializer):
    tenantId = serializers.CharField(max_length=64)
    ids = CommaSeparatedListField(required=False, child=serializers.UUIDField())
    billIds = CommaSeparatedListField(required=False, child=serializers.UUIDField())
    receiptNumbers = CommaSeparatedListField(required=False, child=serializers.CharField(max_length=100))
    status = CommaSeparatedListField(required=False, child=serializers.ChoiceField(choices=PaymentStatus.values))
    instrumentStatus = CommaSeparatedListField(
        required=False, child=serializers.ChoiceField(choices=InstrumentStatus.values)
    )
    paymentModes = CommaSeparatedListField(required=False, child=serializers.ChoiceField(choices=PaymentMode.values))
    payerIds = CommaSeparatedListField(required=False)
    consumerCodes = CommaSeparatedListField(required=False)
    businessServices = CommaSeparatedListField(required=False)
    transactionNumber = serializers.CharField(required=False, max_length=100)
    mobileNumber = serializers.RegexField(MOBILE_NUMBER, required=False)
    fromDate = EpochMillisField(required=False)
    toDate = EpochMillisField(required=False)
    offset = serializers.IntegerField(required=False, min_value=0, default=0)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=300, default=100)


def _payment_criteria(criteria: dict, *, business_services: list[str]) -> PaymentCriteria:
    return PaymentCriteria(
        tenant_id=criteria["tenantId"],
        ids=[str(pk) for pk in criteria.get("ids", [])],
        bill_ids=[str(pk) for pk in criteria.get("billIds", [])],
        receipt_numbers=criteria.get("receiptNumbers", []),
        statuses=criteria.get("status", []),
        instrument_statuses=criteria.get("instrumentStatus", []),
        payment_modes=criteria.get("paymentModes", []),
        payer_ids=criteria.get("payerIds", []),
        consumer_codes=criteria.get("consumerCodes", []),
        business_services=business_services,
        transaction_number=criteria.get("transactionNumber", ""),
        mobile_number=criteria.get("mobileNumber", ""),
        from_date=criteria.get("fromDate"),
        to_date=criteria.get("toDate"),
        limit=criteria["limit"],
        offset=criteria["offset"],
    )


class PaymentSearchApi(CollectionApi):
    """`POST /collection-services/payments/_search?tenantId&ids&billIds&receiptNumbers&consumerCodes…`, paged."""

    required_roles = PAYMENT_READERS

    @extend_schema(
        tags=[DIGIT_COLLECTION_TAG], parameters=[PaymentSearchCriteriaSerializer], request=dict, responses={200: dict}
    )
    def post(self, request):
        criteria = self.query(request, PaymentSearchCriteriaSerializer)
        payments = payment_list(
            criteria=_payment_criteria(criteria, business_services=criteria.get("businessServices", []))
        )
        return self.respond("Payments", [payment_data(payment) for payment in payments])


class PaymentModuleSearchApi(CollectionApi):
    """`POST /collection-services/payments/{moduleName}/_search?…`: the search, for one business service."""

    required_roles = PAYMENT_READERS

    @extend_schema(
        tags=[DIGIT_COLLECTION_TAG],
        operation_id="collection_services_payments_module_search",
        parameters=[PaymentSearchCriteriaSerializer],
        request=dict,
        responses={200: dict},
    )
    def post(self, request, module):
        criteria = self.query(request, PaymentSearchCriteriaSerializer)
        payments = payment_list(criteria=_payment_criteria(criteria, business_services=[module]))
        return self.respond("Payments", [payment_data(payment) for payment in payments])


@extend_schema_serializer(component_name="CollectionPaymentWorkflowInput")
class PaymentWorkflowSerializer(serializers.Serializer):
    paymentId = serializers.UUIDField()
    action = serializers.ChoiceField(choices=WorkflowAction.ALL)
    tenantId = serializers.CharField(max_length=64)
    reason = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)
    additionalDetails = AdditionalDetailsField(required=False, allow_null=True)


@extend_schema_serializer(component_name="CollectionPaymentWorkflowRequest")
class PaymentWorkflowRequestSerializer(serializers.Serializer):
    PaymentWorkflows = PaymentWorkflowSerializer(many=True, allow_empty=False, max_length=MAX_BILLS_PER_PAYMENT)

    def validate_PaymentWorkflows(self, items):
        # DIGIT's rule: one action and one tenant per request.
        if len({item["action"] for item in items}) > 1:
            raise serializers.ValidationError("all items take one action")
        if len({item["tenantId"] for item in items}) > 1:
            raise serializers.ValidationError("all items belong to one tenant")
        return items


class PaymentWorkflowApi(CollectionApi):
    """`POST /collection-services/payments/{moduleName}/_workflow` with `{RequestInfo, PaymentWorkflows[…]}`:
    APPROVE or REJECT receipts pending approval, CANCEL (reason required, before remittance) or DISHONOUR a
    cheque or draft. All items or none."""

    required_roles = PAYMENT_APPROVERS

    def request_tenant_id(self, request) -> str:
        items = request.data.get("PaymentWorkflows") if isinstance(request.data, dict) else None
        first = items[0] if isinstance(items, list) and items else None
        tenant_id = first.get("tenantId") if isinstance(first, dict) else None
        return tenant_id if isinstance(tenant_id, str) else ""

    @extend_schema(tags=[DIGIT_COLLECTION_TAG], request=PaymentWorkflowRequestSerializer, responses={200: dict})
    def post(self, request, module):
        items = self.body(request, PaymentWorkflowRequestSerializer)["PaymentWorkflows"]
        payments = payment_workflow(
            tenant_id=items[0]["tenantId"],
            module=module,
            action=items[0]["action"],
            items=[WorkflowItem(payment_id=str(item["paymentId"]), reason=item.get("reason") or "") for item in items],
            actor=request.user,
            source_ip=client_ip(request),
        )
        return self.respond("Payments", [payment_data(payment_get(payment_id=payment.pk)) for payment in payments])


# --- Remittances ----------------------------------------------------------------------------


@extend_schema_serializer(component_name="CollectionRemittanceReceiptInput")
class RemittanceReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(max_length=100)


@extend_schema_serializer(component_name="CollectionRemittanceInput")
class RemittanceSerializer(serializers.Serializer):
    tenantId = serializers.CharField(max_length=64)
    bankAccount = serializers.RegexField(r"^[A-Za-z0-9]{6,34}$")
    remittanceReceipts = RemittanceReceiptSerializer(many=True, required=False, max_length=1000)
    businessService = serializers.CharField(required=False, allow_blank=True, max_length=64)
    toDate = EpochMillisField(required=False, allow_null=True)
    remarks = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)
    reasonForDelay = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)


@extend_schema_serializer(component_name="CollectionRemittanceRequest")
class RemittanceRequestSerializer(serializers.Serializer):
    Remittance = RemittanceSerializer()


class RemittanceCreateApi(CollectionApi):
    """`POST /collection-services/remittances/_create` with `{RequestInfo, Remittance}`: the named receipts (or every
    approved cash and cheque receipt of a service up to `toDate`) deposited in a bank account."""

    required_roles = PAYMENT_APPROVERS
    body_tenant_path = ("Remittance", "tenantId")

    @extend_schema(tags=[DIGIT_COLLECTION_TAG], request=RemittanceRequestSerializer, responses={200: dict})
    def post(self, request):
        data = self.body(request, RemittanceRequestSerializer)["Remittance"]
        to_date = data.get("toDate")
        remittance = remittance_create(
            remittance=RemittanceInput(
                tenant_id=data["tenantId"],
                bank_account=data["bankAccount"],
                receipt_numbers=[item["receipt"] for item in data.get("remittanceReceipts", [])],
                business_service=data.get("businessService") or "",
                to_date=timezone.localdate(to_date, timezone=ID_TIME_ZONE) if to_date else None,
                remarks=data.get("remarks") or "",
                reason_for_delay=data.get("reasonForDelay") or "",
            ),
            actor=request.user,
            source_ip=client_ip(request),
        )
        [created] = remittance_list(tenant_id=remittance.tenant_id, ids=[remittance.pk])
        return self.respond("Remittance", [remittance_data(created)])


class RemittanceSearchApi(CollectionApi):
    """`POST /collection-services/remittances/_search?tenantId&ids&referenceNumbers&fromDate&toDate`, paged."""

    required_roles = PAYMENT_READERS

    @extend_schema_serializer(component_name="CollectionRemittanceSearchCriteria")
    class QuerySerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        ids = CommaSeparatedListField(required=False, child=serializers.UUIDField())
        referenceNumbers = CommaSeparatedListField(required=False, child=serializers.CharField(max_length=100))
        fromDate = EpochMillisField(required=False)
        toDate = EpochMillisField(required=False)
        offset = serializers.IntegerField(required=False, min_value=0, default=0)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=300, default=100)

    @extend_schema(tags=[DIGIT_COLLECTION_TAG], parameters=[QuerySerializer], request=dict, responses={200: dict})
    def post(self, request):
        criteria = self.query(request, self.QuerySerializer)
        remittances = remittance_list(
            tenant_id=criteria["tenantId"],
            ids=[str(pk) for pk in criteria.get("ids", [])],
            reference_numbers=criteria.get("referenceNumbers", []),
            from_date=timezone.localdate(criteria["fromDate"], timezone=ID_TIME_ZONE)
            if "fromDate" in criteria
            else None,
            to_date=timezone.localdate(criteria["toDate"], timezone=ID_TIME_ZONE) if "toDate" in criteria else None,
            limit=criteria["limit"],
            offset=criteria["offset"],
        )
        return self.respond("Remittance", [remittance_data(remittance) for remittance in remittances])


# --- Online payments (pg-service) -----------------------------------------------------------

DIGIT_PG_TAG = "DIGIT: pg-service"
MAX_TAX_AND_PAYMENTS = 50


@extend_schema_serializer(component_name="PgTaxAndPaymentInput")
class PgTaxAndPaymentSerializer(serializers.Serializer):
    billId = serializers.UUIDField()
    amountPaid = AmountField(allow_zero=False)
    taxAmount = AmountField(required=False, allow_null=True, allow_negative=True)


@extend_schema_serializer(component_name="PgUserInput")
class PgUserSerializer(serializers.Serializer):
    uuid = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    name = serializers.RegexField(PERSON_NAME, max_length=200)
    userName = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=180)
    mobileNumber = serializers.RegexField(MOBILE_NUMBER, required=False, allow_blank=True, allow_null=True)
    emailId = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    tenantId = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)


@extend_schema_serializer(component_name="PgTransactionInput")
class PgTransactionSerializer(serializers.Serializer):
    tenantId = serializers.CharField(max_length=64)
    txnAmount = AmountField(allow_zero=False)
    billId = serializers.UUIDField()
    module = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    consumerCode = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=128)
    taxAndPayments = PgTaxAndPaymentSerializer(
        many=True, required=False, allow_null=True, max_length=MAX_TAX_AND_PAYMENTS
    )
    productInfo = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=512)
    gateway = serializers.CharField(max_length=32)
    callbackUrl = serializers.URLField(required=False, allow_blank=True, allow_null=True, max_length=1000)
    user = PgUserSerializer()
    additionalDetails = AdditionalDetailsField(required=False, allow_null=True)


@extend_schema_serializer(component_name="PgTransactionRequest")
class PgTransactionRequestSerializer(serializers.Serializer):
    Transaction = PgTransactionSerializer()


def _gateway_return_url(request, gateway: str) -> str:
    path = reverse("collection-pg-transaction-return", args=[gateway])
    base = settings.KOSH_PG_RETURN_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


class PgTransactionCreateApi(CollectionApi):
    """`POST /pg-service/transaction/v1/_create` with `{RequestInfo, Transaction}`: the transaction is checked as its
    payment would be, stored PENDING with a new `txnId`, and registered with the gateway; the payer's browser goes to
    the answer's `redirectUrl`. Back from the gateway, the browser lands on `callbackUrl?eg_pg_txnid=…`."""

    required_roles = PAYMENT_WRITERS
    body_tenant_path = ("Transaction", "tenantId")

    @extend_schema(tags=[DIGIT_PG_TAG], request=PgTransactionRequestSerializer, responses={200: dict})
    def post(self, request):
        data = self.body(request, PgTransactionRequestSerializer)["Transaction"]
        user = data["user"]

        def create() -> tuple[int, dict]:
            txn = pg_transaction_create(
                txn=PgTransactionInput(
                    tenant_id=data["tenantId"],
                    txn_amount=data["txnAmount"],
                    bill_id=str(data["billId"]),
                    gateway=data["gateway"],
                    return_url=_gateway_return_url(request, data["gateway"]),
                    callback_url=data.get("callbackUrl") or "",
                    consumer_code=data.get("consumerCode") or "",
                    module=data.get("module") or "",
                    tax_and_payments=tuple(
                        (str(item["billId"]), item["amountPaid"]) for item in data.get("taxAndPayments") or []
                    ),
                    product_info=data.get("productInfo") or "",
                    payer_name=user["name"],
                    payer_mobile=user.get("mobileNumber") or "",
                    payer_email=user.get("emailId") or "",
                    payer_uuid=user.get("uuid") or "",
                    additional_details=data.get("additionalDetails") or {},
                ),
                actor=request.user,
                source_ip=client_ip(request),
            )
            found = pg_transaction_get(tenant_id=txn.tenant_id, txn_id=txn.txn_id)
            return 200, {"Transaction": pg_transaction_data(found)}

        status, body = idempotent(request, scope="collection.pg", tenant_id=data["tenantId"], operation=create)
        return self.respond("Transaction", body["Transaction"], status=status)


class PgTransactionUpdateApi(CollectionApi):
    """`POST /pg-service/transaction/v1/_update?eg_pg_txnid=…[&tenantId=…]`: the transaction settled from the
    gateway's live status (SUCCESS makes its one receipt; calling again changes nothing). Without `tenantId`, the
    caller's own city."""

    required_roles = PAYMENT_WRITERS

    @extend_schema_serializer(component_name="PgTransactionUpdateCriteria")
    class QuerySerializer(serializers.Serializer):
        eg_pg_txnid = serializers.CharField(max_length=64)
        tenantId = serializers.CharField(required=False, max_length=64)

    def request_tenant_id(self, request) -> str:
        return request.query_params.get("tenantId") or request.user.tenant_id or ""

    @extend_schema(tags=[DIGIT_PG_TAG], parameters=[QuerySerializer], request=dict, responses={200: dict})
    def post(self, request):
        criteria = self.query(request, self.QuerySerializer)
        txn = pg_transaction_update(
            tenant_id=self.request_tenant_id(request),
            txn_id=criteria["eg_pg_txnid"].strip(),
            actor=request.user,
            source_ip=client_ip(request),
        )
        found = pg_transaction_get(tenant_id=txn.tenant_id, txn_id=txn.txn_id)
        return self.respond("Transaction", [pg_transaction_data(found)])


class PgTransactionSearchApi(CollectionApi):
    """`POST /pg-service/transaction/v1/_search?tenantId&txnId&billId&consumerCode&userUuid&receipt&txnStatus`, as
    Kosh has them (the gateway is not asked), newest first, paged."""

    required_roles = PAYMENT_READERS

    @extend_schema_serializer(component_name="PgTransactionSearchCriteria")
    class QuerySerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        txnId = CommaSeparatedListField(required=False, child=serializers.CharField(max_length=64))
        billId = CommaSeparatedListField(required=False, child=serializers.UUIDField())
        consumerCode = CommaSeparatedListField(required=False, child=serializers.CharField(max_length=128))
        userUuid = serializers.CharField(required=False, max_length=64)
        receipt = serializers.CharField(required=False, max_length=100)
        txnStatus = CommaSeparatedListField(
            required=False, child=serializers.ChoiceField(choices=PgTransaction.Status.values)
        )
        offset = serializers.IntegerField(required=False, min_value=0, default=0)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=300, default=100)

    @extend_schema(tags=[DIGIT_PG_TAG], parameters=[QuerySerializer], request=dict, responses={200: dict})
    def post(self, request):
        criteria = self.query(request, self.QuerySerializer)
        transactions = pg_transaction_list(
            criteria=PgTransactionCriteria(
                tenant_id=criteria["tenantId"],
                txn_ids=criteria.get("txnId", []),
                bill_ids=[str(pk) for pk in criteria.get("billId", [])],
                consumer_codes=criteria.get("consumerCode", []),
                user_uuid=criteria.get("userUuid", ""),
                receipt=criteria.get("receipt", ""),
                txn_statuses=criteria.get("txnStatus", []),
                limit=criteria["limit"],
                offset=criteria["offset"],
            )
        )
        return self.respond("Transaction", [pg_transaction_data(txn) for txn in transactions])
