import Foundation
@main
struct GatewayMain {
    static func main() { print("gateway: not yet wired") }
}
