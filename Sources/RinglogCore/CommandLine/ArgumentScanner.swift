/// A small, strict scanner for subcommand arguments: `--name value`, `--name=value`, flags and positionals.
///
/// Subcommands declare which options take a value and which are flags; anything else is a usage error,
/// so a typo never silently changes behaviour.
public struct ArgumentScanner: Sendable {
    /// Options given with a value, by name without the leading dashes (the last one wins).
    public private(set) var values: [String: String] = [:]
    /// Options given as repeatable values, in order (for options declared as `repeatable`).
    public private(set) var repeatedValues: [String: [String]] = [:]
    /// Flags that were present, by name without the leading dashes.
    public private(set) var flags: Set<String> = []
    /// Positional arguments in order (everything after `--` is positional too).
    public private(set) var positionals: [String] = []

    /// Scans `arguments` (without the program and subcommand names).
    /// - Parameters:
    ///   - valueOptions: option names that take a value, e.g. `["config", "region"]`.
    ///   - repeatable: option names that take a value and may be given more than once.
    ///   - flagOptions: option names that take no value, e.g. `["dry-run"]`. `help` is always accepted.
    /// - Throws: ``UsageError`` naming the unknown option or the missing value.
    public init(
        _ arguments: [String], valueOptions: Set<String> = [], repeatable: Set<String> = [],
        flagOptions: Set<String> = []
    ) throws(UsageError) {
        var index = arguments.startIndex
        var onlyPositionals = false
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "-h" {
                flags.insert("help")
                continue
            }
            guard argument.hasPrefix("--") else {
                throw UsageError("unknown option '\(argument)'; options are written as --name")
            }
            let body = argument.dropFirst(2)
            let name: String
            var inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            if name == "help" || flagOptions.contains(name) {
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
            } else if valueOptions.contains(name) || repeatable.contains(name) {
                if inlineValue == nil {
                    guard index < arguments.endIndex else { throw UsageError("--\(name) needs a value") }
                    inlineValue = arguments[index]
                    index += 1
                }
                let value = inlineValue ?? ""
                if repeatable.contains(name) {
                    repeatedValues[name, default: []].append(value)
                } else {
                    values[name] = value
                }
            } else {
                throw UsageError("unknown option '--\(name)'")
            }
        }
    }

    /// Whether `--help` or `-h` was given.
    public var wantsHelp: Bool { flags.contains("help") }
}
