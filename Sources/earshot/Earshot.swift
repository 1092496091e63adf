import ArgumentParser
import EarshotAgent

/// The `earshot` command: entry point of the agent and the technician's tools.
@main
struct Earshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "earshot",
        abstract: "Listens to the street and reports abnormal sounds.",
        discussion: """
            First steps on a box: earshot devices → earshot meter → earshot calibrate → earshot listen → \
            earshot gpio test → earshot mqtt check → earshot selftest. `earshot COMMAND --help` gives examples.

            Exit codes (every command):
              0   success
              1   a check failed: demo missed an event, selftest stage, runtime
              2   configuration: bad site/board/table file or option value
              3   audio: capture device or input file unusable or silent
              4   MQTT: unreachable, refused, TLS/auth, no PUBACK/round trip
              5   GPIO: no chip, line busy or not permitted
              6   calibrate: refused (clipping, unstable, not 1 kHz, quiet)
              64  usage: unknown command or option, missing argument

            Shell completion: earshot completions --shell bash|zsh|fish (the .deb installs them).
            """,
        version: "0.1.0",
        subcommands: [DemoCommand.self, DevicesCommand.self, MeterCommand.self, ListenCommand.self, CalibrateCommand.self,
                      SelftestCommand.self, GPIOCommand.self, MQTTCommand.self, AnalyzeCommand.self, ConfigCommand.self,
                      RunCommand.self, TableCommand.self, LearnCommand.self, LocateCommand.self, CompletionsCommand.self])
}

/// `earshot completions`: shell completion scripts.
struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            Examples:
              earshot completions --shell bash > /etc/bash_completion.d/earshot
              earshot completions --shell zsh > "${fpath[1]}/_earshot"
              earshot completions --shell fish > ~/.config/fish/completions/earshot.fish

            The Debian package installs all three (/usr/share/bash-completion/completions/earshot,
            /usr/share/zsh/vendor-completions/_earshot, /usr/share/fish/vendor_completions.d/earshot.fish).

            Exit codes: 0 printed; 64 unknown shell.
            """)

    @Option(help: "bash, zsh or fish.")
    var shell: String

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell) else {
            throw ValidationError("--shell \(shell): expected bash, zsh or fish")
        }
        print(Earshot.completionScript(for: kind))
    }
}
