@CORPUS@/damaged/random.dump
