--long
@CORPUS@/damaged/pg18-sample.custom.gzip.trunc-chunk.dump
