--long
--type
TABLE DATA
@CORPUS@/damaged/pg18-sample.dir.gzip.missing-datafile
