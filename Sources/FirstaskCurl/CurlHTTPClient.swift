import CCurl
import Foundation
import Logging
import Synchronization

/// An HTTP client on libcurl. Every libcurl call of the project is in this file.
///
/// One thread of the client's own drives every transfer through libcurl's multi interface, so blocking
/// network work never runs on Swift concurrency's cooperative pool, and a long poll held open for
/// seconds costs no thread: polls and sends share the one driver. Easy handles are pooled and the multi
/// handle keeps connections alive, so repeated requests to a host reuse their connection.
public final class CurlHTTPClient: Sendable {
    /// The most response bytes accepted; larger bodies fail with `.tooLarge`.
    public let maxResponseBytes: Int
    private let driver: MultiDriver

    /// Starts the driver thread. At most `connectionsPerHost` transfers to one host run at once; the
    /// rest wait in libcurl's queue.
    public init(maxResponseBytes: Int = 16 << 20, connectionsPerHost: Int = 16, logger: Logger = Logger(label: "firstask.http")) {
        Self.globalInit
        self.maxResponseBytes = maxResponseBytes
        driver = MultiDriver(connectionsPerHost: connectionsPerHost, logger: logger)
        let driver = self.driver
        let thread = Thread { driver.run() }
        thread.name = "firstask-curl"
        thread.start()
    }

    deinit {
        driver.close()
    }

    /// Stops the driver once the transfers in flight are done. Later calls to `execute` fail.
    public func shutdown() {
        driver.close()
    }

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    /// Performs `request` and returns the response, whatever its status.
    ///
    /// Throws `HTTPClientError` when no complete response arrived. Cancelling the calling task aborts
    /// the transfer.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let cancelled = CancelFlag()
        let limit = maxResponseBytes
        let driver = self.driver
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let job = Job(request: request, maxBytes: min(limit, request.maxResponseBytes ?? limit), cancelled: cancelled) { result in
                    continuation.resume(with: result.mapError { $0 as any Error })
                }
                if !driver.submit([job]) { job.complete(.failure(job.failure(.cancelled, "the HTTP client was shut down"))) }
            }
        } onCancel: {
            cancelled.set()
            driver.wake()
        }
    }

    /// Performs all `requests` at once and returns each one's outcome, in the same order.
    ///
    /// For callers with many independent requests (the outbox dispatcher): one suspension for the whole
    /// batch instead of one task per request. Cancelling the calling task aborts the transfers still running.
    public func execute(all requests: [HTTPRequest]) async -> [Result<HTTPResponse, HTTPClientError>] {
        guard !requests.isEmpty else { return [] }
        let cancelled = CancelFlag()
        let limit = maxResponseBytes
        let driver = self.driver
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let collector = BatchCollector(count: requests.count, continuation: continuation)
                let jobs = requests.enumerated().map { index, request in
                    Job(request: request, maxBytes: min(limit, request.maxResponseBytes ?? limit), cancelled: cancelled) {
                        collector.store($0, at: index)
                    }
                }
                if !driver.submit(jobs) {
                    for job in jobs { job.complete(.failure(job.failure(.cancelled, "the HTTP client was shut down"))) }
                }
            }
        } onCancel: {
            cancelled.set()
            driver.wake()
        }
    }
}

/// Gathers the results of a batch and resumes its caller when the last one is in.
private final class BatchCollector: Sendable {
    private struct State {
        var results: [Result<HTTPResponse, HTTPClientError>?]
        var remaining: Int
    }

    private let state: Mutex<State>
    private let continuation: CheckedContinuation<[Result<HTTPResponse, HTTPClientError>], Never>

    init(count: Int, continuation: CheckedContinuation<[Result<HTTPResponse, HTTPClientError>], Never>) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
        self.continuation = continuation
    }

    func store(_ result: Result<HTTPResponse, HTTPClientError>, at index: Int) {
        let finished = state.withLock { state -> [Result<HTTPResponse, HTTPClientError>]? in
            state.results[index] = result
            state.remaining -= 1
            return state.remaining == 0 ? state.results.map { $0! } : nil
        }
        if let finished { continuation.resume(returning: finished) }
    }
}

// MARK: - Jobs

private final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

private struct Job: Sendable {
    let request: HTTPRequest
    let maxBytes: Int
    let cancelled: CancelFlag
    /// Called exactly once, on the driver thread, with the outcome.
    let complete: @Sendable (Result<HTTPResponse, HTTPClientError>) -> Void

