// A minimal HTTP/1.1 server for the operator's page: one thread per connection (a handful of
// operators), requests up to 16 KiB, and long-lived Server-Sent Events streams.
import EarshotPlatform
import EarshotText
import Glibc
import Synchronization

/// One parsed request.
public struct HTTPRequest: Sendable, Equatable {
    /// `GET`, `POST`, …
    public var method: String
    /// Path without the query string.
    public var path: String
}

/// What a handler returns: a whole response, or "keep this socket as an event stream".
public enum HTTPReply: Sendable {
    /// Status code, content type, body.
    case response(status: Int, contentType: String, body: [UInt8])
    /// Send the SSE headers and hand the socket to `HTTPServer.broadcast`.
    case eventStream
}

/// Listens on an IPv4 address and port; `handler` runs on the connection's thread.
public final class HTTPServer: Sendable {
    private let fd: Int32
    /// The port actually bound (useful with port 0).
    public let port: Int
    private let handler: @Sendable (HTTPRequest) -> HTTPReply
    private let onStreamOpened: @Sendable (Int32) -> Void
    /// Open event streams (sockets) and whether the accept thread goes on.
    private let state = Mutex<(streams: [Int32], running: Bool)>(([], true))

    /// Binds `host:port` (an IPv4 address; port 0 picks a free one). `onStreamOpened` may
    /// write a first event to a new stream.
    public init(host: String, port: Int, handler: @escaping @Sendable (HTTPRequest) -> HTTPReply,
                onStreamOpened: @escaping @Sendable (Int32) -> Void = { _ in }) throws(CentralError) {
        self.handler = handler
        self.onStreamOpened = onStreamOpened
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw CentralError("http: socket: \(Errno.current.description)") }
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            close(s); throw CentralError("http.listen: \"\(host)\" is not an IPv4 address")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && listen(s, 16) == 0 && getsockname(s, $0, &len) == 0 }
        }
        guard ok else {
            let e = Errno.current.description; close(s)
            throw CentralError("http.listen: cannot listen on \(host):\(port): \(e)")
        }
        fd = s
        self.port = Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Starts the accept thread.
    public func start() throws(CentralError) {
        try spawnThread(name: "central-http") { [self] in
            while state.withLock({ $0.running }) {
                let c = accept(fd, nil, nil)
                if c < 0 { if errno == EINTR { continue }; break }
                var tv = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                // A stalled browser must not hold a broadcast for long.
                var stv = timeval(tv_sec: 2, tv_usec: 0)
                setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &stv, socklen_t(MemoryLayout<timeval>.size))
                do { try spawnThread(name: "central-http-conn") { self.serve(c) } } catch { close(c) }
            }
        }
    }

    /// Stops accepting and closes every stream.
    public func stop() {
        let open = state.withLock { st -> [Int32] in st.running = false; defer { st.streams = [] }; return st.streams }
        shutdown(fd, Int32(SHUT_RDWR)); close(fd)
        for s in open { shutdown(s, Int32(SHUT_RDWR)); close(s) }
    }

    /// Sends one SSE event (`event:` name, one-line `data:`) to every open stream; drops dead ones.
    public func broadcast(event: String, data: String) {
        let bytes = Array("event: \(event)\ndata: \(data)\n\n".utf8)
        state.withLock { st in
            st.streams.removeAll { s in
                if Self.writeAll(s, bytes) { return false }
                close(s); return true
            }
        }
    }

    /// Sends one SSE event to one stream (from `onStreamOpened`).
    public func send(event: String, data: String, to stream: Int32) {
        _ = Self.writeAll(stream, Array("event: \(event)\ndata: \(data)\n\n".utf8))
    }

    /// Open SSE streams.
    public var streamCount: Int { state.withLock { $0.streams.count } }

    private func serve(_ c: Int32) {
        guard let req = readRequest(c) else {
            _ = Self.writeAll(c, Self.head(400, "text/plain", 11) + Array("bad request".utf8)); close(c); return
        }
        switch handler(req) {
        case let .response(status, type, body):
            _ = Self.writeAll(c, Self.head(status, type, body.count) + body)
            close(c)
        case .eventStream:
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\n"
            guard Self.writeAll(c, Array(head.utf8)) else { close(c); return }
            state.withLock { $0.streams.append(c) }
            onStreamOpened(c)
        }
    }

    private func readRequest(_ c: Int32) -> HTTPRequest? {
        var buf: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buf.count < 16_384 {
            let n = chunk.withUnsafeMutableBytes { recv(c, $0.baseAddress, 4096, 0) }
            if n <= 0 { return nil }
            buf += chunk[0..<n]
            if let end = Self.headerEnd(buf) {
                let head = String(decoding: buf[0..<end], as: UTF8.self)
                let parts = head.split(separator: "\r\n").first?.split(separator: " ") ?? []
                guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return nil }
                let target = parts[1]
                let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
                return HTTPRequest(method: String(parts[0]), path: path)
            }
        }
        return nil
    }

    private static func headerEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    private static func head(_ status: Int, _ type: String, _ length: Int) -> [UInt8] {
        let reason = [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"][status] ?? "Error"
        return Array("HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(type)\r\nContent-Length: \(length)\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n".utf8)
    }

    private static func writeAll(_ s: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(s, $0.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return false }
            off += n
        }
        return true
    }
}
