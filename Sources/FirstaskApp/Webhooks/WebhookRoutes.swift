import FirstaskChannels
import FirstaskDesk
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The webhook intake on the admin API's listener (`http.listen`): `/webhooks/{channel id}`, one path per
/// configured webhook channel.
///
/// A call is answered 2xx only after what it carried is stored (a provider that retries on failure loses
/// nothing; a redelivery changes nothing). Refusals carry a status and a logged reason: 404 unknown channel,
/// 405 method the channel does not take, 413 body over `http.webhook_max_bytes`, 400 unreadable, 403 bad
/// signature or secret, 500 the store failed (the provider should retry). Unreadable deliveries (`IntakeRule`) are
/// recorded in `rejected_inbound` and answered as the channel says: 2xx for Kannel and Telegram, 400 for Twilio. Logs never hold a phone number,
/// a body or a secret.
public enum WebhookRoutes {
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options]

    public static func addRoutes(
        to router: Router<AdminRequestContext>, channels: [String: any WebhookChannel], intake: Intake, maxBodyBytes: Int,
        clock: any WallClock, logger: Logger
    ) {
        for method in methods {
            router.on("/webhooks/{channel}", method: method) { request, context -> Response in
                try await handle(request, context: context, channels: channels, intake: intake, maxBodyBytes: maxBodyBytes,
                                 clock: clock, logger: logger)
            }
        }
    }

    static func handle(
        _ request: Request, context: AdminRequestContext, channels: [String: any WebhookChannel], intake: Intake,
        maxBodyBytes: Int, clock: any WallClock, logger: Logger
    ) async throws -> Response {
        let id = try context.parameters.require("channel")
        var logger = logger
        logger[metadataKey: "channel"] = "\(id)"
        func refuse(_ status: HTTPResponse.Status, _ reason: String, headers: HTTPFields = [:]) -> Response {
            logger.info("webhook call refused", metadata: ["status": "\(status.code)", "reason": "\(reason)"])
            var headers = headers
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: reason + "\n")))
        }
        guard let channel = channels[id] else { return refuse(.notFound, "no webhook channel with this id") }
        let method = request.method.rawValue
        guard channel.webhookMethods.contains(method) else {
            return refuse(.methodNotAllowed, "method \(method) is not accepted here",
                          headers: [.allow: channel.webhookMethods.sorted().joined(separator: ", ")])
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            return refuse(.contentTooLarge, "body of \(length) bytes is over the limit of \(maxBodyBytes)")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return refuse(.contentTooLarge, "body is over the limit of \(maxBodyBytes) bytes")
        }
        let webhook = WebhookRequest(
            method: method, path: request.uri.path, query: request.uri.query ?? "",
            headers: request.headers.map { (name: $0.name.canonicalName, value: $0.value) }, body: Data(buffer: body))
        func status(_ error: WebhookError) -> HTTPResponse.Status {
            switch error.code {
            case .malformed: .badRequest
            case .forbidden: .forbidden
            case .methodNotAllowed: .methodNotAllowed
            case .tooLarge: .contentTooLarge
            }
        }
        let intakeResult: WebhookIntake
        do {
            intakeResult = try channel.parseWebhook(webhook, now: clock.now)
        } catch {
            return refuse(status(error), error.reason)
        }
        do {
            if !intakeResult.messages.isEmpty || !intakeResult.rejected.isEmpty {
                let stored = try await intake.store(InboundBatch(channel: id, messages: intakeResult.messages,
                                                                 rejected: intakeResult.rejected, cursor: nil))
                for item in intakeResult.rejected {
                    logger.warning("skipped an unreadable inbound item (recorded in rejected_inbound)", metadata: ["reason": "\(item.reason)"])
                }
                logger.debug("webhook stored", metadata: ["received": "\(intakeResult.messages.count)", "new": "\(stored.stored)"])
            }
            try await intake.record(intakeResult.reports)
        } catch {
            logger.error("webhook call not stored; answered 500 so the provider retries", metadata: ["error": "\(error)"])
            return Response(status: .internalServerError)
        }
        if let refusal = intakeResult.refusal { return refuse(status(refusal), refusal.reason) }
        return Response(status: .ok, headers: [.contentType: intakeResult.responseContentType],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: intakeResult.responseBody)))
    }
}
