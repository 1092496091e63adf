// earshot-capture-probe: capture N frames from an ALSA device through AudioCapture and
// SampleRing, write them as raw Q15 little-endian interleaved, print key=value counters.
// Used by the capture tests (ALSA `file` plugin via ALSA_CONFIG_PATH) and by hand on a box.
import Dispatch
import EarshotAudio
#if canImport(Glibc)
import Glibc
#endif

let usage = """
usage: earshot-capture-probe DEVICE --frames N --out FILE [--rate HZ] [--channels C] [--format S16_LE|S32_LE]
                             [--period FRAMES] [--buffer FRAMES] [--ring FRAMES] [--hop FRAMES]
                             [--fill-first] [--retry] [--timeout-ms MS]
  --fill-first  do not read until the capture has produced N frames (exercises ring overflow)
  --retry       start even if the device is missing and reopen it with backoff
"""

func fail(_ text: String, code: Int32 = 2) -> Never {
    let line = text + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(code)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let device = args.first, !device.hasPrefix("-") else { fail(usage) }
args.removeFirst()
var options: [String: String] = [:]
var flags: Set<String> = []
while let key = args.first {
    args.removeFirst()
    if key == "--fill-first" || key == "--retry" { flags.insert(key); continue }
    guard key.hasPrefix("--"), let value = args.first else { fail("earshot-capture-probe: bad argument \(key)\n" + usage) }
    args.removeFirst()
    options[key] = value
}
@MainActor func int(_ key: String, _ fallback: Int?) -> Int {
    if let text = options[key] {
        guard let value = Int(text) else { fail("earshot-capture-probe: \(key) \(text) is not an integer") }
        return value
    }
    guard let fallback else { fail("earshot-capture-probe: \(key) is required\n" + usage) }
    return fallback
}
let frames = int("--frames", nil)
guard let outPath = options["--out"] else { fail("earshot-capture-probe: --out is required\n" + usage) }
let rate = int("--rate", 16_000)
guard let format = CaptureSampleFormat(rawValue: options["--format"] ?? "S16_LE") else {
    fail("earshot-capture-probe: --format must be S16_LE or S32_LE")
}
let config = AudioCaptureConfig(device: device, rate: rate, channels: int("--channels", 1), format: format,
                                periodFrames: options["--period"].flatMap(Int.init), bufferFrames: options["--buffer"].flatMap(Int.init),
                                ringFrames: options["--ring"].flatMap(Int.init))
let hop = int("--hop", config.periodFrames)
let timeoutMs = int("--timeout-ms", 10_000)

let capture: AlsaCapture
do {
    capture = try AlsaCapture(config: config, backoff: ReopenBackoff(initialNanoseconds: 50_000_000, maximumNanoseconds: 400_000_000))
    try capture.start(flags.contains("--retry") ? .retryUntilAvailable : .failIfUnavailable)
} catch {
    fail(error.description, code: 3)
}

let startNs = DispatchTime.now().uptimeNanoseconds
func elapsedMs() -> Int { Int((DispatchTime.now().uptimeNanoseconds - startNs) / 1_000_000) }
if flags.contains("--fill-first") {
    while capture.status.framesCaptured < UInt64(frames) && elapsedMs() < timeoutMs { usleep(1_000) }
    capture.stop()
}
let channels = config.channels
let out = UnsafeMutableBufferPointer<Int16>.allocate(capacity: frames * channels)
out.initialize(repeating: 0)
var got = 0
var hopBuffer = [Int16](repeating: 0, count: hop * channels)
while got < frames && elapsedMs() < timeoutMs {
    let want = min(hop, frames - got)
    let ok = hopBuffer.withUnsafeMutableBufferPointer {
        capture.ring.read(into: $0, frameCount: want, timeoutNanoseconds: 100_000_000)
    }
    if ok {
        for i in 0..<(want * channels) { out[got * channels + i] = hopBuffer[i] }
        got += want
    } else if flags.contains("--fill-first") {
        break
    }
}
let seconds = Double(elapsedMs()) / 1000
capture.stop()
let status = capture.status
guard let file = fopen(outPath, "wb") else { fail("earshot-capture-probe: cannot write \(outPath)") }
fwrite(out.baseAddress, 2, got * channels, file)
fclose(file)
print("""
frames_read=\(got)
frames_captured=\(status.framesCaptured)
frames_dropped=\(status.framesDropped)
ring_frames=\(capture.ring.capacityFrames)
overflows=\(capture.ring.overflowCount)
xruns=\(status.xruns)
reopens=\(status.reopens)
failed_opens=\(status.failedOpens)
state=\(status.state)
period_frames=\(status.negotiated?.periodFrames ?? 0)
buffer_frames=\(status.negotiated?.bufferFrames ?? 0)
elapsed_s=\(seconds)
last_error=\(status.lastError)
""")
exit(got == frames ? 0 : 4)
