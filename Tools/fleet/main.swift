// earshot-fleet: simulated city for `make fleet` (issue 15). Not written yet.
#if canImport(Glibc)
import Glibc
#endif

let text = "usage: earshot-fleet (not implemented yet: no fleet is simulated)\n"
_ = text.withCString { write(2, $0, strlen($0)) }
exit(2)
