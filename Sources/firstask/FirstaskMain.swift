import FirstaskApp

/// The `firstask` executable: everything lives in `FirstaskApp`, so tests run the same code.
@main
enum FirstaskMain {
    static func main() async {
        await FirstaskCommand.main()
    }
}
