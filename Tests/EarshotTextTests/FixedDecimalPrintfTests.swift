// FixedDecimal against printf (moved from EarshotAgentTests' OfflineReportFormatTests when
// the agent's fixed() shim, its only subject, was removed): the same digits except on exact
// ties, where printf rounds to even and FixedDecimal half away from zero.
import EarshotText
import Foundation
import Testing

@Suite struct FixedDecimalPrintfTests {
    @Test("fixed-point decimal formatting agrees with printf", arguments: [0.0, -0.0004, 1.5, -12.345, 123.4567, 0.9995, -7.25, 29.99999])
    func fixedMatchesPrintf(x: Double) {
        for digits in [1, 3, 4] {
            let mine = FixedDecimal.string(x, digits)
            let theirs = String(format: "%.\(digits)f", x)
            // Within half a unit of the last digit of x; equal to printf except on exact ties (printf: to even).
            #expect(abs(Double(mine)! - x) <= pow(10, -Double(digits)) * 0.5 + 1e-12, "\(mine) vs \(x)")
            let tie = abs(abs(x * pow(10, Double(digits))).truncatingRemainder(dividingBy: 1) - 0.5) < 1e-9
            if !tie { #expect(Double(mine) == Double(theirs), "\(mine) vs \(theirs)") }
            #expect(mine.split(separator: ".").last?.count == digits)
        }
    }
}
