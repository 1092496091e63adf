import EarshotDSP

/// Per-stage cost of `AnalysisChain` at 16 kHz (10 ms hops), each stage run
/// alone through its public API on the conditioned street signal, in thread
/// CPU ns per input sample (robust when other jobs share the cores; best of
/// three runs). The chain does not run them one after another: it fuses DC
/// blocker, gain, envelope, onset and Goertzel into one sample loop and
/// A-weighting into the filterbank's, so their latency-bound recursions
/// overlap. `stage_ns_per_sample_overlap` is the sum of the stages alone
/// minus the whole chain (`stage_ns_per_sample_chain`): what the fusion
/// saves net of the per-hop work (levels, background, frame assembly).
enum StageBenchmark {
    static func run(audioSeconds: Double) -> [BenchmarkResult] {
        let rate: Int32 = 16_000
        let config = AnalysisConfig(sampleRate: rate)
        let hop = Int(config.hopSamples)
        let raw = SyntheticStreet.samples(count: hop * 1_000, rate: Int(rate))
        // The chain's stages after DC blocking see the conditioned signal.
        var conditioned = raw
        var dcPrep = DCBlocker(sampleRate: rate)
        raw.withUnsafeBufferPointer { src in
            conditioned.withUnsafeMutableBufferPointer { dst in dcPrep.process(src, into: dst) }
        }
        let hops = max(1, Int(audioSeconds * Double(Int(rate))) / hop)
        let samples = Double(hops * hop)
        var sink: Int64 = 0

        func best(_ body: () -> Void) -> Double {
            var b = Double.infinity
            for _ in 0..<3 {
                let t0 = GoertzelBenchmark.threadCPUNanoseconds()
                body()
                let t1 = GoertzelBenchmark.threadCPUNanoseconds()
                b = min(b, (t1 - t0) / samples)
            }
            return b
        }
        func hopsOf(_ signal: [Int16], _ each: (UnsafeBufferPointer<Int16>, Int) -> Void) {
            signal.withUnsafeBufferPointer { all in
                for h in 0..<hops {
                    let start = (h % 1_000) * hop
                    each(UnsafeBufferPointer(rebasing: all[start..<start + hop]), h)
                }
            }
        }
        var scratch = [Int16](repeating: 0, count: hop)
        var results: [(String, Double)] = []

        var dc = DCBlocker(sampleRate: rate)
        results.append(("dc", best {
            scratch.withUnsafeMutableBufferPointer { out in
                hopsOf(raw) { x, _ in dc.process(x, into: out); sink &+= Int64(out[7]) }
            }
        }))
        let gain = CalibrationGain(gain: config.calibrationGain)
        results.append(("gain", best {
            scratch.withUnsafeMutableBufferPointer { out in
                hopsOf(raw) { x, _ in gain.process(x, into: out); sink &+= Int64(out[7]) }
            }
        }))
        var bank = OctaveFilterbank(sampleRate: rate)
        results.append(("filterbank", best {
            hopsOf(conditioned) { x, h in
                var e = SIMD8<UInt64>()
                bank.process(x, energy: &e)
                sink &+= Int64(bitPattern: e[h & 7])
            }
        }))
        var aw = AWeightingFilter(sampleRate: rate)
        results.append(("aweighting", best {
            hopsOf(conditioned) { x, _ in
                var e: UInt64 = 0
                aw.process(x, energy: &e)
                sink &+= Int64(bitPattern: e)
            }
        }))
        var goertzel = GoertzelBank(sampleRate: rate, frequencies: config.binFrequencies, binCount: config.binCount,
                                    blockSamples: config.hopSamples * config.goertzelBlockHops,
                                    hopSamples: config.hopSamples * config.goertzelBlockHops)
        results.append(("goertzel", best {
            hopsOf(conditioned) { x, _ in sink &+= Int64(goertzel.process(x)); sink &+= Int64(goertzel.power[3]) }
        }))
        var envelope = EnvelopeFollower(sampleRate: rate, attackMs: config.envelopeAttackMs, releaseMs: config.envelopeReleaseMs)
        results.append(("envelope", best {
            hopsOf(conditioned) { x, _ in envelope.process(x); sink &+= Int64(envelope.levelQ8_8) }
        }))
        var onset = OnsetDetector(sampleRate: rate, riseDbPerMs: config.onsetRiseDbPerMs)
        results.append(("onset", best {
            hopsOf(conditioned) { x, _ in
                sink &+= Int64(onset.process(x))
                sink &+= Int64(onset.endHop().crest)
            }
        }))
        var background = BackgroundTracker(hopSeconds: 0.01, riseSeconds: config.backgroundRiseSeconds)
        var scalarBackground = ScalarBackgroundTracker(hopSeconds: 0.01, riseSeconds: config.backgroundRiseSeconds)
        results.append(("background", best {
            for h in 0..<hops {
                let l = SIMD8<Int16>(repeating: Int16(truncatingIfNeeded: -5_000 - (h % 97) * 13))
                sink &+= Int64(background.update(l)[h & 7])
                sink &+= Int64(scalarBackground.update(l[0]))
            }
        }))
        // The pitch estimator, had its gate been open on every hop (the chain runs it only
        // on hops 12 dB over the background in 500 Hz–2 kHz): its worst case, reported
        // apart from the stage sum, plus the cost of one estimate (FFT included), µs.
        var pitch = PitchEstimator(sampleRate: rate)
        let pitchEveryHop = best {
            hopsOf(conditioned) { x, _ in
                pitch.push(x)
                let e = pitch.estimate()
                sink &+= Int64(e.hz) &+ Int64(e.prominence)
            }
        }
        var chain = AnalysisChain(config: config)
        var frame = FeatureFrame()
        let total = best {
            hopsOf(raw) { x, _ in chain.process(hop: x, into: &frame); sink &+= Int64(frame.levelA) }
        }
        blackHole(sink)
        let sum = results.reduce(0) { $0 + $1.1 }
        results.append(("overlap", sum - total))
        results.append(("chain", total))
        return results.map { BenchmarkResult(key: "stage_ns_per_sample_\($0.0)", value: $0.1) } + [
            BenchmarkResult(key: "pitch_ns_per_sample_every_hop", value: pitchEveryHop),
            BenchmarkResult(key: "pitch_us_per_estimate", value: pitchEveryHop * Double(hop) / 1_000),
        ]
    }
}
