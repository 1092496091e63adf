// A bounded "is anything listening there" check before a client library is asked to connect
// (the demo and `earshot mqtt check` say "nothing accepts connections on host:port" at once).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// TCP reachability of a host and port.
public enum TCPProbe {
    /// True when some address of `host` accepts a TCP connection on `port` within
    /// `timeoutMs` ms per address (non-blocking connect, poll, SO_ERROR). Closes what it opens.
    public static func reachable(host: String, port: Int, timeoutMs: Int32) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else { return false }
        defer { freeaddrinfo(res) }
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            defer { ai = a.pointee.ai_next }
            let s = socket(a.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            if s < 0 { continue }
            defer { close(s) }
            if connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return true }
            guard errno == EINPROGRESS else { continue }
            var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
            guard poll(&p, 1, timeoutMs) == 1 else { continue }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len)
            if err == 0 { return true }
        }
        return false
    }
}
