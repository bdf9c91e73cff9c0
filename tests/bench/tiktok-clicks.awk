# tests/bench/tiktok-clicks.awk: the clicks of a Tiktok-sized data set, in the lines
# tests/tools/mkdataset reads: awk -v U=36656 -v I=76085 -v N=726065 -f THIS.
# Every user and item is declared first, so that the vocabulary has them all; the
# clicks follow in time order, the first U one per user (so every user trains): the
# first 70 % train, the liked ones after them are halved into valid and test (as
# split-chrono would keep them).  A fixed seed: the same data in every benchmark.
BEGIN {
	srand(20190601)
	for (u = 0; u < U; u++) print "user u" u
	for (i = 0; i < I; i++) print "item " 100000 + i
	cut = int(0.7 * N)
	for (k = 0; k < N; k++) {
		u = k < U ? k : int(U * rand())
		i = k < I ? k : int(I * rand() * rand())   # popular items click more
		like = rand() < 0.45
		if (k < cut) part = "train"
		else if (!like) continue
		else part = rand() < 0.5 ? "valid" : "test"
		print "u" u, 100000 + i, k, like, part
	}
}
