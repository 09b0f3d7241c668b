/// A failure the CLI reports as one sentence, with its exit status.
struct CLIError: Error {
  var message: String
  var status: ExitStatus

  init(_ message: String, status: ExitStatus = .unusable) {
    self.message = message
    self.status = status
  }
}
