/* Drives the Embedded EarshotDSP object on a deterministic test signal and
 * writes every feature frame to stdout (binary) so the aarch64 (qemu) and
 * x86_64 builds can be compared byte for byte. The signal generator is pure
 * integer arithmetic: both builds feed identical samples.
 * usage: harness RATE SECONDS > frames.bin */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern long earshot_chain_state_size(void);
extern long earshot_frame_bytes(void);
extern void earshot_chain_init(void *state, int32_t rate);
extern int32_t earshot_chain_hop_samples(void *state);
extern void earshot_chain_process(void *state, const int16_t *hop, int32_t count, void *out);

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
	void *state = malloc(earshot_chain_state_size());
	earshot_chain_init(state, rate);
	int32_t hop = earshot_chain_hop_samples(state);
	long fb = earshot_frame_bytes();
	int16_t *buf = malloc(sizeof(int16_t) * hop);
	unsigned char *frame = malloc(fb);
	uint32_t ph1 = 0, ph2 = 0;
	uint32_t inc1 = (uint32_t)((1000ull << 32) / rate), inc2 = (uint32_t)((3150ull << 32) / rate);
	long hops = (long)seconds * rate / hop;
	for (long h = 0; h < hops; h++) {
		for (int i = 0; i < hop; i++) {
			long n = h * hop + i;
			int32_t noise = (int32_t)(next_u32() >> 20) - 2048;          /* ~ -30 dBFS noise */
			int32_t s = noise + sine_q15(ph1) / 10;                       /* -20 dBFS 1 kHz */
			if ((n / rate) % 3 == 1) s += sine_q15(ph2) / 3;               /* tone bursts */
			if (n % (rate * 2) == rate / 2) s += 30000;                    /* impulses */
			if ((n / rate) % 5 == 4) s = (ph1 & 0x80000000u) ? 32767 : -32768; /* full-scale square */
			if ((n / rate) % 7 == 6) s = 0;                                /* silence */
			buf[i] = (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
			ph1 += inc1; ph2 += inc2;
		}
		earshot_chain_process(state, buf, hop, frame);
		fwrite(frame, 1, fb, stdout);
	}
	free(frame); free(buf); free(state);
	return 0;
}
