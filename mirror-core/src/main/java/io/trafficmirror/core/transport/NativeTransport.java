package io.trafficmirror.core.transport;

/**
 * Whether Netty's epoll transport, an optional dependency, can be used here: its classes are on the class path
 * and its native library loads on this machine (Linux, x86-64). Found once, by name, so that nothing in the library
 * links against Netty unless it is present.
 */
public final class NativeTransport
{
    /** The artifact an application adds for batched datagram I/O. */
    public static final String ARTIFACT = "io.netty:netty-transport-native-epoll (classifier linux-x86_64)";

    private static final String REASON = probe();

    private NativeTransport()
    {
    }

    /**
     * @return true when batched datagram I/O is available.
     */
    public static boolean isAvailable()
    {
        return REASON == null;
    }

    /**
     * @return why batched datagram I/O is not available, or null when it is.
     */
    public static String unavailabilityReason()
    {
        return REASON;
    }

    /**
     * @return a one-line description of the transport {@code choice} resolves to here, for a start-up log line.
     */
    public static String describe(final DatagramTransport choice)
    {
        if (choice == DatagramTransport.JDK)
        {
            return "JDK DatagramChannel (one datagram per call), as configured";
        }
        if (isAvailable())
        {
            return "Netty epoll (segmentation-offload sends, recvmmsg receives)";
        }
        return "JDK DatagramChannel (one datagram per call): " + REASON;
    }

    private static String probe()
    {
        final Class<?> epoll;
        try
        {
            epoll = Class.forName("io.netty.channel.epoll.Epoll", true, NativeTransport.class.getClassLoader());
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return ARTIFACT + " is not on the class path";
        }
        try
        {
            if ((Boolean)epoll.getMethod("isAvailable").invoke(null))
            {
                return null;
            }
            final Object cause = epoll.getMethod("unavailabilityCause").invoke(null);
            return "Netty's epoll transport does not load here: " + cause;
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return "Netty's epoll transport does not load here: " + ex;
        }
    }
}
