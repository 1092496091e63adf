// Helpers shared by the configuration tests: repository paths, temp files.
import EarshotConfig
#if canImport(Glibc)
import Glibc
#endif
@testable import EarshotAgent

enum ConfigTestSupport {
    /// The repository root, from this file's path (…/Tests/EarshotAgentTests/X.swift).
    static func repoRoot(_ file: String = #filePath) -> String {
        var path = file
        if !path.hasPrefix("/") {
            var buf = [CChar](repeating: 0, count: 4_096)
            if getcwd(&buf, buf.count) != nil { path = String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path }
        }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }

    /// A fresh directory under /tmp.
    static func tempDirectory() -> String {
        var template = Array("/tmp/earshot-config-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(p != nil, "mkdtemp")
        return String(decoding: UnsafeRawBufferPointer(start: p!, count: strlen(p!)), as: UTF8.self)
    }

    static func write(_ text: String, to path: String) {
        try! ConfigFile.replace(path, with: text)
    }

    /// The single error text for board `text` (empty string when it is valid).
    static func boardErrors(_ text: String, file: String = "boards/test.toml") -> String {
        do {
            _ = try BoardConfig.parse(text, file: file)
            return ""
        } catch {
            return error.description
        }
    }

    /// The error text for site `text`, boards searched in the repository.
    static func siteErrors(_ text: String, file: String = "site.toml") -> String {
        do {
            _ = try SiteConfig.parse(text, file: file, baseDirectory: repoRoot(), boardSearchPaths: [repoRoot() + "/Boards"])
            return ""
        } catch {
            return error.description
        }
    }

    static let validBoard = """
        name = "t"
        [audio]
        device = "default"
        rate = 16000
        channels = 2
        format = "S16_LE"
        [microphone]
        positions_m = [[0.05, 0.0, 0.0], [-0.05, 0.0, 0.0]]
        [gpio]
        chip = "gpiochip0"
        wiring = "lines"
        lines = [22, 23]
        pulse_ms = 200
        cooldown_ms = 5000

        """

    static let validSite = """
        [sensor]
        id = "box-1"
        site = "lyon"
        board = "generic"

        """
}
