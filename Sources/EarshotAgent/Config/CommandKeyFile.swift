// `[mqtt] command_key_file`: the shared key of signed commands (cmd/ptz). Whoever can read
// it can move the camera, so its mode is checked, and it must hold at least 32 bytes.
import EarshotFiles
import EarshotMQTT
import Glibc

public enum CommandKeyFile {
    /// Why the file at `path` may not hold the key (nil: it may): missing, not a regular
    /// file, or readable/writable by others, or writable by its group.
    public static func problem(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return "cannot stat \(path): \(String(cString: strerror(errno)))" }
        guard st.st_mode & S_IFMT == S_IFREG else { return "\(path) is not a regular file" }
        let mode = st.st_mode & 0o7777
        if mode & 0o027 != 0 {
            let octal = String(mode, radix: 8)
            return "\(path) has mode 0\(octal): \(mode & 0o007 != 0 ? "others may \(mode & 0o004 != 0 ? "read" : "use") it" : "its group may write it"); "
                + "anyone who reads the key can move the camera: chmod 0640 (owner root, group earshot) or 0600"
        }
        return nil
    }

    /// The key: the file's bytes without trailing white space (a line of hex from
    /// `openssl rand -hex 32` is 64 bytes). Throws a message naming field and file.
    public static func read(_ path: String) throws(AgentError) -> [UInt8] {
        if let why = problem(path) { throw AgentError(.config, "mqtt.command_key_file \(path): \(why)") }
        var bytes: [UInt8]
        do { bytes = try FileAccess.read(path, maxBytes: 4_096) } catch {
            throw AgentError(.config, "mqtt.command_key_file \(path): \(error)")
        }
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 { bytes.removeLast() }
        guard bytes.count >= CommandAuthentication.minimumKeyBytes else {
            throw AgentError(.config, "mqtt.command_key_file \(path): the key has \(bytes.count) bytes; at least "
                             + "\(CommandAuthentication.minimumKeyBytes) are needed (make one with: openssl rand -hex 32 > \(path))")
        }
        return bytes
    }
}
