"""OpenAPI description of the G2P envelope and payloads (documentation only: the views check input themselves,
so every refusal carries the anchor's error code)."""

from rest_framework import serializers


class G2PRequestHeaderSerializer(serializers.Serializer):
    version = serializers.CharField(default="1.0.0")
    message_id = serializers.CharField(help_text="Unique per sender; a write sent again with it gets the first answer.")
    message_ts = serializers.CharField()
    action = serializers.CharField(required=False)
    sender_id = serializers.CharField(required=False)
    sender_uri = serializers.CharField(required=False)
    receiver_id = serializers.CharField(required=False)
    total_count = serializers.IntegerField()
    is_msg_encrypted = serializers.BooleanField(default=False)
    meta = serializers.DictField(required=False)


class G2PResponseHeaderSerializer(serializers.Serializer):
    version = serializers.CharField()
    message_id = serializers.CharField()
    message_ts = serializers.CharField()
    action = serializers.CharField()
    status = serializers.ChoiceField(choices=["succ", "rjct"])
    status_reason_code = serializers.CharField(
        help_text="The anchor's error code on rjct, e.g. INVALID_PROGRAM_MNEMONIC."
    )
    status_reason_message = serializers.CharField(help_text="The same code, where the anchor puts it.")
    status_reason_detail = serializers.CharField(help_text="Kosh: what was wrong, naming the field or items.")
    total_count = serializers.IntegerField()
    completed_count = serializers.IntegerField()
    sender_id = serializers.CharField()
    receiver_id = serializers.CharField()
    is_msg_encrypted = serializers.BooleanField()
    meta = serializers.DictField()


class G2PProgramConfigurationSerializer(serializers.Serializer):
    benefit_program_mnemonic = serializers.CharField()
    benefit_program_name = serializers.CharField()
    funding_org_code = serializers.CharField(required=False)
    funding_org_name = serializers.CharField(required=False)
    sponsor_bank_code = serializers.CharField()
    sponsor_bank_account_number = serializers.CharField()
    sponsor_bank_branch_code = serializers.CharField(required=False)
    sponsor_bank_account_currency = serializers.CharField(default="INR")
    id_mapper_resolution_required = serializers.BooleanField(default=True)


class G2PEnvelopeSerializer(serializers.Serializer):
    disbursement_envelope_id = serializers.CharField(
        required=False, help_text="Caller-supplied (idempotent); generated when absent."
    )
    benefit_program_mnemonic = serializers.CharField()
    disbursement_frequency = serializers.CharField()
    cycle_code_mnemonic = serializers.CharField()
    number_of_beneficiaries = serializers.IntegerField()
    number_of_disbursements = serializers.IntegerField()
    total_disbursement_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    disbursement_currency_code = serializers.CharField()
    disbursement_schedule_date = serializers.DateField()
    cancellation_status = serializers.CharField(read_only=True)


class G2PEnvelopeIdSerializer(serializers.Serializer):
    disbursement_envelope_id = serializers.CharField()


class G2PDisbursementSerializer(serializers.Serializer):
    mis_reference_number = serializers.CharField(required=False)
    disbursement_id = serializers.CharField(
        required=False, help_text="Caller-supplied (idempotent); generated when absent."
    )
    disbursement_envelope_id = serializers.CharField()
    beneficiary_id = serializers.CharField()
    beneficiary_name = serializers.CharField()
    disbursement_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    narrative = serializers.CharField()
    cancellation_status = serializers.CharField(read_only=True)
    response_error_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    status = serializers.CharField(read_only=True, help_text="Kosh: RECEIVED, RESOLVED, SHIPPED, PAID, …")


class G2PDisbursementIdSerializer(serializers.Serializer):
    disbursement_id = serializers.CharField()


class G2PStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_error_code = serializers.CharField()
    last_error = serializers.CharField()


