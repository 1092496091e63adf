import ArgumentParser
import EarshotAgent


/// `earshot devices`: ALSA capture devices.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the ALSA capture devices a board file's [audio] device can name.",
        discussion: """
            Examples:
              earshot devices
              earshot devices --json

            Exit codes: 0 at least one capture device; 3 none found.
            """)

    @Flag(help: "One JSON object: {\"devices\":[{\"name\":…,\"description\":…}],\"probed\":false}.")
    var json = false

    func run() throws {
        let out = devicesReportForThisMachine(json: json)
        print(out.text, terminator: "")
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
