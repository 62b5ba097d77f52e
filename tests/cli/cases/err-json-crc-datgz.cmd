--long
--json
--type
TABLE DATA
-n
bulk
@CORPUS@/damaged/pg18-sample.dir.gzip.crc-datgz
