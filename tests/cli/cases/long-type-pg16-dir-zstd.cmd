--long
--type
TABLE DATA
--type
blobs
@CORPUS@/pg16/sample.dir.zstd
