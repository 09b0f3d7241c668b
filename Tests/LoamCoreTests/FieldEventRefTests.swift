import LoamCrypto
import Testing

@testable import LoamCore

/// Which of a field's indexed entries a trace or claim reads back for a harvest: the window's
/// bounds are inclusive, and harvests or a practice still running at the harvest never count.
@Suite struct FieldEventRefTests {
  let harvest = Timestamp("2026-09-14T00:00:00Z")!
  var earliest: Timestamp { harvest.adding(seconds: -3 * 366 * 86_400) }

  func bears(_ kind: StatementKind, _ from: Timestamp, _ until: Timestamp) -> Bool {
    FieldEventRef(seq: 1, kind: kind, from: from, until: until).bears(onHarvestAt: harvest, since: earliest)
  }

  @Test func theRegistrationAlwaysBears() {
    let long = Timestamp("2001-01-01T00:00:00Z")!
    #expect(bears(.field, long, long))
  }

  @Test func practicesBearWhenTheirPeriodEndedInTheWindow() {
    let day: Int64 = 86_400
    #expect(bears(.practice, harvest.adding(seconds: -90 * day), harvest))
    #expect(bears(.practice, earliest.adding(seconds: -day), earliest))
    #expect(!bears(.practice, harvest.adding(seconds: -day), harvest.adding(seconds: 1)))
    #expect(!bears(.practice, earliest.adding(seconds: -9 * day), earliest.adding(seconds: -1)))
  }

  @Test func measurementsBearWhenSampledInTheWindow() {
    #expect(bears(.measurement, harvest, harvest))
    #expect(bears(.measurement, earliest, earliest))
    #expect(!bears(.measurement, harvest.adding(seconds: 1), harvest.adding(seconds: 1)))
    #expect(!bears(.measurement, earliest.adding(seconds: -1), earliest.adding(seconds: -1)))
  }

  @Test func certificationsBearWhenValidOnTheHarvestDate() {
    #expect(bears(.certify, harvest, harvest))
    #expect(bears(.certify, earliest, harvest.adding(seconds: 86_400)))
    #expect(!bears(.certify, earliest, harvest.adding(seconds: -1)))
    #expect(!bears(.certify, harvest.adding(seconds: 1), harvest.adding(seconds: 86_400)))
  }

  @Test func otherHarvestsNeverBear() {
    #expect(!bears(.harvest, harvest, harvest))
    #expect(!bears(.harvest, harvest.adding(seconds: -366 * 86_400), harvest.adding(seconds: -366 * 86_400)))
  }
}
