--json
@CORPUS@/pg93/sample.tar
