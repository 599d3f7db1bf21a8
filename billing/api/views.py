"""DIGIT billing-service endpoints (`/billing-service/...`) and Kosh's bill-collect XML import. Thin: criteria and
bodies are checked here, the work is done by `billing.services`, reads by `billing.selectors`."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from billing.api.serializers import (
    bill_data,
    business_service_data,
    demand_data,
    tax_head_data,
    tax_period_data,
)
from billing.models import Bill, Demand, TaxHead
from billing.selectors import (
    bill_list,
    bill_valid_rendered,
    business_service_get,
    business_service_list,
    city_get,
    demand_list,
    tax_head_list,
    tax_period_list,
)
from billing.services.bill_collect import bill_collect_import, bill_collect_max_bytes
from billing.services.bills import BillCriteria, bill_cancel, bill_fetch, bill_generate
from billing.services.demands import DemandDetailInput, DemandInput, PayerInput, demand_create, demand_update
from core.digit.fields import AmountField, CommaSeparatedListField, EpochMillisField
from core.digit.views import DigitApiView
from core.errors import ApplicationError
from core.http import client_ip
from core.models import Role
from core.money import ZERO

DIGIT_BILLING_TAG = "DIGIT: billing"
KOSH_BILLING_TAG = "Kosh: billing"
MOBILE_NUMBER = r"^[6-9][0-9]{9}$"
MAX_DEMANDS_PER_REQUEST = 100
MAX_DETAILS_PER_DEMAND = 50
ADDITIONAL_DETAILS_MAX_CHARACTERS = 8192

BILL_READERS = (Role.BILLING_ADMIN, Role.COLLECTION_OPERATOR, Role.COLLECTION_APPROVER, Role.INTEGRATOR)
BILL_WRITERS = (Role.BILLING_ADMIN, Role.COLLECTION_OPERATOR, Role.COLLECTION_APPROVER)


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


class BillingApi(DigitApiView):
    """A billing endpoint whose criteria come in the query string, checked once per request."""

    query_serializer_class: type[serializers.Serializer] | None = None

    def criteria(self, request) -> dict:
        if not hasattr(request, "_billing_criteria"):
            serializer = self.query_serializer_class(data=request.query_params)
            serializer.is_valid(raise_exception=True)
            request._billing_criteria = serializer.validated_data
        return request._billing_criteria


# --- Masters --------------------------------------------------------------------------------


class BusinessServiceSearchApi(BillingApi):
    """`POST /billing-service/businessservices/_search?tenantId&businessService`: the services a tenant bills."""

    required_roles = BILL_READERS

    @extend_schema_serializer(component_name="BillingBusinessServiceSearchCriteria")
    class QuerySerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        businessService = CommaSeparatedListField(required=False)

    query_serializer_class = QuerySerializer

    @extend_schema(tags=[DIGIT_BILLING_TAG], parameters=[QuerySerializer], request=dict, responses={200: dict})
    def post(self, request):
        criteria = self.criteria(request)
        services = business_service_list(tenant_id=criteria["tenantId"], codes=criteria.get("businessService", []))
        return self.respond("BusinessServiceDetails", [business_service_data(service) for service in services])


class TaxHeadSearchApi(BillingApi):
    """`POST /billing-service/taxheads/_search?tenantId&service&code&category`."""

    required_roles = BILL_READERS

    @extend_schema_serializer(component_name="BillingTaxHeadSearchCriteria")
    class QuerySerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        service = CommaSeparatedListField(required=False)
        code = CommaSeparatedListField(required=False)
        category = CommaSeparatedListField(
            required=False, child=serializers.ChoiceField(choices=TaxHead.Category.values)
        )

    query_serializer_class = QuerySerializer

    @extend_schema(tags=[DIGIT_BILLING_TAG], parameters=[QuerySerializer], request=dict, responses={200: dict})
    def post(self, request):
        criteria = self.criteria(request)
        heads = tax_head_list(
            tenant_id=criteria["tenantId"],
            services=criteria.get("service", []),
            codes=criteria.get("code", []),
            categories=criteria.get("category", []),
        )
        return self.respond("TaxHeadMasters", [tax_head_data(head) for head in heads])


class TaxPeriodSearchApi(BillingApi):
    """`POST /billing-service/taxperiods/_search?tenantId&service&code&date`."""

    required_roles = BILL_READERS

    @extend_schema_serializer(component_name="BillingTaxPeriodSearchCriteria")
    class QuerySerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        service = CommaSeparatedListField(required=False)
        code = CommaSeparatedListField(required=False)
        date = EpochMillisField(required=False)

    query_serializer_class = QuerySerializer

    @extend_schema(tags=[DIGIT_BILLING_TAG], parameters=[QuerySerializer], request=dict, responses={200: dict})
    def post(self, request):
        criteria = self.criteria(request)
        periods = tax_period_list(
            tenant_id=criteria["tenantId"],
            services=criteria.get("service", []),
            codes=criteria.get("code", []),
            on=criteria.get("date"),
        )
        return self.respond("TaxPeriods", [tax_period_data(period) for period in periods])


# --- Demands --------------------------------------------------------------------------------


@extend_schema_serializer(component_name="BillingDemandPayer")
class PayerSerializer(serializers.Serializer):
    uuid = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    name = serializers.CharField(max_length=200)
    mobileNumber = serializers.RegexField(MOBILE_NUMBER, required=False, allow_blank=True, allow_null=True)
    emailId = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    permanentAddress = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)
    type = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=20)


@extend_schema_serializer(component_name="BillingDemandDetailInput")
class DemandDetailSerializer(serializers.Serializer):
    id = serializers.UUIDField(required=False, allow_null=True)
    taxHeadMasterCode = serializers.CharField(max_length=64)
    taxAmount = AmountField(allow_negative=True)
    collectionAmount = AmountField(allow_negative=True, required=False, allow_null=True)
    additionalDetails = AdditionalDetailsField(required=False, allow_null=True)


@extend_schema_serializer(component_name="BillingDemandInput")
class DemandSerializer(serializers.Serializer):
    id = serializers.UUIDField(required=False, allow_null=True)
    tenantId = serializers.CharField(max_length=64)
    consumerCode = serializers.CharField(max_length=64)
    consumerType = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    businessService = serializers.CharField(max_length=64)
    payer = PayerSerializer()
    taxPeriodFrom = EpochMillisField()
    taxPeriodTo = EpochMillisField()
    demandDetails = DemandDetailSerializer(many=True, max_length=MAX_DETAILS_PER_DEMAND)
    billExpiryTime = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10**13)
    fixedBillExpiryDate = EpochMillisField(required=False, allow_null=True)
    minimumAmountPayable = AmountField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Demand.Status.values, required=False, allow_null=True)
    additionalDetails = AdditionalDetailsField(required=False, allow_null=True)


@extend_schema_serializer(component_name="BillingDemandRequest")
class DemandRequestSerializer(serializers.Serializer):
    Demands = DemandSerializer(many=True, allow_empty=False, max_length=MAX_DEMANDS_PER_REQUEST)


def _demand_input(data: dict) -> DemandInput:
    payer = data["payer"]
    return DemandInput(
        id=str(data["id"]) if data.get("id") else None,
        consumer_code=data["consumerCode"],
        consumer_type=data.get("consumerType") or "",
        business_service_code=data["businessService"],
        payer=PayerInput(
            name=payer["name"],
            mobile_number=payer.get("mobileNumber") or "",
            email=payer.get("emailId") or "",
            address=payer.get("permanentAddress") or "",
            uuid=payer.get("uuid") or "",
            type=payer.get("type") or "",
        ),
        tax_period_from=data["taxPeriodFrom"],
        tax_period_to=data["taxPeriodTo"],
        details=[
            DemandDetailInput(
                id=str(detail["id"]) if detail.get("id") else None,
                tax_head_code=detail["taxHeadMasterCode"],
                tax_amount=detail["taxAmount"],
                collection_amount=detail.get("collectionAmount"),
                additional_details=detail.get("additionalDetails") or {},
            )
            for detail in data["demandDetails"]
        ],
        bill_expiry_time=data.get("billExpiryTime"),
        fixed_bill_expiry_date=data.get("fixedBillExpiryDate"),
        minimum_amount_payable=data.get("minimumAmountPayable") or ZERO,
        status=data.get("status"),
        additional_details=data.get("additionalDetails") or {},
    )


class DemandWriteApi(DigitApiView):
    """Demands come in the body, each naming its tenant: all must name the same one."""

    required_roles = (Role.BILLING_ADMIN,)

    def request_tenant_id(self, request) -> str:
        tenants = {demand["tenantId"] for demand in self.demands(request)}
        if len(tenants) > 1:
            raise ApplicationError(
                "CROSS_TENANT_OP_NOT_ALLOWED",
                "Demands: every demand of a request names one tenantId",
                field="Demands",
            )
        return tenants.pop()

    def demands(self, request) -> list[dict]:
        if not hasattr(request, "_billing_demands"):
            serializer = DemandRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            request._billing_demands = serializer.validated_data["Demands"]
        return request._billing_demands


class DemandCreateApi(DemandWriteApi):
    """`POST /billing-service/demand/_create`: raise demands; each consumer's ACTIVE bill expires."""

    @extend_schema(tags=[DIGIT_BILLING_TAG], request=DemandRequestSerializer, responses={201: dict})
    def post(self, request):
        demands = demand_create(
            tenant_id=self.request_tenant_id(request),
            demands=[_demand_input(data) for data in self.demands(request)],
            actor=request.user,
            source_ip=client_ip(request),
        )
        found = demand_list(tenant_id=demands[0].tenant_id, demand_ids=[d.pk for d in demands], limit=len(demands))
        return self.respond("Demands", [demand_data(demand) for demand in _in_order(found, demands)], status=201)


