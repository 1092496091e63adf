import EarshotDiagnostics
import EarshotConfig
import ArgumentParser
import EarshotAgent


/// Board selection shared by the `earshot gpio` subcommands.
struct GPIOBoardOptions: ParsableArguments {
    @Option(help: "Board with the PTZ wiring: a file, or a bare name from the installed boards folder (default: the site file's board).")
    var board: String?

    @Option(name: .customLong("config"), help: "Site file whose board to use (default $EARSHOT_SITE, else /etc/earshot/site.toml when present, else the board generic).")
    var site: String?

    @Flag(help: "Drive an in-memory fake chip and print its transitions (no hardware needed).")
    var fake = false

    func diagnostics() throws -> GPIODiagnostics {
        do {
            let b = try BoardConfig.load(path: try BoardChoice.path(board: board, sitePath: site))
            return GPIODiagnostics(board: b, fake: fake)
        } catch {
            FileHandleStderr.write("earshot gpio: \(error)\n")
            throw ExitCode(GPIOExit.config)
        }
    }
}

func finish(_ out: DiagnosticOutput) throws {
    print(out.text, terminator: "")
    if out.exitCode != 0 { throw ExitCode(out.exitCode) }
}

/// `earshot gpio`: wiring check of the PTZ lines.
struct GPIOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio",
        abstract: "Check the PTZ trigger lines of a board file.",
        discussion: """
            Examples:
              earshot gpio list --board Boards/rpi4-respeaker-4mic.toml
              earshot gpio pulse GPIO22 --ms 500 --board Boards/rpi4-respeaker-4mic.toml
              earshot gpio test --fake --board Boards/rpi4-respeaker-4mic.toml
              earshot gpio idle --config /etc/earshot/site.toml

            Exit codes: 0 ok; 2 board file unreadable, without [gpio], or unknown line; \
            5 no GPIO chip, or the chip/line cannot be used (busy, permission).
            """,
        subcommands: [List.self, Pulse.self, Test.self, Idle.self])

    struct Idle: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drive every PTZ line to its idle level and release it (the unit's ExecStopPost).",
            discussion: """
                A SIGKILLed or crashed agent never drives its lines idle and the kernel keeps the last \
                value driven, so a camera input can stay triggered. The unit runs this after every stop \
                (clean or not); the agent also does it first thing at start. A board without [gpio] has \
                nothing to do (exit 0).
                Example: earshot gpio idle --config /etc/earshot/site.toml
                """)
        @OptionGroup var options: GPIOBoardOptions
        func run() throws { try finish(try options.diagnostics().idle(chips: GPIODiagnostics.chipsOnThisMachine())) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show GPIO chips and the board's PTZ lines.",
                                                        discussion: "Example: earshot gpio list --board Boards/rpi4-respeaker-4mic.toml")
        @OptionGroup var options: GPIOBoardOptions
        func run() throws { try finish(try options.diagnostics().list(chips: GPIODiagnostics.chipsOnThisMachine())) }
    }

    struct Pulse: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pulse one PTZ line (offset or name as in the board file).",
                                                        discussion: "Example: earshot gpio pulse GPIO22 --ms 500 --fake --board Boards/rpi4-respeaker-4mic.toml")
        @Argument(help: "The line: its offset or name as written in the board file.")
        var line: String
        @Option(help: "Pulse width in ms (default: the board's pulse_ms).")
        var ms: Int?
        @OptionGroup var options: GPIOBoardOptions
        func run() throws { try finish(try options.diagnostics().pulse(line: line, ms: ms, chips: GPIODiagnostics.chipsOnThisMachine())) }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pulse each configured PTZ line in turn.",
                                                        discussion: "Example: earshot gpio test --fake --board Boards/rpi4-respeaker-4mic.toml")
        @Option(help: "Pulse width in ms (default: the board's pulse_ms).")
        var ms: Int?
        @OptionGroup var options: GPIOBoardOptions
        func run() throws { try finish(try options.diagnostics().test(ms: ms, chips: GPIODiagnostics.chipsOnThisMachine())) }
    }
}
