// EarshotPlatform on the real file system: reads, limits, atomic replacement that
// keeps permission bits and leaves no temporary file behind.
import EarshotPlatform
import Glibc
import Testing

@Suite struct FileAccessTests {
    /// A fresh directory under /tmp, removed by the caller.
    private func scratch() -> String {
        var template = Array("/tmp/earshot-files-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        return dir
    }

    private func remove(_ dir: String) {
        for name in ["a.txt", "a.txt.tmp", "big.bin", "new.txt", "sub/x"] { unlink(dir + "/" + name) }
        rmdir(dir + "/sub")
        rmdir(dir)
    }

    private func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
    }

    @Test func replaceThenReadRoundTripsAndKeepsPermissionBits() throws {
        let dir = scratch()
        defer { remove(dir) }
        let path = dir + "/a.txt"
        try FileAccess.replace(path, with: Array("first\n".utf8))
        #expect(mode(path) == 0o644)
        chmod(path, 0o600)
        let text = Array("second, longer than the first\n".utf8)
        try FileAccess.replace(path, with: text)
        #expect(try FileAccess.read(path, maxBytes: 1 << 20) == text)
        #expect(mode(path) == 0o600)
        #expect(access(path + ".tmp", F_OK) != 0)
        #expect(FileAccess.isRegularFile(path))
        #expect(!FileAccess.isRegularFile(dir))
    }

    @Test func readsFilesLargerThanOneChunk() throws {
        let dir = scratch()
        defer { remove(dir) }
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try FileAccess.replace(dir + "/big.bin", with: bytes)
        #expect(try FileAccess.read(dir + "/big.bin", maxBytes: 1 << 20) == bytes)
        #expect(throws: FileAccessError(path: dir + "/big.bin", step: .tooLarge(limitBytes: 100_000), systemMessage: "")) {
            try FileAccess.read(dir + "/big.bin", maxBytes: 100_000)
        }
    }

    @Test func replaceWritesPartsInOrderAndProducesEachOnlyWhenWritten() throws {
        let dir = scratch()
        defer { remove(dir) }
        var produced: [Int] = []
        let parts = (0..<5).lazy.map { k -> [UInt8] in
            produced.append(k)
            return [UInt8](repeating: UInt8(k), count: 70_000 + k)
        }
        try FileAccess.replace(dir + "/big.bin", parts: parts)
        #expect(produced == [0, 1, 2, 3, 4])
        let expected = (0..<5).flatMap { [UInt8](repeating: UInt8($0), count: 70_000 + $0) }
        #expect(try FileAccess.read(dir + "/big.bin", maxBytes: 1 << 20) == expected)
        #expect(access(dir + "/big.bin.tmp", F_OK) != 0)
    }

    @Test func failuresNameThePathAndTheStep() throws {
        let dir = scratch()
        defer { remove(dir) }
        let missing = dir + "/absent.txt"
        #expect(throws: FileAccessError(path: missing, step: .open, systemMessage: "No such file or directory")) {
            try FileAccess.read(missing, maxBytes: 10)
        }
        #expect(throws: FileAccessError(path: dir, step: .isDirectory, systemMessage: "")) {
            try FileAccess.read(dir, maxBytes: 10)
        }
        let inMissingDir = dir + "/nodir/x.txt"
        #expect(throws: FileAccessError(path: inMissingDir + ".tmp", step: .create, systemMessage: "No such file or directory")) {
            try FileAccess.replace(inMissingDir, with: [1, 2, 3])
        }
        // Renaming a file over a non-empty directory fails: the directory stays, no .tmp is left.
        mkdir(dir + "/sub", 0o755)
        try FileAccess.replace(dir + "/sub/x", with: [1])
        #expect(throws: FileAccessError(path: dir + "/sub", step: .rename, systemMessage: "Is a directory")) {
            try FileAccess.replace(dir + "/sub", with: [1, 2])
        }
        #expect(access(dir + "/sub.tmp", F_OK) != 0)
        #expect(FileAccessError(path: missing, step: .open, systemMessage: "No such file or directory").description
                == "cannot open \(missing): No such file or directory")
    }
}
