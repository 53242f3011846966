/// A merchant: an acceptor in one country, of one category.
struct Merchant: Sendable {
    let id: String
    /// Index into `MerchantCategory.all`.
    let category: Int
    /// Index into `Country.all`.
    let country: Int
}
