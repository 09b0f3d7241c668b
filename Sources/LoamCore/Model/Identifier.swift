/// Identifiers of participants, fields, lots and shipments: 1–256 printable characters without
/// whitespace (DESIGN.md). GS1 Digital Link URIs and EPC URNs fit.
public enum Identifier {
  public static let maximumLength = 256

  public static func isValid(_ text: String) -> Bool {
    // Fast path: printable ASCII without spaces.
    var bytes = text
    let printableASCII = bytes.withUTF8 { utf8 in
      utf8.count <= maximumLength && !utf8.isEmpty && utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
    }
    if printableASCII { return true }
    let scalars = text.unicodeScalars
    guard !scalars.isEmpty, scalars.count <= maximumLength else { return false }
    return scalars.allSatisfy { scalar in
      !scalar.properties.isWhitespace && scalar.value >= 0x21 && scalar.value != 0x7F
        && !(0x80...0x9F).contains(scalar.value) && scalar.properties.generalCategory != .format
    }
  }
}
