package dev.ferry.fault;

/**
 * The MongoDB server a scenario writes to: a host and port that a {@link dev.ferry.testing.FaultProxy} can
 * sit in front of, and the URI that the test itself uses to prepare and check the destination.
 */
record Target(String host, int port, String directUri) {

    static Target of(dev.ferry.testing.TestMongoServer server) {
        return new Target("127.0.0.1", server.port(), server.uri());
    }

    /** The URI of a proxy in front of this target; a direct connection, as a proxy hides the real host. */
    static String through(dev.ferry.testing.FaultProxy proxy) {
        return proxy.uri() + "/?directConnection=true";
    }
}
