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
        let data = try loader.readProtectedFile(path, requireOwnerOnly: false)
        let json: JSONValue
        do {
            json = try JSONValue(parsing: data.bytes)
        } catch {
            throw ConfigurationLoadError(path: path, "is not valid JSON: \(error)")
        }
        let configuration: DesktopDialConfiguration
        do {
            configuration = try DesktopDialConfiguration(json: json)
        } catch {
            throw ConfigurationLoadError(path: path, error.description)
        }
        if let key = configuration.inlineSecretKeys.first, data.mode & 0o077 != 0 {
            throw ConfigurationLoadError(
                path: path,
                "holds \(key) inline but is readable by group or others (mode \(String(data.mode & 0o777, radix: 8))); "
                    + "run 'chmod 600 \(path)', or move the secret into a file named by \(key)_file")
        }
        _ = try loader.secret(configuration.sip.password, key: "sip.password", configurationPath: path)
        return configuration
    }
}
