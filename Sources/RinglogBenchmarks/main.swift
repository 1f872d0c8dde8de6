import Foundation
import RinglogCore

StandardError.write("usage: ringlog-bench phone CORPUS\n")
exit(64)

enum StandardError {
    static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
