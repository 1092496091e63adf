// earshot-tune: the table search's fast path. `make eval` spends almost all its
// time in the analysis chain, which a signature table does not influence, so the
// search computes the feature frames of a folder of mixtures once and re-runs
// only the DetectionEngine per candidate table.
//
//   earshot-tune dump OUT.frames DIR          every *.wav of DIR (sorted) → frames file
//   earshot-tune demo OUT.frames [SEED]       the `earshot demo` soundscape (seed 7 unless given) → frames file ("demo.wav")
//   earshot-tune detect FRAMES OUTDIR TABLE.json...
//                                             per table: OUTDIR/<table name>.txt in
//                                             `earshot analyze --format dcase` form
//
// Frames file (little endian): per WAV file, UInt16 name length, name bytes
// (basename), UInt32 sample rate, UInt32 hop count, then per hop 51 Int16:
// bandLevel[8] bandBackground[8] bandSNR[8] binPower[16] levelA levelZ
// backgroundZ peak envelope riseRate crest onsetOffset clippedSamples pitchHz
// pitchProminence (FeatureFrame fields, Q8.8 dB except onsetOffset/clippedSamples
// in samples and pitchHz in Hz).
// The detection path is the same as OfflineAnalyzer's: a pristine engine per
// file, every frame in order, `finish(atSample: hops · hopSamples)`; `.start`
// events are not reported.
import EarshotOffline
import EarshotAgent
import EarshotDSP
import EarshotDetection
import EarshotSignatures
#if canImport(Glibc)
import Glibc
#endif

let fieldsPerHop = 51

func fail(_ message: String) -> Never {
    _ = "earshot-tune: \(message)\n".withCString { write(2, $0, strlen($0)) }
    exit(2)
}

func wavFiles(in dir: String) -> [String] {
    guard let d = opendir(dir) else { fail("cannot open directory '\(dir)'") }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name.hasSuffix(".wav") { names.append(name) }
    }
    return names.sorted()
}

func pack(_ f: borrowing FeatureFrame, into out: inout [Int16]) {
    for k in 0..<8 { out.append(f.bandLevel[k]) }
    for k in 0..<8 { out.append(f.bandBackground[k]) }
    for k in 0..<8 { out.append(f.bandSNR[k]) }
    for k in 0..<16 { out.append(f.binPower[k]) }
    out.append(contentsOf: [f.levelA, f.levelZ, f.backgroundZ, f.peak, f.envelope, f.riseRate, f.crest,
                            f.onsetOffset, f.clippedSamples, f.pitchHz, f.pitchProminence])
}

func unpack(_ p: UnsafePointer<Int16>, hop: Int64, hopSamples: Int64) -> FeatureFrame {
    var f = FeatureFrame()
    f.hopIndex = hop
    f.firstSample = hop * hopSamples
    for k in 0..<8 { f.bandLevel[k] = p[k]; f.bandBackground[k] = p[8 + k]; f.bandSNR[k] = p[16 + k] }
    for k in 0..<16 { f.binPower[k] = p[24 + k] }
    f.levelA = p[40]; f.levelZ = p[41]; f.backgroundZ = p[42]; f.peak = p[43]; f.envelope = p[44]
    f.riseRate = p[45]; f.crest = p[46]; f.onsetOffset = p[47]; f.clippedSamples = p[48]
    f.pitchHz = p[49]; f.pitchProminence = p[50]
    return f
}

func dump(out: String, dir: String) {
    guard let fp = fopen(out, "wb") else { fail("cannot write '\(out)'") }
    defer { fclose(fp) }
    for name in wavFiles(in: dir) {
        let source: OfflineFrameSource
        do { source = try OfflineFrameSource(path: dir + "/" + name) } catch { fail("\(error)") }
        var values: [Int16] = []
        values.reserveCapacity(Int(source.hopCount) * fieldsPerHop)
        do { try source.forEachFrame { pack($0, into: &values) } } catch { fail("\(error)") }
        var header: [UInt8] = []
        let n = Array(name.utf8)
        header.append(UInt8(n.count & 0xFF)); header.append(UInt8(n.count >> 8))
        header += n
        for v in [UInt32(source.config.sampleRate), UInt32(values.count / fieldsPerHop)] {
            for s in stride(from: 0, to: 32, by: 8) { header.append(UInt8((v >> UInt32(s)) & 0xFF)) }
        }
        _ = header.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, fp) }
        _ = values.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, fp) }
    }
}

