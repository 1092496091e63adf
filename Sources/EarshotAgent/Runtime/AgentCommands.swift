// Remote commands on `…/cmd/{name}`: ping (EarshotMQTT's built-in "pong"),
// ptz (manual trigger for a visual check) and selftest.
import EarshotGPIO
import EarshotMQTT

extension Agent {
    func registerCommands(_ publisher: MQTTPublisher) {
        // Moving the camera needs a signed request (HMAC with the site's command key).
        publisher.setCommandHandler("ptz", requiresSignature: true) { [weak self] request in
            guard let self else { return CommandReply(ok: false, message: "agent stopping") }
            return self.handlePTZ(request)
        }
        publisher.setCommandHandler("selftest") { [weak self] request in
            guard let self else { return CommandReply(ok: false, message: "agent stopping") }
            return self.handleSelfTest(request)
        }
    }

    /// `cmd/ptz {"args":{"preset":N}}` (1-based) or `{"args":{"sector":N}}` (0-based):
    /// pulses that sector's lines. Refused unless the mode is `events+ptz`.
    func handlePTZ(_ request: CommandRequest) -> CommandReply {
        let mode = plan.config.site.sensor.mode
        guard mode == .eventsPTZ, let ptz = pipeline?.ptz else {
            return CommandReply(ok: false, message: "refused: mode is \"\(mode.rawValue)\"; camera steering needs mode \"events+ptz\" in the site file",
                                result: ["mode": .string(mode.rawValue)])
        }
        var sector = ptz.defaultSector
        // JSON numbers are doubles: 1e300 or -9.3e18 must be refused (sector −1), not trap in Int().
        if case .number(let n)? = request.arguments["preset"] { sector = n.magnitude < 1e9 ? Int(n) - 1 : -1 }
        if case .number(let n)? = request.arguments["sector"] { sector = n.magnitude < 1e9 ? Int(n) : -1 }
        let outcome = ptz.trigger(sector: sector)
        let text: String
        switch outcome {
        case .accepted: text = "sector \(sector) (preset \(sector + 1)) triggered"
        case .suppressedBySectorCooldown: text = "sector \(sector) is in its cooldown; try again later"
        case .suppressedByGlobalCooldown: text = "the PTZ trigger is in its cooldown; try again later"
        case .queueFull: text = "too many triggers queued"
        case .stopped: text = "the PTZ trigger is stopped"
        case .noSuchSector: text = "no sector \(sector): the board wires sectors 0…\(ptz.sectorCount - 1) (presets 1…\(ptz.sectorCount))"
        }
        log.info("cmd/ptz: \(text)")
        return CommandReply(ok: outcome == .accepted, message: text,
                            result: ["sector": .number(Double(sector)), "outcome": .string("\(outcome)")])
    }

    /// `cmd/selftest`: the analysis thread acknowledges through its queue; a synthetic
    /// burst goes through a fresh chain and detector; a synthetic `selftest` event goes
    /// through the outbox to the broker; PTZ health; one
    /// pass/fail per stage. Waits up to 8 s (about 20 ms in a release build).
    func handleSelfTest(_ request: CommandRequest) -> CommandReply {
        guard let pipeline else { return CommandReply(ok: false, message: "pipeline not running (reloading?)") }
        let id = nextSelfTestID()
        let hopsBefore = pipeline.analysis.hops
        pipeline.analysis.requestSelfTest(id: id)
        guard let r = pipeline.dispatcher.waitForSelfTest(id: id, timeoutMilliseconds: 8_000) else {
            return CommandReply(ok: false, message: "analysis thread did not answer within 8 s (stuck?)",
                                result: ["analysis": .string("fail")])
        }
        var result: [String: CommandValue] = [
            "analysis": .string("pass"),
            "detector": .string(r.detector ? "pass" : "fail"),
            "detector_class": .string(r.detectedClass),
            "capture": .string(pipeline.input.health.audio == "ok" ? "pass" : "fail"),
            "audio_flowing": .string(r.hops > hopsBefore || pipeline.input.isFinished ? "pass" : "fail"),
        ]
        if let o = r.outbox { result["outbox"] = .string(o ? "pass" : "fail") } else { result["outbox"] = .string("skipped (mode levels)") }
        if let id = r.eventID { result["event_id"] = .string(id) }
        if let p = r.ptz { result["ptz"] = .string(p ? "pass" : "fail") } else { result["ptz"] = .string("skipped (mode not events+ptz)") }
        let ok = r.detector && r.outbox != false && r.ptz != false && result["capture"] == .string("pass")
        log.info("cmd/selftest: \(ok ? "pass" : "fail")")
        return CommandReply(ok: ok, message: ok ? "self-test passed" : "self-test failed: see result", result: result)
    }

    func nextSelfTestID() -> UInt32 { selfTestIDs.add(1, ordering: .relaxed).newValue }
}
