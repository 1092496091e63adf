/* Deterministic test signal shared by the bench drivers (bench.c, cmsis.c):
 * pure integer arithmetic, identical on every target. Per sample: ~-30 dBFS
 * noise, a 125 Hz hum, and every 1.5 s one sound of four in turn (20 ms
 * decaying click, 300 ms 3.15 kHz tone, 600 ms 0.7-2.8 kHz sweep, 100 ms
 * clipping 1 kHz square), so the detector and the learned stage see
 * candidates and events while the filters see a busy spectrum. */
#include <stdint.h>

static int32_t sig_sin(uint32_t phase) { /* parabola, Q15, |err| < 6 % */
	int32_t x = (int32_t)phase >> 16;               /* -32768 … 32767 = -pi … pi */
	int32_t a = x < 0 ? -x : x;
	int32_t y = (int32_t)(((int64_t)x * (32768 - a)) >> 13);
	return y > 32767 ? 32767 : y < -32768 ? -32768 : y;
}

static void sig_fill(int16_t *out, long count, int32_t rate) {
	uint64_t rng = 0x9E3779B97F4A7C15ull;
	uint32_t hum = 0, tone = 0, sweep = 0, sq = 0;
	uint32_t inc_hum = (uint32_t)((125ull << 32) / (uint32_t)rate);
	uint32_t inc_tone = (uint32_t)((3150ull << 32) / (uint32_t)rate);
	uint32_t inc_sq = (uint32_t)((1000ull << 32) / (uint32_t)rate);
	long slotLen = (long)rate * 3 / 2;
	for (long n = 0; n < count; n++) {
		rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
		int32_t noise = (int32_t)((uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32) >> 20) - 2048;
		int32_t s = noise + sig_sin(hum) / 8;
		long slot = n / slotLen, t = n % slotLen;
		switch (slot % 4) {
		case 0: if (t < rate / 50) s += (noise * 8) * (int32_t)(rate / 50 - t) / (rate / 50); break;
		case 1: if (t < rate * 3 / 10) s += sig_sin(tone) / 3; break;
		case 2: if (t < rate * 6 / 10) {
				long u = t < rate * 3 / 10 ? t : rate * 6 / 10 - t;   /* 0 … 0.3 s */
				s += sig_sin(sweep) / 3;
				sweep += (uint32_t)(((700ull + 7000ull * (uint64_t)u / (uint64_t)rate) << 32) / (uint32_t)rate);
			} break;
		default: if (t < rate / 10) s += (sq & 0x80000000u) ? 24000 : -24000; break;
		}
		out[n] = (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
		hum += inc_hum; tone += inc_tone; sq += inc_sq;
	}
}

/* The signal's period: 6 s (four 1.5 s slots). Drivers precompute this much
 * and cycle through it hop by hop. */
#define SIG_PERIOD_SECONDS 6