class DemandUpdateApi(DemandWriteApi):
    """`POST /billing-service/demand/_update`: change or cancel demands; each consumer's ACTIVE bill expires."""

    @extend_schema(tags=[DIGIT_BILLING_TAG], request=DemandRequestSerializer, responses={200: dict})
    def post(self, request):
        demands = demand_update(
            tenant_id=self.request_tenant_id(request),
            demands=[_demand_input(data) for data in self.demands(request)],
            actor=request.user,
            source_ip=client_ip(request),
        )
        found = demand_list(tenant_id=demands[0].tenant_id, demand_ids=[d.pk for d in demands], limit=len(demands))
        return self.respond("Demands", [demand_data(demand) for demand in _in_order(found, demands)])


def _in_order(found: list, wanted: list) -> list:
    by_id = {row.pk: row for row in found}
    return [by_id[row.pk] for row in wanted]


class DemandSearchApi(BillingApi):
    """`POST /billing-service/demand/_search?tenantId&consumerCode&businessService&demandId&status&mobileNumber…`"""

    required_roles = BILL_READERS
    CRITERIA = ("consumerCode", "businessService", "demandId", "mobileNumber", "email")

    @extend_schema_serializer(component_name="BillingDemandSearchCriteria")
    class QuerySerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        consumerCode = CommaSeparatedListField(required=False)
        businessService = serializers.CharField(required=False, max_length=64)
        demandId = CommaSeparatedListField(required=False, child=serializers.UUIDField())
        status = serializers.ChoiceField(choices=Demand.Status.values, required=False)
        mobileNumber = serializers.RegexField(MOBILE_NUMBER, required=False)
        email = serializers.EmailField(required=False)
        periodFrom = EpochMillisField(required=False)
        periodTo = EpochMillisField(required=False)
        isPaymentCompleted = serializers.BooleanField(required=False, allow_null=True, default=None)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
        offset = serializers.IntegerField(required=False, min_value=0, default=0)

    query_serializer_class = QuerySerializer

    @extend_schema(tags=[DIGIT_BILLING_TAG], parameters=[QuerySerializer], request=dict, responses={200: dict})
    def post(self, request):
        criteria = self.criteria(request)
        if not any(criteria.get(name) for name in self.CRITERIA):
            raise ApplicationError(
                "EG_BS_DEMAND_SEARCH_CRITERIA_MISSING",
                f"consumerCode: give at least one of {', '.join(self.CRITERIA)}",
                params=list(self.CRITERIA),
            )
        tenant = city_get(tenant_id=criteria["tenantId"])
        service = None
        if criteria.get("businessService"):
            service = business_service_get(tenant_id=tenant.code, code=criteria["businessService"])
        demands = demand_list(
            tenant_id=tenant.code,
            consumer_codes=criteria.get("consumerCode", []),
            business_service=service,
            demand_ids=criteria.get("demandId", []),
            status=criteria.get("status"),
            mobile_number=criteria.get("mobileNumber", ""),
            email=criteria.get("email", ""),
            period_from=criteria.get("periodFrom"),
            period_to=criteria.get("periodTo"),
            is_payment_completed=criteria["isPaymentCompleted"],
            limit=criteria["limit"],
            offset=criteria["offset"],
        )
        return self.respond("Demands", [demand_data(demand) for demand in demands])


