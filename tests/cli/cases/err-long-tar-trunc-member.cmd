--long
--type
TABLE DATA
@CORPUS@/damaged/pg18-sample.tar.trunc-member.tar
