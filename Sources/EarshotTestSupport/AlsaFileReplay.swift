// An ALSA configuration that replays a raw file through libasound's `file`
// plugin: the genuine capture API reading samples the test wrote.

/// `pcm.earshot_replay`: capture from it reads `infile` (raw interleaved
/// samples in the format the reader opens it with), the slave is `null`.
public enum AlsaFileReplay {
    /// The PCM name the configuration defines.
    public static let pcmName = "earshot_replay"

    /// asound.conf text for a replay of the raw file at `rawPath`.
    public static func asoundConf(rawPath: String) -> String {
        """
        pcm.\(pcmName) {
            type file
            slave.pcm "null"
            file "/dev/null"
            infile "\(rawPath)"
            format "raw"
        }

        """
    }

    /// The environment that makes libasound load `confPath` after the system configuration.
    public static func environment(confPath: String) -> [String: String] {
        ["ALSA_CONFIG_PATH": "/usr/share/alsa/alsa.conf:\(confPath)"]
    }
}
