// Angle helpers: site angles are degrees counter-clockwise from site east.

/// Wraps an angle to (−180, 180], degrees.
func wrapDegrees180(_ a: Double) -> Double {
    var x = a.truncatingRemainder(dividingBy: 360)
    if x > 180 { x -= 360 }
    if x <= -180 { x += 360 }
    return x
}

/// Wraps an angle to [0, 360), degrees.
func wrapDegrees360(_ a: Double) -> Double {
    var x = a.truncatingRemainder(dividingBy: 360)
    if x < 0 { x += 360 }
    if x >= 360 { x -= 360 }
    return x
}

/// Degrees → radians.
func radians(_ deg: Double) -> Double { deg * Double.pi / 180 }
