"""The ledger's rules in PostgreSQL itself, so that no code path (a bug, a shell, a bulk write) can break them:

- a voucher balances: Σdebit = Σcredit > 0 over its lines, checked at COMMIT by deferred constraint triggers on
  vouchers and their lines (so the lines of one voucher are written in one transaction, in any order);
- a posted voucher or line is never updated or deleted: mistakes are reversed by new vouchers.

Both raise integrity errors (SQLSTATE 23514 and 23001). SQLite has no constraint triggers; there the service
layer alone enforces the rules."""

from django.db import migrations

INSTALL = """
CREATE FUNCTION ledger_voucher_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    checked_ids bigint[];
    checked_id bigint;
    total_debit numeric;
    total_credit numeric;
BEGIN
    IF TG_TABLE_NAME = 'ledger_voucher' THEN
        checked_ids := ARRAY[NEW.id];
    ELSIF TG_OP = 'INSERT' THEN
        checked_ids := ARRAY[NEW.voucher_id];
    ELSIF TG_OP = 'DELETE' THEN
        checked_ids := ARRAY[OLD.voucher_id];
    ELSE
        checked_ids := ARRAY[OLD.voucher_id, NEW.voucher_id];
    END IF;
    FOREACH checked_id IN ARRAY checked_ids LOOP
        -- A voucher deleted with its lines is the foreign keys' business, not this check's.
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM ledger_voucher WHERE id = checked_id);
        SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) INTO total_debit, total_credit
          FROM ledger_voucherline WHERE voucher_id = checked_id;
        IF total_debit <> total_credit OR total_debit = 0 THEN
            RAISE EXCEPTION 'Voucher % does not balance: debits % and credits %', checked_id, total_debit, total_credit
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_voucherline_balanced
    AFTER INSERT OR UPDATE OR DELETE ON ledger_voucherline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_voucher_check_balanced();

CREATE CONSTRAINT TRIGGER ledger_voucher_balanced
    AFTER INSERT ON ledger_voucher
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_voucher_check_balanced();

CREATE FUNCTION ledger_refuse_change_of_posted_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% of a posted % row refused: post a reversal instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER ledger_voucher_posted_is_final
    BEFORE UPDATE OR DELETE ON ledger_voucher
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change_of_posted_row();

CREATE TRIGGER ledger_voucherline_posted_is_final
    BEFORE UPDATE OR DELETE ON ledger_voucherline
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change_of_posted_row();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS ledger_voucherline_posted_is_final ON ledger_voucherline;
DROP TRIGGER IF EXISTS ledger_voucher_posted_is_final ON ledger_voucher;
DROP FUNCTION IF EXISTS ledger_refuse_change_of_posted_row();
DROP TRIGGER IF EXISTS ledger_voucher_balanced ON ledger_voucher;
DROP TRIGGER IF EXISTS ledger_voucherline_balanced ON ledger_voucherline;
DROP FUNCTION IF EXISTS ledger_voucher_check_balanced();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
