import Foundation
import Synchronization

/// A real Kannel on loopback for live tests: bearerbox, smsbox and Kannel's fake SMSC (`fakesmsc`) playing
/// the handsets, with a generated configuration. Needs Debian's `kannel` and `kannel-extras`.
public final class KannelRig: Sendable {
    public static let bearerbox = "/usr/sbin/bearerbox"
    public static let smsbox = "/usr/sbin/smsbox"
    public static let fakesmsc = "/usr/lib/kannel/test/fakesmsc"

    /// Why live Kannel tests cannot run here, or `nil` when they can.
    public static var missing: String? {
        let absent = [bearerbox, smsbox, fakesmsc].filter { !FileManager.default.isExecutableFile(atPath: $0) }
        return absent.isEmpty ? nil : "kannel binaries missing (\(absent.joined(separator: ", "))): apt-get install kannel kannel-extras"
    }

    public let folder: String
    public let sendsmsPort: Int
    public let username = "firstask"
    public let password = "kannel-test-pw"
    private let processes: Mutex<[Process]> = Mutex([])
    private let handsetLog = LineLog()
    private let handsetInput: FileHandle
    private let sentCount = Mutex(0)

    /// One SMS that reached the fake SMSC (a message Kannel sent to a handset), parts of a concatenated SMS joined.
    public struct Received: Sendable, Equatable {
        public var from: String
        public var to: String
        /// The raw bytes (GSM text as Latin-1, UCS-2 as UTF-16BE).
        public var bytes: [UInt8]
        /// Whether fakesmsc reported it as UCS-2 (single part) — multi-part messages carry no coding marker.
        public var ucs2: Bool?
        public var parts: Int

        /// The text, decoded as UCS-2 (UTF-16BE) or GSM/Latin-1.
        public func text(ucs2 assumeUCS2: Bool) -> String {
            if ucs2 ?? assumeUCS2 {
                var units: [UInt16] = []
                var index = 0
                while index + 1 < bytes.count {
                    units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                    index += 2
                }
                return String(decoding: units, as: UTF16.self)
            }
            return String(bytes: bytes, encoding: .isoLatin1) ?? ""
        }
    }

