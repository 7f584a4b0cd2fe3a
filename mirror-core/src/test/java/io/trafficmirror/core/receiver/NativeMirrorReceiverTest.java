package io.trafficmirror.core.receiver;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.core.transport.NativeTransport;
import org.junit.jupiter.api.BeforeEach;

/** Every receiver test again, on Netty's epoll transport ({@code recvmmsg}) where it loads. */
class NativeMirrorReceiverTest extends MirrorReceiverTest
{
    @BeforeEach
    void requireTheNativeTransport()
    {
        assumeTrue(NativeTransport.isAvailable(), "Netty's epoll transport is not available here: "
            + NativeTransport.unavailabilityReason());
    }

    @Override
    DatagramTransport transport()
    {
        return DatagramTransport.NATIVE;
    }
}
