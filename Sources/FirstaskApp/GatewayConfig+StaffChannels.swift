import FirstaskChannels

extension GatewayConfig {
    /// The channels that can reach staff, in configuration order: those that text phone numbers
    /// (`http-inbox`, `kannel`, `twilio`).
    ///
    /// Staff are known by the roster's `phone`, so a Telegram chat or a WeCom customer-service conversation,
    /// whose addresses are ids of their own, reaches a staff member only when the roster names that channel
    /// for them. The desk texts staff without one on the first of these; dead-letter alerts use only these.
    public var staffChannelIDs: [String] {
        let chats = Set(providerChannels.filter { !Self.textsPhoneNumbers($0) }.map(\.id))
        return channelIDs.filter { !chats.contains($0) }
    }

    static func textsPhoneNumbers(_ channel: ProviderChannelSettings) -> Bool {
        switch channel {
        case .kannel, .twilio: true
        case .telegram, .wecom: false
        }
    }
}
