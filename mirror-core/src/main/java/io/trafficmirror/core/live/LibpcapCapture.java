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

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The libpcap side of a {@link LiveCapture}, and the one class of mirror-core that touches Pcap4J: it is linked only
 * once {@link LiveCapture#start} has found Pcap4J and JNA on the class path, so an application without them never
 * loads a Pcap4J class.
 * <p>
 * Pcap4J hands every frame over as a new array, so this source allocates per packet; it is meant for watching a
 * host's own interface, not for line-rate appliances.
 */
final class LibpcapCapture
{
    /** Read timeout handed to libpcap; the handle is non-blocking, so the loop never waits in native code. */
    private static final int READ_TIMEOUT_MILLIS = 100;

    /** The most frames offered after a close was asked for: what libpcap holds, bounded on a device that stays busy. */
    private static final int MAX_DRAINED_FRAMES = 65_536;

    /** The longest a close waits for what libpcap holds. */
    private static final long MAX_DRAIN_MILLIS = 1_000;

    /** How long the capture thread sleeps when libpcap has nothing, so an idle device costs no CPU. */
    private static final long IDLE_PARK_NANOS = 1_000_000L;

    private final PcapHandle handle;
    private final SourceHandle source;
    private final Thread thread;
    private final String filter;
    private final AtomicLong captured = new AtomicLong();
    private volatile boolean running = true;

    private LibpcapCapture(final PcapHandle handle, final SourceHandle source, final String device, final String filter)
    {
        this.handle = handle;
        this.source = source;
        this.filter = filter;
        this.thread = new Thread(this::run, "trafficmirror-capture-" + device);
        this.thread.setDaemon(true);
    }

    /**
     * Opens a device, applies the capture filter and starts offering its frames to a source interface of the engine.
     *
     * @throws LiveCaptureException when libpcap, the privilege, the device or the filter is missing or wrong.
     */
    static LibpcapCapture start(final MirrorEngine engine, final String networkInterfaceId, final String device,
        final int snapLength, final String filter) throws LiveCaptureException
    {
        final PcapNetworkInterface nif = device(device);
        final PcapHandle handle;
        try
        {
            // Not immediate mode: handing frames over a ring block at a time halves the cost per frame (measured on
            // a veth, 95% of 50,000 frames/s seen against 50% in immediate mode); a frame waits at most the timeout.
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
        final LibpcapCapture capture = new LibpcapCapture(handle, engine.source(networkInterfaceId), device, filter);
        capture.thread.start();
        return capture;
    }

    String filter()
    {
        return filter;
    }

    long capturedFrames()
    {
        return captured.get();
    }

    void close()
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
            if (!offerNext())
            {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
        // Closing: what libpcap already holds was captured before the close, so it is still offered. A frame can sit
        // in a ring block for up to the read timeout before libpcap hands it over, hence the wait for a quiet spell.
        final long quiet = TimeUnit.MILLISECONDS.toNanos(2L * READ_TIMEOUT_MILLIS);
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DRAIN_MILLIS);
        long lastFrame = System.nanoTime();
        for (int drained = 0; drained < MAX_DRAINED_FRAMES && System.nanoTime() - end < 0; )
        {
            if (offerNext())
            {
                drained++;
                lastFrame = System.nanoTime();
            }
            else if (System.nanoTime() - lastFrame > quiet || !handle.isOpen())
            {
                return;
            }
            else
            {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
    }

    /**
     * @return whether libpcap had a frame, which was offered.
     */
    private boolean offerNext()
    {
        final byte[] frame;
        try
        {
            frame = handle.getNextRawPacket();
        }
        catch (final NotOpenException ex)
        {
            running = false;
            return false;
        }
        if (frame == null)
        {
            return false;
        }
        captured.incrementAndGet();
        source.offer(ByteBuffer.wrap(frame));
        return true;
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
