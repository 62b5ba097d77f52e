--long
@CORPUS@/pg18/sample.custom.gzip.dump
