package io.trafficmirror.core.live;

import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.SourceHandle;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
 * Pcap4J hands every frame over as a new array, so this source allocates per packet; it is meant for watching a
 * host's own interface, not for line-rate appliances.
 */
public final class LiveCapture implements AutoCloseable
{
    /** Read timeout handed to libpcap; the handle is non-blocking, so the loop never waits in native code. */
    private static final int READ_TIMEOUT_MILLIS = 100;

    /** How long the capture thread sleeps when libpcap has nothing, so an idle device costs no CPU. */
    private static final long IDLE_PARK_NANOS = 1_000_000L;

    private final PcapHandle handle;
    private final SourceHandle source;
    private final Thread thread;
    private final String filter;
    private final AtomicLong captured = new AtomicLong();
    private volatile boolean running = true;

    private LiveCapture(final PcapHandle handle, final SourceHandle source, final String device, final String filter)
    {
        this.handle = handle;
        this.source = source;
        this.filter = filter;
        this.thread = new Thread(this::run, "trafficmirror-capture-" + device);
        this.thread.setDaemon(true);
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
     * @throws LiveCaptureException when libpcap, the privilege, the device or the filter is missing or wrong.
     */
    public static LiveCapture start(final MirrorEngine engine, final String networkInterfaceId, final String device,
        final int snapLength, final String extraFilter) throws LiveCaptureException
    {
        if (snapLength < 64 || snapLength > 262_144)
        {
            throw new IllegalArgumentException("snapLength " + snapLength + " is outside 64..262144");
        }
        final PcapNetworkInterface nif = device(device);
        final PcapHandle handle;
        try
        {
            handle = nif.openLive(snapLength, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, READ_TIMEOUT_MILLIS);
        }
        catch (final PcapNativeException ex)
        {
            throw privilegeOr("cannot open " + device, ex);
        }
        if (handle.getDlt() != DataLinkType.EN10MB)
        {
            handle.close();
            throw new LiveCaptureException(device + " is not an Ethernet device (link type " + handle.getDlt() +
                "); only Ethernet frames can be mirrored", null);
        }
        final String filter = exclusionFilter(engine, extraFilter);
        try
        {
            handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            // Non-blocking: a blocking read on a quiet device may never return (libpcap's timeout does not fire
            // without traffic on Linux), and Pcap4J's close waits for a read in progress.
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            handle.close();
            throw new LiveCaptureException("bad capture filter \"" + filter + "\": " + ex.getMessage(), ex);
        }
        final LiveCapture capture = new LiveCapture(handle, engine.source(networkInterfaceId), device, filter);
        capture.thread.start();
        return capture;
    }

    /**
     * @return the BPF filter in force, which leaves out the engine's own output.
     */
    public String filter()
    {
        return filter;
    }

    /**
     * @return frames captured and offered so far.
     */
    public long capturedFrames()
    {
        return captured.get();
    }

    /**
     * Stops capturing; returns once the capture thread has ended (within a few milliseconds).
     */
    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        handle.close();
    }

    private void run()
    {
        while (running)
        {
            final byte[] frame;
            try
            {
                frame = handle.getNextRawPacket();
            }
            catch (final NotOpenException ex)
            {
                return;
            }
            if (frame != null)
            {
                captured.incrementAndGet();
                source.offer(ByteBuffer.wrap(frame));
            }
            else
            {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
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

    private static PcapNetworkInterface device(final String device) throws LiveCaptureException
    {
        final PcapNetworkInterface nif;
        try
        {
            nif = Pcaps.getDevByName(device);
        }
        catch (final UnsatisfiedLinkError | NoClassDefFoundError ex)
        {
            throw new LiveCaptureException("libpcap is not installed (install libpcap0.8, or libpcap on your system)", ex);
        }
        catch (final PcapNativeException ex)
        {
            throw privilegeOr("cannot list capture devices", ex);
        }
        if (nif == null)
        {
            throw new LiveCaptureException("no capture device named " + device + available(), null);
        }
        return nif;
    }

    private static String available()
    {
        try
        {
            final List<PcapNetworkInterface> all = Pcaps.findAllDevs();
            final StringJoiner names = new StringJoiner(", ", " (devices: ", ")");
            all.forEach(nif -> names.add(nif.getName()));
            return all.isEmpty() ? "" : names.toString();
        }
        catch (final PcapNativeException | RuntimeException ex)
        {
            return "";
        }
    }

    private static LiveCaptureException privilegeOr(final String what, final PcapNativeException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        final String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("permission") || lower.contains("not permitted"))
        {
            return new LiveCaptureException(what + ": no capture privilege (run as root, or grant CAP_NET_RAW and " +
                "CAP_NET_ADMIN to java)", ex);
        }
        return new LiveCaptureException(what + ": " + message.replace('\n', ' '), ex);
    }
}
