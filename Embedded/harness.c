/* Drives the Embedded EarshotDSP object on a deterministic test signal and
 * writes every feature frame to stdout (binary) so the aarch64 (qemu) and
 * x86_64 builds can be compared byte for byte. The signal generator is pure
 * integer arithmetic: both builds feed identical samples.
 * usage: harness RATE SECONDS > frames.bin
 *        harness RATE SECONDS detect [SEED] > records.bin
 * detect: the same signal through chain + DetectionEngine with a seeded
 * learned stage (Embedded/EarshotDetectionExports.swift); writes its event and
 * candidate records and prints "candidates=N decisions=D events=M" to stderr.
 *        harness RATE SECONDS bank > energies.bin
 * bank: the frames' signal through OctaveFilterbank alone, in calls of uneven
 * lengths (0, 1, odd, around its 64-sample blocks, a whole 48 kHz hop), the
 * eight bands' energies of every call written (the block edges and odd
 * counts of each architecture's kernel compared with the other's). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern long earshot_chain_state_size(void);
extern long earshot_frame_bytes(void);
extern void earshot_chain_init(void *state, int32_t rate);
extern int32_t earshot_chain_hop_samples(void *state);
extern void earshot_chain_process(void *state, const int16_t *hop, int32_t count, void *out);
extern long earshot_bank_state_size(void);
extern void earshot_bank_init(void *state, int32_t rate);
extern void earshot_bank_process(void *state, const int16_t *samples, int32_t count, void *out);
extern long earshot_detect_state_size(void);
extern long earshot_detect_max_bytes(void);
extern int32_t earshot_detect_init(void *state, int32_t rate, uint64_t seed);
extern int32_t earshot_detect_hop_samples(void *state);
extern int32_t earshot_detect_process(void *state, const int16_t *hop, int32_t count, void *out);
extern int32_t earshot_detect_finish(void *state, void *out);
extern uint64_t earshot_detect_candidates(void *state);
extern uint64_t earshot_detect_decisions(void *state);
extern uint64_t earshot_detect_events(void *state);

/* Swift 6.3 emits SignatureTable's subscript `_modify` as a yield-once
 * coroutine whose frame the runtime would allocate; the Embedded objects
 * reference the entry point but the analysis path never calls it (and must
 * not allocate), so this link-time stand-in stops loudly if it ever is. */
