// libFuzzer target: the signature-table loader (Sources/EarshotSignatures, with EarshotDetection
// and EarshotDSP as modules). Compiled into a module named EarshotSignatures (Tools/fuzz/build.sh).
// Each input (UTF-8 text, as `SignatureFile.load` requires) is parsed and validated; a table that
// loads is (1) written back with `SignatureFile.encode` and must re-load to an equal table, and
// (2) designed into a `DetectionEngine` at 8, 16 and 48 kHz, which must not trap.
// `EARSHOT_FUZZ_WRITE_SEEDS=<dir>` writes the seed corpus (default table, relaxed variants) and exits.
import EarshotDSP
import EarshotDetection
import Glibc

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    if let dir = getenv("EARSHOT_FUZZ_WRITE_SEEDS") { exit(SignatureSeeds.write(to: String(cString: dir))) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignatures(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    let table: SignatureTable
    do { table = try SignatureFile.parse(text, fileName: "fuzz-table.json") } catch {
        _ = error.description
        return 0
    }
    let encoded = SignatureFile.encode(table)
    do {
        let again = try SignatureFile.parse(encoded, fileName: "encoded-table.json")
        if again != table {
            fputs("fuzz-signatures: encode → parse changed the table\n--- encoded:\n\(encoded)\n", stderr); abort()
        }
    } catch {
        fputs("fuzz-signatures: a loaded table's encoding does not load back: \(error)\n--- encoded:\n\(encoded)\n", stderr); abort()
    }
    for rate: Int32 in [8_000, 16_000, 48_000] {
        let engine = DetectionEngine(table: table, config: AnalysisConfig(sampleRate: rate), splOffset: 30 * 256)
        _ = engine.table.count
    }
    return 0
}
