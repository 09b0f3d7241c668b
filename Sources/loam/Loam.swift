import ArgumentParser

struct Loam: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "loam",
    abstract: "A verifiable provenance ledger for regenerative supply chains.",
    discussion: """
      Growers, certifiers, processors and brands sign statements; Loam keeps them in an append-only, hash-chained log that anyone can verify.

      Exit status: 0 success, 1 verification found problems, 2 usage error or unusable input. Errors are one sentence on stderr.
      """,
    version: "0.1.0",
    subcommands: [
      DemoCommand.self, KeyCommand.self, InitCommand.self, EnrollCommand.self, KeysCommand.self, SignCommand.self,
      SubmitCommand.self,
      AppendCommand.self,
      VerifyCommand.self, TraceCommand.self, ClaimCommand.self, ProofCommand.self, ProveCommand.self, VerifyBundleCommand.self,
      WitnessCommand.self, LogCommand.self,
      ShowCommand.self,
      CheckpointCommand.self,
      ReindexCommand.self,
      ImportCommand.self, ExportCommand.self,
    ]
  )
}

/// DESIGN.md's exit codes.
enum ExitStatus: Int32 {
  case success = 0
  case findings = 1
  case unusable = 2
}
