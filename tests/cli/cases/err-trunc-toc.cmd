@CORPUS@/damaged/pg18-sample.custom.gzip.trunc-toc.dump
