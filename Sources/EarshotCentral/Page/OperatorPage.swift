// Serves the operator's page for a running `CentralService`.
import EarshotPlatform
import EarshotText
import Glibc
import Synchronization

/// HTTP on the configured address: `GET /` the page, `GET /api/state` its data,
/// `GET /events` Server-Sent Events (`incident` on each change, `state` every 5 s),
/// `POST /api/incidents/{id}/ack` acknowledges an incident (kept in memory).
public final class OperatorPage: Sendable {
    private let service: CentralService
    /// The server (while started), what was acknowledged, whether the page thread runs.
    private struct State {
        var server: HTTPServer?
        var acknowledged = Set<String>()
        var running = false
    }
    private let state = Mutex(State())

    /// Prepares the page for `service`; call before `service.start()` so no incident is missed.
    public init(service: CentralService) {
        self.service = service
    }

    /// The bound port (after `start`).
    public var port: Int? { state.withLock { $0.server?.port } }
    /// Incident ids acknowledged so far.
    public var acknowledgedIDs: Set<String> { state.withLock { $0.acknowledged } }

    /// Listens on `host:port` (IPv4; port 0 = any free port) and hooks the service's incidents.
    public func start(host: String, port: Int) throws(CentralError) {
        let s = try HTTPServer(host: host, port: port, handler: { [unowned self] in self.route($0) },
                               onStreamOpened: { [unowned self] fd in self.state.withLock { $0.server }?.send(event: "state", data: self.stateJSON(), to: fd) })
        state.withLock { $0.server = s; $0.running = true }
        service.onIncident = { [unowned self] inc in
            self.state.withLock { $0.server }?.broadcast(event: "incident", data: IncidentPayload.encode(inc))
        }
        try s.start()
        try spawnThread(name: "central-page") { [self] in
            var n = 0
            while state.withLock({ $0.running }) {
                usleep(100_000)
                n += 1
                if n % 50 == 0, let s = state.withLock({ $0.server }), s.streamCount > 0 { s.broadcast(event: "state", data: stateJSON()) }
            }
        }
    }

    /// Stops serving.
    public func stop() {
        let s = state.withLock { st -> HTTPServer? in st.running = false; defer { st.server = nil }; return st.server }
        s?.stop()
    }

    func stateJSON() -> String {
        let incidents = service.closedIncidents + service.openIncidents
        return PageState.encode(registry: service.config.registry, states: service.boxStates, incidents: incidents,
                                acknowledged: acknowledgedIDs, nowNs: realtimeNs())
    }

    func route(_ r: HTTPRequest) -> HTTPReply {
        switch (r.method, r.path) {
        case ("GET", "/"), ("GET", "/index.html"):
            return .response(status: 200, contentType: "text/html; charset=utf-8", body: Array(OperatorPageHTML.text.utf8))
        case ("GET", "/api/state"):
            return .response(status: 200, contentType: "application/json", body: Array(stateJSON().utf8))
        case ("GET", "/events"):
            return .eventStream
        case ("POST", let p) where p.hasPrefix("/api/incidents/") && p.hasSuffix("/ack"):
            let id = String(p.dropFirst("/api/incidents/".count).dropLast("/ack".count))
            let known = (service.openIncidents + service.closedIncidents).contains { $0.id == id }
            guard known else { return .response(status: 404, contentType: "text/plain", body: Array("no such incident".utf8)) }
            let s = state.withLock { st -> HTTPServer? in st.acknowledged.insert(id); return st.server }
            s?.broadcast(event: "state", data: stateJSON())
            return .response(status: 200, contentType: "application/json", body: Array(Self.acknowledgedJSON(id: id).utf8))
        case (_, "/"), (_, "/api/state"), (_, "/events"):
            return .response(status: 405, contentType: "text/plain", body: Array("method not allowed".utf8))
        default:
            return .response(status: 404, contentType: "text/plain", body: Array("not found".utf8))
        }
    }

    /// The reply to an acknowledge: `{"acknowledged":"<incident id>"}`.
    static func acknowledgedJSON(id: String) -> String {
        JSONWriter.document(capacity: 32 + JSONWriter.maxStringBytes(id)) { w in
            w.beginObject()
            w.key("acknowledged"); w.string(id)
            w.endObject()
        }
    }
}
