# popularity-ndcg.awk: validation NDCG@K of the popularity ranking (items by their
# training likes, ties by lower item index; the user's training items left out),
# an implementation independent of lib/ to compare trained models against.
# Input: the split section as stream-cat prints it (records [user, item, time, like,
# part]); -v K=50.
BEGIN { if (K == "") K = 50 }
/^\[/ {
	gsub(/[\[\]]/, "")
	split($0, f, ",")
	u = f[1]; i = f[2]; like = f[4]; part = f[5]
	if (i + 1 > ni) ni = i + 1
	if (part == 0) { train[u, i] = 1; hastrain[u] = 1; pop[i] += like }
	else if (part == 1) { if (!((u, i) in pos)) { pos[u, i] = 1; npos[u]++ } }
}
END {
	# items by popularity, then index: a selection sort is plenty for a test's sizes
	for (i = 0; i < ni; i++) order[i] = i
	for (a = 0; a < ni; a++) {
		best = a
		for (b = a + 1; b < ni; b++)
			if (pop[order[b]] > pop[order[best]] || (pop[order[b]] == pop[order[best]] && order[b] < order[best])) best = b
		t = order[a]; order[a] = order[best]; order[best] = t
	}
	for (u in npos) {
		if (!(u in hastrain)) continue
		dcg = 0; r = 0
		for (a = 0; a < ni && r < K; a++) {
			i = order[a]
			if ((u, i) in train) continue
			if ((u, i) in pos) dcg += 1 / (log(r + 2) / log(2))
			r++
		}
		idcg = 0
		for (r = 0; r < npos[u] && r < K; r++) idcg += 1 / (log(r + 2) / log(2))
		sum += dcg / idcg; users++
	}
	printf "%.6f %d\n", sum / users, users
}
