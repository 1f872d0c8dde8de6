import Foundation
import RinglogCore

let code = await CommandRouter.run(Array(CommandLine.arguments.dropFirst()))
exit(code.rawValue)
