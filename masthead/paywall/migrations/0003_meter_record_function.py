"""PostgreSQL only: the database meter's check-and-record as one function, one round trip.

The same steps as ``DatabaseMeterStore.record`` (lock the reader's bucket, creating it
on a first read; an article already read is free; refuse past the limit or the
address cap; else add the read and count it), run by the server in one statement's
time. Each statement inside a PL/pgSQL function sees rows committed before it
started, so a reader's second request, waiting on the lock, sees the first one's read.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION masthead_meter_record(
    p_reader text, p_address text, p_period text, p_article bigint,
    p_limit integer, p_cap integer, p_expires timestamptz
) RETURNS TABLE (recorded boolean, read_count integer, already_read boolean, address_count integer)
LANGUAGE plpgsql AS $$
DECLARE
    b_id bigint;
    b_count integer;
    a_id bigint;
    a_count integer := 0;
BEGIN
    SELECT id, count INTO b_id, b_count FROM paywall_meterbucket
        WHERE key = p_reader AND period = p_period FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO paywall_meterbucket (key, period, count, expires_at)
            VALUES (p_reader, p_period, 0, p_expires) ON CONFLICT DO NOTHING;
        SELECT id, count INTO b_id, b_count FROM paywall_meterbucket
            WHERE key = p_reader AND period = p_period FOR UPDATE;
    END IF;
    IF EXISTS (SELECT 1 FROM paywall_meterread WHERE bucket_id = b_id AND article_id = p_article)
    THEN
        RETURN QUERY SELECT true, b_count, true, 0;
        RETURN;
    END IF;
    IF b_count >= p_limit THEN
        RETURN QUERY SELECT false, b_count, false, 0;
        RETURN;
    END IF;
    IF p_address <> '' AND p_cap > 0 THEN
        SELECT id, count INTO a_id, a_count FROM paywall_meterbucket
            WHERE key = p_address AND period = p_period FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO paywall_meterbucket (key, period, count, expires_at)
                VALUES (p_address, p_period, 0, p_expires) ON CONFLICT DO NOTHING;
            SELECT id, count INTO a_id, a_count FROM paywall_meterbucket
                WHERE key = p_address AND period = p_period FOR UPDATE;
        END IF;
        IF a_count >= p_cap THEN
            RETURN QUERY SELECT false, b_count, false, a_count;
            RETURN;
        END IF;
        UPDATE paywall_meterbucket SET count = count + 1 WHERE id = a_id;
        a_count := a_count + 1;
    END IF;
    INSERT INTO paywall_meterread (bucket_id, article_id) VALUES (b_id, p_article);
    UPDATE paywall_meterbucket SET count = count + 1 WHERE id = b_id;
    RETURN QUERY SELECT true, b_count + 1, false, a_count;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS masthead_meter_record(text, text, text, bigint, integer, integer, timestamptz);"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("paywall", "0002_readerevent_to_insights")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
