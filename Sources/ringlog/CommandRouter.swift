import Foundation
import RinglogCore

/// Picks the subcommand from the first argument and maps errors to exit codes.
enum CommandRouter {
    /// Every subcommand, in the order `ringlog --help` lists them.
    static let commands: [any RinglogCommand.Type] = [
        NormalizeCommand.self,
        CheckCommand.self,
        AuthCommand.self,
        ReplayCommand.self,
        RunCommand.self,
        StatusCommand.self,
        TraceCommand.self,
        EventCommand.self,
        FlushCommand.self,
        DialCommand.self,
    ]

    static var usage: String {
        let width = commands.map { $0.name.count }.max() ?? 0
        let lines = commands.map {
            "  \($0.name.padded(toWidth: width + 2))\($0.summary)"
        }
        return """
            Usage: ringlog COMMAND [OPTIONS]

            ringlog logs the calls of a PBX into Pipedrive.

            Commands:
            \(lines.joined(separator: "\n"))

            Options:
              -h, --help     show this help; `ringlog COMMAND --help` shows a command's help
              --version      print the version

            """
    }

    /// Runs the command line (without the program name) and returns the process exit code.
    static func run(_ arguments: [String]) async -> ExitCode {
        guard let first = arguments.first else {
            StandardStreams.writeError(usage)
            return .usage
        }
        switch first {
        case "-h", "--help", "help":
            StandardStreams.writeOutput(usage)
            return .success
        case "--version", "version":
            StandardStreams.writeOutput("ringlog \(RinglogVersion.current)\n")
            return .success
        default:
            break
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            StandardStreams.writeError("ringlog: unknown command '\(first)'\n\n\(usage)")
            return .usage
        }
        do {
            return try await command.run(Array(arguments.dropFirst()))
        } catch let error as UsageError {
            StandardStreams.writeError("ringlog \(command.name): \(error)\nSee 'ringlog \(command.name) --help'.\n")
            return .usage
        } catch let error as any CommandFailure {
            StandardStreams.writeError("ringlog \(command.name): \(error.message)\n")
            return error.exitCode
        } catch {
            StandardStreams.writeError("ringlog \(command.name): \(error)\n")
            return .failure
        }
    }
}
