/* QEMU TCG plugin for make bench-arm: counts executed AArch64 instructions by
 * the execution resource they need, for the cycle model in
 * Tools/bench-arm/README.md. Built by Tools/bench-arm/plugin.sh against the
 * qemu-plugin.h of the installed QEMU's source, beside QEMU's own
 * tests/plugin/insn.c (the headline counts). Each instruction is classified
 * once, at translation, from its encoding (Arm ARM, "A64 instruction set
 * encoding"), and gets one inline counter add per class it is in; no callback
 * runs at execution, so counts are exact and deterministic.
 * Output (at exit, to QEMU's log, -d plugin -D FILE):
 *   mix total=N ldst=N branch=N imul=N simd=N simd_q=N simd_mul=N ldst_vq=N
 * ldst: loads and stores (integer and SIMD); ldst_vq: those of them that
 * move 128-bit SIMD registers (LDR/STR Q, LDP/STP Q, LD1/ST1 … with Q set); branch: branches, exception,
 * system; imul: scalar multiply(-add) and divide (data processing, 3 source;
 * 2-source divide); simd: every Advanced SIMD and floating-point data
 * processing instruction; simd_q: those of them that use 128-bit (Q) operands
 * or results (Q bit set, or a long/wide "three different" op, whose result or
 * operand is 128-bit whatever Q says); simd_mul: vector or scalar SIMD
 * multiplies (three-same MUL/MLA/MLS/SQDMULH, three-different SMULL/SMLAL/...,
 * by-element forms). The rest (scalar integer ALU) is total - the others. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { TOTAL, LDST, BRANCH, IMUL, SIMD, SIMD_Q, SIMD_MUL, LDST_VQ, NCLASS };
static const char *names[NCLASS] = { "total", "ldst", "branch", "imul", "simd", "simd_q", "simd_mul", "ldst_vq" };
static uint64_t counts[NCLASS];

static unsigned classes(uint32_t i, int out[NCLASS]) {
	unsigned n = 0;
	out[n++] = TOTAL;
	if ((i & 0x0A000000u) == 0x08000000u) {                                        /* op1 = x1x0 */
		out[n++] = LDST;
		int v = (i >> 26) & 1;
		int q = 0;
		if ((i & 0x38000000u) == 0x38000000u) q = v && (i >> 30) == 0 && (i & 0x00800000u); /* register: size 00, opc 1x */
		else if ((i & 0x38000000u) == 0x28000000u) q = v && (i >> 30) == 2;               /* pair: opc 10 */
		else if ((i & 0x3B000000u) == 0x18000000u) q = v && (i >> 30) == 2;               /* literal: opc 10 */
		else if ((i & 0xBE000000u) == 0x0C000000u) q = (i >> 30) & 1;                     /* LD1/ST1 … structures */
		if (q) out[n++] = LDST_VQ;
		return n;
	}
	if ((i & 0x1C000000u) == 0x14000000u) { out[n++] = BRANCH; return n; }        /* op1 = 101x */
	if ((i & 0x1F000000u) == 0x1B000000u) { out[n++] = IMUL; return n; }          /* DP 3-source */
	if ((i & 0x5FE0F800u) == 0x1AC00800u) { out[n++] = IMUL; return n; }          /* UDIV/SDIV */
	if ((i & 0x0E000000u) == 0x0E000000u) {                                        /* SIMD & FP */
		out[n++] = SIMD;
		int vector = !(i & 0x80000000u) && !(i & 0x10000000u);
		int q = vector && (i & 0x40000000u);
		int threeDiff = (i & 0x9F200C00u) == 0x0E200000u;
		int threeSame = (i & 0x9F200400u) == 0x0E200400u;
		int byElement = (i & 0x9F000400u) == 0x0F000000u || (i & 0xDF000400u) == 0x5F000000u;
		unsigned opDiff = (i >> 12) & 0xF, opSame = (i >> 11) & 0x1F;
		int mul = byElement || (threeDiff && (opDiff == 8 || opDiff == 9 || opDiff == 10 || opDiff == 11 || opDiff == 12 || opDiff == 13 || opDiff == 14))
		          || (threeSame && (opSame == 0x12 || opSame == 0x13 || opSame == 0x16));
		if (q || threeDiff) out[n++] = SIMD_Q;
		if (mul) out[n++] = SIMD_MUL;
	}
	return n;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
	size_t n = qemu_plugin_tb_n_insns(tb);
	for (size_t k = 0; k < n; k++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, k);
		uint32_t word;
		if (qemu_plugin_insn_size(insn) != 4) continue;
		memcpy(&word, qemu_plugin_insn_data(insn), 4);
		int c[NCLASS];
		unsigned m = classes(word, c);
		for (unsigned j = 0; j < m; j++)
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counts[c[j]], 1);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p) {
	char line[512]; int o = snprintf(line, sizeof line, "mix");
	for (int k = 0; k < NCLASS; k++) o += snprintf(line + o, sizeof line - o, " %s=%" PRIu64, names[k], counts[k]);
	snprintf(line + o, sizeof line - o, "\n");
	qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
	if (strcmp(info->target_name, "aarch64") != 0) { fprintf(stderr, "insn_mix: aarch64 only (got %s)\n", info->target_name); return -1; }
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
