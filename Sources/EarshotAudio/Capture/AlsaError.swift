// One typed error for every failing libasound call.

/// A failed libasound call: the negative errno-style `code` it returned, the C
/// function (`call`), the PCM `device` name, and optional `detail`. Its
/// `description` is one line a technician can act on, e.g.
/// `ALSA: cannot open capture device "hw:2,0": No such file or directory (snd_pcm_open) — check 'earshot devices' and the board file's audio.device`.
public struct AlsaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Negative errno as returned by libasound (e.g. -2 ENOENT, -19 ENODEV, -32 EPIPE).
    public var code: Int32
    /// The libasound function that failed (`"snd_pcm_open"`, …) or `"config"` for validation.
    public var call: String
    /// The ALSA PCM name involved.
    public var device: String
    /// Extra context (what was requested, what the device accepts, what to do).
    public var detail: String

    /// Creates an error; `detail` replaces the generic advice when not empty.
    public init(code: Int32, call: String, device: String, detail: String = "") {
        self.code = code
        self.call = call
        self.device = device
        self.detail = detail
    }

    /// libasound's text for `code` (`snd_strerror`).
    public var reason: String { alsaErrorText(code) }

    /// True when the error means the device went away (USB microphone unplugged,
    /// card removed, driver unbound): the capture closes it and reopens with backoff.
    public var isDeviceLoss: Bool { AlsaErrno.isDeviceLoss(code) }

    /// One line: what failed, on which device, libasound's reason, the call, and what to do.
    public var description: String {
        if call == "config" { return "ALSA: capture device \"\(device)\": \(detail)" }
        let advice: String
        if !detail.isEmpty {
            advice = detail
        } else {
            switch -code {
            case AlsaErrno.ENOENT, AlsaErrno.ENODEV, AlsaErrno.ENXIO:
                advice = "check 'earshot devices' and the board file's audio.device"
            case AlsaErrno.EBUSY:
                advice = "another program holds the device (try 'fuser -v /dev/snd/*'); stop it or use a dsnoop device"
            case AlsaErrno.EACCES, AlsaErrno.EPERM:
                advice = "the agent's user needs access to /dev/snd (group 'audio')"
            default:
                advice = "check the board file's audio section and the device with 'arecord -D \(device) --dump-hw-params'"
            }
        }
        let what = call == "snd_pcm_open" ? "cannot open capture device" : "capture device"
        return "ALSA: \(what) \"\(device)\": \(reason) (\(call)) — \(advice)"
    }
}

/// errno values the capture code distinguishes (Linux numbering, shared by every
/// architecture Earshot targets).
enum AlsaErrno {
    static let EPERM: Int32 = 1, ENOENT: Int32 = 2, EINTR: Int32 = 4, EIO: Int32 = 5, ENXIO: Int32 = 6
    static let EAGAIN: Int32 = 11, EACCES: Int32 = 13, EBUSY: Int32 = 16, ENODEV: Int32 = 19
    static let EINVAL: Int32 = 22, EPIPE: Int32 = 32, ESTRPIPE: Int32 = 86, EBADFD: Int32 = 77
    static let ESHUTDOWN: Int32 = 108, ETIMEDOUT: Int32 = 110

    /// Errors after which the PCM handle is useless: close and reopen.
    static func isDeviceLoss(_ code: Int32) -> Bool {
        switch -code {
        case ENODEV, EIO, EBADFD, ENXIO, ESHUTDOWN, ENOENT: return true
        default: return false
        }
    }
}
