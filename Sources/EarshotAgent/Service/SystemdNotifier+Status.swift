// The agent's STATUS= line for systemd, from its allocation-free status text.
import EarshotPlatform
import EarshotText

extension SystemdNotifier {
    /// `STATUS=…`: one line shown by `systemctl status`, from a fixed buffer (newlines sent
    /// as spaces; cut to `StatusText.capacity` bytes; a string literal converts): no allocation.
    public func status(_ text: StatusText) throws(SystemdNotifyError) {
        guard isEnabled else { return }
        var line: StatusText = StatusText()
        line.append("STATUS=")
        text.withUTF8 { for b in $0 { line.append(byte: b == 0x0A ? 0x20 : b) } }
        var failure: SystemdNotifyError?
        line.withUTF8 { b in
            do throws(SystemdNotifyError) { try sendDatagram(utf8: b) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
