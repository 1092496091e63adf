import ArgumentParser
import EarshotAgent

/// `earshot selftest` (placeholder).
struct SelftestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Inject synthetic events into the live pipeline and check each sink.")
    func run() throws { throw ExitCode(1) }
}
