-- bench/fkgen.sql — an index- and foreign-key-heavy database for calibrating dumporder's cost
-- model (bench/order.sh --fk-heavy), the kind where the first calibration database (bench/gen.sh:
-- two big tables, few indexes) made --explain predict less than half of the real restore time.
--
--   psql -X -v ON_ERROR_STOP=1 -v scale=1 -d DB -f bench/fkgen.sql
--
-- scale 1: 4 parent tables of 100 000 rows and 6 child tables of 300 000 rows (about 200 MB of
-- COPY text), every child with foreign keys to two parents and a self-reference, 3-5 B-tree
-- indexes per table, one GIN index, a CHECK constraint; data are deterministic (no random()).

SET client_min_messages = warning;
\if :{?scale}
\else
\set scale 1
\endif
SELECT greatest(1000, (100000 * :scale)::int) AS parent_rows,
       greatest(3000, (300000 * :scale)::int) AS child_rows \gset

CREATE SCHEMA fk;

DO $$
DECLARE
    p int;
BEGIN
    FOR p IN 0..3 LOOP
        EXECUTE format($f$
            CREATE TABLE fk.parent%s (
                id        integer PRIMARY KEY,
                code      text NOT NULL UNIQUE,
                name      text NOT NULL,
                region    integer NOT NULL CHECK (region BETWEEN 0 AND 99),
                created   timestamptz NOT NULL
            )$f$, p);
    END LOOP;
END
$$;

SELECT format($f$INSERT INTO fk.parent%1$s
    SELECT g, 'P%1$s-' || lpad(g::text, 9, '0'), md5(g::text || '%1$s'), g %% 100,
           timestamptz '2020-01-01' + g * interval '1 minute'
    FROM generate_series(1, %2$s) g$f$, p, :parent_rows)
FROM generate_series(0, 3) p \gexec

SELECT format($f$CREATE INDEX ON fk.parent%s (region, created)$f$, p) FROM generate_series(0, 3) p \gexec
SELECT format($f$CREATE INDEX ON fk.parent%s (lower(name))$f$, p) FROM generate_series(0, 3) p \gexec

DO $$
DECLARE
    c int;
BEGIN
    FOR c IN 0..5 LOOP
        EXECUTE format($f$
            CREATE TABLE fk.child%1$s (
                id        bigint PRIMARY KEY,
                a_id      integer NOT NULL REFERENCES fk.parent%2$s,
                b_id      integer NOT NULL REFERENCES fk.parent%3$s,
                parent_id bigint REFERENCES fk.child%1$s,
                amount    numeric(12, 2) NOT NULL,
                note      text,
                tags      text[] NOT NULL,
                at        timestamptz NOT NULL
            )$f$, c, c % 4, (c + 1) % 4);
    END LOOP;
END
$$;

SELECT format($f$INSERT INTO fk.child%1$s
    SELECT g, 1 + (g * 7) %% %3$s, 1 + (g * 13) %% %3$s, CASE WHEN g > 10 THEN g / 2 END,
           (g %% 100000) / 100.0, 'note ' || md5(g::text),
           ARRAY['t' || g %% 17, 't' || g %% 29], timestamptz '2021-01-01' + g * interval '1 second'
    FROM generate_series(1, %2$s) g$f$, c, :child_rows, :parent_rows)
FROM generate_series(0, 5) c \gexec

SELECT format($f$CREATE INDEX ON fk.child%s (a_id)$f$, c) FROM generate_series(0, 5) c \gexec
SELECT format($f$CREATE INDEX ON fk.child%s (b_id, at)$f$, c) FROM generate_series(0, 5) c \gexec
SELECT format($f$CREATE INDEX ON fk.child%s (parent_id)$f$, c) FROM generate_series(0, 5) c \gexec
SELECT format($f$CREATE INDEX ON fk.child%s (amount) WHERE note IS NOT NULL$f$, c)
FROM generate_series(0, 5) c \gexec
CREATE INDEX ON fk.child0 USING gin (tags);

ANALYZE;