# --- Bills ----------------------------------------------------------------------------------


@extend_schema_serializer(component_name="BillingBillFetchCriteria")
class BillFetchCriteriaSerializer(serializers.Serializer):
    tenantId = serializers.CharField(max_length=64)
    consumerCode = CommaSeparatedListField(required=False, max_items=50)
    businessService = serializers.CharField(required=False, max_length=64)
    demandId = serializers.UUIDField(required=False)
    mobileNumber = serializers.RegexField(MOBILE_NUMBER, required=False)
    email = serializers.EmailField(required=False)


def _bill_criteria(criteria: dict) -> BillCriteria:
    return BillCriteria(
        tenant_id=criteria["tenantId"],
        business_service_code=criteria.get("businessService", ""),
        consumer_codes=tuple(criteria.get("consumerCode", [])),
        demand_id=str(criteria["demandId"]) if criteria.get("demandId") else "",
        mobile_number=criteria.get("mobileNumber", ""),
        email=criteria.get("email", ""),
    )


class BillFetchApi(BillingApi):
    """`POST /billing-service/bill/v2/_fetchbill?tenantId&consumerCode&businessService` (or `demandId`, or
    `mobileNumber`/`email`): the still-valid ACTIVE bill, or a new one from the open demands."""

    required_roles = BILL_READERS
    query_serializer_class = BillFetchCriteriaSerializer

    @extend_schema(
        tags=[DIGIT_BILLING_TAG], parameters=[BillFetchCriteriaSerializer], request=dict, responses={200: dict}
    )
    def post(self, request):
        criteria = _bill_criteria(self.criteria(request))
        if len(criteria.consumer_codes) == 1 and criteria.business_service_code:
            # The common repeated call: one consumer whose valid bill is already drawn in the lookup cache.
            drawn = bill_valid_rendered(
                tenant_id=criteria.tenant_id,
                business_service_code=criteria.business_service_code,
                consumer_code=criteria.consumer_codes[0],
                now=timezone.now(),
                render=bill_data,
            )
            if drawn is not None:
                return self.respond("Bill", [drawn])
        bills = bill_fetch(criteria=criteria, actor=request.user, source_ip=client_ip(request))
        return self.respond("Bill", [bill_data(bill) for bill in bills])


