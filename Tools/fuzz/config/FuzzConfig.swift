// libFuzzer target: the board and site file loaders (Sources/EarshotConfig: TOML parser,
// BoardConfig/SiteConfig decoding and validation, rendering). Compiled into a module named
// EarshotAgent holding only the Config sources (Tools/fuzz/build.sh).
// Each input (UTF-8, as `ConfigFile.read` requires) is decoded as a board file and as a site
// file; every error message is rendered. Invariant checked (ConfigRendering.swift: "The output
// parses back into the same values"): a board that decodes re-decodes from its `tomlText` to an
// equal value; a site's `tomlText` parses back without error.
// `EARSHOT_FUZZ_WRITE_SEEDS=<dir>` writes the seed corpus (shipped boards and site) and exits.
import Glibc

nonisolated(unsafe) private var boardsDirectory = "Boards"

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    if let dir = getenv("EARSHOT_FUZZ_BOARDS") { boardsDirectory = String(cString: dir) }
    if let dir = getenv("EARSHOT_FUZZ_WRITE_SEEDS") {
        exit(ConfigSeeds.write(to: String(cString: dir), boards: boardsDirectory))
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    do {
        let board = try BoardConfig.parse(text, file: "fuzz-board.toml")
        let rendered = board.tomlText
        let again: BoardConfig
        do { again = try BoardConfig.parse(rendered, file: "rendered-board.toml") } catch {
            fputs("fuzz-config: a decoded board's tomlText does not parse back:\n\(error)\n--- rendered:\n\(rendered)\n", stderr); abort()
        }
        if again != board {
            fputs("fuzz-config: board tomlText round trip changed the value:\n\(board)\n!=\n\(again)\n--- rendered:\n\(rendered)\n", stderr); abort()
        }
    } catch {
        _ = error.description
    }
    do {
        let site = try SiteConfig.parse(text, file: "fuzz-site.toml", baseDirectory: "/nonexistent-earshot-fuzz",
                                        boardSearchPaths: [boardsDirectory])
        let rendered = site.tomlText
        do { _ = try SiteConfig.parse(rendered, file: "rendered-site.toml", baseDirectory: "/nonexistent-earshot-fuzz",
                                      boardSearchPaths: [boardsDirectory]) } catch {
            fputs("fuzz-config: a decoded site's tomlText does not parse back:\n\(error)\n--- rendered:\n\(rendered)\n", stderr); abort()
        }
    } catch {
        _ = error.description
    }
    return 0
}
