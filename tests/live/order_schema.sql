-- tests/live/order_schema.sql — additions to the corpus database for tests/live/dumporder.sh.
--
-- Loaded after corpus/sample-roles.sql and corpus/sample-db.sql (the database the corpus dumps
-- were made from, which pg_restore can restore whole) into the same database:
--   psql -X -v ON_ERROR_STOP=1 -d DB -f tests/live/order_schema.sql
-- It adds what a restore list must get right and the corpus database lacks: two tables with
-- foreign keys to each other, a standalone sequence used by a column default, a rule, a NOT
-- VALID check, a sub-partitioned table with a trigger on the parent and a partitioned index.
-- Data are deterministic.

SET client_min_messages = warning;

CREATE SCHEMA shop AUTHORIZATION app_owner;
COMMENT ON SCHEMA shop IS 'accounts, contacts and events (dumporder live tests)';
GRANT USAGE ON SCHEMA shop TO app_readers;

-- a standalone sequence that a column default uses: the closure needs it and its value
CREATE SEQUENCE shop.contact_numbers START WITH 7000 INCREMENT BY 3;
ALTER SEQUENCE shop.contact_numbers OWNER TO app_owner;
COMMENT ON SEQUENCE shop.contact_numbers IS 'numbers handed out to contacts';

-- foreign keys both ways: accounts -> contacts and contacts -> accounts
CREATE TABLE shop.accounts (
    account_id      integer GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 10) PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    main_contact_id integer
);
ALTER TABLE shop.accounts OWNER TO app_owner;
COMMENT ON TABLE shop.accounts IS 'customer accounts';

CREATE TABLE shop.contacts (
    contact_id serial PRIMARY KEY,
    account_id integer NOT NULL REFERENCES shop.accounts (account_id),
    email      text NOT NULL,
    number     bigint NOT NULL DEFAULT nextval('shop.contact_numbers')
);
ALTER TABLE shop.contacts OWNER TO app_owner;
ALTER TABLE shop.accounts ADD CONSTRAINT accounts_main_contact_fkey
    FOREIGN KEY (main_contact_id) REFERENCES shop.contacts (contact_id)
    DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX contacts_email_lower_idx ON shop.contacts (lower(email));
ALTER TABLE shop.contacts ADD CONSTRAINT contacts_email_at CHECK (email LIKE '%@%') NOT VALID;
COMMENT ON COLUMN shop.contacts.email IS 'where to write to';
COMMENT ON CONSTRAINT contacts_email_at ON shop.contacts IS 'checked for new rows only';
CREATE RULE contacts_keep_first AS ON DELETE TO shop.contacts
    WHERE OLD.contact_id = 1 DO INSTEAD NOTHING;
COMMENT ON RULE contacts_keep_first ON shop.contacts IS 'the first contact stays';
ALTER TABLE shop.contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY contacts_example ON shop.contacts FOR SELECT TO app_readers
    USING (email LIKE '%@example.com');
COMMENT ON POLICY contacts_example ON shop.contacts IS 'readers see example addresses';
GRANT SELECT ON shop.accounts TO app_readers;
GRANT SELECT (contact_id, email), UPDATE (email) ON shop.contacts TO "AuditBot";
GRANT USAGE ON SEQUENCE shop.contact_numbers TO app_writers;

-- sub-partitioned, with a trigger on the parent and a partitioned index
CREATE TABLE shop.events (
    account_id integer NOT NULL REFERENCES shop.accounts (account_id),
    happened   date NOT NULL,
    kind       text NOT NULL,
    payload    jsonb
) PARTITION BY RANGE (happened);
ALTER TABLE shop.events OWNER TO app_owner;
CREATE TABLE shop.events_2024 PARTITION OF shop.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (kind);
CREATE TABLE shop.events_2024_click PARTITION OF shop.events_2024 FOR VALUES IN ('click');
CREATE TABLE shop.events_2024_other PARTITION OF shop.events_2024 DEFAULT;
CREATE TABLE shop.events_older PARTITION OF shop.events DEFAULT;
CREATE INDEX events_account_idx ON shop.events (account_id, happened);
COMMENT ON TABLE shop.events IS 'partitioned by range, then by list';

CREATE FUNCTION shop.events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = '' THEN
        RAISE EXCEPTION 'empty event kind';
    END IF;
    RETURN NEW;
END;
$$;
ALTER FUNCTION shop.events_guard() OWNER TO app_owner;
CREATE TRIGGER events_guard BEFORE INSERT ON shop.events
    FOR EACH ROW EXECUTE FUNCTION shop.events_guard();
COMMENT ON TRIGGER events_guard ON shop.events IS 'no empty kinds';
GRANT SELECT ON shop.events TO app_readers;

-- data
INSERT INTO shop.accounts (name) SELECT 'account ' || g FROM generate_series(1, 12) g;
INSERT INTO shop.contacts (account_id, email)
SELECT 10 * (1 + g % 12), 'contact' || g || (CASE WHEN g % 3 = 0 THEN '@example.com' ELSE '@example.org' END)
FROM generate_series(1, 40) g;
UPDATE shop.accounts SET main_contact_id = (account_id / 10);
INSERT INTO shop.events (account_id, happened, kind, payload)
SELECT 10 * (1 + g % 12), date '2023-10-01' + (g % 200),
       (ARRAY['click', 'view', 'buy'])[1 + g % 3], jsonb_build_object('n', g)
FROM generate_series(1, 600) g;
SELECT nextval('shop.contact_numbers') FROM generate_series(1, 4);

-- database-level properties, which pg_restore restores with -C only (DATABASE PROPERTIES,
-- COMMENT ON DATABASE): dumporder -C must list them whatever -n, -t or --section say
DO $$
BEGIN
    EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'dumporder live tests');
    EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '8MB');
END
$$;

ANALYZE;
