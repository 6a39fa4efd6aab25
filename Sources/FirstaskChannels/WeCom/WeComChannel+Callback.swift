import Foundation

extension WeComChannel: WebhookChannel {
    public var webhookMethods: Set<String> { ["GET", "POST"] }

    /// `GET`: WeCom's URL check — answered with the decrypted `echostr`. `POST`: an encrypted event; for
    /// `kf_msg_or_event` on our kf account its `Token` is kept for the next pull and the poller is woken at once.
    /// Both need a valid `msg_signature`, a fresh `timestamp` and an unseen nonce; the message's receive id
    /// must be our corp id. Nothing is stored: the callback carries no message, the pull that follows does.
    public func parseWebhook(_ request: WebhookRequest, now: Date) throws(WebhookError) -> WebhookIntake {
        guard let crypto, let replay else {
            throw WebhookError(.forbidden, "the callback is not configured on this channel (set token and encoding_aes_key)")
        }
        let query = FormEncoding.decodeStrings(request.query)
        func parameter(_ name: String) throws(WebhookError) -> String {
            guard let value = query.last(where: { $0.name == name })?.value, !value.isEmpty else {
                throw WebhookError(.malformed, "query parameter \(name) is missing")
            }
            return value
        }
        let signature = try parameter("msg_signature"), timestamp = try parameter("timestamp"), nonce = try parameter("nonce")
        let encrypted: String
        switch request.method {
        case "GET":
            encrypted = try parameter("echostr")
        default:
            guard let envelope = WeComXML.fields(request.body), let value = envelope["Encrypt"], !value.isEmpty else {
                throw WebhookError(.malformed, "the body is not WeCom's callback XML with an Encrypt field")
            }
            encrypted = value
        }
        guard crypto.isValid(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: encrypted) else {
            throw WebhookError(.forbidden, "msg_signature does not match (forged, or another token)")
        }
        let message: Data
        do {
            message = try crypto.decrypt(encrypted)
        } catch {
            throw WebhookError(.forbidden, "signed but not decryptable: \(error)")
        }
        if let refusal = replay.admit(timestamp: timestamp, nonce: nonce, now: now) {
            throw WebhookError(.forbidden, refusal)
        }
        if request.method == "GET" {
            var intake = WebhookIntake()
            intake.responseBody = String(decoding: message, as: UTF8.self)
            return intake
        }
        guard let event = WeComXML.fields(message) else {
            throw WebhookError(.malformed, "the decrypted message is not WeCom's event XML")
        }
        if event["MsgType"] == "event", event["Event"] == "kf_msg_or_event" {
            if let account = event["OpenKfId"], account != settings.openKfID {
                // Another kf account of the same corp: its messages are not pulled here.
                return WebhookIntake()
            }
            if let token = event["Token"], !token.isEmpty { pullToken.received(token, at: now) }
            onCallback()
        }
        return WebhookIntake()
    }
}
