// Directory listing, temporary directories and tree removal, in-memory files, and the TCP
// reachability probe against a real listening socket on 127.0.0.1 (and a closed port).
import EarshotPlatform
import Glibc
import Testing

@Suite struct DirectoryAndProbeTests {
    @Test func temporaryDirectoryListsAndRemovesItsTree() throws {
        let dir = try Directory.makeTemporary(prefix: "earshot-dir-test")
        #expect(dir.hasPrefix("/tmp/earshot-dir-test-"))
        #expect(FilePath.permissions(dir) == 0o700)
        try FileAccess.replace(dir + "/a.toml", with: Array("x".utf8))
        try FilePath.makeDirectory(dir + "/sub")
        try FileAccess.replace(dir + "/sub/b.wav", with: Array("y".utf8))
        let entries = try Directory.entries(dir).sorted { $0.name < $1.name }
        #expect(entries.map(\.name) == ["a.toml", "sub"])
        #expect(entries.map { $0.isDirectory ?? false } == [false, true])   // tmpfs/ext4 report d_type
        Directory.removeTree(dir)
        #expect(throws: Errno.noSuchFile) { try Directory.entries(dir) }
    }

    @Test func listingAFileIsNotADirectory() throws {
        let dir = try Directory.makeTemporary(prefix: "earshot-dir-test")
        defer { Directory.removeTree(dir) }
        try FileAccess.replace(dir + "/f", with: [1])
        #expect(throws: Errno(rawValue: ENOTDIR)) { try Directory.entries(dir + "/f") }
    }

    @Test func memoryFileIsReadableByPathAndReportsOnlyNewBytes() throws {
        let m = try MemoryFile(name: "earshot-test")
        try m.append(Array("abc".utf8))
        #expect(String(decoding: m.readNew(), as: UTF8.self) == "abc")
        #expect(m.readNew().isEmpty)
        // Another writer through the path (as the recording GPIO backend does).
        let fd = try FileDescriptor.open(m.path, O_WRONLY | O_APPEND)
        try Array("def".utf8).withUnsafeBytes { try fd.writeAll($0) }
        try fd.close()
        #expect(String(decoding: m.readNew(), as: UTF8.self) == "def")
        #expect(String(decoding: try FileAccess.read(m.path, maxBytes: 100), as: UTF8.self) == "abcdef")
    }

    @Test func tcpProbeSeesAListenerAndNotAClosedPort() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(s >= 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 }
        }
        #expect(bound)
        #expect(listen(s, 4) == 0)
        let port = Int(UInt16(bigEndian: addr.sin_port))
        #expect(TCPProbe.reachable(host: "127.0.0.1", port: port, timeoutMs: 1_000))
        close(s)
        #expect(!TCPProbe.reachable(host: "127.0.0.1", port: port, timeoutMs: 300))
        #expect(!TCPProbe.reachable(host: "no-such-host.invalid", port: 1883, timeoutMs: 300))
    }
}
