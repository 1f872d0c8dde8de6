/// ringlog's fuzz targets: each takes one input as bytes, feeds it to the code under test and checks the
/// promises that code makes about its results.
///
/// The libFuzzer executables (Sources/Fuzz/Fuzz*, built by scripts/fuzz) call ``run(_:)`` for every input;
/// the regression tests call it for every input kept in Tests/Fixtures/fuzz-regressions/<name>/.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// One HEP datagram or a stream of them: ``HEPFuzzing``.
    case hep = "FuzzHEP"
    /// One SIP message: ``SIPFuzzing``.
    case sip = "FuzzSIP"
    /// One pcap or pcapng file: ``CaptureFileFuzzing``.
    case captureFile = "FuzzCaptureFile"
    /// A program of call tracker operations: ``CallTrackerFuzzing``.
    case callTracker = "FuzzCallTracker"
    /// One raw phone number text: ``PhoneFuzzing``.
    case phone = "FuzzPhone"
    /// One tenant configuration file: ``ConfigurationFuzzing``.
    case configuration = "FuzzConfiguration"
    /// Chat and ticket event lines (JSON Lines): ``EventLineFuzzing``.
    case eventLines = "FuzzEventLines"

    /// Runs one input through the target.
    /// - Throws: ``FuzzInvariantViolation`` when a result breaks a promise.
    public func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzInvariantViolation) {
        switch self {
        case .hep: try HEPFuzzing.run(input)
        case .sip: try SIPFuzzing.run(input)
        case .captureFile: try CaptureFileFuzzing.run(input)
        case .callTracker: try CallTrackerFuzzing.run(input)
        case .phone: try PhoneFuzzing.run(input)
        case .configuration: try ConfigurationFuzzing.run(input)
        case .eventLines: try EventLineFuzzing.run(input)
        }
    }
}
