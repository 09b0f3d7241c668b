import ArgumentParser

/// `loam import …` and `loam export …`: events to and from other systems' formats.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import", abstract: "Import events that other systems wrote.", subcommands: [ImportEPCISCommand.self])
}

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export", abstract: "Export the ledger's events for other systems.",
    subcommands: [ExportEPCISCommand.self, ExportFSMA204Command.self])
}