void *swift_coroFrameAlloc(size_t bytes, uint64_t type_id) {
	(void)type_id;
	fprintf(stderr, "harness: swift_coroFrameAlloc(%zu) called: the Embedded path allocated\n", bytes);
	abort();
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_u32(void) { /* xorshift64* */
	rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Integer sine: phase accumulator into a 1024-entry quarter table built
 * with a recurrence in 64-bit integers (no libm: identical on every target). */
static int32_t sine_q15(uint32_t phase) {
	static int32_t table[1025]; static int ready = 0;
	if (!ready) { /* Chebyshev recurrence s[n+1] = 2c s[n] - s[n-1] in Q30, c = cos(pi/2048) */
		const int64_t c = 1073741188; /* round(cos(pi/2048) * 2^30) */
		int64_t s0 = 0, s1 = 823550; /* round(sin(pi/2048) * 2^30) */
		table[0] = 0;
		for (int i = 1; i <= 1024; i++) { table[i] = (int32_t)(s1 >> 15); int64_t s2 = ((2 * c * s1) >> 30) - s0; s0 = s1; s1 = s2; }
		ready = 1;
	}
	uint32_t q = phase >> 30, idx = (phase >> 20) & 1023;
	switch (q) { case 0: return table[idx]; case 1: return table[1024 - idx];
	             case 2: return -table[idx]; default: return -table[1024 - idx]; }
}

int main(int argc, char **argv) {
	int32_t rate = argc > 1 ? atoi(argv[1]) : 16000;
	int seconds = argc > 2 ? atoi(argv[2]) : 10;
	int detect = argc > 3 && strcmp(argv[3], "detect") == 0;
	int bank = argc > 3 && strcmp(argv[3], "bank") == 0;
	uint64_t seed = argc > 4 ? strtoull(argv[4], 0, 0) : 0x5EED5EEDull;
	void *state = malloc(detect ? earshot_detect_state_size() : earshot_chain_state_size());
	int32_t hop;
	if (detect) {
		if (!earshot_detect_init(state, rate, seed)) { fprintf(stderr, "harness: learned stage inactive\n"); return 1; }
		hop = earshot_detect_hop_samples(state);
	} else {
		earshot_chain_init(state, rate);
		hop = earshot_chain_hop_samples(state);
	}
	long fb = detect ? earshot_detect_max_bytes() : earshot_frame_bytes();
	int16_t *buf = malloc(sizeof(int16_t) * hop);
	unsigned char *frame = malloc(fb);
	long total = (long)seconds * rate / hop * hop;
	int16_t *all = bank ? malloc(sizeof(int16_t) * (total > 0 ? total : 1)) : 0;
	uint32_t ph1 = 0, ph2 = 0, ph3 = 0, ph4 = 0;
	uint32_t inc1 = (uint32_t)((1000ull << 32) / rate), inc2 = (uint32_t)((3150ull << 32) / rate);
	long hops = (long)seconds * rate / hop;
	for (long h = 0; h < hops; h++) {
		for (int i = 0; i < hop; i++) {
			long n = h * hop + i;
			int32_t noise = (int32_t)(next_u32() >> 20) - 2048;          /* ~ -30 dBFS noise */
			int32_t s = noise + sine_q15(ph1) / 10;                       /* -20 dBFS 1 kHz */
			if (!detect) {
				if ((n / rate) % 3 == 1) s += sine_q15(ph2) / 3;               /* tone bursts */
				if (n % (rate * 2) == rate / 2) s += 30000;                    /* impulses */
				if ((n / rate) % 5 == 4) s = (ph1 & 0x80000000u) ? 32767 : -32768; /* full-scale square */
				if ((n / rate) % 7 == 6) s = 0;                                /* silence */
			} else {  /* separated sounds for the learned stage: one every 1.5 s, four kinds in turn */
				/* a steady hum at 125, 250 and 500 Hz holds the low bands' SNR still
				 * (white noise alone swings them by ±8 dB hop to hop) */
				s += sine_q15(ph4) / 12 + sine_q15(ph4 * 2) / 12 + sine_q15(ph4 * 4) / 12;
				long slot = n / (rate * 3 / 2), t = n % (rate * 3 / 2);
				switch (slot % 4) {
				case 0: /* 20 ms decaying noise click */
					if (t < rate / 50) s += (int32_t)((next_u32() >> 17) - 16384) * (int32_t)(rate / 50 - t) / (rate / 50);
					break;
				case 1: /* 300 ms tone at 3.15 kHz */
					if (t < rate * 3 / 10) s += sine_q15(ph2) / 3;
					break;
				case 2: /* 600 ms sweep 700 Hz -> 2.8 kHz and back (a siren's wail) */
					if (t < rate * 6 / 10) { s += sine_q15(ph3) / 3; ph3 += inc1 / 10 * (7 + (uint32_t)(t < rate * 3 / 10 ? t : rate * 6 / 10 - t) * 42 / rate); }
					break;
				default: /* 100 ms loud 1 kHz square on top (clips) */
					if (t < rate / 10) s += (ph1 & 0x80000000u) ? 24000 : -24000;
					break;
				}
			}
			buf[i] = (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
			ph1 += inc1; ph2 += inc2; ph4 += inc1 / 8;
		}
		if (bank) {
			memcpy(all + h * hop, buf, sizeof(int16_t) * hop);
		} else if (detect) {
			fwrite(frame, 1, earshot_detect_process(state, buf, hop, frame), stdout);
		} else {
			earshot_chain_process(state, buf, hop, frame);
			fwrite(frame, 1, fb, stdout);
		}
	}
	if (bank) {
		static const int32_t lengths[] = {1, 2, 3, 5, 0, 63, 64, 65, 7, 127, 128, 129, 1, 160, 191, 480, 2, 1};
		void *b = malloc(earshot_bank_state_size());
		unsigned char energies[64];
		earshot_bank_init(b, rate);
		long at = 0; int k = 0;
		while (at < total) {
			int32_t len = lengths[k++ % (int)(sizeof lengths / sizeof lengths[0])];
			if (len > total - at) len = (int32_t)(total - at);
			earshot_bank_process(b, all + at, len, energies);
			fwrite(energies, 1, sizeof energies, stdout);
			at += len;
		}
		free(b); free(all);
	}
	if (detect) {
		fwrite(frame, 1, earshot_detect_finish(state, frame), stdout);
		fprintf(stderr, "candidates=%llu decisions=%llu events=%llu\n", (unsigned long long)earshot_detect_candidates(state),
		        (unsigned long long)earshot_detect_decisions(state), (unsigned long long)earshot_detect_events(state));
	}
	free(frame); free(buf); free(state);
	return 0;
}
