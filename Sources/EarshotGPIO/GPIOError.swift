// One typed error for GPIO configuration and libgpiod failures.

/// A GPIO failure with a one-line, technician-friendly `description`, e.g.
/// `GPIO: line 17 on gpiochip0 is used by 'gpioset' — stop that program or choose another line in the board file's gpio section`.
public struct GPIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: Sendable, Equatable {
        /// The chip named by path, name or label does not exist.
        case noSuchChip
        /// The line offset or name does not exist on the chip.
        case noSuchLine
        /// Another consumer (process or driver) holds the line (EBUSY).
        case lineBusy
        /// The process may not open the chip (EACCES/EPERM).
        case permissionDenied
        /// The trigger configuration is inconsistent (names the field).
        case invalidConfiguration
        /// Any other libgpiod/kernel failure.
        case ioError
    }
    /// What kind of failure.
    public var code: Code
    /// The errno behind it (0 for configuration errors).
    public var errno: Int32
    /// The text after "GPIO: ".
    public var message: String

    /// Creates an error.
    public init(_ code: Code, errno: Int32 = 0, _ message: String) {
        self.code = code
        self.errno = errno
        self.message = message
    }

    /// `"GPIO: " + message`.
    public var description: String { "GPIO: " + message }
}