    /// Starts bearerbox, smsbox and fakesmsc in `folder`; the sms-service's get-url is `getURL`.
    /// Returns once smsbox answers on its sendsms port and fakesmsc is connected.
    public init(folder: String, getURL: String) async throws {
        self.folder = folder
        let ports = try (0..<4).map { _ in try Self.freePort() }
        let (admin, boxes, smsc, sendsms) = (ports[0], ports[1], ports[2], ports[3])
        sendsmsPort = sendsms
        let config = """
            group = core
            admin-port = \(admin)
            admin-interface = 127.0.0.1
            admin-password = kannel-admin
            admin-allow-ip = "127.0.0.1"
            smsbox-port = \(boxes)
            smsbox-interface = 127.0.0.1
            box-allow-ip = "127.0.0.1"
            log-file = "\(folder)/bearerbox.log"
            log-level = 0
            dlr-storage = internal

            group = smsc
            smsc = fake
            smsc-id = fake
            port = \(smsc)
            connect-allow-ip = "127.0.0.1"

            group = smsbox
            bearerbox-host = 127.0.0.1
            bearerbox-port = \(boxes)
            sendsms-port = \(sendsms)
            sendsms-interface = 127.0.0.1
            mo-recode = true
            log-file = "\(folder)/smsbox.log"
            log-level = 0

            group = sendsms-user
            username = \(username)
            password = \(password)
            max-messages = 10
            concatenation = true

            group = sms-service
            keyword = default
            catch-all = true
            max-messages = 0
            get-url = "\(getURL)"

            """
        let path = folder + "/kannel.conf"
        try config.write(toFile: path, atomically: true, encoding: .utf8)

        let input = Pipe()
        handsetInput = input.fileHandleForWriting
        do {
            try start(Self.bearerbox, [path], log: folder + "/bearerbox.out")
            try await Self.waitForPort(boxes, timeout: .seconds(30))
            try start(Self.smsbox, [path], log: folder + "/smsbox.out")
            try await Self.waitForPort(sendsms, timeout: .seconds(30))
        } catch {
            // A port picked free can be taken before Kannel binds it (other tests run in parallel): leave
            // nothing running, and let the caller try again with fresh ports.
            await stop()
            throw error
        }

        let output = Pipe()
        let log = handsetLog
        let buffer = LineLog()
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            guard !chunk.isEmpty else { handle.readabilityHandler = nil; return }
            let lines: [String] = buffer.pending.withLock { data in
                data.append(chunk)
                var lines: [String] = []
                while let newline = data.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: data[data.startIndex..<newline], as: UTF8.self))
                    data.removeSubrange(data.startIndex...newline)
                }
                return lines
            }
            if !lines.isEmpty { log.lines.withLock { $0.append(contentsOf: lines) } }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.fakesmsc)
        process.arguments = ["-H", "127.0.0.1", "-r", String(smsc)]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        processes.withLock { $0.append(process) }
        try await waitForLog(timeout: .seconds(10)) { line in line.contains("Connecting to") }
        try await Self.waitForFile(folder + "/bearerbox.log", containing: "Fakesmsc client connected", timeout: .seconds(10))
    }

    private func start(_ executable: String, _ arguments: [String], log: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.withLock { $0.append(process) }
    }

    /// A handset sends an SMS: plain text as GSM, anything else as UCS-2. Returns once fakesmsc has sent it
    /// (fakesmsc reads one stdin line per wake-up, so lines are written one at a time).
    public func handsetSends(from: String, to: String = "10086", text: String) async throws {
        let line: String
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) {
            line = "\(from) \(to) text \(text)\n"
        } else {
            let bytes = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            line = "\(from) \(to) ucs2 " + bytes.map { String(format: "%%%02X", $0) }.joined() + "\n"
        }
        let number = sentCount.withLock { count in count += 1; return count }
        handsetInput.write(Data(line.utf8))
        try await waitForLog(timeout: .seconds(10)) { $0.contains("fakesmsc: sent message \(number)") }
    }

    /// Every SMS the fake SMSC received so far, concatenated parts joined.
    public var received: [Received] {
        let lines = handsetLog.lines.withLock { $0 }
        var messages: [Received] = []
        var pending: [String: [Int: [UInt8]]] = [:]
        for line in lines {
            guard let start = line.range(of: "Got message "), let open = line[start.upperBound...].firstIndex(of: "<"),
                  line.hasSuffix(">")
            else { continue }
            let body = line[line.index(after: open)..<line.index(before: line.endIndex)]
            let fields = body.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4 else { continue }
            let (from, to, type) = (fields[0], fields[1], fields[2])
            switch type {
            case "text", "ucs-2", "data":
                let data = fields[3...].joined(separator: " ")
                messages.append(Received(from: from, to: to, bytes: Self.urlDecode(data), ucs2: type == "ucs-2" ? true : (type == "text" ? false : nil), parts: 1))
            case "udh":
                // `udh <%05%00%03 ref total seq> data <bytes>`
                guard fields.count >= 6 else { continue }
                let udh = Self.urlDecode(fields[3])
                let data = Self.urlDecode(fields[5...].joined(separator: " "))
                guard udh.count >= 6, udh[1] == 0 else {
                    messages.append(Received(from: from, to: to, bytes: data, ucs2: nil, parts: 1))
                    continue
                }
                let key = "\(from)|\(to)|\(udh[3])"
                let total = Int(udh[4])
                pending[key, default: [:]][Int(udh[5])] = data
                if pending[key]!.count == total {
                    let joined = (1...total).flatMap { pending[key]![$0] ?? [] }
                    messages.append(Received(from: from, to: to, bytes: joined, ucs2: nil, parts: total))
                    pending[key] = nil
                }
            default:
                continue
            }
        }
        return messages
    }

    /// Waits until `condition` holds for what the handsets received.
    @discardableResult
    public func waitForReceived(timeout: Duration, _ condition: ([Received]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(received) { return true }
            try? await Task.sleep(until: .now + .milliseconds(50))
        }
        return condition(received)
    }

    /// The tail of the Kannel logs, for failure messages.
    public func logs() -> String {
        let files = ["bearerbox.log", "smsbox.log"].map { name in
            "== \(name)\n" + String(((try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? "").suffix(1500))
        }
        return files.joined(separator: "\n") + "\n== fakesmsc\n" + handsetLog.lines.withLock { $0.suffix(20).joined(separator: "\n") }
    }

    /// Starts Kannel as `init` does, trying up to `attempts` times with fresh ports (a free port can be
    /// taken by a parallel test between picking it and Kannel binding it).
    public static func start(folder: String, getURL: String, attempts: Int = 3) async throws -> KannelRig {
        var attempt = 1
        while true {
            do {
                return try await KannelRig(folder: folder, getURL: getURL)
            } catch let error as KannelRigError where attempt < attempts {
                _ = error
                attempt += 1
            }
        }
    }

    /// Stops fakesmsc first (TERM before its stdin closes: at EOF it aborts), then the boxes; bearerbox may need
    /// a second TERM while messages are queued.
    public func stop() async {
        let running = processes.withLock { $0 }
        for process in running.reversed() where process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(until: .now + .milliseconds(20)) }
            if process.isRunning { process.terminate() }
            let hard = ContinuousClock.now + .seconds(3)
            while process.isRunning, ContinuousClock.now < hard { try? await Task.sleep(until: .now + .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? handsetInput.close()
    }

    private func waitForLog(timeout: Duration, _ matches: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if handsetLog.lines.withLock({ $0.contains(where: matches) }) { return }
            try await Task.sleep(until: .now + .milliseconds(10))
        }
        throw KannelRigError(message: "fakesmsc did not log what was expected in time\n\(logs())")
    }

    static func waitForFile(_ path: String, containing text: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let content = try? String(contentsOfFile: path, encoding: .utf8), content.contains(text) { return }
            try await Task.sleep(until: .now + .milliseconds(20))
        }
        throw KannelRigError(message: "\(path) never said '\(text)'")
    }

    static func urlDecode(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "+") { output.append(0x20); continue }
            if byte == UInt8(ascii: "%"), bytes.count >= 2, let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                output.append(value)
                bytes = bytes.dropFirst(2)
                continue
            }
            output.append(byte)
        }
        return output
    }

    /// A loopback port nobody listens on right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw KannelRigError(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw KannelRigError(message: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw KannelRigError(message: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits until something accepts connections on the loopback `port`.
    public static func waitForPort(_ port: Int, timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            try await Task.sleep(until: .now + .milliseconds(50))
        }
        throw KannelRigError(message: "nothing listens on 127.0.0.1:\(port)")
    }
}

public struct KannelRigError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Lines a child process wrote, and the bytes of its unfinished last line.
private final class LineLog: Sendable {
    let lines = Mutex<[String]>([])
    let pending = Mutex(Data())
}
