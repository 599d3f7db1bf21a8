"""One view per G2P operation, at the anchor's paths."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from bridge.api import serializers as docs
from bridge.api.base import SUCC, G2PApiView, response_header, wire
from bridge.errors import BridgeRejection, ErrorCode
from bridge.selectors import disbursement_status_payloads, envelope_find, envelope_status_payload
from bridge.services.clients import signature_verify
from bridge.services.disbursements import disbursements_cancel, disbursements_create
from bridge.services.envelopes import envelope_cancel, envelope_create, envelope_payload
from bridge.services.programs import program_create, program_payload
from bridge.services.statements import StatementUploadRejected, statement_upload

TAG = "G2P Bridge"
MAX_STATUS_IDS = 10_000


def _schema(name: str, request, response, summary: str):
    return extend_schema(
        tags=[TAG],
        summary=summary,
        request=docs.g2p_envelope(f"{name}Request", request, response=False),
        responses={200: docs.g2p_envelope(f"{name}Response", response, response=True)},
    )


class CreateBenefitProgramConfigurationApi(G2PApiView):
    @_schema(
        "G2PCreateProgram",
        docs.G2PProgramConfigurationSerializer(),
        docs.G2PProgramConfigurationSerializer(),
        "Register a benefit program and its sponsor account",
    )
    def post(self, request):
        return super().post(request)

    def handle(self, *, client, message):
        program = program_create(tenant_id=client.tenant_id, payload=message, client=client)
        return program_payload(program), 1, 1


class CreateDisbursementEnvelopeApi(G2PApiView):
    @_schema(
        "G2PCreateEnvelope",
        docs.G2PEnvelopeSerializer(),
        docs.G2PEnvelopeSerializer(),
        "Declare a disbursement envelope",
    )
    def post(self, request):
        return super().post(request)

    def handle(self, *, client, message):
        return envelope_payload(envelope_create(client=client, payload=message)), 1, 1


class CancelDisbursementEnvelopeApi(G2PApiView):
    @_schema(
        "G2PCancelEnvelope",
        docs.G2PEnvelopeIdSerializer(),
        docs.G2PEnvelopeSerializer(),
        "Cancel an envelope: stop shipping, release the fund block",
    )
    def post(self, request):
        return super().post(request)

    def handle(self, *, client, message):
        if not isinstance(message, dict):
            raise BridgeRejection(ErrorCode.INVALID_DISBURSEMENT_ENVELOPE_ID, "message: {disbursement_envelope_id}")
        envelope = envelope_cancel(
            tenant_id=client.tenant_id, envelope_id=message.get("disbursement_envelope_id"), client=client
        )
        return envelope_payload(envelope), 1, 1


class CreateDisbursementsApi(G2PApiView):
    @_schema(
        "G2PCreateDisbursements",
        docs.G2PDisbursementSerializer(many=True),
        docs.G2PDisbursementSerializer(many=True),
        "Add disbursements to an envelope (all or nothing)",
    )
    def post(self, request):
        return super().post(request)

    def handle(self, *, client, message):
        echoed = disbursements_create(client=client, items=message)
        return echoed, len(echoed), len(echoed)


class CancelDisbursementsApi(G2PApiView):
    @_schema(
        "G2PCancelDisbursements",
        docs.G2PDisbursementIdSerializer(many=True),
        docs.G2PDisbursementIdSerializer(many=True),
        "Cancel disbursements not yet sent to the bank",
    )
    def post(self, request):
        return super().post(request)

    def handle(self, *, client, message):
        cancelled = disbursements_cancel(client=client, items=message)
        return cancelled, len(cancelled), len(cancelled)


class GetDisbursementEnvelopeStatusApi(G2PApiView):
    idempotent = False

    @_schema(
        "G2PEnvelopeStatus",
        serializers.CharField(help_text="The disbursement_envelope_id."),
        docs.G2PEnvelopeStatusSerializer(),
        "An envelope's counts, amounts and pipeline stages",
    )
    def post(self, request):
        return super().post(request)

    def handle(self, *, client, message):
        envelope_id = message.get("disbursement_envelope_id") if isinstance(message, dict) else message
        if not isinstance(envelope_id, str) or not envelope_id.strip():
            raise BridgeRejection(ErrorCode.INVALID_DISBURSEMENT_ENVELOPE_ID, "message: the disbursement_envelope_id")
        envelope = envelope_find(tenant_id=client.tenant_id, envelope_id=envelope_id)
        if envelope is None:
            raise BridgeRejection(ErrorCode.DISBURSEMENT_ENVELOPE_NOT_FOUND, f"no envelope '{envelope_id}'")
        return envelope_status_payload(envelope), 1, 1


class GetDisbursementStatusApi(G2PApiView):
    idempotent = False

    @_schema(
        "G2PDisbursementStatus",
        serializers.ListField(child=serializers.CharField(), help_text="disbursement_id values"),
        docs.G2PDisbursementStatusSerializer(many=True),
        "Each disbursement's lifecycle status and its reconciliation records",
    )
    def post(self, request):
        return super().post(request)

    def handle(self, *, client, message):
        if (
            not isinstance(message, list)
            or not message
            or len(message) > MAX_STATUS_IDS
            or not all(isinstance(value, str) and value for value in message)
        ):
            raise BridgeRejection(ErrorCode.INVALID_DISBURSEMENT_ID, f"message: 1 to {MAX_STATUS_IDS} disbursement ids")
        found, unknown = disbursement_status_payloads(tenant_id=client.tenant_id, disbursement_ids=message)
        if unknown:
            raise BridgeRejection(
                ErrorCode.INVALID_DISBURSEMENT_ID,
                f"unknown disbursement ids: {', '.join(unknown[:20])}{' …' if len(unknown) > 20 else ''}",
                message=unknown,
            )
        return found, len(message), len(found)


class UploadMt940Api(G2PApiView):
    """The sponsor bank (or an operator's tool) posts a statement as multipart `statement_file`."""

    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs):
        self.request_header = {}
        # Authentication and permissions read only headers; the body is not touched before the size check.
        super(G2PApiView, self).initial(request, *args, **kwargs)
        # Refused before a byte of the body is read: the declared length already says it is too large.
        limit = settings.BRIDGE_STATEMENT_MAX_BYTES + 64 * 1024
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            raise self._refused(
                f"FILE_TOO_LARGE: statement_file: at most {settings.BRIDGE_STATEMENT_MAX_BYTES:,} bytes"
            )

    @extend_schema(
        tags=[TAG],
        summary="Upload an MT940 statement of a sponsor account",
        request={"multipart/form-data": docs.G2PStatementUploadSerializer},
        responses={
            200: docs.g2p_envelope(
                "G2PUploadStatementResponse", serializers.CharField(help_text="The statement_id"), response=True
            )
        },
    )
    def post(self, request):
        client = request.auth
        upload = request.FILES.get("statement_file")
        if upload is None:
            raise self._refused("NO_FILE: statement_file: required")
        content = upload.read()
        signature_verify(client=client, payload=content, signature=request.headers.get("Signature", ""))
        encoding = request.data.get("encoding", "") or ""
        try:
            statement = statement_upload(
                tenant_id=client.tenant_id, content=content, filename=upload.name, encoding=encoding, client=client
            )
        except StatementUploadRejected as exc:
            raise self._refused(f"{exc.code}: {exc.message}") from None
        return Response(
            {
                "signature": None,
                "header": response_header({}, status=SUCC, total_count=1, completed_count=1),
                "message": wire(str(statement.statement_id)),
            }
        )

    @staticmethod
    def _refused(detail: str) -> BridgeRejection:
        return BridgeRejection(ErrorCode.STATEMENT_UPLOAD_ERROR, detail, message=ErrorCode.STATEMENT_UPLOAD_ERROR.value)
