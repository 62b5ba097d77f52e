-- tests/live/schema.sql — a PostgreSQL 15 database with every object kind pg_dump 15 can dump.
--
-- Loaded by tests/live/run.sh into a fresh database of a throwaway cluster:
--   psql -X -v ON_ERROR_STOP=1 -v tsdir=/empty/dir/owned/by/postgres -d live -f schema.sql
-- It creates cluster-wide roles and a tablespace too, so it is meant for a throwaway
-- cluster only.  The point is breadth: every TOC entry kind, names that need quoting
-- in every position of a `pg_restore -l` line (schema, tag, owner), and data that is
-- awkward for a COPY scanner.  Data are deterministic (no random()).

SET client_min_messages = warning;
SET search_path = public;

------------------------------------------------------------------------
-- roles (cluster-wide): spaces, quotes, capitals
------------------------------------------------------------------------
CREATE ROLE alice LOGIN;
CREATE ROLE bob NOLOGIN;
CREATE ROLE "app owner" NOLOGIN;               -- space
CREATE ROLE "O'Brien" LOGIN;                   -- single quote
CREATE ROLE "CamelCase" NOLOGIN;               -- capitals
CREATE ROLE "Report ""Reader""" NOLOGIN;       -- double quotes inside the name
CREATE ROLE readers NOLOGIN;
GRANT readers TO alice, "O'Brien";

------------------------------------------------------------------------
-- tablespace (its directory is created by run.sh, owned by postgres)
------------------------------------------------------------------------
CREATE TABLESPACE live_ts OWNER "app owner" LOCATION :'tsdir';
COMMENT ON TABLESPACE live_ts IS 'a tablespace so that TOC entries carry one';

------------------------------------------------------------------------
-- database-level settings and comment (dumped with --create only)
------------------------------------------------------------------------
COMMENT ON DATABASE live IS 'live test database of dumpfmt';

------------------------------------------------------------------------
-- schemas
------------------------------------------------------------------------
CREATE SCHEMA sales AUTHORIZATION "app owner";
CREATE SCHEMA "my schema" AUTHORIZATION alice;      -- space
CREATE SCHEMA "BigCaps" AUTHORIZATION "CamelCase";  -- capitals
CREATE SCHEMA util;
CREATE SCHEMA ext;
CREATE SCHEMA empty_schema AUTHORIZATION bob;
COMMENT ON SCHEMA sales IS 'orders and customers';
COMMENT ON SCHEMA "my schema" IS 'schema whose name has a space';
COMMENT ON SCHEMA public IS 'standard public schema (comment changed)';
GRANT USAGE ON SCHEMA sales TO readers;
GRANT USAGE, CREATE ON SCHEMA "my schema" TO "O'Brien";
GRANT ALL ON SCHEMA "BigCaps" TO "Report ""Reader""";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

------------------------------------------------------------------------
-- extensions from postgresql-contrib-15
------------------------------------------------------------------------
CREATE EXTENSION hstore WITH SCHEMA ext;
CREATE EXTENSION pg_trgm WITH SCHEMA ext;
COMMENT ON EXTENSION hstore IS 'key/value pairs (comment changed)';

------------------------------------------------------------------------
-- procedural language, access method, conversion, collations
------------------------------------------------------------------------
CREATE TRUSTED LANGUAGE plpgsql_twin
    HANDLER plpgsql_call_handler INLINE plpgsql_inline_handler VALIDATOR plpgsql_validator;
COMMENT ON LANGUAGE plpgsql_twin IS 'second plpgsql so that a PROCEDURAL LANGUAGE entry exists';

CREATE ACCESS METHOD heap_twin TYPE TABLE HANDLER heap_tableam_handler;
COMMENT ON ACCESS METHOD heap_twin IS 'table access method twin of heap';

CREATE CONVERSION util.latin1_to_utf8_twin FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
COMMENT ON CONVERSION util.latin1_to_utf8_twin IS 'a conversion';

CREATE COLLATION util.c_twin FROM "C";
CREATE COLLATION util."Posix Twin" (provider = libc, locale = 'POSIX');
COMMENT ON COLLATION util.c_twin IS 'copy of C';
ALTER COLLATION util."Posix Twin" OWNER TO "CamelCase";

------------------------------------------------------------------------
-- types: enum, composite, range, domain
------------------------------------------------------------------------
CREATE TYPE sales.order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
ALTER TYPE sales.order_status OWNER TO "app owner";
COMMENT ON TYPE sales.order_status IS 'life cycle of an order';

CREATE TYPE util.mood AS ENUM ('sad', 'ok', 'happy');

