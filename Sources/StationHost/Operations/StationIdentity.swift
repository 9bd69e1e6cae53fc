import Foundation

/// The identity values a module may read.
public struct StationIdentity: Sendable, Hashable {
    /// The module's name (from its manifest, or the file name for `station run`).
    public var moduleName: String
    /// The station's id (`STATION_ID`), empty when unset.
    public var stationID: String
    /// The owner's wallet address (`FIL_WALLET_ADDRESS`), empty when unset.
    public var walletAddress: String

    public init(moduleName: String, stationID: String = "", walletAddress: String = "") {
        self.moduleName = moduleName
        self.stationID = stationID
        self.walletAddress = walletAddress
    }

    /// Reads `STATION_ID` and `FIL_WALLET_ADDRESS` from `environment` (the brief's §7 variables).
    public static func fromEnvironment(moduleName: String, _ environment: [String: String] = ProcessInfo.processInfo.environment) -> StationIdentity {
        StationIdentity(
            moduleName: moduleName,
            stationID: environment["STATION_ID"] ?? "",
            walletAddress: environment["FIL_WALLET_ADDRESS"] ?? "")
    }
}
