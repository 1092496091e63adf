/* make bench-arm: drives one Earshot workload (Tools/bench-arm/BenchExports.swift)
 * over HOPS hops of the test signal (signal.h), precomputed before the loop
 * and cycled, so the loop does nothing but call the workload. Run under
 * qemu-aarch64 with the instruction-counting plugin; run.sh differences the
 * counts of HOPS and 2*HOPS (start-up, signal generation and exit cancel) and
 * subtracts workload 0 (the bare loop).
 * usage: bench RATE WHAT HOPS   (WHAT: see BenchExports.swift)
 * prints: hop=… events=… candidates=… decisions=… sink=… (stderr) */
#include <stdio.h>
#include <stdlib.h>
#include "signal.h"

extern long earshot_bench_state_size(void);
extern int32_t earshot_bench_init(void *state, int32_t rate, int32_t what);
extern void earshot_bench_process(void *state, const int16_t *hop, int32_t count);
extern uint64_t earshot_bench_events(void *state);
extern uint64_t earshot_bench_candidates(void *state);
extern uint64_t earshot_bench_decisions(void *state);
extern int64_t earshot_bench_sink(void *state);

/* As in Embedded/harness.c: the Embedded objects reference the coroutine
 * frame allocator (SignatureTable's subscript _modify) but must never call it. */
void *swift_coroFrameAlloc(size_t bytes, uint64_t type_id) {
	(void)type_id;
	fprintf(stderr, "bench: swift_coroFrameAlloc(%zu) called: the Embedded path allocated\n", bytes);
	abort();
}

int main(int argc, char **argv) {
	if (argc < 4) { fprintf(stderr, "usage: bench RATE WHAT HOPS\n"); return 2; }
	int32_t rate = atoi(argv[1]), what = atoi(argv[2]);
	long hops = atol(argv[3]);
	void *state = malloc(earshot_bench_state_size());
	int32_t hop = earshot_bench_init(state, rate, what);
	long period = (long)rate * SIG_PERIOD_SECONDS;
	int16_t *sig = malloc(sizeof(int16_t) * period);
	sig_fill(sig, period, rate);
	long perPeriod = period / hop, k = 0;
	for (long h = 0; h < hops; h++) {
		earshot_bench_process(state, sig + k * hop, hop);
		if (++k == perPeriod) k = 0;
	}
	fprintf(stderr, "hop=%d events=%llu candidates=%llu decisions=%llu sink=%lld\n", hop,
	        (unsigned long long)earshot_bench_events(state), (unsigned long long)earshot_bench_candidates(state),
	        (unsigned long long)earshot_bench_decisions(state), (long long)earshot_bench_sink(state));
	free(sig); free(state);
	return 0;
}
