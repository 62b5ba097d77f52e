--pg-restore-version
15
@CORPUS@/pg18/sample.custom.gzip.dump
