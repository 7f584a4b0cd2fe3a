package io.trafficmirror.core.live;

import io.trafficmirror.core.engine.MirrorEngine;

import java.net.InetSocketAddress;
import java.util.StringJoiner;

/**
 * Mirrors a real network interface's traffic through the engine: libpcap (through Pcap4J) captures the device's
 * frames and a capture thread offers each to the engine's handle for one configured source interface, whose
 * addresses decide the direction.
 * <p>
 * The engine's own VXLAN output is left out by the capture filter (UDP from the engine's sending ports, or to its
 * targets' endpoints), and the engine refuses it again by itself, so mirroring never feeds back on itself.
 * Capturing needs libpcap and the privilege to capture (root, or CAP_NET_RAW and CAP_NET_ADMIN); without either,
 * {@link #start} fails with a {@link LiveCaptureException} of one line saying what is missing.
 * <p>
 * Pcap4J is an optional dependency of mirror-core, so that an application embedding the engine or the receiver does
 * not get native-capture libraries. An application that captures adds {@value #PCAP4J_DEPENDENCY} itself; without it
 * {@link #start} fails with a {@link LiveCaptureException} naming that dependency. This class refers to no Pcap4J type:
 * only the package-private class behind it does, and it is loaded once Pcap4J and JNA are known to be there.
 * <p>
 * Pcap4J hands every frame over as a new array, so this source allocates per packet; it is meant for watching a
 * host's own interface, not for line-rate appliances.
 */
public final class LiveCapture implements AutoCloseable
{
    /** The dependency that brings live capture, at the version mirror-core is built and tested with. */
    public static final String PCAP4J_DEPENDENCY = "org.pcap4j:pcap4j-core:1.8.2";

    /** Pcap4J's native binding, which {@value #PCAP4J_DEPENDENCY} brings with it; named when only it is missing. */
    public static final String JNA_DEPENDENCY = "net.java.dev.jna:jna:5.14.0";

    private final LibpcapCapture capture;

    private LiveCapture(final LibpcapCapture capture)
    {
        this.capture = capture;
    }

    /**
     * Opens a device and starts offering its frames to a source interface of the engine.
     *
     * @param engine             a started engine.
     * @param networkInterfaceId the configured source interface the device stands for.
     * @param device             the capture device, e.g. {@code eth0}.
     * @param snapLength         bytes captured per frame, 64..262144; 9216 covers jumbo frames.
     * @param extraFilter        a BPF expression narrowing the capture further, or {@code null}.
     * @return the running capture.
     * @throws LiveCaptureException when Pcap4J, libpcap, the privilege, the device or the filter is missing or wrong.
     */
    public static LiveCapture start(final MirrorEngine engine, final String networkInterfaceId, final String device,
        final int snapLength, final String extraFilter) throws LiveCaptureException
    {
        if (snapLength < 64 || snapLength > 262_144)
        {
            throw new IllegalArgumentException("snapLength " + snapLength + " is outside 64..262144");
        }
        requireClass("org.pcap4j.core.Pcaps", "Pcap4J", PCAP4J_DEPENDENCY);
        requireClass("com.sun.jna.Native", "JNA (Pcap4J's native binding)", JNA_DEPENDENCY);
        final String filter = exclusionFilter(engine, extraFilter);
        return new LiveCapture(LibpcapCapture.start(engine, networkInterfaceId, device, snapLength, filter));
    }

    /**
     * @return the BPF filter in force, which leaves out the engine's own output.
     */
    public String filter()
    {
        return capture.filter();
    }

    /**
     * @return frames captured and offered so far.
     */
    public long capturedFrames()
    {
        return capture.capturedFrames();
    }

    /**
     * Stops capturing; returns once the capture thread has ended. Frames libpcap captured before the call but had not
     * yet handed over are still offered first, which takes up to a few hundred milliseconds (at most one second).
     */
    @Override
    public void close()
    {
        capture.close();
    }

    /**
     * A filter that keeps everything but UDP from the engine's sending ports or to its targets' endpoints.
     */
    static String exclusionFilter(final MirrorEngine engine, final String extraFilter)
    {
        final StringJoiner own = new StringJoiner(" or ");
        for (final int port : engine.localPorts())
        {
            own.add("src port " + port);
        }
        for (final InetSocketAddress endpoint : engine.targetEndpoints())
        {
            own.add("(dst host " + endpoint.getAddress().getHostAddress() + " and dst port " + endpoint.getPort() + ")");
        }
        final String exclusion = own.length() == 0 ? "" : "not (udp and (" + own + "))";
        if (extraFilter == null || extraFilter.isBlank())
        {
            return exclusion;
        }
        return exclusion.isEmpty() ? extraFilter : "(" + extraFilter + ") and " + exclusion;
    }

    /**
     * Looks a class up without initializing it, in the loader that would link it for {@link LibpcapCapture}.
     */
    private static void requireClass(final String className, final String library, final String dependency)
        throws LiveCaptureException
    {
        try
        {
            Class.forName(className, false, LiveCapture.class.getClassLoader());
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new LiveCaptureException("live capture needs " + library + ", which is not on the class path: add " +
                dependency, ex);
        }
    }
}
