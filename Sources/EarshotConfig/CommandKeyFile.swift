// `[mqtt] command_key_file`: the shared key of signed commands (cmd/ptz). Whoever can read
// it can move the camera, so its mode is checked, and it must hold at least 32 bytes.
import EarshotPlatform
import Glibc

public enum CommandKeyFile {
    /// Shortest key accepted, bytes. Equal to `CommandAuthentication.minimumKeyBytes`
    /// (EarshotMQTT); kept here so the configuration reader, which the config fuzzer builds
    /// alone, does not import the MQTT module.
    public static let minimumKeyBytes = 32

    /// Why the file at `path` may not hold the key (nil: it may): missing, not a regular
    /// file, or readable/writable by others, or writable by its group.
    public static func problem(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return "cannot stat \(path): \(Errno.current.description)" }
        guard st.st_mode & S_IFMT == S_IFREG else { return "\(path) is not a regular file" }
        let mode = st.st_mode & 0o7777
        if mode & 0o027 != 0 {
            let octal = String(mode, radix: 8)
            return "\(path) has mode 0\(octal): \(mode & 0o007 != 0 ? "others may \(mode & 0o004 != 0 ? "read" : "use") it" : "its group may write it"); "
                + "anyone who reads the key can move the camera: chmod 0640 (owner root, group earshot) or 0600"
        }
        return nil
    }
}
