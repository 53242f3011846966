/// Payment channel, spelled as on the gateway's wire.
enum Channel: String, CaseIterable, Sendable {
    case cardPresent = "card_present"
    case cardNotPresent = "card_not_present"
    case pix
    case transfer
    case atm
    case other
}
