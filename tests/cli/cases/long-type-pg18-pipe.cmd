--long
--type
TABLE DATA
@CORPUS@/pg18/sample.custom.pipe.dump
