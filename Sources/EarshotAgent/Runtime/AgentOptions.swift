// What `earshot run` was asked to do, beyond the site and board files.
import EarshotConfig

/// Command-line options of the agent. Files named here override the site file.
public struct AgentOptions: Sendable, Equatable {
    /// Site file (`/etc/earshot/site.toml`).
    public var sitePath: String
    /// Board file overriding the site's `sensor.board` (nil = the site's).
    public var boardPath: String?
    /// Replay this WAV file instead of capturing from ALSA (tests, demos).
    public var inputFile: String?
    /// Pace `inputFile` in real time (10 ms per hop); otherwise as fast as analysis goes.
    public var realtime: Bool = false
    /// Replay `inputFile` again and again.
    public var loop: Bool = false
    /// After `inputFile` ends (or after `exitAfterSeconds`): flush and exit 0.
    public var exitAtEnd: Bool = false
    /// Stop after this many seconds of audio analysed (nil = never).
    public var exitAfterAudioSeconds: Double?
    /// Log level overriding the site's `[logging] level`.
    public var logLevel: LoggingSettings.Level?
    /// SampleRing size in seconds of audio between capture and analysis; nil = 1 s, and
    /// an ALSA `file`-plugin replay (unpaced) then waits for the analysis instead of
    /// dropping, so a recording of any length is analysed whole. Given, the capture drops
    /// frames when the ring is full, replay or not (as a microphone on a slow box would).
    public var ringSeconds: Double?
    /// Record PTZ line transitions to this file through an in-memory GPIO chip
    /// instead of libgpiod (tests; env `EARSHOT_FAKE_GPIO_LOG`).
    public var fakeGPIOLog: String?
    /// Software version reported in status.
    public var version: String = "0.1.0"

    /// Options for `sitePath`, everything else default.
    public init(sitePath: String) { self.sitePath = sitePath }
}
