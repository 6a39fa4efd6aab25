import Foundation
import Hummingbird
import NIOCore

/// `GET /healthz`, `GET /readyz` and `GET /metrics`: what operators and their tools poll (README, "Operating").
/// None needs the admin token; none answers with a phone number, a text or a token.
public enum ObservabilityRoutes {
    /// `/healthz` answers 200 while the process serves HTTP; `/readyz` 200 or 503 with the `Readiness` JSON.
    public static func addHealthRoutes(to router: Router<AdminRequestContext>, gateway: Gateway) {
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            let readiness = await gateway.readiness()
            return try AdminAPI.json(readiness, status: readiness.ready ? .ok : .serviceUnavailable)
        }
    }

    /// `/metrics` in the Prometheus text format (version 0.0.4).
    public static func addMetricsRoute(to router: Router<AdminRequestContext>, gateway: Gateway) {
        router.get("/metrics") { _, _ -> Response in
            let text = await gateway.metricsExposition()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
