"""DIGIT-style APIs of the ifms-adapter and expense services: PI create and search, funds search, bill intake."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.digit.views import DigitApiView
from core.models import Role
from core.services.idempotency import idempotency_run, request_digest
from payments.api.representations import expense_bill_representation, pi_representation, sanction_representation
from payments.models import ExpenseBill, Payee, PayeeBankAccount, PaymentInstruction
from payments.selectors import expense_bill_search, pi_search, pi_with_details, sanction_search
from payments.services.bills import BankAccountInput, LineItemInput, PayeeInput, expense_bill_create
from payments.services.instructions import pi_create
from payments.services.revised import pi_revise

IFMS_TAG = "DIGIT: ifms-adapter"
EXPENSE_TAG = "DIGIT: expense"
PI_WRITERS = (Role.PI_CREATOR, Role.SYSTEM)
PI_READERS = (Role.PI_VIEWER, Role.PI_CREATOR, Role.SYSTEM)


class _BodyTenantMixin:
    """Create calls name the tenant in the body, as the ifms-adapter and expense services take it."""

    body_tenant_path: tuple[str, ...] = ("tenantId",)

    def request_tenant_id(self, request) -> str:
        data = request.data if isinstance(request.data, dict) else {}
        for key in self.body_tenant_path:
            data = data.get(key) if isinstance(data, dict) else None
        return data if isinstance(data, str) else ""


def _idempotent(request, *, scope: str, operation):
    """Run a money-moving create once per `Idempotency-Key` header, if the caller sends one."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return operation()
    status, body, _ = idempotency_run(
        scope=f"{scope}:{request.user.pk}", key=key, digest=request_digest(request.data), operation=operation
    )
    return status, body


class PaymentInstructionCreateApi(_BodyTenantMixin, DigitApiView):
    """`POST /ifms-adapter/pi/v1/_create`: `referenceId` (an expense payment) for a new or retried PI, or
    `parentPI` (an original PI number) for a revised PI of its failed payments. JIT-FS is called at once."""

    required_roles = PI_WRITERS

    @extend_schema_serializer(component_name="PaymentInstructionCreateInput")
    class InputSerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        referenceId = serializers.CharField(max_length=64, required=False)
        parentPI = serializers.CharField(max_length=64, required=False)

        def validate(self, attrs):
            if bool(attrs.get("referenceId")) == bool(attrs.get("parentPI")):
                raise serializers.ValidationError({"referenceId": ["Give referenceId or parentPI, not both."]})
            return attrs

    @extend_schema(tags=[IFMS_TAG], request=InputSerializer, responses={200: dict})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def create():
            if data.get("parentPI"):
                pi = pi_revise(tenant_id=data["tenantId"], parent_pi_number=data["parentPI"], actor=request.user)
            else:
                pi = pi_create(tenant_id=data["tenantId"], reference_id=data["referenceId"], actor=request.user)
            return 200, {"paymentInstructions": [pi_representation(pi_with_details(pi=pi))]}

        status, body = _idempotent(request, scope="ifms-adapter/pi/_create", operation=create)
        return self.respond("paymentInstructions", body["paymentInstructions"], status=status)


class PaymentInstructionSearchApi(DigitApiView):
    """`POST /ifms-adapter/pi/v1/_search?tenantId=…`: PIs by number, parent, payment, bill, type, status, dates."""

    required_roles = PI_READERS

    @extend_schema_serializer(component_name="PaymentInstructionSearchCriteria")
    class CriteriaSerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        jitBillNo = serializers.CharField(max_length=64, required=False)
        parentPiNumber = serializers.CharField(max_length=64, required=False)
        muktaReferenceId = serializers.CharField(max_length=64, required=False)
        billNumber = serializers.CharField(max_length=64, required=False)
        piType = serializers.ChoiceField(choices=PaymentInstruction.Type.values, required=False)
        piStatus = serializers.ChoiceField(choices=PaymentInstruction.Status.values, required=False)
        fromDate = serializers.DateField(required=False)
        toDate = serializers.DateField(required=False)
        limit = serializers.IntegerField(min_value=1, max_value=500, default=100)
        offset = serializers.IntegerField(min_value=0, default=0)

    @extend_schema(tags=[IFMS_TAG], parameters=[CriteriaSerializer], request=dict, responses={200: dict})
    def post(self, request):
        serializer = self.CriteriaSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        criteria = serializer.validated_data
        pis = pi_search(
            tenant_id=criteria["tenantId"],
            pi_number=criteria.get("jitBillNo", ""),
            parent_pi_number=criteria.get("parentPiNumber", ""),
            reference_id=criteria.get("muktaReferenceId", ""),
            bill_number=criteria.get("billNumber", ""),
            pi_type=criteria.get("piType", ""),
            status=criteria.get("piStatus", ""),
            created_from=criteria.get("fromDate"),
            created_to=criteria.get("toDate"),
        ).prefetch_related("beneficiaries__payee", "status_logs")
        page = pis[criteria["offset"] : criteria["offset"] + criteria["limit"]]
        return self.respond(
            "paymentInstructions", [pi_representation(pi) for pi in page], pagination={"totalCount": pis.count()}
        )


