// TLS material for tests, generated with the `openssl` command-line tool.
import Foundation

/// A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and
/// an unrelated "other" CA (to provoke verification failures), all EC P-256 PEM
/// files in a fresh temp directory, valid for 2 days.
public struct TestCertificates: Sendable {
    /// Directory holding every file.
    public let directory: String
    public var caCert: String { directory + "/ca.crt" }
    public var serverCert: String { directory + "/server.crt" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCert: String { directory + "/client.crt" }
    public var clientKey: String { directory + "/client.key" }
    /// A CA that signed nothing here: using it as ca_file must fail verification.
    public var otherCACert: String { directory + "/other-ca.crt" }

    /// Generates everything (about 0.1 s with EC keys).
    public init(openssl: String = "/usr/bin/openssl") throws {
        directory = try makeTemporaryDirectory(prefix: "earshot-tls")
        let d = directory
        func ca(_ name: String, _ cn: String) throws {
            try runTool(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                  "-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).crt", "-days", "2",
                                  "-subj", "/CN=\(cn)"])
        }
        func leaf(_ name: String, _ cn: String, _ ext: String) throws {
            try ext.write(toFile: "\(d)/\(name).ext", atomically: true, encoding: .utf8)
            try runTool(openssl, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                  "-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", "/CN=\(cn)"])
            try runTool(openssl, ["x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
                                  "-CAcreateserial", "-out", "\(d)/\(name).crt", "-days", "2", "-extfile", "\(d)/\(name).ext"])
        }
        try ca("ca", "Earshot Test CA")
        try ca("other-ca", "Unrelated Test CA")
        try leaf("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try leaf("client", "earshot-test-client", "extendedKeyUsage=clientAuth\n")
        // mosquitto reads the key as another user in some setups; keep them readable for the test.
        for f in ["server.key", "client.key"] { chmod("\(d)/\(f)", 0o644) }
    }
}

/// Writes a mosquitto password file with one user (via `mosquitto_passwd -b`) and returns its path.
public func makePasswordFile(in directory: String, username: String, password: String) throws -> String {
    let path = directory + "/passwords"
    try "".write(toFile: path, atomically: true, encoding: .utf8)
    try runTool("/usr/bin/mosquitto_passwd", ["-b", path, username, password])
    chmod(path, 0o644)
    return path
}
