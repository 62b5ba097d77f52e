@CORPUS@/no-such-file.dump
