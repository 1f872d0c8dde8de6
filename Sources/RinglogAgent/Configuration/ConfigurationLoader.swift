import Foundation
import RinglogCore

/// Reads a tenant configuration file and the credential files it names, enforcing ringlog's file rules:
/// a file that holds a secret must be readable by its owner only.
public struct ConfigurationLoader: Sendable {
    /// Files larger than this are refused: a configuration is a few kilobytes.
    public static let maximumFileSize = 1 << 20

    /// Creates a loader.
    public init() {}

    /// Loads and validates the configuration at `path`, including that every secret can be read.
    /// - Throws: ``ConfigurationLoadError`` naming the file, the key and the fix.
    public func load(path: String) throws(ConfigurationLoadError) -> TenantConfiguration {
        let configuration = try readConfiguration(
            path: path, parse: { (json) throws(ConfigurationError) in try TenantConfiguration(json: json) },
            inlineSecretKeys: \.inlineSecretKeys)
        for source in configuration.secretSources {
            _ = try secret(source.source, key: source.key, configurationPath: path)
        }
        return configuration
    }

    /// Reads a JSON configuration file and validates it with `parse`; a file holding an inline secret
    /// (as `inlineSecretKeys` lists) must be readable by its owner only.
    func readConfiguration<Configuration>(
        path: String, parse: (JSONValue) throws(ConfigurationError) -> Configuration,
        inlineSecretKeys: (Configuration) -> [String]
    ) throws(ConfigurationLoadError) -> Configuration {
        let data = try readProtectedFile(path, requireOwnerOnly: false)
        let json: JSONValue
        do {
            json = try JSONValue(parsing: data.bytes)
        } catch {
            throw ConfigurationLoadError(path: path, "is not valid JSON: \(error)")
        }
        let configuration: Configuration
        do {
            configuration = try parse(json)
        } catch {
            throw ConfigurationLoadError(path: path, error.description)
        }
        if let key = inlineSecretKeys(configuration).first, data.mode & 0o077 != 0 {
            throw ConfigurationLoadError(
                path: path,
                "holds \(key) inline but is readable by group or others (mode \(String(data.mode & 0o777, radix: 8))); "
                    + "run 'chmod 600 \(path)', or move the secret into a file named by \(key)_file")
        }
        return configuration
    }

    /// Reads a secret: inline, or the first line of its credentials file (owner-only).
    /// - Throws: ``ConfigurationLoadError`` when the file is missing, unreadable, empty or readable by others.
    public func secret(_ source: SecretSource, key: String, configurationPath: String) throws(ConfigurationLoadError)
        -> Secret
    {
        switch source {
        case .inline(let secret):
            return secret
        case .file(let path):
            let data: (bytes: Data, mode: mode_t)
            do {
                data = try readProtectedFile(path, requireOwnerOnly: true)
            } catch {
                throw ConfigurationLoadError(path: configurationPath, "\(key)_file: \(error.message)")
            }
            let text = String(decoding: data.bytes, as: UTF8.self)
            let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            let value = firstLine.trimmingWhitespace()
            guard !value.isEmpty else {
                throw ConfigurationLoadError(
                    path: configurationPath, "\(key)_file: \(path) is empty; write the secret on its first line")
            }
            return Secret(value)
        }
    }

    /// Reads a whole small file, with its permission bits. A secret file must not be readable by group or others.
    func readProtectedFile(_ path: String, requireOwnerOnly: Bool) throws(ConfigurationLoadError)
        -> (bytes: Data, mode: mode_t)
    {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "does not exist" : String(cString: strerror(errno))
            throw ConfigurationLoadError(path: path, "cannot be read: \(reason)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationLoadError(path: path, "is not a regular file")
        }
        if requireOwnerOnly, status.st_mode & 0o077 != 0 {
            throw ConfigurationLoadError(
                path: path,
                "holds a secret but is readable by group or others (mode \(String(status.st_mode & 0o777, radix: 8))); "
                    + "run 'chmod 600 \(path)'")
        }
        guard status.st_size <= Self.maximumFileSize else {
            throw ConfigurationLoadError(
                path: path, "is larger than \(Self.maximumFileSize) bytes; is it the right file?")
        }
        var bytes = Data(count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        guard filled == bytes.count else {
            throw ConfigurationLoadError(path: path, "could not be read completely; was it changed while reading?")
        }
        return (bytes, status.st_mode)
    }
}

extension TenantConfiguration {
    /// Every secret the configuration names, with its key.
    public var secretSources: [(key: String, source: SecretSource)] {
        var sources: [(key: String, source: SecretSource)] = []
        switch pipedrive.credentials {
        case .apiToken(let source): sources.append(("pipedrive.api_token", source))
        case .oauth(let oauth): sources.append(("pipedrive.oauth.client_secret", oauth.clientSecret))
        }
        if let key = hep.authKey { sources.append(("hep.auth_key", key)) }
        if let password = sip?.password { sources.append(("sip.password", password)) }
        return sources
    }
}
