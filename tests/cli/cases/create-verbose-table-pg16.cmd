-C
-v
-t
orders
@CORPUS@/pg16/sample.custom.zstd.dump