class FundsSearchApi(DigitApiView):
    """`POST /ifms-adapter/funds/v1/_search?tenantId=…`: sanctions with their funds summary and allotments."""

    required_roles = (Role.FUND_VIEWER, Role.PI_CREATOR, Role.SYSTEM)

    @extend_schema_serializer(component_name="FundsSearchCriteria")
    class CriteriaSerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        hoaCode = serializers.CharField(max_length=60, required=False)
        ddoCode = serializers.CharField(max_length=30, required=False)
        masterAllotmentId = serializers.CharField(max_length=40, required=False)

    @extend_schema(tags=[IFMS_TAG], parameters=[CriteriaSerializer], request=dict, responses={200: dict})
    def post(self, request):
        serializer = self.CriteriaSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        criteria = serializer.validated_data
        sanctions = sanction_search(
            tenant_id=criteria["tenantId"],
            hoa_code=criteria.get("hoaCode", ""),
            ddo_code=criteria.get("ddoCode", ""),
            master_allotment_id=criteria.get("masterAllotmentId", ""),
        )
        return self.respond("sanctions", [sanction_representation(sanction) for sanction in sanctions])


@extend_schema_serializer(component_name="ExpenseBillBankAccount")
class BankAccountSerializer(serializers.Serializer):
    accountNumber = serializers.CharField(max_length=20)
    ifsc = serializers.CharField(max_length=11)
    accountHolderName = serializers.CharField(max_length=200)
    accountType = serializers.ChoiceField(
        choices=PayeeBankAccount.AccountType.values, default=PayeeBankAccount.AccountType.SAVINGS
    )


@extend_schema_serializer(component_name="ExpenseBillPayee")
class PayeeSerializer(serializers.Serializer):
    identifier = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=Payee.Type.values)
    name = serializers.CharField(max_length=200)
    mobileNumber = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    bankAccount = BankAccountSerializer()


@extend_schema_field(OpenApiTypes.NUMBER)
class RawAmountField(serializers.Field):
    """An amount handed to the service as parsed (Decimal, int or text), where `to_amount` checks it exactly."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


@extend_schema_serializer(component_name="ExpenseBillLineItem")
class LineItemSerializer(serializers.Serializer):
    headCode = serializers.CharField(max_length=40)
    amount = RawAmountField()


@extend_schema_serializer(component_name="ExpenseBillDetail")
class BillDetailSerializer(serializers.Serializer):
    payee = PayeeSerializer()
    payableLineItems = LineItemSerializer(many=True, allow_empty=False)


class ExpenseBillCreateApi(_BodyTenantMixin, DigitApiView):
    """`POST /expense/bill/v1/_create`: an approved wage, purchase or supervision bill with its payees and their
    bank accounts. Kosh creates the bill's payment and sends its PI to JIT-FS after the bill is stored."""

    required_roles = (Role.INTEGRATOR, Role.PI_CREATOR, Role.SYSTEM)
    body_tenant_path = ("bill", "tenantId")

    @extend_schema_serializer(component_name="ExpenseBillCreateBill")
    class BillSerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        billNumber = serializers.CharField(max_length=64)
        businessService = serializers.ChoiceField(choices=ExpenseBill.Type.values)
        billDate = serializers.DateField()
        referenceId = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        status = serializers.ChoiceField(choices=["APPROVED"])
        billDetails = BillDetailSerializer(many=True, allow_empty=False)

    @extend_schema_serializer(component_name="ExpenseBillCreateInput")
    class InputSerializer(serializers.Serializer):
        bill = serializers.DictField()

    @extend_schema(tags=[EXPENSE_TAG], request=InputSerializer, responses={201: dict})
    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        serializer = self.BillSerializer(data=body.get("bill"))
        if not serializer.is_valid():
            raise serializers.ValidationError({"bill": serializer.errors})
        bill = serializer.validated_data

        def create():
            created = expense_bill_create(
                tenant_id=bill["tenantId"],
                bill_number=bill["billNumber"],
                bill_type=bill["businessService"],
                bill_date=bill["billDate"],
                reference_id=bill["referenceId"],
                line_items=_line_items(bill["billDetails"]),
                actor=request.user,
            )
            return 201, {"bills": [expense_bill_representation(created)]}

        status, response = _idempotent(request, scope="expense/bill/_create", operation=create)
        return self.respond("bills", response["bills"], status=status)


class ExpenseBillSearchApi(DigitApiView):
    """`POST /expense/bill/v1/_search?tenantId=…&billNumbers=…`."""

    required_roles = (Role.INTEGRATOR, Role.PI_CREATOR, Role.PI_VIEWER, Role.SYSTEM)

    @extend_schema_serializer(component_name="ExpenseBillSearchCriteria")
    class CriteriaSerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        billNumbers = serializers.CharField(max_length=2000, required=False, help_text="comma-separated")

    @extend_schema(tags=[EXPENSE_TAG], parameters=[CriteriaSerializer], request=dict, responses={200: dict})
    def post(self, request):
        serializer = self.CriteriaSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        criteria = serializer.validated_data
        numbers = [n.strip() for n in criteria.get("billNumbers", "").split(",") if n.strip()]
        bills = expense_bill_search(tenant_id=criteria["tenantId"], bill_numbers=numbers)[:500]
        return self.respond("bills", [expense_bill_representation(bill) for bill in bills])


def _line_items(details: list[dict]) -> list[LineItemInput]:
    items = []
    for index, detail in enumerate(details):
        payee, account = detail["payee"], detail["payee"]["bankAccount"]
        payee_input = PayeeInput(
            payee_type=payee["type"],
            identifier=payee["identifier"],
            name=payee["name"],
            mobile_number=payee["mobileNumber"],
            address=payee["address"],
            bank_account=BankAccountInput(
                account_number=account["accountNumber"],
                ifsc=account["ifsc"],
                account_holder_name=account["accountHolderName"],
                account_type=account["accountType"],
            ),
        )
        for number, line in enumerate(detail["payableLineItems"]):
            items.append(
                LineItemInput(
                    payee=payee_input,
                    head_code=line["headCode"],
                    amount=line["amount"],
                    field=f"bill.billDetails[{index}].payableLineItems[{number}].amount",
                )
            )
    return items