CREATE TYPE util.dimensions AS (width_mm integer, height_mm integer, depth_mm integer);
COMMENT ON COLUMN util.dimensions.width_mm IS 'column of a composite type';

CREATE TYPE util.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
COMMENT ON TYPE util.floatrange IS 'a range type';

CREATE DOMAIN util.sku AS text
    CONSTRAINT sku_format CHECK (VALUE ~ '^[A-Z]{3}-[0-9]{4}$');
COMMENT ON DOMAIN util.sku IS 'stock keeping unit';
COMMENT ON CONSTRAINT sku_format ON DOMAIN util.sku IS 'three letters, dash, four digits';

CREATE DOMAIN util.positive_money AS numeric(14,2) DEFAULT 0 NOT NULL CHECK (VALUE >= 0);
ALTER DOMAIN util.positive_money OWNER TO "CamelCase";

------------------------------------------------------------------------
-- functions, procedure, aggregate, operator, cast, operator class/family
------------------------------------------------------------------------
CREATE FUNCTION util.slugify(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT trim(both '-' from regexp_replace(lower(t), '[^a-z0-9]+', '-', 'g')) $$;
COMMENT ON FUNCTION util.slugify(text) IS 'lower-case, dash separated form of a name';

CREATE FUNCTION util.mood_to_int(m util.mood) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT CASE m WHEN 'sad' THEN -1 WHEN 'ok' THEN 0 ELSE 1 END $$;

CREATE FUNCTION util.secret_count() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, sales
    AS $fn$
BEGIN
    RETURN (SELECT count(*) FROM sales.customers);
END;
$fn$;
ALTER FUNCTION util.secret_count() OWNER TO "app owner";
REVOKE EXECUTE ON FUNCTION util.secret_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION util.secret_count() TO "O'Brien", readers;

CREATE FUNCTION util.twin_hello() RETURNS text LANGUAGE plpgsql_twin
    AS $$ BEGIN RETURN 'hello'; END $$;

CREATE FUNCTION util.audit_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $fn$
BEGIN
    INSERT INTO sales.audit_log(table_name, action, row_data)
    VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP,
            CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END);
    RETURN NULL;
END;
$fn$;

CREATE FUNCTION util.no_drops() RETURNS event_trigger
    LANGUAGE plpgsql
    AS $fn$
BEGIN
    RAISE NOTICE 'ddl command: %', tg_tag;
END;
$fn$;

CREATE PROCEDURE sales.reprice(pct numeric)
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE sales.products SET price = round(price * (1 + pct / 100), 2);
END;
$$;
ALTER PROCEDURE sales.reprice(numeric) OWNER TO "app owner";
COMMENT ON PROCEDURE sales.reprice(numeric) IS 'a procedure';

