// Seed corpus of the command fuzz target: the requests of Schemas/command-request.schema.json
// and `earshot` docs (ping, ptz by preset and by sector, selftest), one line of topic then payload.
import Glibc

enum CommandSeeds {
    static let all: [(String, String)] = [
        ("ping-empty", "ping\n"),
        ("ping-object", "ping\n{}"),
        ("ptz-preset", "ptz\n{\"request_id\":\"r-1\",\"args\":{\"preset\":3}}"),
        ("ptz-sector", "ptz\n{\"args\":{\"sector\":0}}"),
        ("selftest", "selftest\n{\"request_id\":\"st-42\"}"),
        ("mixed-args", "custom_cmd\n {\"args\":{\"s\":\"t\\u00e9\\n\",\"b\":true,\"n\":null,\"x\":-1.5e3,\"nested\":{\"a\":1}}}\n"),
    ]

    static func write(to dir: String) -> Int32 {
        for (name, text) in all {
            let path = "\(dir)/\(name)"
            guard let f = fopen(path, "wb") else { fputs("cannot write \(path)\n", stderr); return 1 }
            fputs(text, f)
            fclose(f)
        }
        print("fuzz-command: \(all.count) seeds in \(dir)")
        return 0
    }
}
