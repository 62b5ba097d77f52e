--
-- PostgreSQL database dump
--

\restrict 56f8Ro74gvPn0c4URpjRWrM64vYnIplAxBs6rt4zBZ8CO5Dc8EmCPtzYzUwPcL4

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: s; Type: SCHEMA; Schema: -; Owner: tiny_owner
--

CREATE SCHEMA s;


ALTER SCHEMA s OWNER TO tiny_owner;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: t; Type: TABLE; Schema: s; Owner: tiny_owner
--

CREATE TABLE s.t (
    id integer NOT NULL,
    name text NOT NULL,
    v character varying(4),
    at date
);


ALTER TABLE s.t OWNER TO tiny_owner;

--
-- Name: TABLE t; Type: COMMENT; Schema: s; Owner: tiny_owner
--

COMMENT ON TABLE s.t IS 'tiny';


--
-- Name: t_id_seq; Type: SEQUENCE; Schema: s; Owner: tiny_owner
--

CREATE SEQUENCE s.t_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE s.t_id_seq OWNER TO tiny_owner;

--
-- Name: t_id_seq; Type: SEQUENCE OWNED BY; Schema: s; Owner: tiny_owner
--

ALTER SEQUENCE s.t_id_seq OWNED BY s.t.id;


--
-- Name: v; Type: VIEW; Schema: s; Owner: postgres
--

CREATE VIEW s.v AS
 SELECT t.id,
    t.name
   FROM s.t;


ALTER TABLE s.v OWNER TO postgres;

--
-- Name: t id; Type: DEFAULT; Schema: s; Owner: tiny_owner
--

ALTER TABLE ONLY s.t ALTER COLUMN id SET DEFAULT nextval('s.t_id_seq'::regclass);


--
-- Name: 9001; Type: BLOB; Schema: -; Owner: tiny_owner
--

SELECT pg_catalog.lo_create('9001');


ALTER LARGE OBJECT 9001 OWNER TO tiny_owner;

--
-- Name: 9002; Type: BLOB; Schema: -; Owner: postgres
--

SELECT pg_catalog.lo_create('9002');


ALTER LARGE OBJECT 9002 OWNER TO postgres;

--
-- Data for Name: t; Type: TABLE DATA; Schema: s; Owner: tiny_owner
--

INSERT INTO s.t VALUES (1, 'a', 'x', '2020-01-02');
INSERT INTO s.t VALUES (2, 'b	c', NULL, NULL);
INSERT INTO s.t VALUES (3, '"q"', 'yy', '1999-12-31');


--
-- Name: t_id_seq; Type: SEQUENCE SET; Schema: s; Owner: tiny_owner
--

SELECT pg_catalog.setval('s.t_id_seq', 3, true);


--
-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -
--

BEGIN;

SELECT pg_catalog.lo_open('9001', 131072);
SELECT pg_catalog.lowrite(0, '\x68656c6c6f');
SELECT pg_catalog.lo_close(0);

SELECT pg_catalog.lo_open('9002', 131072);
SELECT pg_catalog.lo_close(0);

COMMIT;

--
-- Name: t t_pkey; Type: CONSTRAINT; Schema: s; Owner: tiny_owner
--

ALTER TABLE ONLY s.t
    ADD CONSTRAINT t_pkey PRIMARY KEY (id);


--
-- Name: t_name; Type: INDEX; Schema: s; Owner: tiny_owner
--

CREATE INDEX t_name ON s.t USING btree (name);


--
-- Name: TABLE v; Type: ACL; Schema: s; Owner: postgres
--

GRANT SELECT ON TABLE s.v TO tiny_reader;


--
-- PostgreSQL database dump complete
--

\unrestrict 56f8Ro74gvPn0c4URpjRWrM64vYnIplAxBs6rt4zBZ8CO5Dc8EmCPtzYzUwPcL4