class BillGenerateApi(BillingApi):
    """`POST /billing-service/bill/v2/_generate?…` (criteria as `_fetchbill`): always a new bill."""

    required_roles = BILL_WRITERS
    query_serializer_class = BillFetchCriteriaSerializer

    @extend_schema(
        tags=[DIGIT_BILLING_TAG], parameters=[BillFetchCriteriaSerializer], request=dict, responses={201: dict}
    )
    def post(self, request):
        bills = bill_generate(
            criteria=_bill_criteria(self.criteria(request)), actor=request.user, source_ip=client_ip(request)
        )
        return self.respond("Bill", [bill_data(bill) for bill in bills], status=201)


class BillSearchApi(BillingApi):
    """`POST /billing-service/bill/v2/_search?tenantId&consumerCode&service&billId&billNumber&mobileNumber&status…`"""

    required_roles = BILL_READERS
    CRITERIA = ("billId", "billNumber", "consumerCode", "mobileNumber", "email")

    @extend_schema_serializer(component_name="BillingBillSearchCriteria")
    class QuerySerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        billId = CommaSeparatedListField(required=False, child=serializers.UUIDField())
        billNumber = CommaSeparatedListField(required=False, child=serializers.CharField(max_length=100))
        consumerCode = CommaSeparatedListField(required=False)
        service = serializers.CharField(required=False, max_length=64)
        mobileNumber = serializers.RegexField(MOBILE_NUMBER, required=False)
        email = serializers.EmailField(required=False)
        status = CommaSeparatedListField(required=False, child=serializers.ChoiceField(choices=Bill.Status.values))
        size = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
        offset = serializers.IntegerField(required=False, min_value=0, default=0)

    query_serializer_class = QuerySerializer

    @extend_schema(tags=[DIGIT_BILLING_TAG], parameters=[QuerySerializer], request=dict, responses={200: dict})
    def post(self, request):
        criteria = self.criteria(request)
        if not any(criteria.get(name) for name in self.CRITERIA):
            raise ApplicationError(
                "BILL_SEARCH_MANDATORY_FIELDS_MISSING",
                f"billId: give at least one of {', '.join(self.CRITERIA)}",
                params=list(self.CRITERIA),
            )
        if criteria.get("consumerCode") and not criteria.get("service"):
            raise ApplicationError(
                "BILL_SEARCH_CONSUMERCODE_BUSINESSSERVICE", "service: required with consumerCode", field="service"
            )
        tenant = city_get(tenant_id=criteria["tenantId"])
        service = None
        if criteria.get("service"):
            service = business_service_get(tenant_id=tenant.code, code=criteria["service"], field="service")
        bills = bill_list(
            tenant_id=tenant.code,
            bill_ids=criteria.get("billId", []),
            bill_numbers=criteria.get("billNumber", []),
            consumer_codes=criteria.get("consumerCode", []),
            business_service=service,
            mobile_number=criteria.get("mobileNumber", ""),
            email=criteria.get("email", ""),
            statuses=criteria.get("status", []),
            limit=criteria["size"],
            offset=criteria["offset"],
        )
        return self.respond("Bill", [bill_data(bill) for bill in bills])


