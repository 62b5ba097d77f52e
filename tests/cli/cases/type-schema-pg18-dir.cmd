--type
table data
-n
sales
@CORPUS@/pg18/sample.dir.gzip
