// libFuzzer target: the WAV reader (Sources/EarshotAudio/WAV) on arbitrary file bytes.
// Compiled into the EarshotAudio module together with the WAV sources (Tools/fuzz/build.sh).
// Each input is written to one scratch file (/dev/shm) and opened as a WAV; every sample is
// read with channel 0, channel 1 (when present) and the channel mean, in odd chunk sizes.
// Invariant checked: a file that opens delivers exactly `format.frameCount` frames.
// `EARSHOT_FUZZ_WRITE_SEEDS=<dir>` writes the seed corpus (valid WAVs of every format) and exits.
import Glibc

nonisolated(unsafe) private var scratchPath = ""
nonisolated(unsafe) private var scratchFD: Int32 = -1
nonisolated(unsafe) private let samples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 1_000)

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    if let dir = getenv("EARSHOT_FUZZ_WRITE_SEEDS") {
        exit(WAVSeeds.write(to: String(cString: dir)))
    }
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    scratchPath = "\(base)/earshot-fuzz-wav-\(getpid()).wav"
    scratchFD = open(scratchPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    if scratchFD < 0 { fputs("fuzz-wav: cannot create \(scratchPath)\n", stderr); exit(1) }
    atexit { unlink(scratchPath) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWAV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = ftruncate(scratchFD, 0)
    if size > 0, let data, pwrite(scratchFD, data, size, 0) != size { fputs("fuzz-wav: write failed\n", stderr); abort() }
    readAll(.channel(0), chunkFrames: 16_384)
    readAll(.mean, chunkFrames: 7)
    readAll(.channel(1), chunkFrames: 3)
    return 0
}

private func readAll(_ selection: WAVChannelSelection, chunkFrames: Int) {
    let reader: WAVReader
    do { reader = try WAVReader(path: scratchPath, selection: selection, chunkFrames: chunkFrames) } catch {
        _ = error.description  // every message must render
        return
    }
    let expected = reader.format.frameCount
    var total: Int64 = 0
    while true {
        let n: Int
        do { n = try reader.read(into: samples) } catch {
            fputs("fuzz-wav: read failed on a file that did not change: \(error)\n", stderr); abort()
        }
        if n == 0 { break }
        total += Int64(n)
    }
    if total != expected {
        fputs("fuzz-wav: delivered \(total) frames, header says \(expected)\n", stderr); abort()
    }
}
