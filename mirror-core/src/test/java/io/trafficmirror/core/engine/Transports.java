package io.trafficmirror.core.engine;

import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.core.transport.NativeTransport;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The transports UDP tests run over: the JDK's always, Netty's epoll where it loads (and a visible skip where the
 * build runs without it).
 */
final class Transports
{
    private Transports()
    {
    }

    /**
     * @return both transports, for a parameterized test.
     */
    static Stream<DatagramTransport> both()
    {
        return Stream.of(DatagramTransport.JDK, DatagramTransport.NATIVE);
    }

    /**
     * Skips a test of the native transport where it cannot load.
     */
    static void assumeAvailable(final DatagramTransport transport)
    {
        assumeTrue(transport != DatagramTransport.NATIVE || NativeTransport.isAvailable(),
            () -> "the native transport is not available here: " + NativeTransport.unavailabilityReason());
    }
}
