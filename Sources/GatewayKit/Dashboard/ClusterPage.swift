enum ClusterPage {
    static let html = ##"""
        <!doctype html>
        <html lang="en"><body>cluster</body></html>
        """##
}