CREATE FUNCTION util.pipe_state(acc text, val text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN acc IS NULL THEN val ELSE acc || '|' || val END $$;
CREATE AGGREGATE util.pipe_concat(text) (SFUNC = util.pipe_state, STYPE = text);
COMMENT ON AGGREGATE util.pipe_concat(text) IS 'joins values with |';

CREATE FUNCTION util.approx_eq(a float8, b float8) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT abs(a - b) < 1e-9 $$;
CREATE OPERATOR util.=~= (LEFTARG = float8, RIGHTARG = float8, FUNCTION = util.approx_eq,
                          COMMUTATOR = OPERATOR(util.=~=));
COMMENT ON OPERATOR util.=~= (float8, float8) IS 'approximately equal';

CREATE CAST (util.mood AS integer) WITH FUNCTION util.mood_to_int(util.mood) AS ASSIGNMENT;
COMMENT ON CAST (util.mood AS integer) IS 'mood as a number';

CREATE OPERATOR FAMILY util.text_twin_ops USING btree;
CREATE OPERATOR CLASS util.text_twin_ops FOR TYPE text USING btree FAMILY util.text_twin_ops AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 bttextcmp(text, text);
COMMENT ON OPERATOR CLASS util.text_twin_ops USING btree IS 'non-default text ordering twin';
-- a transform needs a function from internal to internal: borrow a built-in one
CREATE TRANSFORM FOR util.mood LANGUAGE plpgsql_twin (FROM SQL WITH FUNCTION gtsvector_compress(internal));
COMMENT ON TRANSFORM FOR util.mood LANGUAGE plpgsql_twin IS 'a transform';

------------------------------------------------------------------------
-- text search: parser, template, dictionary, configuration
------------------------------------------------------------------------
CREATE TEXT SEARCH PARSER util.twin_parser (START = prsd_start, GETTOKEN = prsd_nexttoken,
    END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
CREATE TEXT SEARCH TEMPLATE util.twin_template (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH DICTIONARY util.twin_dict (TEMPLATE = util.twin_template, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION util.twin_cfg (PARSER = util.twin_parser);
ALTER TEXT SEARCH CONFIGURATION util.twin_cfg ADD MAPPING FOR asciiword, word WITH util.twin_dict;
ALTER TEXT SEARCH DICTIONARY util.twin_dict OWNER TO alice;
COMMENT ON TEXT SEARCH CONFIGURATION util.twin_cfg IS 'a text search configuration';
COMMENT ON TEXT SEARCH DICTIONARY util.twin_dict IS 'a text search dictionary';

------------------------------------------------------------------------
-- tables: serial and identity columns, constraints, indexes, owners
------------------------------------------------------------------------
CREATE TABLE sales.customers (
    customer_id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 500) PRIMARY KEY,
    email       text NOT NULL,
    full_name   text NOT NULL COLLATE util.c_twin,
    country     char(2),
    notes       text,
    prefs       ext.hstore,
    mood        util.mood,
    region      text NOT NULL DEFAULT 'eu',
    CONSTRAINT customers_country_check CHECK (country ~ '^[A-Z]{2}$')
);
ALTER TABLE sales.customers OWNER TO "app owner";
CREATE UNIQUE INDEX customers_email_lower_key ON sales.customers (lower(email));   -- expression
CREATE INDEX customers_name_trgm ON sales.customers USING gin (full_name ext.gin_trgm_ops);
COMMENT ON TABLE sales.customers IS 'customers (row level security, forced)';
COMMENT ON COLUMN sales.customers.notes IS 'may contain tabs, newlines, backslashes and unicode';
COMMENT ON INDEX sales.customers_email_lower_key IS 'unique expression index';
COMMENT ON CONSTRAINT customers_country_check ON sales.customers IS 'two capitals';
-- NOT VALID constraints are dumped as separate CHECK CONSTRAINT entries
ALTER TABLE sales.customers ADD CONSTRAINT customers_email_at CHECK (email LIKE '%@%') NOT VALID;
ALTER DOMAIN util.sku ADD CONSTRAINT sku_not_test CHECK (VALUE <> 'TST-0000') NOT VALID;

CREATE TABLE sales.products (
    product_id  integer GENERATED ALWAYS AS IDENTITY (START WITH 1000 INCREMENT BY 5) PRIMARY KEY,
    sku         util.sku NOT NULL UNIQUE,
    name        text NOT NULL,
    price       util.positive_money,
    tags        text[],
    attrs       jsonb,
    dims        util.dimensions,
    weight      util.floatrange,
    photo       bytea,
    discontinued boolean NOT NULL DEFAULT false
);
ALTER TABLE sales.products OWNER TO "app owner";
CREATE INDEX products_active_price_idx ON sales.products (price) WHERE NOT discontinued; -- partial
CREATE INDEX products_slug_idx ON sales.products (util.slugify(name));                  -- expression
CREATE INDEX products_name_twin ON sales.products (name util.text_twin_ops) TABLESPACE live_ts;
CREATE INDEX products_attrs_gin ON sales.products USING gin (attrs jsonb_path_ops);
CREATE INDEX products_id_brin ON sales.products USING brin (product_id);
CREATE INDEX products_sku_hash ON sales.products USING hash (sku);
COMMENT ON INDEX sales.products_active_price_idx IS 'partial index';
ALTER TABLE sales.products CLUSTER ON products_pkey;

-- range partitioning with a partitioned index (INDEX ATTACH entries)
CREATE TABLE sales.orders (
    order_id    bigint NOT NULL,
    order_date  date NOT NULL,
    customer_id bigint NOT NULL REFERENCES sales.customers (customer_id),
    status      sales.order_status NOT NULL DEFAULT 'new',
    total       numeric(14,2),
    PRIMARY KEY (order_id, order_date)
) PARTITION BY RANGE (order_date);
ALTER TABLE sales.orders OWNER TO "app owner";
CREATE TABLE sales.orders_2023 PARTITION OF sales.orders
    FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE sales.orders_2024 PARTITION OF sales.orders
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') TABLESPACE live_ts;
CREATE TABLE sales.orders_default PARTITION OF sales.orders DEFAULT;
CREATE INDEX orders_open_idx ON sales.orders (customer_id) WHERE status IN ('new', 'paid');
CREATE INDEX orders_date_idx ON sales.orders (order_date);
COMMENT ON TABLE sales.orders IS 'orders, range-partitioned by order_date';
COMMENT ON TABLE sales.orders_2024 IS 'partition in a tablespace';

-- FK referencing a partitioned table; a generated column; a deferrable unique
CREATE TABLE sales.order_items (
    order_id   bigint NOT NULL,
    order_date date NOT NULL,
    line_no    smallint NOT NULL,
    product_id integer NOT NULL REFERENCES sales.products (product_id),
    qty        integer NOT NULL CHECK (qty > 0),
    unit_price numeric(12,2) NOT NULL,
    line_total numeric(14,2) GENERATED ALWAYS AS (qty * unit_price) STORED,
    PRIMARY KEY (order_id, line_no),
    FOREIGN KEY (order_id, order_date) REFERENCES sales.orders (order_id, order_date)
        ON DELETE CASCADE
);
ALTER TABLE sales.order_items OWNER TO "CamelCase";

-- list partitioning, with a sub-partitioned (hash) partition
CREATE TABLE "BigCaps"."Regions" (
    "RegionCode" text NOT NULL,
    id           integer NOT NULL,
    payload      text,
    PRIMARY KEY ("RegionCode", id)
) PARTITION BY LIST ("RegionCode");
ALTER TABLE "BigCaps"."Regions" OWNER TO "CamelCase";
CREATE TABLE "BigCaps"."Regions EU" PARTITION OF "BigCaps"."Regions" FOR VALUES IN ('DE', 'FR', 'IT');
CREATE TABLE "BigCaps"."Regions US" PARTITION OF "BigCaps"."Regions" FOR VALUES IN ('US')
    PARTITION BY HASH (id);
CREATE TABLE "BigCaps"."Regions US 0" PARTITION OF "BigCaps"."Regions US"
    FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE "BigCaps"."Regions US 1" PARTITION OF "BigCaps"."Regions US"
    FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE "BigCaps"."Regions Other" PARTITION OF "BigCaps"."Regions" DEFAULT;
CREATE INDEX "Regions_payload_idx" ON "BigCaps"."Regions" (payload);

-- self-referencing FK, cross-schema FK, exclusion constraint on a range (core gist)
CREATE TABLE "my schema"."tab with space" (
    id        serial PRIMARY KEY,
    parent_id integer REFERENCES "my schema"."tab with space" (id) ON DELETE CASCADE,
    customer  bigint REFERENCES sales.customers (customer_id),
    label     text NOT NULL,
    CONSTRAINT "label not blank" CHECK (label <> '')
);
ALTER TABLE "my schema"."tab with space" OWNER TO alice;
COMMENT ON TABLE "my schema"."tab with space" IS 'self-referencing and cross-schema foreign keys';
COMMENT ON COLUMN "my schema"."tab with space".label IS 'column comment';

CREATE TABLE util.room_bookings (
    booking_id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    room       text NOT NULL,
    during     tstzrange NOT NULL,
    cancelled  boolean NOT NULL DEFAULT false,
    CONSTRAINT room_bookings_no_overlap EXCLUDE USING gist (during WITH &&) WHERE (NOT cancelled)
);
COMMENT ON CONSTRAINT room_bookings_no_overlap ON util.room_bookings IS 'exclusion over a range';

-- inheritance, unlogged, table access method, storage parameters, tablespace
CREATE TABLE util.base_log (id bigserial PRIMARY KEY, msg text);
CREATE TABLE util.child_log (severity int NOT NULL DEFAULT 0) INHERITS (util.base_log);
CREATE UNLOGGED TABLE util.scratch (k text PRIMARY KEY, v text) WITH (fillfactor = 70);
CREATE TABLE util.twin_am_table (a int, b text) USING heap_twin;
CREATE TABLE util.in_tablespace (id int PRIMARY KEY USING INDEX TABLESPACE live_ts, t text)
    TABLESPACE live_ts;
ALTER TABLE util.in_tablespace ALTER COLUMN t SET STATISTICS 500;
ALTER TABLE util.in_tablespace ALTER COLUMN t SET STORAGE EXTERNAL;

-- extended statistics
CREATE STATISTICS sales.customers_country_region (dependencies, ndistinct)
    ON country, region FROM sales.customers;
COMMENT ON STATISTICS sales.customers_country_region IS 'extended statistics';

-- audit log written by a trigger
CREATE TABLE sales.audit_log (
    event_id   bigserial PRIMARY KEY,
    happened   timestamptz NOT NULL DEFAULT '2024-06-01 12:00:00+00',
    table_name text NOT NULL,
    action     text NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
    row_data   jsonb
);
ALTER TABLE sales.audit_log OWNER TO bob;

-- a standalone sequence and an empty table
CREATE SEQUENCE sales.invoice_number_seq
    START WITH 100000 INCREMENT BY 7 MINVALUE 100000 MAXVALUE 999999 CACHE 1 CYCLE;
ALTER SEQUENCE sales.invoice_number_seq OWNER TO "app owner";
COMMENT ON SEQUENCE sales.invoice_number_seq IS 'a standalone sequence';
CREATE SEQUENCE util.owned_seq OWNED BY NONE;

CREATE TABLE sales.returns (          -- deliberately EMPTY
    return_id   bigserial PRIMARY KEY,
    order_id    bigint NOT NULL,
    reason      text
);
ALTER TABLE sales.returns OWNER TO "O'Brien";

-- 20000 rows: data spans many compressed chunks
CREATE TABLE util.readings (reading_id integer PRIMARY KEY, val smallint, note text);
CREATE INDEX readings_val_idx ON util.readings (val) WHERE val IS NOT NULL;

-- names that need quoting everywhere
CREATE TABLE public."Weird ""Table"" Name" (
    "Id"           integer PRIMARY KEY,
    "Display Name" text,
    "select"       boolean,
    "naïve"        text
);
ALTER TABLE public."Weird ""Table"" Name" OWNER TO "Report ""Reader""";
COMMENT ON TABLE public."Weird ""Table"" Name" IS 'identifiers that all need quoting';
CREATE TABLE public."Ünïcödé 表" (k int PRIMARY KEY, v text);

-- awkward COPY data
CREATE TABLE public.copy_edge (id int PRIMARY KEY, t text, b bytea);

------------------------------------------------------------------------
-- foreign data wrapper, server, user mappings, foreign table
------------------------------------------------------------------------
CREATE FOREIGN DATA WRAPPER dummy;
COMMENT ON FOREIGN DATA WRAPPER dummy IS 'no handler, no validator';
CREATE SERVER "remote srv" FOREIGN DATA WRAPPER dummy OPTIONS (host 'example.invalid', port '5432');
ALTER SERVER "remote srv" OWNER TO alice;
COMMENT ON SERVER "remote srv" IS 'a foreign server';
CREATE USER MAPPING FOR alice SERVER "remote srv" OPTIONS (user 'remote_alice');
CREATE USER MAPPING FOR "O'Brien" SERVER "remote srv" OPTIONS (user 'ob');
CREATE USER MAPPING FOR PUBLIC SERVER "remote srv";
GRANT USAGE ON FOREIGN DATA WRAPPER dummy TO bob;
GRANT USAGE ON FOREIGN SERVER "remote srv" TO "O'Brien";
CREATE FOREIGN TABLE util.remote_things (id int, name text) SERVER "remote srv"
    OPTIONS (table_name 'things');
COMMENT ON FOREIGN TABLE util.remote_things IS 'a foreign table';

------------------------------------------------------------------------
-- data
------------------------------------------------------------------------
INSERT INTO sales.customers (email, full_name, country, notes, prefs, mood, region)
SELECT 'user' || g || '@example.com',
       'Customer ' || g,
       (ARRAY['DE', 'FR', 'US', 'JP', NULL])[1 + g % 5],
       CASE g % 7 WHEN 0 THEN NULL
                  WHEN 1 THEN E'multi\nline\nnote ' || g
                  WHEN 2 THEN E'tab\tseparated\tnote'
                  WHEN 3 THEN E'C:\\path\\to\\file ' || g
                  WHEN 4 THEN 'emoji 🎉 and accents àéîõü ' || g
                  WHEN 5 THEN E'line1\n-- PostgreSQL database dump complete\nline3'
                  ELSE E'carriage\rreturn ' || g END,
       CASE WHEN g % 3 = 0 THEN NULL
            ELSE ext.hstore(ARRAY['k', 'n'], ARRAY['v' || g, (g % 4)::text]) END,
       (ARRAY['sad', 'ok', 'happy']::util.mood[])[1 + g % 3],
       CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END
FROM generate_series(1, 150) AS g;

INSERT INTO sales.products (sku, name, price, tags, attrs, dims, weight, photo, discontinued)
SELECT 'ABC-' || lpad(g::text, 4, '0'),
       'Product ' || g,
       (g * 3.17)::numeric(12,2),
       CASE WHEN g % 4 = 0 THEN NULL ELSE ARRAY['tag' || (g % 3), 'tag' || (g % 7)] END,
       jsonb_build_object('weight_g', g * 10, 'color', (ARRAY['red','green','blue'])[1 + g % 3]),
       ROW(g * 10, g * 20, g)::util.dimensions,
       util.floatrange(g, g + 0.5),
       CASE WHEN g % 6 = 0 THEN NULL ELSE decode(md5('photo' || g), 'hex') END,
       g % 11 = 0
FROM generate_series(1, 40) AS g;
INSERT INTO sales.products (sku, name, price, tags, attrs, dims, photo)
VALUES ('UNI-0001', 'Ünïcödé — 日本語 🐘', 0.00,
        ARRAY['quote"d', 'comma,d', NULL, 'back\slash', ''],
        '{"k": "v\u00e9", "nested": {"a": [1, 2.5, null, true]}, "e": ""}', NULL,
        (SELECT string_agg(set_byte('\x00'::bytea, 0, b), ''::bytea ORDER BY b)
         FROM generate_series(0, 255) b)),
       ('UNI-0002', E'\\.', 99999999.99, '{}', '[]', ROW(NULL, NULL, NULL), ''::bytea);

INSERT INTO sales.orders (order_id, order_date, customer_id, status, total)
SELECT g, date '2023-06-01' + (g * 3) % 900, 500 + (g % 150),
       (ARRAY['new', 'paid', 'shipped', 'cancelled']::sales.order_status[])[1 + g % 4],
       (g * 12.5)::numeric(14,2)
FROM generate_series(1, 400) AS g;

INSERT INTO sales.order_items (order_id, order_date, line_no, product_id, qty, unit_price)
SELECT o.order_id, o.order_date, l, 1000 + 5 * ((o.order_id + l) % 40), 1 + (o.order_id + l) % 5,
       (l * 2.25)::numeric(12,2)
FROM sales.orders o CROSS JOIN generate_series(1, 3) AS l
WHERE l <= 1 + o.order_id % 3;

INSERT INTO "BigCaps"."Regions"
SELECT (ARRAY['DE', 'FR', 'IT', 'US', 'JP', 'BR'])[1 + g % 6], g, 'payload ' || g
FROM generate_series(1, 600) AS g;

INSERT INTO "my schema"."tab with space" (id, parent_id, customer, label)
SELECT g, CASE WHEN g > 3 THEN g / 3 END, CASE WHEN g % 2 = 0 THEN 500 + g END, 'node ' || g
FROM generate_series(1, 30) AS g;
SELECT setval(pg_get_serial_sequence('"my schema"."tab with space"', 'id'), 30);

INSERT INTO util.room_bookings (room, during, cancelled) VALUES
    ('Blue', '[2024-03-01 09:00+00,2024-03-01 10:00+00)', false),
    ('Blue', '[2024-03-01 10:00+00,2024-03-01 11:00+00)', false),
    ('Red',  '[2024-03-01 09:30+00,2024-03-01 10:30+00)', true),
    ('Red',  '[2024-03-02 09:00+00,)', false);

INSERT INTO util.base_log (msg) VALUES ('base one'), ('base two');
INSERT INTO util.child_log (msg, severity) VALUES ('child one', 3), ('child two', 5), ('child 3', 1);
INSERT INTO util.scratch VALUES ('a', 'unlogged'), ('b', NULL);
INSERT INTO util.twin_am_table SELECT g, 'am ' || g FROM generate_series(1, 25) g;
INSERT INTO util.in_tablespace SELECT g, repeat('x', g) FROM generate_series(1, 50) g;

INSERT INTO util.readings (reading_id, val, note)
SELECT g, CASE WHEN g % 97 = 0 THEN NULL ELSE ((g::bigint * g) % 97 % 10)::smallint END,
       CASE WHEN g % 1000 = 0 THEN E'every\tthousandth\\row' END
FROM generate_series(1, 20000) AS g;

INSERT INTO public."Weird ""Table"" Name" VALUES
    (1, 'First Row', true, 'café'),
    (2, 'Second "quoted" row', false, NULL),
    (3, NULL, NULL, 'ñ');
INSERT INTO public."Ünïcödé 表" VALUES (1, '一'), (2, 'два'), (3, 'ثلاثة');

-- one value per line: the COPY escapes matter, and a value that is exactly \.
INSERT INTO public.copy_edge VALUES
    (1, E'\\.', NULL),
    (2, '.', '\x5c2e'),
    (3, E'tab\there', E'\\x09'),
    (4, E'new\nline', NULL),
    (5, E'back\\slash\\', NULL),
    (6, E'cr\rlf\r\n', NULL),
    (7, '', ''),
    (8, NULL, NULL),
    (9, 'unicode ✓ 🐘 ÿ', NULL),
    (10, E'\\N', NULL),
    (11, E'\\.\n\\.', NULL),
    (12, repeat('long ', 20000), decode(repeat('00ff', 5000), 'hex'));

SELECT nextval('sales.invoice_number_seq') FROM generate_series(1, 5);
SELECT setval(pg_get_serial_sequence('sales.customers', 'customer_id'), 10000);

------------------------------------------------------------------------
-- views, rules, materialized view
------------------------------------------------------------------------
CREATE VIEW sales.v_order_summary AS
    SELECT o.order_id, o.order_date, c.full_name, o.status, o.total
    FROM sales.orders o JOIN sales.customers c USING (customer_id);
ALTER VIEW sales.v_order_summary OWNER TO "app owner";
COMMENT ON VIEW sales.v_order_summary IS 'one row per order';
COMMENT ON COLUMN sales.v_order_summary.total IS 'view column comment';

CREATE VIEW sales.v_active_products WITH (security_barrier) AS
    SELECT product_id, sku, name, price FROM sales.products WHERE NOT discontinued
    WITH CASCADED CHECK OPTION;

CREATE VIEW util.v_scratch AS SELECT k, v FROM util.scratch;
CREATE RULE v_scratch_ins AS ON INSERT TO util.v_scratch
    DO INSTEAD INSERT INTO util.scratch VALUES (NEW.k, NEW.v);
CREATE RULE returns_no_delete AS ON DELETE TO sales.returns DO INSTEAD NOTHING;
COMMENT ON RULE returns_no_delete ON sales.returns IS 'a rule on a table';

CREATE MATERIALIZED VIEW sales.monthly_sales AS
    SELECT date_trunc('month', order_date)::date AS month, count(*) AS orders, sum(total) AS revenue
    FROM sales.orders GROUP BY 1
    WITH DATA;
ALTER MATERIALIZED VIEW sales.monthly_sales OWNER TO "CamelCase";
CREATE UNIQUE INDEX monthly_sales_month_key ON sales.monthly_sales (month);
COMMENT ON MATERIALIZED VIEW sales.monthly_sales IS 'a materialized view';
CREATE MATERIALIZED VIEW util.never_filled AS SELECT 1 AS one WITH NO DATA;

------------------------------------------------------------------------
-- triggers, event trigger
------------------------------------------------------------------------
CREATE TRIGGER products_audit AFTER INSERT OR UPDATE OR DELETE ON sales.products
    FOR EACH ROW EXECUTE FUNCTION util.audit_row();
CREATE TRIGGER orders_stmt AFTER TRUNCATE ON sales.orders_2023
    FOR EACH STATEMENT EXECUTE FUNCTION util.audit_row();
CREATE CONSTRAINT TRIGGER items_check AFTER INSERT ON sales.order_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION util.audit_row();
ALTER TABLE sales.order_items DISABLE TRIGGER items_check;
COMMENT ON TRIGGER products_audit ON sales.products IS 'writes sales.audit_log';
UPDATE sales.products SET discontinued = true WHERE product_id IN (1000, 1005, 1010);

CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'DROP TABLE')
    EXECUTE FUNCTION util.no_drops();
ALTER EVENT TRIGGER log_ddl DISABLE;
COMMENT ON EVENT TRIGGER log_ddl IS 'an event trigger';

------------------------------------------------------------------------
-- row level security: enabled, forced, permissive and restrictive policies
------------------------------------------------------------------------
ALTER TABLE sales.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE sales.customers FORCE ROW LEVEL SECURITY;
CREATE POLICY customers_read ON sales.customers FOR SELECT TO readers, "O'Brien"
    USING (country IS DISTINCT FROM 'XX');
CREATE POLICY "customers write" ON sales.customers FOR ALL TO "app owner"
    USING (region = 'eu') WITH CHECK (email LIKE '%@%');
CREATE POLICY customers_restrict ON sales.customers AS RESTRICTIVE FOR SELECT
    TO "Report ""Reader""" USING (mood <> 'sad');
COMMENT ON POLICY customers_read ON sales.customers IS 'a policy';
ALTER TABLE sales.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_bob ON sales.audit_log TO bob USING (true);

------------------------------------------------------------------------
-- publication (lib.sh sets wal_level=logical), subscription without connecting
------------------------------------------------------------------------
CREATE PUBLICATION pub_sales FOR TABLE sales.customers, sales.products;
CREATE PUBLICATION "pub schema" FOR TABLES IN SCHEMA "my schema";
CREATE PUBLICATION pub_rowfilter FOR TABLE util.readings WHERE (val > 5)
    WITH (publish = 'insert');
COMMENT ON PUBLICATION pub_sales IS 'a publication';
SET client_min_messages = error;   -- "tables were not subscribed" is expected here
CREATE SUBSCRIPTION sub_nowhere CONNECTION 'host=/nonexistent dbname=nowhere'
    PUBLICATION pub_x WITH (connect = false, enabled = false, create_slot = false,
                            slot_name = NONE);
SET client_min_messages = warning;
COMMENT ON SUBSCRIPTION sub_nowhere IS 'a subscription that never connects';

------------------------------------------------------------------------
-- large objects: owners, grants, a comment, an empty one, one > 16 kB
------------------------------------------------------------------------
SELECT lo_from_bytea(910001, convert_to('Manual for product 1000: plain ASCII text.', 'UTF8'));
SELECT lo_from_bytea(910002, convert_to(E'Manuel — unicode ✓\nsecond line\n', 'UTF8'));
SELECT lo_from_bytea(910003, (SELECT convert_to(string_agg(md5('lo' || g), ''), 'UTF8')
                              FROM generate_series(1, 640) g));              -- 20 kB
SELECT lo_from_bytea(910004, ''::bytea);                                      -- empty
SELECT lo_from_bytea(910005, '\x00ff00ff'::bytea);
SELECT lo_from_bytea(910006, decode(repeat('0123456789abcdef', 8192), 'hex')); -- 64 kB
ALTER LARGE OBJECT 910001 OWNER TO "app owner";
ALTER LARGE OBJECT 910002 OWNER TO alice;
ALTER LARGE OBJECT 910003 OWNER TO "O'Brien";
GRANT SELECT ON LARGE OBJECT 910001 TO readers;
GRANT SELECT, UPDATE ON LARGE OBJECT 910003 TO "CamelCase";
COMMENT ON LARGE OBJECT 910002 IS 'French manual';
COMMENT ON LARGE OBJECT 910004 IS 'an empty large object';

------------------------------------------------------------------------
-- privileges: table, column, sequence, function, schema, type, default
------------------------------------------------------------------------
GRANT SELECT ON ALL TABLES IN SCHEMA sales TO readers;
GRANT INSERT, UPDATE ON sales.orders, sales.order_items TO alice;
GRANT SELECT (customer_id, full_name, country), UPDATE (notes) ON sales.customers TO "O'Brien";
GRANT SELECT ON sales.audit_log TO alice WITH GRANT OPTION;
GRANT ALL ON public."Weird ""Table"" Name" TO "CamelCase";
GRANT SELECT ON "my schema"."tab with space" TO "Report ""Reader""";
GRANT USAGE, SELECT ON SEQUENCE sales.invoice_number_seq TO alice;
GRANT UPDATE ON SEQUENCE util.owned_seq TO bob;
GRANT EXECUTE ON PROCEDURE sales.reprice(numeric) TO "CamelCase";
GRANT EXECUTE ON FUNCTION util.slugify(text) TO "Report ""Reader""";
REVOKE EXECUTE ON FUNCTION util.no_drops() FROM PUBLIC;
GRANT USAGE ON TYPE sales.order_status TO readers;
GRANT USAGE ON DOMAIN util.sku TO alice;
REVOKE USAGE ON TYPE util.mood FROM PUBLIC;
GRANT USAGE ON LANGUAGE plpgsql_twin TO alice;
GRANT SELECT ON sales.monthly_sales TO readers;
GRANT SELECT ON util.remote_things TO bob;

ALTER DEFAULT PRIVILEGES FOR ROLE "app owner" IN SCHEMA sales GRANT SELECT ON TABLES TO readers;
ALTER DEFAULT PRIVILEGES FOR ROLE "app owner" IN SCHEMA sales
    GRANT INSERT, UPDATE, DELETE ON TABLES TO alice;
ALTER DEFAULT PRIVILEGES FOR ROLE "app owner" GRANT EXECUTE ON FUNCTIONS TO "O'Brien";
ALTER DEFAULT PRIVILEGES FOR ROLE "CamelCase" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE alice IN SCHEMA "my schema"
    GRANT SELECT ON TABLES TO "Report ""Reader""";
ALTER DEFAULT PRIVILEGES FOR ROLE "app owner" GRANT USAGE ON SEQUENCES TO alice;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT USAGE ON TYPES TO readers;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT USAGE ON SCHEMAS TO bob;

ANALYZE;
