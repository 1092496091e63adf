// Seed corpus of the signature-table fuzz target: the default table as shipped (JSON text),
// its canonical encoding, single-entry tables of each entry, and a minimal table.
import EarshotDetection
import Glibc

enum SignatureSeeds {
    static func write(to dir: String) -> Int32 {
        var seeds: [(String, String)] = [
            ("default-shipped.json", DefaultSignatures.json),
            ("default-encoded.json", SignatureFile.encode(DefaultSignatures.table)),
            ("empty.json", #"{"version": 1, "entries": []}"#),
        ]
        let table = DefaultSignatures.table
        for i in 0..<table.count {
            var one = SignatureTable()
            one.append(table[i])
            seeds.append(("entry-\(i).json", SignatureFile.encode(one)))
        }
        for (name, text) in seeds {
            let path = "\(dir)/\(name)"
            guard let f = fopen(path, "wb") else { fputs("cannot write \(path)\n", stderr); return 1 }
            fputs(text, f)
            fclose(f)
        }
        print("fuzz-signatures: \(seeds.count) seeds in \(dir)")
        return 0
    }
}
