--no-such-option
@CORPUS@/pg18/sample.tar
