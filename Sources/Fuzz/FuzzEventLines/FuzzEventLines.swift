import CLibFuzzer
import RinglogFuzzing

/// libFuzzer calls this for every input: `FuzzTarget.eventLines`, where a broken promise becomes a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do {
        try FuzzTarget.eventLines.run(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    } catch {
        fatalError(error.description)
    }
    return 0
}

/// The process's entry point: SwiftPM points `main` at `<module>_main`, so libFuzzer's driver starts here.
@_cdecl("FuzzEventLines_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzz)
}
