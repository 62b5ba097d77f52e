--pg-restore-version
9
@CORPUS@/pg18/sample.tar
