package io.trafficmirror.core.transport;

/**
 * How the engine's senders and the receiver move datagrams.
 */
public enum DatagramTransport
{
    /**
     * Batched system calls when Netty's epoll transport is on the class path and loads on this machine, otherwise
     * the JDK's; which one was chosen, and why, is logged once.
     */
    AUTO,
    /**
     * The JDK's {@code DatagramChannel}: one system call per datagram, on every platform.
     */
    JDK,
    /**
     * Netty's epoll transport: a sender's runs of one length leave as segmentation-offload sends, a receiver reads through
     * {@code recvmmsg}. Linux only; asking for it where it cannot load is a configuration error.
     */
    NATIVE;

    /**
     * @return true when this choice means the native transport here, on this machine.
     * @throws IllegalStateException when {@link #NATIVE} was asked for and cannot load, naming why.
     */
    public boolean resolvesToNative()
    {
        switch (this)
        {
            case JDK:
                return false;
            case NATIVE:
                if (!NativeTransport.isAvailable())
                {
                    throw new IllegalStateException("transport NATIVE was asked for but is not available: " +
                        NativeTransport.unavailabilityReason() + "; use AUTO or JDK");
                }
                return true;
            default:
                return NativeTransport.isAvailable();
        }
    }
}
