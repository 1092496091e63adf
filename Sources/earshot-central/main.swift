// earshot-central: the supervision centre's service (issue 15).
// Until the service is wired this only validates a registry; it never pretends to run.
import EarshotCentral

#if canImport(Glibc)
import Glibc
#endif

let usage = """
usage: earshot-central --config FILE
  Subscribes to the boxes' event and status topics and publishes located incidents.
  (not wired yet: this build only checks the registry with --check-registry FILE)
"""
let args = Array(CommandLine.arguments.dropFirst())
if args.count == 2, args[0] == "--check-registry" {
    do {
        let r = try SiteRegistry.load(path: args[1])
        print("\(args[1]): site \(r.site), \(r.boxes.count) boxes")
        exit(0)
    } catch {
        CentralLog.standardError(error.description)
        exit(2)
    }
}
CentralLog.standardError(usage)
exit(2)
