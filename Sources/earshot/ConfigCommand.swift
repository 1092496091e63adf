import EarshotConfig
import EarshotPlatform
import ArgumentParser
import EarshotAgent
#if canImport(Glibc)
import Glibc
#endif

/// `earshot config`: check and show board and site files.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check or show board and site configuration files.",
        subcommands: [Check.self, Show.self])

    /// Options shared by both subcommands.
    struct BoardOptions: ParsableArguments {
        @Option(name: .customLong("boards-dir"),
                help: "Directory searched first for a site file's bare board name (repeatable).")
        var boardsDirs: [String] = []

        /// nil: the default search list (see `earshot config check --help`).
        func searchPaths(for file: String) -> [String]? {
            boardsDirs.isEmpty ? nil : boardsDirs + BoardSearch.defaultPaths(siteDirectory: ConfigFile.directory(of: file))
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate board and site files (a site file's board is checked too).",
            discussion: """
                Each FILE is recognised by its content: a site file has a [sensor] section, a board \
                file has `name` and [audio]. Prints one "OK: …" summary line per valid file on \
                standard output and one line per problem on standard error, naming the file, the \
                field, the value and what is allowed.

                A bare board name in a site file (board = "generic") is looked up as <name>.toml in: \
                the folders of the board files given on the same command line, --boards-dir, \
                $EARSHOT_BOARDS_DIR, <site dir>/boards, /etc/earshot/boards, \
                <earshot dir>/../share/earshot/boards, /usr/share/earshot/boards.

                Exit status: 0 every file is valid; 2 a file is invalid or cannot be read; \
                64 wrong command-line usage.

                Examples:
                  earshot config check /etc/earshot/site.toml
                  earshot config check Boards/*.toml --boards-dir Boards
                """)

        @Argument(help: "Board or site files to check.")
        var files: [String]

        @OptionGroup var boards: BoardOptions

        func run() throws {
            // Files given together are checked together: a site's bare board name finds a board given beside it.
            let r = ConfigCheck.check(files, extraBoardDirs: boards.boardsDirs)
            r.stdout.forEach { print($0) }
            r.stderr.forEach(ConfigCommand.writeError)
            if r.status != 0 { throw ExitCode(r.status) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the effective configuration (defaults filled in, paths resolved) as TOML.",
            discussion: """
                The output is itself a valid file of the same kind: saved and shown again, it \
                prints the same values. For a site file the board path is absolute and the \
                board's effective values follow as comments. An inline MQTT password is masked \
                (replace it before using the output).

                Exit status: 0 shown; 2 the file is invalid or cannot be read; 64 usage error.

                Example:
                  earshot config show /etc/earshot/site.toml
                """)

        @Argument(help: "A board or site file.")
        var file: String

        @OptionGroup var boards: BoardOptions

        func run() throws {
            let r = ConfigCheck.show(file, boardSearchPaths: boards.searchPaths(for: file))
            r.stdout.forEach { print($0) }
            r.stderr.forEach(ConfigCommand.writeError)
            if r.status != 0 { throw ExitCode(r.status) }
        }
    }
}

extension ConfigCommand {
    /// Writes one line to standard error.
    static func writeError(_ line: String) {
        StandardError.writeLine(line)
    }
}
