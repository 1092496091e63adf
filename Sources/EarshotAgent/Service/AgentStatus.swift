// The agent's periodic status, composed without heap allocation: the retained MQTT
// `status` (a StatusMessage whose detail is a fixed StatusText, Strings that already
// exist — mode, version, device, last errors — are only referenced) and the
// sd_notify `STATUS=` line. Same texts as the String-interpolated version before it.
import EarshotText
import EarshotConfig
import EarshotAudio
import EarshotMQTT

/// Builds the status of a running pipeline (called every 30 s and on a change).
enum AgentStatus {
    /// `status.audio`: "ok", "recovering", "device_lost" or "stopped" (literals: no allocation).
    /// `degraded`: audio flows but frames were dropped (ring full, analysis behind)
    /// within the last minute; the counts are in `capture.frames_dropped` and `detail`.
    static func audioWord(_ input: AgentAudioInput) -> String {
        let ok = input.isDegraded(nowNs: AgentClock.monotonicNanoseconds()) ? "degraded" : "ok"
        switch input.source {
        case .alsa(let c):
            switch c.status.state {
            case .running: return ok
            case .recovering: return "recovering"
            case .lost: return "device_lost"
            case .stopped: return "stopped"
            }
        case .file(let f): return f.isFinished ? "stopped" : ok
        }
    }

    /// The capture part of `detail`: `capture <state> xruns=… reopens=… failed_opens=… stalls=…
    /// frames=… dropped=…[ last_error=…]` (ALSA) or `replay <path> frames=…` (file).
    static func appendCapture(_ input: AgentAudioInput, to text: inout StatusText) {
        switch input.source {
        case .alsa(let c): appendCapture(c.status, to: &text)
        case .file(let f):
            text.append("replay "); text.append(f.path)
            text.append(" frames="); text.append(f.framesWritten)  // a WAV replay waits for room: never drops
        }
    }

    /// The ALSA capture part of `detail` for the counters `s`.
    static func appendCapture(_ s: CaptureStatus, to text: inout StatusText) {
        text.append("capture ")
        switch s.state {
        case .stopped: text.append("stopped")
        case .running: text.append("running")
        case .recovering: text.append("recovering")
        case .lost: text.append("lost")
        }
        text.append(" xruns="); text.append(s.xruns)
        text.append(" reopens="); text.append(s.reopens)
        text.append(" failed_opens="); text.append(s.failedOpens)
        text.append(" stalls="); text.append(s.stalls)
        text.append(" frames="); text.append(s.framesCaptured)
        text.append(" dropped="); text.append(s.framesDropped)
        if !s.lastError.isEmpty && s.state != .running { text.append(" last_error="); text.append(s.lastError) }
    }

    /// `detail`: `<capture>; ptz=enabled accepted=… suppressed=… failures=…` (or `ptz=disabled`)
    /// `; hops=… queue_dropped=… uptime_s=…` (uptime in s), then `; clock=…` when `clock` is given
    /// (`ClockSyncState.appendDetail`).
    static func detail(_ pipeline: AgentPipeline, uptimeSeconds: Int64, clock: ClockSyncState? = nil) -> StatusText {
        var text = StatusText()
        appendCapture(pipeline.input, to: &text)
        if let p = pipeline.ptz {
            let s = p.status
            text.append("; ptz=enabled accepted="); text.append(s.accepted)
            text.append(" suppressed="); text.append(s.suppressedBySector &+ s.suppressedByGlobal)
            text.append(" failures="); text.append(s.failures)
        } else {
            text.append("; ptz=disabled")
        }
        text.append("; hops="); text.append(pipeline.analysis.hops)
        text.append(" queue_dropped="); text.append(pipeline.queue.dropped)
        text.append(" uptime_s="); text.append(uptimeSeconds)
        if let clock { text.append("; "); clock.appendDetail(to: &text) }
        return text
    }

    /// The retained status of `pipeline` in `mode` (`uptimeSeconds` for `detail`).
    static func message(_ pipeline: AgentPipeline, mode: OperatingMode, version: String, uptimeSeconds: Int64) -> StatusMessage {
        let sync = AgentClock.syncState()
        return StatusMessage(mode: mode.rawValue, softwareVersion: version, audio: audioWord(pipeline.input),
                             clock: sync.clockSync,
                             detail: detail(pipeline, uptimeSeconds: uptimeSeconds, clock: sync),
                             capture: pipeline.input.captureReport,
                             ptz: pipeline.ptz?.report ?? .disabled,
                             analysis: AnalysisReport(hops: pipeline.analysis.hops, queueDropped: pipeline.queue.dropped))
    }

    /// The sd_notify status text (sent as `STATUS=<text>`): `<audio>, <mode>, hops <n>`.
    static func systemdText(audio: String, mode: OperatingMode, hops: Int64) -> StatusText {
        var text = StatusText()
        text.append(audio); text.append(", ")
        text.append(mode.rawValue); text.append(", hops ")
        text.append(hops)
        return text
    }
}
