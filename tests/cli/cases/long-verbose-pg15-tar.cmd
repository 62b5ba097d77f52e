--long
-v
--pg-restore-version
15
@CORPUS@/pg15/sample.tar
