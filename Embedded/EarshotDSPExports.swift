// C entry points for the Embedded build of EarshotDSP (`make embedded`).
// Compiled only into the bare-metal objects, together with Sources/EarshotDSP.
// The C harness owns all memory: it asks for the state size, allocates it,
// and passes it back. Frames are serialised field by field, little-endian,
// so the comparison never sees padding bytes.

/// Bytes the caller must provide for one `AnalysisChain`.
@_cdecl("earshot_chain_state_size")
public func earshotChainStateSize() -> Int {
    MemoryLayout<AnalysisChain>.size + MemoryLayout<AnalysisChain>.alignment
}

/// Bytes `earshot_chain_process` writes per frame.
@_cdecl("earshot_frame_bytes")
public func earshotFrameBytes() -> Int { FrameSerialiser.byteCount }

/// Designs a chain for `rate` Hz (10 ms hop) in caller memory.
@_cdecl("earshot_chain_init")
public func earshotChainInit(_ state: UnsafeMutableRawPointer, _ rate: Int32) {
    aligned(state).initializeMemory(as: AnalysisChain.self, repeating: AnalysisChain(config: AnalysisConfig(sampleRate: rate)), count: 1)
}

/// Samples per hop for the chain in `state`.
@_cdecl("earshot_chain_hop_samples")
public func earshotChainHopSamples(_ state: UnsafeMutableRawPointer) -> Int32 {
    aligned(state).assumingMemoryBound(to: AnalysisChain.self).pointee.config.hopSamples
}

/// Processes one hop of Q15 samples and writes the serialised frame to `out`.
@_cdecl("earshot_chain_process")
public func earshotChainProcess(_ state: UnsafeMutableRawPointer, _ hop: UnsafePointer<Int16>, _ count: Int32, _ out: UnsafeMutableRawPointer) {
    var frame = FeatureFrame()
    let chain = aligned(state).assumingMemoryBound(to: AnalysisChain.self)
    chain.pointee.process(hop: UnsafeBufferPointer(start: hop, count: Int(count)), into: &frame)
    FrameSerialiser.write(frame, to: out)
}

/// Bytes the caller must provide for one `OctaveFilterbank`.
@_cdecl("earshot_bank_state_size")
public func earshotBankStateSize() -> Int {
    MemoryLayout<OctaveFilterbank>.size + MemoryLayout<OctaveFilterbank>.alignment
}

/// Designs the octave filterbank alone for `rate` Hz in caller memory.
@_cdecl("earshot_bank_init")
public func earshotBankInit(_ state: UnsafeMutableRawPointer, _ rate: Int32) {
    aligned(state, to: MemoryLayout<OctaveFilterbank>.alignment)
        .initializeMemory(as: OctaveFilterbank.self, repeating: OctaveFilterbank(sampleRate: rate), count: 1)
}

/// Filters `count` samples (any count, 0 allowed) and writes the eight
/// bands' Σ y² over them (Q30, UInt64 little-endian, 64 bytes) to `out`.
@_cdecl("earshot_bank_process")
public func earshotBankProcess(_ state: UnsafeMutableRawPointer, _ samples: UnsafePointer<Int16>, _ count: Int32,
                               _ out: UnsafeMutableRawPointer) {
    let bank = aligned(state, to: MemoryLayout<OctaveFilterbank>.alignment).assumingMemoryBound(to: OctaveFilterbank.self)
    var energy = SIMD8<UInt64>(repeating: 0)
    bank.pointee.process(UnsafeBufferPointer(start: samples, count: Int(count)), energy: &energy)
    for lane in 0..<8 { out.storeBytes(of: energy[lane].littleEndian, toByteOffset: 8 &* lane, as: UInt64.self) }
}

func aligned(_ p: UnsafeMutableRawPointer, to a: Int = MemoryLayout<AnalysisChain>.alignment) -> UnsafeMutableRawPointer {
    let address = UInt(bitPattern: p)
    let mask = UInt(a - 1)
    return UnsafeMutableRawPointer(bitPattern: (address + mask) & ~mask)!
}

/// Field-by-field little-endian serialisation of a `FeatureFrame`.
enum FrameSerialiser {
    static let byteCount = 8 + 8 + 3 * 16 + 32 + 11 * 2

    static func write(_ f: FeatureFrame, to out: UnsafeMutableRawPointer) {
        var o = 0
        func put64(_ v: Int64) { out.storeBytes(of: v.littleEndian, toByteOffset: o, as: Int64.self); o += 8 }
        func put16(_ v: Int16) { out.storeBytes(of: v.littleEndian, toByteOffset: o, as: Int16.self); o += 2 }
        put64(f.hopIndex)
        put64(f.firstSample)
        for i in 0..<8 { put16(f.bandLevel[i]) }
        for i in 0..<8 { put16(f.bandBackground[i]) }
        for i in 0..<8 { put16(f.bandSNR[i]) }
        for i in 0..<16 { put16(f.binPower[i]) }
        put16(f.levelA); put16(f.levelZ); put16(f.backgroundZ); put16(f.peak)
        put16(f.envelope); put16(f.riseRate); put16(f.crest); put16(f.onsetOffset)
        put16(f.clippedSamples)
        put16(f.pitchHz); put16(f.pitchProminence)
    }
}
