import FirstaskTesting
import Foundation
import Hummingbird
import HTTPTypes
import Synchronization

/// A scripted provider API on loopback for channel tests: every request is recorded and answered by `respond`.
final class FakeProvider: Sendable {
    struct Call: Sendable {
        var method: String
        var path: String
        var query: String
        /// By lower-case name.
        var headers: [String: String]
        var body: Data

        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
        var form: [String: String] {
            Dictionary(String(decoding: body, as: UTF8.self).split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { first, _ in first })
        }
    }

    struct Reply: Sendable {
        var status: Int
        var body: String
        var headers: [String: String] = [:]
        /// Binary bodies (media downloads); replaces `body` when set.
        var data: Data?
        init(_ status: Int, _ body: String = "", headers: [String: String] = [:]) {
            self.status = status
            self.body = body
            self.headers = headers
        }

        static func bytes(_ data: Data, type: String) -> Reply {
            var reply = Reply(200, headers: ["Content-Type": type])
            reply.data = data
            return reply
        }
    }

    let calls = Mutex<[Call]>([])
    let respond: @Sendable (Call, Int) async -> Reply

    /// `respond` gets the call and its 0-based index among all calls.
    init(_ respond: @escaping @Sendable (Call, Int) async -> Reply) { self.respond = respond }

    var recorded: [Call] { calls.withLock { $0 } }

    func app(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        for method in [HTTPTypes.HTTPRequest.Method.get, .post] {
            router.on("**", method: method) { [self] request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
                let call = Call(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                                headers: headers, body: Data(buffer: body))
                let index = calls.withLock { calls in calls.append(call); return calls.count - 1 }
                let reply = await respond(call, index)
                var fields: HTTPFields = [.contentType: "application/json"]
                for (name, value) in reply.headers { fields[HTTPField.Name(name)!] = value }
                let buffer = reply.data.map { ByteBuffer(bytes: $0) } ?? ByteBuffer(string: reply.body)
                return Response(status: .init(code: reply.status), headers: fields, body: ResponseBody(byteBuffer: buffer))
            }
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: { await onRunning($0.localAddress?.port ?? 0) })
    }

    /// Serves the fake on a free port for `body`.
    func serve<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        try await LiveServer.with({ onRunning in app(onRunning: onRunning) }) { port in try await body("http://127.0.0.1:\(port)") }
    }
}
