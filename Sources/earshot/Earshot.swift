import ArgumentParser
import EarshotAgent

/// The `earshot` command: entry point of the agent and the technician's tools.
@main
struct Earshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "earshot",
        abstract: "Listens to the street and reports abnormal sounds.",
        version: "0.1.0",
        subcommands: [DemoCommand.self, DevicesCommand.self, MeterCommand.self, CalibrateCommand.self, GPIOCommand.self, MQTTCommand.self, AnalyzeCommand.self, ConfigCommand.self, RunCommand.self, TableCommand.self, LearnCommand.self])
}
