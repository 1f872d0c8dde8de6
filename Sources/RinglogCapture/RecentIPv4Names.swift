/// The text form of the four IPv4 addresses met last: a capture's packets mostly go between the same few
/// hosts, so most packets need no address formatted.
///
/// Four slots in place (no array to index or keep unique); the oldest one is replaced first. Every slot holds
/// an address and its name from the start (`0.0.0.0`), so a lookup compares and returns without unwrapping an
/// optional string.
struct RecentIPv4Names {
    private var addresses: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var names: (String, String, String, String) = ("0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0")
    /// The slot to fill next.
    private var oldest = 0

    /// `IPAddress.v4(address).description`, formatted only when it is not among the recent ones.
    @inline(__always)
    mutating func name(of address: UInt32) -> String {
        if addresses.0 == address { return names.0 }
        if addresses.1 == address { return names.1 }
        if addresses.2 == address { return names.2 }
        if addresses.3 == address { return names.3 }
        return formatAndRemember(address)
    }

    /// Formats `address` and keeps it in place of the oldest one.
    @inline(never)
    private mutating func formatAndRemember(_ address: UInt32) -> String {
        let name = IPAddress.v4(address).description
        switch oldest {
        case 0: (addresses.0, names.0) = (address, name)
        case 1: (addresses.1, names.1) = (address, name)
        case 2: (addresses.2, names.2) = (address, name)
        default: (addresses.3, names.3) = (address, name)
        }
        oldest = (oldest + 1) % 4
        return name
    }
}
