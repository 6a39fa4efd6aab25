import FirstaskCurl
import FirstaskTesting
import Foundation
import Hummingbird
import HTTPTypes
import Testing

/// The project's request type, not Hummingbird's of the same name.
typealias HTTPRequest = FirstaskCurl.HTTPRequest

/// A small HTTP server to talk to: echoes, statuses, slow and large answers.
func echoServer(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
    let router = Router()
    router.on("/echo", method: .post) { request, _ -> Response in
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        headers[HTTPField.Name("X-Seen-Method")!] = request.method.rawValue
        headers[HTTPField.Name("X-Seen-Token")!] = request.headers[.authorization] ?? "none"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
    router.get("/echo") { request, _ -> Response in
        Response(status: .ok, headers: [HTTPField.Name("X-Seen-Query")!: request.uri.query ?? ""],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: "你好, world")))
    }
    router.get("/status/{code}") { _, context -> Response in
        let code = Int(context.parameters.get("code") ?? "") ?? 500
        return Response(status: .init(code: code), headers: [.retryAfter: "3"], body: ResponseBody(byteBuffer: ByteBuffer(string: "status")))
    }
    router.get("/slow") { _, _ -> String in
        try await Task.sleep(until: .now + .seconds(5))
        return "late"
    }
    router.get("/big") { _, _ -> Response in
        Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: 65, count: 300_000)))
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                       onServerRunning: { await onRunning($0.localAddress?.port ?? 0) })
}

@Suite("libcurl HTTP client, against a live loopback server")
struct CurlHTTPClientTests {
    let client = CurlHTTPClient(maxResponseBytes: 100_000)

    @Test("GET and POST carry headers and bodies both ways, UTF-8 intact")
    func roundTrips() async throws {
        try await LiveServer.with(echoServer) { port in
            let get = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/echo?after=5&limit=2"))
            #expect(get.status == 200)
            #expect(String(decoding: get.body, as: UTF8.self) == "你好, world")
            #expect(get.header("x-seen-query") == "after=5&limit=2")

            let body = Data("{\"text\":\"漏水了\"}".utf8)
            let post = try await client.execute(HTTPRequest(
                method: .post, url: "http://127.0.0.1:\(port)/echo",
                headers: [(name: "Authorization", value: "Bearer s3cret")], body: body))
            #expect(post.status == 200)
            #expect(post.body == body)
            #expect(post.header("X-Seen-Method") == "POST")
            #expect(post.header("X-Seen-Token") == "Bearer s3cret")
        }
    }

    @Test("non-2xx statuses are responses, not errors, with their headers")
    func statusesAreResponses() async throws {
        try await LiveServer.with(echoServer) { port in
            let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/status/429"))
            #expect(response.status == 429)
            #expect(response.header("Retry-After") == "3")
        }
    }

    @Test("a request that outlives its timeout fails as a timeout naming the endpoint")
    func timesOut() async throws {
        try await LiveServer.with(echoServer) { port in
            let started = ContinuousClock.now
            await #expect {
                _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/slow?token=abc", timeout: 0.3))
            } throws: { error in
                guard let error = error as? HTTPClientError else { return false }
                return error.code == .timeout && error.isRetryable
                    && error.description.contains("GET http://127.0.0.1:\(port)/slow") && !error.description.contains("abc")
            }
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test("a refused connection says which host and that it could not connect")
    func connectionRefused() async throws {
        // Bind and close a port so nothing listens on it.
        let port = try await LiveServer.with(echoServer) { port in port }
        await #expect {
            _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/messages", connectTimeout: 1))
        } throws: { error in
            (error as? HTTPClientError)?.code == .connect && "\(error)".contains("127.0.0.1:\(port)")
        }
    }

    @Test("a body larger than the limit is refused rather than buffered")
    func refusesHugeBodies() async throws {
        try await LiveServer.with(echoServer) { port in
            await #expect {
                _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/big"))
            } throws: { error in
                (error as? HTTPClientError)?.code == .tooLarge
            }
        }
    }

    @Test("TLS is verified: HTTPS to a server that does not speak TLS fails as a TLS error")
    func verifiesTLS() async throws {
        try await LiveServer.with(echoServer) { port in
            await #expect {
                _ = try await client.execute(HTTPRequest(url: "https://127.0.0.1:\(port)/echo", timeout: 3))
            } throws: { error in
                guard let error = error as? HTTPClientError else { return false }
                return error.code == .tls || error.code == .transport
            }
        }
    }

    @Test("cancelling the task aborts the transfer promptly")
    func cancels() async throws {
        try await LiveServer.with(echoServer) { port in
            let started = ContinuousClock.now
            let task = Task { try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/slow", timeout: 30)) }
            try await Task.sleep(until: .now + .milliseconds(200))
            task.cancel()
            await #expect { _ = try await task.value } throws: { error in (error as? HTTPClientError)?.code == .cancelled }
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test("a malformed URL is an invalid request, not a crash")
    func malformedURL() async {
        await #expect {
            _ = try await client.execute(HTTPRequest(url: "ht!tp://nowhere"))
        } throws: { error in
            let code = (error as? HTTPClientError)?.code
            return code == .invalidRequest || code == .resolve
        }
    }

    @Test("a batch returns each request's own outcome, in order")
    func batch() async throws {
        try await LiveServer.with(echoServer) { port in
            let refused = try await LiveServer.with(echoServer) { port in port }
            let results = await client.execute(all: [
                HTTPRequest(url: "http://127.0.0.1:\(port)/echo"),
                HTTPRequest(url: "http://127.0.0.1:\(port)/status/503"),
                HTTPRequest(url: "http://127.0.0.1:\(refused)/echo", connectTimeout: 1),
                HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/echo", body: Data("二".utf8)),
            ])
            #expect(results.count == 4)
            #expect((try? results[0].get())?.status == 200)
            #expect((try? results[1].get())?.status == 503)
            #expect(throws: HTTPClientError.self) { try results[2].get() }
            #expect((try? results[3].get())?.body == Data("二".utf8))
            #expect(await client.execute(all: []).isEmpty)
        }
    }

    @Test("many requests in parallel all complete on the shared workers")
    func parallel() async throws {
        try await LiveServer.with(echoServer) { port in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<64 {
                    group.addTask { try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/echo")).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 64 && statuses.allSatisfy { $0 == 200 })
        }
    }
}
