import CPcap

/// The link-layer header types ringlog can read, by their libpcap `DLT_` value.
enum LinkType: Equatable {
    /// Ethernet II / 802.3 (DLT_EN10MB), with VLAN, QinQ, MPLS and PPPoE inside.
    case ethernet
    /// BSD loopback (DLT_NULL): a 4-byte address family in the capturing host's byte order.
    case null
    /// OpenBSD loopback (DLT_LOOP): a 4-byte address family in network byte order.
    case loop
    /// Raw IP, version taken from the first nibble (DLT_RAW, LINKTYPE_RAW).
    case rawIP
    /// Raw IPv4 (LINKTYPE_IPV4).
    case ipv4
    /// Raw IPv6 (LINKTYPE_IPV6).
    case ipv6
    /// Linux cooked capture v1 (DLT_LINUX_SLL), as `tcpdump -i any` writes.
    case linuxCooked
    /// Linux cooked capture v2 (DLT_LINUX_SLL2).
    case linuxCookedV2

    /// The link type for a libpcap `DLT_` value, or `nil` when ringlog cannot read it.
    init?(dataLinkType: Int32) {
        switch dataLinkType {
        case DLT_EN10MB: self = .ethernet
        case DLT_NULL: self = .null
        case DLT_LOOP: self = .loop
        case DLT_RAW, 101: self = .rawIP  // 101 is LINKTYPE_RAW, which some writers leave unmapped.
        case DLT_IPV4: self = .ipv4
        case DLT_IPV6: self = .ipv6
        case DLT_LINUX_SLL: self = .linuxCooked
        case DLT_LINUX_SLL2: self = .linuxCookedV2
        default: return nil
        }
    }
}
