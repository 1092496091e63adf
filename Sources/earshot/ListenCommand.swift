import ArgumentParser
import EarshotAgent

/// `earshot listen`: what the detector hears (placeholder until the explain accessor lands).
struct ListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Live top class scores and the features that drive them.")
    func run() throws { throw ExitCode(1) }
}
