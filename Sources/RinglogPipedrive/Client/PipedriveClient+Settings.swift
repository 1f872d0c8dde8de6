import Foundation

extension PipedriveClient {
    /// A client for a tenant authorised with `ringlog auth`: OAuth tokens from the settings' tokens file,
    /// refreshed through the settings' OAuth app.
    ///
    /// The client starts even when the tokens file is missing or refused; it then reports
    /// ``AuthorizationState/needsReauthorization(reason:)`` and resumes once `ringlog auth` has run.
    /// - Throws: ``PipedriveAuthSettings/Failure`` when neither the settings nor the stored tokens name the
    ///   company's base URL.
    public static func make(
        settings: PipedriveAuthSettings, transport: any HTTPTransport = SocketHTTPTransport.shared,
        ledger: TokenLedger = TokenLedger(), policy: TokenStore.Policy = TokenStore.Policy()
    ) throws(PipedriveAuthSettings.Failure) -> PipedriveClient {
        let storedDomain = (try? settings.tokenFile.load())?.apiDomain
        guard let baseURL = settings.baseURL ?? storedDomain else {
            throw PipedriveAuthSettings.Failure(
                "pipedrive.base_url is not set and no authorisation is stored yet; set base_url "
                    + "(e.g. https://COMPANY.pipedrive.com) or run 'ringlog auth' first")
        }
        let oauth = OAuthClient(credentials: settings.oauth, transport: transport)
        let store = TokenStore(file: settings.tokenFile, policy: policy) { refreshToken in
            try await oauth.refresh(refreshToken: refreshToken)
        }
        return PipedriveClient(
            configuration: Configuration(baseURL: baseURL), credentials: .oauth(store), transport: transport,
            ledger: ledger)
    }
}
