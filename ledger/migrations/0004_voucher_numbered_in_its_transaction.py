"""A posted voucher written with a placeholder for its number (`core.services.idgen.DeferredIds`: `~id.<hex>~`)
gets the number, and the narration naming its receipt, in its transaction's last statement. That one change stays
allowed: from a placeholder to a number, touching no other column. Every other update or delete of a posted voucher
is still refused."""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION ledger_voucher_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND left(OLD.number, 4) = '~id.' AND left(NEW.number, 4) <> '~id.'
       AND to_jsonb(NEW) - 'number' - 'narration' = to_jsonb(OLD) - 'number' - 'narration' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% of a posted % row refused: post a reversal instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

DROP TRIGGER IF EXISTS ledger_voucher_posted_is_final ON ledger_voucher;
CREATE TRIGGER ledger_voucher_posted_is_final
    BEFORE UPDATE OR DELETE ON ledger_voucher
    FOR EACH ROW EXECUTE FUNCTION ledger_voucher_refuse_change();
"""

UNINSTALL = """
DROP TRIGGER ledger_voucher_posted_is_final ON ledger_voucher;
CREATE TRIGGER ledger_voucher_posted_is_final
    BEFORE UPDATE OR DELETE ON ledger_voucher
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change_of_posted_row();
DROP FUNCTION ledger_voucher_refuse_change();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_seed_chart_of_accounts"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
