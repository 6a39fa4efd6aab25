import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

@Suite("Twilio channel", .serialized)
struct TwilioTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func channel(apiBase: String = "http://127.0.0.1:9", client: CurlHTTPClient = CurlHTTPClient()) -> TwilioChannel {
        TwilioChannel(settings: TwilioSettings(id: "twilio", accountSID: "AC123", authToken: "12345", from: "+15005550006",
                                               publicURL: "https://gw.example.com/webhooks/twilio", apiBase: apiBase),
                      client: client)
    }

    func post(_ form: [(String, String)], signature: String?) -> WebhookRequest {
        WebhookRequest(method: "POST", path: "/webhooks/twilio", query: "",
                       headers: signature.map { [(name: "X-Twilio-Signature", value: $0)] } ?? [],
                       body: Data(FormEncoding.encode(form).utf8))
    }

    @Test("Twilio's documented test vector")
    func documentedVector() {
        let parameters = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"),
                          ("From", "+14158675309"), ("To", "+18005551212")].map { (name: $0.0, value: $0.1) }
        #expect(TwilioSignature.compute(authToken: "12345", url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: parameters)
            == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(!TwilioSignature.isValid("RSOYDt4T1cUTdK1PDd93/VVr8B8X", authToken: "12345",
                                         url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: parameters))
    }

    @Test("signatures made by the official twilio Python package (pip-installed into .build/twilio-venv) match ours and pass the webhook")
    func officialPythonPackage() throws {
        let venv = RepositoryFiles.root.appendingPathComponent(".build/twilio-venv").path
        let python = venv + "/bin/python"
        if !FileManager.default.isExecutableFile(atPath: python) || (try? run(python, ["-c", "import twilio"])) == nil {
            try run("python3", ["-m", "venv", venv])
            try run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "twilio"])
        }
        let script = """
            import json, random
            from twilio.request_validator import RequestValidator
            random.seed(7)
            alphabet = "abcXYZ019 +&=%/?中文漏水😀é-_."
            cases = []
            for i in range(200):
                token = "".join(random.choice("0123456789abcdef") for _ in range(32))
                params = {"MessageSid": "SM%032d" % i, "From": "+86139%08d" % i, "To": "+15005550006"}
                for j in range(random.randint(0, 6)):
                    params["".join(random.choice(alphabet) for _ in range(random.randint(1, 8)))] = "".join(random.choice(alphabet) for _ in range(random.randint(0, 20)))
                params["Body"] = "".join(random.choice(alphabet) for _ in range(random.randint(1, 40)))
                url = random.choice(["https://gw.example.com/webhooks/twilio", "https://gw.example.com:8443/webhooks/twilio?x=1&y=%E4%B8%AD"])
                cases.append({"token": token, "url": url, "params": list(params.items()), "sig": RequestValidator(token).compute_signature(url, params)})
            print(json.dumps(cases))
            """
        let output = try run(python, ["-c", script])
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        #expect(cases.count == 200)
        for item in cases {
            let token = item["token"] as! String, url = item["url"] as! String, expected = item["sig"] as! String
            let parameters = (item["params"] as! [[String]]).map { (name: $0[0], value: $0[1]) }
            #expect(TwilioSignature.compute(authToken: token, url: url, parameters: parameters) == expected, "url \(url) params \(parameters)")
            // And through the webhook: the same call, form-encoded by us, passes; a tampered one does not.
            let parts = url.split(separator: "?", maxSplits: 1)
            let settings = TwilioSettings(id: "t", accountSID: "AC1", authToken: token, from: "+1", publicURL: String(parts[0]))
            let channel = TwilioChannel(settings: settings, client: sharedClient)
            var request = WebhookRequest(method: "POST", path: "/webhooks/t", query: parts.count > 1 ? String(parts[1]) : "",
                                         headers: [(name: "X-Twilio-Signature", value: expected)],
                                         body: Data(FormEncoding.encode(parameters.map { ($0.name, $0.value) }).utf8))
            let intake = try channel.parseWebhook(request, now: now)
            #expect(intake.messages.first?.text == parameters.first { $0.name == "Body" }?.value)
            request.body.append(contentsOf: Array("&Extra=1".utf8))
            #expect(throws: WebhookError.self) { try channel.parseWebhook(request, now: now) }
        }
    }

    @Test("webhook: missing or wrong signature → forbidden; a signed message is read and answered with empty TwiML")
    func webhook() throws {
        let channel = self.channel()
        let form = [("MessageSid", "SM1"), ("From", "+8613900000001"), ("To", "+15005550006"), ("Body", "厨房漏水"), ("NumMedia", "0")]
        let signature = TwilioSignature.compute(authToken: "12345", url: "https://gw.example.com/webhooks/twilio",
                                                parameters: form.map { (name: $0.0, value: $0.1) })
        let bads: [String?] = [nil, "", "AAAA", String(signature.dropLast()) + "A"]
        for bad in bads {
            do {
                _ = try channel.parseWebhook(post(form, signature: bad), now: now)
                Issue.record("accepted signature \(String(describing: bad))")
            } catch {
                #expect(error.code == .forbidden)
            }
        }
        let intake = try channel.parseWebhook(post(form, signature: signature), now: now)
        #expect(intake.messages.first?.providerID == "SM1" && intake.messages.first?.text == "厨房漏水")
        #expect(intake.responseBody.contains("<Response></Response>") && intake.responseContentType.hasPrefix("text/xml"))
        let media = [("MessageSid", "SM2"), ("From", "+1"), ("Body", ""), ("NumMedia", "1")]
        let mediaSignature = TwilioSignature.compute(authToken: "12345", url: "https://gw.example.com/webhooks/twilio",
                                                     parameters: media.map { (name: $0.0, value: $0.1) })
        #expect(try channel.parseWebhook(post(media, signature: mediaSignature), now: now).rejected.first?.reason
            == "NumMedia=1 but MediaUrl0 is not an http(s) URL")
        let photo = [("MessageSid", "MM3"), ("From", "+8613900000001"), ("Body", ""), ("NumMedia", "2"),
                     ("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages/MM3/Media/ME1"), ("MediaContentType0", "image/jpeg"),
                     ("MediaUrl1", "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages/MM3/Media/ME2"), ("MediaContentType1", "application/pdf")]
        let photoSignature = TwilioSignature.compute(authToken: "12345", url: "https://gw.example.com/webhooks/twilio",
                                                     parameters: photo.map { (name: $0.0, value: $0.1) })
        let photoIntake = try channel.parseWebhook(post(photo, signature: photoSignature), now: now)
        #expect(photoIntake.messages.first?.text == "" && photoIntake.messages.first?.media.map(\.contentType) == ["image/jpeg", "application/pdf"])
        #expect(photoIntake.messages.first?.media.first?.locator.hasSuffix("/Media/ME1") == true && photoIntake.rejected.isEmpty)
    }

    @Test("send: Messages.json with Basic auth and form fields; 429 retried after Retry-After, 5xx backed off, 400 final")
    func send() async throws {
        let fake = FakeProvider { _, index in
            switch index {
            case 0: FakeProvider.Reply(201, #"{"sid": "SM9", "status": "queued"}"#)
            case 1: FakeProvider.Reply(429, #"{"code": 20429, "message": "Too Many Requests"}"#, headers: ["Retry-After": "7"])
            case 2: FakeProvider.Reply(503, "")
            default: FakeProvider.Reply(400, #"{"code": 21211, "message": "Invalid 'To' Phone Number"}"#)
            }
        }
        try await fake.serve { base in
            let channel = self.channel(apiBase: base, client: sharedClient)
            let message = OutboundMessage(id: "row-1", channel: "twilio", to: "+8613900000001", text: "您好 T0001", nextAttemptAt: now, createdAt: now)
            try await channel.send(message)
            let call = try #require(fake.recorded.first)
            #expect(call.method == "POST" && call.path == "/2010-04-01/Accounts/AC123/Messages.json")
            #expect(call.headers["authorization"] == "Basic " + Data("AC123:12345".utf8).base64EncodedString())
            #expect(call.form == ["To": "+8613900000001", "Body": "您好 T0001", "From": "+15005550006"])
            for expected in [ChannelError.Retry.after(seconds: 7), .backoff, .never] {
                do {
                    try await channel.send(message)
                    Issue.record("send succeeded")
                } catch let error as ChannelError {
                    #expect(error.retry == expected)
                    #expect(!error.description.contains("+8613900000001") && !error.description.contains("12345"))
                }
            }
        }
        #expect(throws: ChannelError.self) {
            try channel().sendRequest(OutboundMessage(id: "x", channel: "twilio", to: "+1", text: String(repeating: "a", count: 1601),
                                                      nextAttemptAt: now, createdAt: now))
        }
    }
}

let sharedClient = CurlHTTPClient()

/// Runs a command to completion; returns its standard output, throws with its output when it fails.
@discardableResult
func run(_ command: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw KannelRigError(message: "\(command) \(arguments.prefix(3)) failed (\(process.terminationStatus)): \(String(decoding: errorData.suffix(2000), as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}
