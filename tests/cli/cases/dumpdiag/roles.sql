--
-- PostgreSQL database dump
--

\restrict rVAF8hwqRX2eUigul3EacPg4Mhhzq2D9DdYnIIlM3a2Ci369AqH6kUpDvuOkycc

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
-- Name: s; Type: SCHEMA; Schema: -; Owner: app_owner
--

CREATE SCHEMA s;


ALTER SCHEMA s OWNER TO app_owner;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: keep; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.keep (
    k integer
);


ALTER TABLE public.keep OWNER TO postgres;

--
-- Name: c; Type: TABLE; Schema: s; Owner: postgres
--

CREATE TABLE s.c (
    id integer
);


ALTER TABLE s.c OWNER TO postgres;

--
-- Name: t; Type: TABLE; Schema: s; Owner: app_owner
--

CREATE TABLE s.t (
    id integer NOT NULL,
    v text,
    CONSTRAINT t_v_check CHECK ((length(v) < 100))
);


ALTER TABLE s.t OWNER TO app_owner;

--
-- Name: vw; Type: VIEW; Schema: s; Owner: app_ro
--

CREATE VIEW s.vw AS
 SELECT t.id,
    t.v
   FROM s.t;


ALTER TABLE s.vw OWNER TO app_ro;

--
-- Data for Name: keep; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.keep (k) FROM stdin;
7
\.


--
-- Data for Name: c; Type: TABLE DATA; Schema: s; Owner: postgres
--

COPY s.c (id) FROM stdin;
1
2
\.


--
-- Data for Name: t; Type: TABLE DATA; Schema: s; Owner: app_owner
--

COPY s.t (id, v) FROM stdin;
1	v1
2	v2
3	v3
4	v4
5	v5
6	v6
7	v7
8	v8
9	v9
10	v10
11	v11
12	v12
13	v13
14	v14
15	v15
16	v16
17	v17
18	v18
19	v19
20	v20
21	v21
22	v22
23	v23
24	v24
25	v25
26	v26
27	v27
28	v28
29	v29
30	v30
31	v31
32	v32
33	v33
34	v34
35	v35
36	v36
37	v37
38	v38
39	v39
40	v40
41	v41
42	v42
43	v43
44	v44
45	v45
46	v46
47	v47
48	v48
49	v49
50	v50
\.


--
-- Name: t t_pkey; Type: CONSTRAINT; Schema: s; Owner: app_owner
--

ALTER TABLE ONLY s.t
    ADD CONSTRAINT t_pkey PRIMARY KEY (id);


--
-- Name: c c_id_fkey; Type: FK CONSTRAINT; Schema: s; Owner: postgres
--

ALTER TABLE ONLY s.c
    ADD CONSTRAINT c_id_fkey FOREIGN KEY (id) REFERENCES s.t(id);


--
-- Name: TABLE t; Type: ACL; Schema: s; Owner: app_owner
--

GRANT SELECT ON TABLE s.t TO app_ro;


--
-- PostgreSQL database dump complete
--

\unrestrict rVAF8hwqRX2eUigul3EacPg4Mhhzq2D9DdYnIIlM3a2Ci369AqH6kUpDvuOkycc

