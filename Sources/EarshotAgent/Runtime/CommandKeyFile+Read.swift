// Reading the key of `[mqtt] command_key_file` at start (errors as AgentError, exit 2).
import EarshotConfig
import EarshotPlatform

extension CommandKeyFile {
    /// The key: the file's bytes without trailing white space (a line of hex from
    /// `openssl rand -hex 32` is 64 bytes). Throws a message naming field and file.
    public static func read(_ path: String) throws(AgentError) -> [UInt8] {
        if let why = problem(path) { throw AgentError(.config, "mqtt.command_key_file \(path): \(why)") }
        var bytes: [UInt8]
        do { bytes = try FileAccess.read(path, maxBytes: 4_096) } catch {
            throw AgentError(.config, "mqtt.command_key_file \(path): \(error)")
        }
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 { bytes.removeLast() }
        guard bytes.count >= minimumKeyBytes else {
            throw AgentError(.config, "mqtt.command_key_file \(path): the key has \(bytes.count) bytes; at least "
                             + "\(minimumKeyBytes) are needed (make one with: openssl rand -hex 32 > \(path))")
        }
        return bytes
    }
}
