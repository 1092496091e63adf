/* make bench-arm: CMSIS-DSP's biquad cascades on the work of Earshot's octave
 * filterbank: 8 bands, each its own cascade of 4 direct-form-I sections
 * (32 biquads per input sample, the count OctaveFilterbank computes in
 * lockstep), one call per band per 10 ms hop, over the test signal (signal.h)
 * precomputed before the loop. CMSIS-DSP from the PyPI cmsisdsp sdist,
 * compiled for aarch64 (mk/bench-arm.mk).
 * usage: cmsis RATE KERNEL HOPS   KERNEL: 0 bare loop, 1 arm_biquad_cascade_df1_q15,
 *                                         2 arm_biquad_cas_df1_32x64_q31
 * Coefficients: a stable low-pass section (as Tools/bench/cmsis_biquad.py),
 * the same for every band; these kernels do the same arithmetic whatever the
 * values (only q15's saturation can branch, and this signal does not saturate). */
#include <stdio.h>
#include <stdlib.h>
#include "arm_math.h"
#include "signal.h"

#define BANDS 8
#define STAGES 4

int main(int argc, char **argv) {
	if (argc < 4) { fprintf(stderr, "usage: cmsis RATE KERNEL HOPS\n"); return 2; }
	int32_t rate = atoi(argv[1]), kernel = atoi(argv[2]);
	long hops = atol(argv[3]);
	int hop = rate / 100;
	long period = (long)rate * SIG_PERIOD_SECONDS;
	int16_t *sig = malloc(sizeof(int16_t) * period);
	q31_t *sig31 = malloc(sizeof(q31_t) * period);
	sig_fill(sig, period, rate);
	for (long i = 0; i < period; i++) sig31[i] = (q31_t)sig[i] << 16;
	/* CMSIS q15 layout {b0, 0, b1, b2, a1, a2} in Q(15 - postShift); q31 {b0, b1, b2, a1, a2} in Q(31 - postShift). */
	const double b0 = 0.2, b1 = 0.4, b2 = 0.2, a1 = 0.6, a2 = -0.2;
	const int post = 1;
	static q15_t c15[6 * STAGES]; static q31_t c31[5 * STAGES];
	for (int s = 0; s < STAGES; s++) {
		double q15s = (double)(1 << (15 - post)), q31s = (double)(1u << (31 - post));
		q15_t *c = c15 + 6 * s; c[0] = (q15_t)(b0 * q15s); c[1] = 0; c[2] = (q15_t)(b1 * q15s);
		c[3] = (q15_t)(b2 * q15s); c[4] = (q15_t)(a1 * q15s); c[5] = (q15_t)(a2 * q15s);
		q31_t *d = c31 + 5 * s; d[0] = (q31_t)(b0 * q31s); d[1] = (q31_t)(b1 * q31s); d[2] = (q31_t)(b2 * q31s);
		d[3] = (q31_t)(a1 * q31s); d[4] = (q31_t)(a2 * q31s);
	}
	static arm_biquad_casd_df1_inst_q15 i15[BANDS]; static q15_t s15[BANDS][4 * STAGES];
	static arm_biquad_cas_df1_32x64_ins_q31 i31[BANDS]; static q63_t s31[BANDS][4 * STAGES];
	for (int b = 0; b < BANDS; b++) {
		arm_biquad_cascade_df1_init_q15(&i15[b], STAGES, c15, s15[b], post);
		arm_biquad_cas_df1_32x64_init_q31(&i31[b], STAGES, c31, s31[b], post);
	}
	q15_t *o15 = malloc(sizeof(q15_t) * hop); q31_t *o31 = malloc(sizeof(q31_t) * hop);
	long perPeriod = period / hop, k = 0;
	int64_t sink = 0;
	for (long h = 0; h < hops; h++) {
		for (int b = 0; b < BANDS; b++) {
			if (kernel == 1) { arm_biquad_cascade_df1_q15(&i15[b], sig + k * hop, o15, (uint32_t)hop); sink += o15[h % hop]; }
			else if (kernel == 2) { arm_biquad_cas_df1_32x64_q31(&i31[b], sig31 + k * hop, o31, (uint32_t)hop); sink += o31[h % hop]; }
			else { sink += sig[k * hop + h % hop]; }
		}
		if (++k == perPeriod) k = 0;
	}
	fprintf(stderr, "hop=%d sink=%lld\n", hop, (long long)sink);
	return 0;
}
