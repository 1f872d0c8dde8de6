import Foundation
import RinglogCore

/// Reads the per-user `ringlog dial` file (`~/.config/ringlog/dial.json`) with the tenant file's rules:
/// an inline SIP password needs a file readable by its owner only, and so does a `password_file`.
public struct DesktopDialConfigurationLoader: Sendable {
    /// Creates a loader.
    public init() {}

    /// The default path: `$XDG_CONFIG_HOME/ringlog/dial.json`, else `$HOME/.config/ringlog/dial.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return "\(config)/ringlog/dial.json"
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return "\(home)/.config/ringlog/dial.json"
    }

    /// Loads and validates the file at `path` and checks that its password can be read.
    /// - Throws: ``ConfigurationLoadError`` naming the file, the key and the fix.
    public func load(path: String) throws(ConfigurationLoadError) -> DesktopDialConfiguration {
        let loader = ConfigurationLoader()
        let configuration = try loader.readConfiguration(
            path: path, parse: { (json) throws(ConfigurationError) in try DesktopDialConfiguration(json: json) },
            inlineSecretKeys: \.inlineSecretKeys)
        _ = try loader.secret(configuration.sip.password, key: "sip.password", configurationPath: path)
        return configuration
    }
}
