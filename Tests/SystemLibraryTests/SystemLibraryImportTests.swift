// Each system-library target imports and makes one real call into its C library.
import CAlsa
import CGPIOD
import CMosquitto
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("C libraries link and answer")
struct SystemLibraryImportTests {
    @Test func libasoundReportsAVersion() {
        let version = String(cString: snd_asoundlib_version())
        #expect(version.split(separator: ".").count >= 3, "snd_asoundlib_version() = \(version)")
    }

    @Test func libasoundRejectsAnUnknownDevice() {
        var pcm: OpaquePointer?
        let rc = snd_pcm_open(&pcm, "earshot_no_such_device", SND_PCM_STREAM_CAPTURE, 0)
        #expect(rc < 0)
        #expect(String(cString: snd_strerror(rc)).isEmpty == false)
    }

    @Test func libgpiodReportsTheAPIItWasCompiledFor() {
        let version = String(cString: earshot_gpiod_version())
        #expect(version.hasPrefix("\(earshot_gpiod_api())."), "libgpiod \(version), shim compiled for API \(earshot_gpiod_api())")
    }

    @Test func libgpiodFailsCleanlyOnAMissingChip() {
        let chip = earshot_gpiod_chip_open("/dev/earshot-no-such-gpiochip")
        #expect(chip == nil)
        #expect(errno == ENOENT)
    }

    @Test func libmosquittoInitialisesAndCreatesAClient() {
        #expect(mosquitto_lib_init() == Int32(MOSQ_ERR_SUCCESS.rawValue))
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        _ = mosquitto_lib_version(&major, &minor, &revision)
        #expect(major >= 2)
        let client = mosquitto_new("earshot-import-test", true, nil)
        #expect(client != nil)
        mosquitto_destroy(client)
        mosquitto_lib_cleanup()
    }
}
