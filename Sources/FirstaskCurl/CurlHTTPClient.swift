import CCurl
import Foundation
import Logging
import Synchronization

/// An HTTP client on libcurl. Every libcurl call of the project is in this file.
///
/// libcurl's easy interface blocks, so transfers run on the client's own threads, never on Swift
/// concurrency's cooperative pool: `execute` suspends until a worker thread has finished the transfer.
/// Each worker keeps one easy handle for its whole life, so connections to the same host are reused.
/// Long polls and sends share the workers; size `threads` for the long polls that may be open at once
/// plus the sends that should run in parallel.
public final class CurlHTTPClient: Sendable {
    /// The most response bytes accepted; larger bodies fail with `.tooLarge`.
    public let maxResponseBytes: Int
    private let queue: JobQueue
    private let logger: Logger

    /// Starts `threads` worker threads.
    public init(threads: Int = 8, maxResponseBytes: Int = 16 << 20, logger: Logger = Logger(label: "firstask.http")) {
        Self.globalInit
        self.maxResponseBytes = maxResponseBytes
        self.logger = logger
        queue = JobQueue()
        for index in 0..<max(1, threads) {
            let queue = self.queue
            let thread = Thread { Worker(queue: queue).run() }
            thread.name = "firstask-curl-\(index)"
            thread.start()
        }
    }

    deinit {
        queue.close()
    }

    /// Stops the worker threads once the queued transfers are done. Later calls to `execute` fail.
    public func shutdown() {
        queue.close()
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
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let job = Job(request: request, maxBytes: limit, cancelled: cancelled, continuation: continuation)
                if !queue.push(job) {
                    continuation.resume(throwing: HTTPClientError(
                        code: .cancelled, method: request.method.rawValue,
                        endpoint: HTTPClientError.endpoint(of: request.url), reason: "the HTTP client was shut down"))
                }
            }
        } onCancel: {
            cancelled.set()
        }
    }
}

// MARK: - Jobs and workers

private final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

private struct Job: Sendable {
    let request: HTTPRequest
    let maxBytes: Int
    let cancelled: CancelFlag
    let continuation: CheckedContinuation<HTTPResponse, any Error>
}

/// A blocking FIFO of jobs shared by the worker threads.
private final class JobQueue: Sendable {
    private struct State {
        var jobs: [Job] = []
        var head = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// Adds a job; `false` once the queue is closed.
    func push(_ job: Job) -> Bool {
        let accepted = state.withLock { state in
            guard !state.closed else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// Waits for the next job; `nil` when the queue is closed and drained.
    func pop() -> Job? {
        while true {
            available.wait()
            let next: Job?? = state.withLock { state in
                if state.head < state.jobs.count {
                    let job = state.jobs[state.head]
                    state.head += 1
                    if state.head > 1024, state.head * 2 > state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(job)
                }
                return state.closed ? .some(nil) : nil
            }
            if let next {
                if next == nil { available.signal() }  // wake the next worker so it can exit too
                return next
            }
        }
    }

    func close() {
        state.withLock { $0.closed = true }
        available.signal()
    }
}

/// One worker thread with its own easy handle.
private final class Worker {
    let queue: JobQueue
    let handle: UnsafeMutableRawPointer?

    init(queue: JobQueue) {
        self.queue = queue
        handle = curl_easy_init()
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    func run() {
        while let job = queue.pop() {
            do {
                job.continuation.resume(returning: try perform(job))
            } catch {
                job.continuation.resume(throwing: error)
            }
        }
    }

    func perform(_ job: Job) throws -> HTTPResponse {
        let request = job.request
        func failure(_ code: HTTPClientError.Code, _ reason: String) -> HTTPClientError {
            // Only failures pay for parsing the URL into a loggable endpoint.
            HTTPClientError(code: code, method: request.method.rawValue, endpoint: HTTPClientError.endpoint(of: request.url),
                            reason: reason)
        }
        guard let handle else { throw failure(.invalidRequest, "libcurl could not create a handle") }
        if job.cancelled.isSet { throw failure(.cancelled, "cancelled before it started") }
        curl_easy_reset(handle)

        let sink = TransferState(maxBytes: job.maxBytes, cancelled: job.cancelled)
        let sinkPointer = Unmanaged.passRetained(sink).toOpaque()
        defer { Unmanaged<TransferState>.fromOpaque(sinkPointer).release() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
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
        check(firstask_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        check(firstask_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        check(firstask_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)))
        check(firstask_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        check(firstask_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        check(firstask_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, transferWriteBody))
        check(firstask_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer))
        check(firstask_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, transferWriteHeader))
        check(firstask_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer))
        check(firstask_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        check(firstask_curl_setopt_xferinfo_function(handle, transferProgress))
        check(firstask_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, sinkPointer))
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
        if setupError != CURLE_OK {
            throw failure(.invalidRequest, String(cString: curl_easy_strerror(setupError)))
        }

        let result = curl_easy_perform(handle)
        if result != CURLE_OK {
            if sink.overflowed {
                throw failure(.tooLarge, "response larger than \(job.maxBytes) bytes")
            }
            throw failure(Self.code(for: result), String(cString: curl_easy_strerror(result)))
        }
        var status = 0
        _ = firstask_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.finalHeaders, body: sink.body)
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
