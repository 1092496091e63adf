// The seam between the PTZ trigger logic and a GPIO implementation.

/// A set of output lines the trigger can claim and drive. Implementations:
/// `LibgpiodBackend` (the kernel, through libgpiod v1 or v2) and `FakeGPIOBackend` (tests).
/// `PTZTrigger` serialises every call under one lock, so implementations need no locking of their own.
public protocol GPIOBackend: AnyObject {
    /// Claims `lines` on `chip` as outputs with consumer "earshot", each at its idle
    /// (logical inactive) level, with active-low applied by the backend.
    func claim(chip: GPIOChipRef, lines: [GPIOLineConfig]) throws(GPIOError)
    /// Drives claimed line `index` (position in `lines` given to `claim`) to logical `active`.
    func set(line index: Int, active: Bool) throws(GPIOError)
    /// Releases every claimed line (the kernel keeps the last value driven). Idempotent.
    func release()
}