    func failure(_ code: HTTPClientError.Code, _ reason: String) -> HTTPClientError {
        // Only failures pay for parsing the URL into a loggable endpoint.
        HTTPClientError(code: code, method: request.method.rawValue, endpoint: HTTPClientError.endpoint(of: request.url),
                        reason: reason)
    }
}

// MARK: - The driver

/// Owns the multi handle; everything but `submit`, `wake` and `close` runs on the driver thread.
private final class MultiDriver: @unchecked Sendable {
    private struct Inbox {
        var jobs: [Job] = []
        var closed = false
    }

    /// One transfer in flight: its job and what must be freed when it ends.
    private struct Transfer {
        let job: Job
        let state: Unmanaged<TransferState>
        let headers: UnsafeMutablePointer<curl_slist>?
    }

    private let inbox = Mutex(Inbox())
    // The multi handle is created once and only touched by the driver thread, except for
    // `curl_multi_wakeup`, which libcurl documents as callable from any thread.
    private let multi: UnsafeMutableRawPointer?
    private let logger: Logger

    init(connectionsPerHost: Int, logger: Logger) {
        self.logger = logger
        multi = curl_multi_init()
        _ = firstask_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, connectionsPerHost))
        _ = firstask_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(8, connectionsPerHost * 2))
    }

    /// Queues jobs; `false` (and nothing queued) once the driver is closed.
    func submit(_ jobs: [Job]) -> Bool {
        let accepted = inbox.withLock { inbox in
            guard !inbox.closed else { return false }
            inbox.jobs.append(contentsOf: jobs)
            return true
        }
        if accepted { wake() }
        return accepted
    }

    func wake() {
        _ = curl_multi_wakeup(multi)
    }

    func close() {
        inbox.withLock { $0.closed = true }
        wake()
    }

    func run() {
        guard let multi else {
            logger.critical("libcurl could not create a multi handle; HTTP is unavailable")
            failAll(reason: "libcurl could not create a multi handle")
            return
        }
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        var idle: [UnsafeMutableRawPointer] = []
        while true {
            let (jobs, closed) = inbox.withLock { inbox -> ([Job], Bool) in
                let jobs = inbox.jobs
                inbox.jobs = []
                return (jobs, inbox.closed)
            }
            for job in jobs {
                guard let handle = idle.popLast() ?? curl_easy_init() else {
                    job.complete(.failure(job.failure(.invalidRequest, "libcurl could not create a handle")))
                    continue
                }
                do {
                    active[handle] = try start(job, on: handle)
                } catch {
                    idle.append(handle)
                    job.complete(.failure(error))
                }
            }
            if closed, active.isEmpty { break }

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                      let transfer = active.removeValue(forKey: handle)
                else { continue }
                let result = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                finish(transfer, handle: handle, result: result)
                if idle.count < 64 { idle.append(handle) } else { curl_easy_cleanup(handle) }
            }
            if !active.isEmpty || inbox.withLock({ $0.jobs.isEmpty }) {
                _ = curl_multi_poll(multi, nil, 0, 1000, nil)
            }
        }
        for handle in idle { curl_easy_cleanup(handle) }
        curl_multi_cleanup(multi)
    }

    private func failAll(reason: String) {
        while true {
            let jobs = inbox.withLock { inbox -> [Job] in
                let jobs = inbox.jobs
                inbox.jobs = []
                return jobs
            }
            for job in jobs { job.complete(.failure(job.failure(.transport, reason))) }
            if inbox.withLock({ $0.closed && $0.jobs.isEmpty }) { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Configures `handle` for `job` and adds it to the multi handle.
    private func start(_ job: Job, on handle: UnsafeMutableRawPointer) throws(HTTPClientError) -> Transfer {
        let request = job.request
        if job.cancelled.isSet { throw job.failure(.cancelled, "cancelled before it started") }
        curl_easy_reset(handle)

        let state = Unmanaged.passRetained(TransferState(maxBytes: job.maxBytes, cancelled: job.cancelled))
        let statePointer = state.toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        // libcurl adds `Expect: 100-continue` to larger POSTs; servers that ignore it cost a second of waiting.
        for header in request.headers + [(name: "Expect", value: "")] {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }

        var setupError: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK, setupError == CURLE_OK { setupError = code } }
        check(firstask_curl_setopt_string(handle, CURLOPT_URL, request.url))
        check(firstask_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(firstask_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check(firstask_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        check(firstask_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        check(firstask_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, request.maxRedirects > 0 ? 1 : 0))
        if request.maxRedirects > 0 {
            check(firstask_curl_setopt_long(handle, CURLOPT_MAXREDIRS, request.maxRedirects))
            check(firstask_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        }
        check(firstask_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        check(firstask_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)))
        check(firstask_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        check(firstask_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        check(firstask_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, transferWriteBody))
        check(firstask_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, statePointer))
        check(firstask_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, transferWriteHeader))
        check(firstask_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, statePointer))
        check(firstask_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        check(firstask_curl_setopt_xferinfo_function(handle, transferProgress))
        check(firstask_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, statePointer))
        switch request.method {
        case .get:
            check(firstask_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case .post, .put, .delete:
            if request.method != .post {
                check(firstask_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
            }
            if request.method != .delete || request.body != nil {
                check(firstask_curl_setopt_long(handle, CURLOPT_POST, 1))
                let body = request.body ?? Data()
                check(firstask_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                body.withUnsafeBytes { bytes in
                    // COPYPOSTFIELDS copies the bytes, so they need not outlive this call.
                    let pointer = bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                        ?? UnsafeMutableRawPointer(mutating: ("" as StaticString).utf8Start)
                    check(firstask_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, pointer))
                }
            }
        }
        if setupError == CURLE_OK, curl_multi_add_handle(multi, handle) != CURLM_OK {
            setupError = CURLE_FAILED_INIT
        }
        if setupError != CURLE_OK {
            curl_slist_free_all(headerList)
            state.release()
            throw job.failure(.invalidRequest, String(cString: curl_easy_strerror(setupError)))
        }
        return Transfer(job: job, state: state, headers: headerList)
    }

    /// Resumes the caller with the response or the error, and frees the transfer's resources.
    private func finish(_ transfer: Transfer, handle: UnsafeMutableRawPointer, result: CURLcode) {
        defer {
            curl_slist_free_all(transfer.headers)
            transfer.state.release()
        }
        let job = transfer.job
        let state = transfer.state.takeUnretainedValue()
        guard result == CURLE_OK else {
            let error = state.overflowed
                ? job.failure(.tooLarge, "response larger than \(job.maxBytes) bytes")
                : job.failure(Self.code(for: result), String(cString: curl_easy_strerror(result)))
            job.complete(.failure(error))
            return
        }
        var status = 0
        _ = firstask_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        job.complete(.success(HTTPResponse(status: status, headers: state.finalHeaders, body: state.body)))
    }

    static func milliseconds(_ seconds: Double) -> Int {
        max(1, Int((seconds * 1000).rounded(.up)))
    }

    static func code(for result: CURLcode) -> HTTPClientError.Code {
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .resolve
        case CURLE_COULDNT_CONNECT: .connect
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            .tls
        case CURLE_ABORTED_BY_CALLBACK: .cancelled
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT: .invalidRequest
        default: .transport
        }
    }
}

// MARK: - Callbacks

/// What the callbacks collect during one transfer.
private final class TransferState {
    let maxBytes: Int
    let cancelled: CancelFlag
    var body = Data()
    /// Raw header lines of the latest response, parsed only when the transfer is done.
    var headerBytes: [UInt8] = []
    var overflowed = false

    init(maxBytes: Int, cancelled: CancelFlag) {
        self.maxBytes = maxBytes
        self.cancelled = cancelled
    }

    /// Headers of the final response (a `100 Continue` or a proxy's reply comes first and is dropped).
    var finalHeaders: [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for line in headerBytes.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = Self.trim(line[line.startIndex..<colon])
            let value = Self.trim(line[(colon + 1)...])
            headers.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return headers
    }

    func header(line: UnsafeBufferPointer<UInt8>) {
        if line.starts(with: "HTTP/".utf8) {
            headerBytes.removeAll(keepingCapacity: true)
            return
        }
        headerBytes.append(contentsOf: line)
    }

    static func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 || last == 0x0D { slice = slice.dropLast() }
        return slice
    }
}

private let transferWriteBody: firstask_curl_write_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    if state.body.count + length > state.maxBytes {
        state.overflowed = true
        return 0  // makes libcurl stop with CURLE_WRITE_ERROR
    }
    pointer.withMemoryRebound(to: UInt8.self, capacity: length) { state.body.append($0, count: length) }
    return length
}

private let transferWriteHeader: firstask_curl_write_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
        state.header(line: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private let transferProgress: firstask_curl_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    return state.cancelled.isSet ? 1 : 0
}