@extend_schema_serializer(component_name="BillingUpdateBillCriteria")
class UpdateBillCriteriaSerializer(serializers.Serializer):
    tenantId = serializers.CharField(max_length=64)
    consumerCodes = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=1)
    businessService = serializers.CharField(max_length=64)
    additionalDetails = AdditionalDetailsField(required=False, allow_null=True)


class BillCancelApi(DigitApiView):
    """`POST /billing-service/bill/v2/_cancelbill` with `UpdateBillCriteria`: cancel a consumer's ACTIVE bill."""

    required_roles = (Role.BILLING_ADMIN,)

    @extend_schema_serializer(component_name="BillingCancelBillRequest")
    class InputSerializer(serializers.Serializer):
        UpdateBillCriteria = UpdateBillCriteriaSerializer()

    def request_tenant_id(self, request) -> str:
        return self.update_criteria(request)["tenantId"]

    def update_criteria(self, request) -> dict:
        if not hasattr(request, "_billing_cancel"):
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            request._billing_cancel = serializer.validated_data["UpdateBillCriteria"]
        return request._billing_cancel

    @extend_schema(tags=[DIGIT_BILLING_TAG], request=InputSerializer, responses={200: dict})
    def post(self, request):
        criteria = self.update_criteria(request)
        details = criteria.get("additionalDetails") or {}
        reason = details.get("reason")
        bill = bill_cancel(
            tenant_id=criteria["tenantId"],
            business_service_code=criteria["businessService"],
            consumer_code=criteria["consumerCodes"][0],
            actor=request.user,
            reason=reason if isinstance(reason, str) else "",
            source_ip=client_ip(request),
        )
        return self.respond("Message", f"Bill {bill.bill_number} of {bill.consumer_code} is cancelled")


# --- bill-collect XML -----------------------------------------------------------------------


class BillCollectXmlParser(BaseParser):
    """Reads a bill-collect document as bytes, never more than the cap (the parser decides what it means)."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        cap = bill_collect_max_bytes()
        declared = (parser_context or {}).get("request").META.get("CONTENT_LENGTH") if parser_context else None
        if declared and declared.isdigit() and int(declared) > cap:
            raise ParseError(f"body: the document is over {cap} bytes", code="EG_BS_BILL_COLLECT_TOO_LARGE")
        document = stream.read(cap + 1) if stream is not None else b""
        if len(document) > cap:
            raise ParseError(f"body: the document is over {cap} bytes", code="EG_BS_BILL_COLLECT_TOO_LARGE")
        return {"billCollect": document}


class BillCollectTextXmlParser(BillCollectXmlParser):
    media_type = "text/xml"


class BillCollectImportApi(DigitApiView):
    """`POST /billing-service/bill-collect/_import?tenantId=`: a `<bill-collect>` document (Content-Type
    application/xml, token as `Authorization: Bearer …`) becomes payable bills of the service it names."""

    required_roles = (Role.BILLING_ADMIN,)
    parser_classes = [BillCollectXmlParser, BillCollectTextXmlParser]

    @extend_schema(
        tags=[KOSH_BILLING_TAG],
        parameters=[OpenApiParameter("tenantId", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True)],
        request={"application/xml": OpenApiTypes.BINARY},
        responses={201: dict},
    )
    def post(self, request):
        bills = bill_collect_import(
            tenant_id=self.request_tenant_id(request),
            # An empty body never reaches the parser: DRF answers it with empty form data.
            document=request.data.get("billCollect", b""),
            actor=request.user,
            source_ip=client_ip(request),
        )
        return self.respond("Bill", [bill_data(bill) for bill in bills], status=201)
