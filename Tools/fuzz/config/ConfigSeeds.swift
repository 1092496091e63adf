// Seed corpus of the config fuzz target: every shipped board file (Boards/*.toml), the
// shipped site file (Deploy/site.toml), and a few TOML forms the shipped files do not use.
import Glibc

enum ConfigSeeds {
    static let syntax: [(String, String)] = [
        ("syntax-inline-and-arrays", """
        name = 'literal'
        description = "esc \\t \\u00e9 \\"q\\""
        [audio]
        device = "hw:1,0"
        rate = 48_000
        channels = 2
        analysis_channel = "mean"
        [microphone]
        positions_m = [[0.0, 0.0, 0.0], [0.05, 0.0, 0.0],]
        [gpio]
        chip = "gpiochip0"
        wiring = "one_line_per_preset"
        lines = [17, 27, 22]
        [[camera.preset]]
        number = 1
        azimuth_deg = -45.5
        [[camera.preset]]
        number = 2
        azimuth_deg = 1e1

        """),
        ("syntax-site-tls", """
        [sensor]
        id = "a-1"
        site = "s_2"
        board = "generic"
        mode = "events+ptz"
        [mqtt]
        host = "broker.example"
        port = 8883
        tls = { ca_file = "ca.pem" }
        [detection.thresholds]
        min_confidence = 0.5

        """),
        // Site and id of 64 characters: the derived MQTT client id must still fit 64 bytes
        // (found by this target on 2026-12-08: the rendered site did not parse back).
        ("syntax-site-long-names", """
        [sensor]
        id = "\(String(repeating: "b", count: 64))"
        site = "\(String(repeating: "H", count: 64))"
        board = "generic"

        """),
    ]

    /// Writes the seeds into `dir`, reading the shipped files from `boards` and `boards/../Deploy`.
    static func write(to dir: String, boards: String) -> Int32 {
        var seeds = syntax
        var files = BoardSearch.boardNames(in: boards).map { "\(boards)/\($0).toml" }
        files.append("\(ConfigFile.directory(of: boards))/Deploy/site.toml")
        for path in files {
            do { seeds.append((path.split(separator: "/").suffix(2).joined(separator: "-"), try ConfigFile.read(path))) } catch {
                fputs("fuzz-config: \(error)\n", stderr); return 1
            }
        }
        for (name, text) in seeds {
            do { try ConfigFile.replace("\(dir)/\(name)", with: text) } catch { fputs("fuzz-config: \(error)\n", stderr); return 1 }
        }
        print("fuzz-config: \(seeds.count) seeds in \(dir) (\(files.count) shipped files)")
        return 0
    }
}