class G2PEnvelopeStatusSerializer(serializers.Serializer):
    disbursement_envelope_id = serializers.CharField()
    cancellation_status = serializers.CharField()
    number_of_disbursements_received = serializers.IntegerField()
    total_disbursement_amount_received = serializers.DecimalField(max_digits=18, decimal_places=2)
    funds_available_with_bank = serializers.CharField()
    funds_available_latest_timestamp = serializers.DateTimeField(allow_null=True)
    funds_available_latest_error_code = serializers.CharField()
    funds_available_attempts = serializers.IntegerField()
    funds_blocked_with_bank = serializers.CharField()
    funds_blocked_latest_timestamp = serializers.DateTimeField(allow_null=True)
    funds_blocked_latest_error_code = serializers.CharField()
    funds_blocked_attempts = serializers.IntegerField()
    funds_blocked_reference_number = serializers.CharField()
    id_mapper_resolution_required = serializers.BooleanField()
    number_of_disbursements_shipped = serializers.IntegerField()
    number_of_disbursements_reconciled = serializers.IntegerField()
    number_of_disbursements_reversed = serializers.IntegerField()
    number_of_disbursements_paid = serializers.IntegerField()
    number_of_disbursements_failed = serializers.IntegerField()
    number_of_disbursements_cancelled = serializers.IntegerField()
    total_disbursement_amount_shipped = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_disbursement_amount_reconciled = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_disbursement_amount_reversed = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_disbursement_amount_failed = serializers.DecimalField(max_digits=18, decimal_places=2)
    stages = G2PStageSerializer(many=True)


class G2PReconPayloadSerializer(serializers.Serializer):
    bank_disbursement_batch_id = serializers.CharField()
    disbursement_id = serializers.CharField()
    disbursement_envelope_id = serializers.CharField()
    beneficiary_name_from_bank = serializers.CharField()
    remittance_reference_number = serializers.CharField()
    remittance_statement_id = serializers.CharField()
    remittance_statement_number = serializers.CharField()
    remittance_statement_sequence = serializers.CharField()
    remittance_entry_sequence = serializers.IntegerField()
    remittance_entry_date = serializers.DateField(allow_null=True)
    remittance_value_date = serializers.DateField()
    reversal_found = serializers.BooleanField()
    reversal_statement_id = serializers.CharField(allow_null=True)
    reversal_statement_number = serializers.CharField()
    reversal_statement_sequence = serializers.CharField()
    reversal_entry_sequence = serializers.IntegerField(allow_null=True)
    reversal_entry_date = serializers.DateField(allow_null=True)
    reversal_value_date = serializers.DateField(allow_null=True)
    reversal_reason = serializers.CharField()


class G2PErrorReconPayloadSerializer(serializers.Serializer):
    statement_id = serializers.CharField()
    statement_number = serializers.CharField()
    statement_sequence = serializers.CharField()
    entry_sequence = serializers.IntegerField()
    entry_date = serializers.DateField(allow_null=True)
    value_date = serializers.DateField(allow_null=True)
    error_reason = serializers.CharField()
    disbursement_id = serializers.CharField()
    bank_reference_number = serializers.CharField()


class G2PReconRecordsSerializer(serializers.Serializer):
    disbursement_recon_payloads = G2PReconPayloadSerializer(many=True)
    disbursement_error_recon_payloads = G2PErrorReconPayloadSerializer(many=True)


class G2PDisbursementStatusSerializer(serializers.Serializer):
    disbursement_id = serializers.CharField()
    disbursement_envelope_id = serializers.CharField()
    disbursement_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    failure_code = serializers.CharField()
    failure_reason = serializers.CharField()
    cancellation_status = serializers.CharField()
    disbursement_recon_records = G2PReconRecordsSerializer()


def g2p_envelope(name: str, message, *, response: bool) -> type[serializers.Serializer]:
    """A `{signature, header, message}` serializer class with a unique OpenAPI component name."""
    header = G2PResponseHeaderSerializer() if response else G2PRequestHeaderSerializer()
    return type(
        f"{name}Serializer",
        (serializers.Serializer,),
        {
            "signature": serializers.CharField(allow_null=True, required=False),
            "header": header,
            "message": message,
            "__module__": __name__,
        },
    )


class G2PStatementUploadSerializer(serializers.Serializer):
    statement_file = serializers.FileField(help_text="The MT940 statement.")
    encoding = serializers.CharField(
        required=False, help_text="Kosh: the file's encoding when it is not UTF-8 (cp1252, latin-1, cp852, …)."
    )
