--
-- PostgreSQL database cluster dump
--

\restrict GMBhbjngcAw3K5LwPZsXsDuJveLjYzeGmC4msKWWIema1RvLzDijiuC2ImFol9I

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Roles
--

CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
CREATE ROLE tiny_owner;
ALTER ROLE tiny_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE tiny_reader;
ALTER ROLE tiny_reader WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;

--
-- User Configurations
--


--
-- Role memberships
--

GRANT tiny_owner TO tiny_reader GRANTED BY postgres;






\unrestrict GMBhbjngcAw3K5LwPZsXsDuJveLjYzeGmC4msKWWIema1RvLzDijiuC2ImFol9I

--
-- PostgreSQL database cluster dump complete
--

