// earshot-central: the supervision centre's service (issue 15).
//   earshot-central --config FILE           run until SIGINT/SIGTERM
//   earshot-central --config FILE --check   validate the file, print a summary, exit
// Exit codes: 0 fine, 2 bad command line or invalid configuration, 1 start-up failure.
import EarshotCentral
import Glibc

let usage = """
usage: earshot-central --config FILE [--check]
  Subscribes (MQTT v5) to every registered box's event and status topics, fuses events into
  located incidents and publishes them on {topic_prefix}/{site}/incidents/{id}.
  With [http] listen = "127.0.0.1:8080" it also serves the operator's page there.
  With [partition] index = K, count = N it serves strip K of N of the site (see README).
  --check   validate FILE (registry, [mqtt], [fusion], [http], [partition]) and exit
"""

var configPath: String?
var checkOnly = false
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "--config" where !args.isEmpty: configPath = args.removeFirst()
    case "--check": checkOnly = true
    case "-h", "--help": print(usage); exit(0)
    default:
        CentralLog.standardError("earshot-central: unknown or incomplete argument \"\(a)\"\n\(usage)")
        exit(2)
    }
}
guard let configPath else { CentralLog.standardError(usage); exit(2) }

let config: CentralConfig
do { config = try CentralConfig.load(path: configPath) } catch {
    CentralLog.standardError(error.description)
    exit(2)
}
if checkOnly {
    let r = config.registry
    let plan = config.partitionPlan
    let filters = config.mqtt.filters(site: r.site, partition: plan)
    let shown = filters.count > 6 ? filters.prefix(6).joined(separator: " ") + " … (\(filters.count) filters)" : filters.joined(separator: " ")
    print("\(configPath): site \(r.site), \(r.boxes.count) boxes, \(r.streets.count) streets; broker \(config.mqtt.host):\(config.mqtt.port); \(plan.map { $0.summary + "; " } ?? "")subscribes to \(shown)")
    exit(0)
}

// Block the stop signals in every thread (the threads started below inherit the mask)
// and wait for them here.
var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGINT)
sigaddset(&signals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &signals, nil)

let service = CentralService(config: config)
let page = OperatorPage(service: service)
do {
    if let http = config.httpListen {
        try page.start(host: http.host, port: http.port)
        CentralLog.standardError("earshot-central: operator page on http://\(http.host):\(page.port ?? http.port)/")
    }
    try service.start()
} catch {
    CentralLog.standardError("earshot-central: \(error.description)")
    exit(1)
}
var received: Int32 = 0
sigwait(&signals, &received)
let s = service.stats
CentralLog.standardError("earshot-central: stopping (signal \(received)): \(s.eventsReceived) events, \(s.incidentsOpened) incidents opened, \(s.incidentsClosed) closed, \(s.duplicates) duplicates, \(s.absorbed) absorbed by closed incidents, \(s.ptzCommands) cmd/ptz, \(s.malformed) malformed, \(s.rejected) rejected, \(s.fromUnknownBoxes) from unknown boxes, \(s.outsidePartition) outside this partition, \(s.incidentsElsewhere) incident changes left to other partitions")
page.stop()
service.stop()
exit(0)