func dumpDemo(out: String, seed: UInt64) {
    guard let fp = fopen(out, "wb") else { fail("cannot write '\(out)'") }
    defer { fclose(fp) }
    let scape = DemoSoundscape.street(seed: seed)
    let config = AnalysisConfig(sampleRate: Int32(scape.rate))
    var chain = AnalysisChain(config: config)
    var frame = FeatureFrame()
    let hop = Int(config.hopSamples)
    var values: [Int16] = []
    scape.samples.withUnsafeBufferPointer { all in
        var start = 0
        while start + hop <= all.count {
            chain.process(hop: UnsafeBufferPointer(rebasing: all[start..<start + hop]), into: &frame)
            pack(frame, into: &values)
            start += hop
        }
    }
    var header: [UInt8] = [8, 0] + Array("demo.wav".utf8)
    for v in [UInt32(scape.rate), UInt32(values.count / fieldsPerHop)] {
        for s in stride(from: 0, to: 32, by: 8) { header.append(UInt8((v >> UInt32(s)) & 0xFF)) }
    }
    _ = header.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, fp) }
    _ = values.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, fp) }
}

struct FrameFile {
    var name: String
    var rate: Int32
    var hops: Int
    var offset: Int  // index of the first Int16 of the hops in `data`
}

func load(_ path: String) -> ([UInt8], [FrameFile]) {
    guard let fp = fopen(path, "rb") else { fail("cannot read '\(path)'") }
    defer { fclose(fp) }
    fseek(fp, 0, SEEK_END)
    let size = ftell(fp)
    fseek(fp, 0, SEEK_SET)
    var bytes = [UInt8](repeating: 0, count: size)
    guard bytes.withUnsafeMutableBytes({ fread($0.baseAddress, 1, size, fp) }) == size else { fail("short read '\(path)'") }
    var files: [FrameFile] = []
    var i = 0
    func u32(_ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
    while i < size {
        let n = Int(bytes[i]) | Int(bytes[i + 1]) << 8
        let name = String(decoding: bytes[(i + 2)..<(i + 2 + n)], as: UTF8.self)
        i += 2 + n
        let rate = Int32(u32(i)), hops = Int(u32(i + 4))
        i += 8
        files.append(FrameFile(name: name, rate: rate, hops: hops, offset: i))
        i += hops * fieldsPerHop * 2
    }
    return (bytes, files)
}

func fixed3(_ x: Double) -> String {
    let m = Int((x * 1000).rounded())
    let frac = String(m % 1000)
    return "\(m / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
}

func detect(frames: String, outDir: String, tables: [String]) {
    let (bytes, files) = load(frames)
    for tablePath in tables {
        let table: SignatureTable
        do { table = try SignatureFile.load(path: tablePath) } catch { fail("\(error)") }
        var base = tablePath.split(separator: "/").last.map(String.init) ?? tablePath
        if base.hasSuffix(".json") { base.removeLast(5) }
        var text = ""
        for file in files {
            let config = AnalysisConfig(sampleRate: file.rate)
            var engine = DetectionEngine(table: table, config: config)
            let hopSamples = Int64(config.hopSamples)
            let rate = Double(file.rate)
            func line(_ e: Event) {
                guard e.phase != .start else { return }
                text += "\(file.name)\t\(fixed3(Double(e.onsetSample) / rate))\t\(fixed3(Double(e.offsetSample) / rate))\t\(table.className(of: e))\n"
            }
            bytes.withUnsafeBytes { raw in
                let p = raw.baseAddress!.advanced(by: file.offset).assumingMemoryBound(to: Int16.self)
                for h in 0..<file.hops {
                    let f = unpack(p + h * fieldsPerHop, hop: Int64(h), hopSamples: hopSamples)
                    engine.process(f) { line($0) }
                }
            }
            engine.finish(atSample: Int64(file.hops) * hopSamples) { line($0) }
        }
        let out = outDir + "/" + base + ".txt"
        guard let fp = fopen(out, "wb") else { fail("cannot write '\(out)'") }
        fputs(text, fp)
        fclose(fp)
    }
}

let args = CommandLine.arguments
if args.count == 4 && args[1] == "dump" {
    dump(out: args[2], dir: args[3])
} else if (args.count == 3 || args.count == 4) && args[1] == "demo" {
    guard let seed = args.count == 4 ? UInt64(args[3]) : 7 else { fail("demo: SEED must be an unsigned integer") }
    dumpDemo(out: args[2], seed: seed)
} else if args.count >= 5 && args[1] == "detect" {
    detect(frames: args[2], outDir: args[3], tables: Array(args[4...]))
} else {
    fail("usage: earshot-tune dump OUT.frames DIR | earshot-tune demo OUT.frames [SEED] | earshot-tune detect FRAMES OUTDIR TABLE.json...")
}
