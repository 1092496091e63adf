// The centre's hand-assembled JSON, now written through JSONWriter: the ack reply, the
// signed cmd/ptz request and the page's /api/state. Awkward strings and non-finite numbers
// still parse; normal values read as they always did.
@testable import EarshotCentral
import EarshotMQTT
import Foundation
import Testing

@Suite("centre: JSON replies and requests")
struct CentralJSONTests {
    /// An id or label with a quote, a backslash and a newline.
    static let awkward = "inc \"q\" \\ b\nc"

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("ack reply: an awkward id parses; a normal one reads as before")
    func ack() throws {
        #expect(try Self.object(OperatorPage.acknowledgedJSON(id: Self.awkward))["acknowledged"] as? String == Self.awkward)
        #expect(OperatorPage.acknowledgedJSON(id: "inc-00000000000000aa") == #"{"acknowledged":"inc-00000000000000aa"}"#)
    }

    @Test("signed cmd/ptz: an awkward incident id and a NaN bearing parse (bearing null); the signature still verifies")
    func ptzAwkwardAndNaN() throws {
        let key = [UInt8](repeating: 7, count: 32)
        let topic = PTZCommandPayload.topic(prefix: "earshot", site: "s", box: "near")
        let text = PTZCommandPayload.signed(topic: topic, incidentID: Self.awkward,
                                            aim: PTZAim(box: "near", bearingDeg: .nan, sector: 2, distanceM: 10), key: key,
                                            time: 1_700_000_000, nonce: "00112233445566778899aabbccddeeff")
        let obj = try Self.object(text)
        #expect(obj["request_id"] as? String == Self.awkward)
        let args = try #require(obj["args"] as? [String: Any])
        #expect(args["bearing_deg"] is NSNull)
        #expect(args["sector"] as? Int == 2)
        #expect(obj["ts"] as? Int == 1_700_000_000)
        #expect((obj["sig"] as? String)?.count == 64)
    }

    @Test("signed cmd/ptz: normal values give the same text as before JSONWriter")
    func ptzExactText() {
        let text = PTZCommandPayload.signed(topic: "earshot/s/near/cmd/ptz", incidentID: "inc-00000000000000aa",
                                            aim: PTZAim(box: "near", bearingDeg: 135, sector: 1, distanceM: 10),
                                            key: [UInt8](repeating: 7, count: 32), time: 1_700_000_000, nonce: "00112233445566778899aabbccddeeff")
        #expect(text == #"{"request_id":"inc-00000000000000aa","args":{"sector":1,"bearing_deg":135.0},"ts":1700000000,"nonce":"00112233445566778899aabbccddeeff","sig":"7f372744de3fce9e765b064fed8433e3d05d8194fada9bbb3a80ad11996ef2e0"}"#)
    }

    static func incident(id: String, box: String) -> Incident {
        let e = FusionEvent(id: "\(box)-1-7", box: box, soundClass: "gunshot", onsetNs: 1_700_000_000_000_000_000, bearingDeg: 42.25)
        let loc = Localisation(position: PlanePoint(x: 12.345, y: -6.5), method: .tdoa,
                               ellipse: UncertaintyEllipse(semiMajorM: 20, semiMinorM: 8.125, orientationDeg: 30),
                               emissionNs: 1_699_999_999_990_000_000, residualsMs: [box: 0.25], rmsNormalisedResidual: 0.5)
        return Incident(id: id, site: "s", first: e, location: loc, receivedNs: 1_700_000_000_100_000_000)
    }

    static func state(label: String, x: Double, incidentID: String) -> String {
        let registry = SiteRegistry(site: "s", boxes: [RegisteredBox(id: "near", x: x, y: 2, orientationDeg: -90, camera: true, label: label)],
                                    streets: [PlanStreet(name: label, points: [PlanePoint(x: 0, y: 0), PlanePoint(x: 10.5, y: -3)])])
        var st = BoxState()
        st.state = "online"; st.mode = "events"; st.lastSeenNs = 1_700_000_000_000_000_000; st.events = 3
        return PageState.encode(registry: registry, states: ["near": st], incidents: [Self.incident(id: incidentID, box: "near")],
                                acknowledged: [incidentID], nowNs: 1_700_000_002_500_000_000)
    }

    @Test("/api/state: an awkward label, street name and incident id and a NaN position parse; NaN is null")
    func pageStateAwkwardAndNaN() throws {
        let obj = try Self.object(Self.state(label: Self.awkward, x: .nan, incidentID: Self.awkward))
        let box = try #require((obj["boxes"] as? [[String: Any]])?.first)
        #expect(box["label"] as? String == Self.awkward)
        #expect(box["x_m"] is NSNull)
        #expect((obj["streets"] as? [[String: Any]])?.first?["name"] as? String == Self.awkward)
        let inc = try #require((obj["incidents"] as? [[String: Any]])?.first)
        #expect(inc["id"] as? String == Self.awkward)
        #expect(inc["acknowledged"] as? Bool == true)
    }

    @Test("/api/state: normal values give the same text as before JSONWriter")
    func pageStateExactText() {
        #expect(Self.state(label: "corner", x: 1.5, incidentID: "inc-00000000000000aa") == #"{"site":"s","tile_url":null,"tiles":null,"boxes":[{"id":"near","x_m":1.50,"y_m":2.00,"orientation_deg":-90.0,"range_m":400,"label":"corner","camera":true,"state":"online","mode":"events","last_seen_s":2.5,"events":3}],"streets":[{"name":"corner","points":[[0.00,0.00],[10.50,-3.00]]}],"incidents":[{"schema":1,"id":"inc-00000000000000aa","site":"s","state":"open","revision":1,"class":"gunshot","onset":"2023-11-14T22:13:19.990000000Z","onset_ns":1699999999990000000,"method":"tdoa","position":{"x_m":12.35,"y_m":-6.50},"ellipse":{"semi_major_m":20.00,"semi_minor_m":8.13,"orientation_deg":30.0,"confidence":0.95},"rms_residual":0.500,"contributions":[{"sensor":"near","event_id":"near-1-7","onset":"2023-11-14T22:13:20.000000000Z","onset_ns":1700000000000000000,"bearing_deg":42.3,"residual_ms":0.250}],"event_ids":["near-1-7"],"opened":"2023-11-14T22:13:20.100000000Z","updated":"2023-11-14T22:13:20.100000000Z","acknowledged":true}]}"#)
    }
}
