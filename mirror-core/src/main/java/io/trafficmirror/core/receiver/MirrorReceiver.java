package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.TimestampResolution;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.core.transport.NativeTransport;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.vxlan.GeneveHeaderDecoder;
import io.trafficmirror.vxlan.OuterHeadersEncoder;
import io.trafficmirror.vxlan.ResultCode;
import io.trafficmirror.vxlan.VxlanFrameDecoder;
import io.trafficmirror.vxlan.VxlanHeaderDecoder;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The target side of traffic mirroring: binds a UDP port, takes VXLAN (or GENEVE) datagrams, checks them against
 * the sender and VNI allowlists, and hands each inner frame to a {@link FrameHandler} or writes it to pcap files
 * (one, or one per VNI, optionally rotated by size and by time) or to a pcap stream (standard output piped to an
 * analyzer). Given the sessions of a configuration ({@link Builder#sessions}), it names per-VNI files after the
 * session that owns the VNI and drops, counted, the frames of VNIs no session owns.
 *
 * <pre>
 * try (MirrorReceiver receiver = MirrorReceiver.builder()
 *         .bind(new InetSocketAddress("0.0.0.0", 4789))
 *         .allowSenders(List.of(Cidr.parse("10.0.0.0/16")))
 *         .pcapPerVni(Path.of("captures"), 100_000_000)
 *         .maxFrames(1_000_000).maxDuration(Duration.ofMinutes(10))
 *         .open())
 * {
 *     StopReason why = receiver.run();      // or receiver.start() for a thread of its own
 * }
 * </pre>
 *
 * <p>Receive path: one direct buffer of {@value #RECEIVE_BUFFER_BYTES} bytes, the largest UDP payload there is,
 * so no datagram is ever cut (a 9001-byte jumbo mirror packet carries at most 8951 bytes of UDP payload), and one
 * decoder, both made up front. The socket is non-blocking: the loop drains it, and waits only when it is empty,
 * which is also where it notices {@link #stop()} and the duration limit. It is read through the JDK's channel, one
 * datagram per system call, or, with Netty's epoll transport on the class path, through {@code recvmmsg}, a batch
 * per call ({@link Builder#transport}). The socket asks for a large receive buffer
 * ({@value #DEFAULT_SOCKET_RECEIVE_BUFFER_BYTES} bytes unless told otherwise) to ride out bursts; what the kernel
 * granted is {@link #socketReceiveBufferGranted()}, and a warning is logged once when that is less.
 *
 * <p>Capture files are written by a writer thread of their own, never by the receiving thread: accepted frames
 * are copied into a bounded queue ({@value #DEFAULT_WRITE_QUEUE_BYTES} bytes unless told otherwise) that the writer
 * empties into the files' buffers, which go to disk in large chunks. When the writer falls so far behind that a
 * frame does not fit, the frame is dropped and counted ({@link ReceiverCounters#droppedWriterBehind()}); the
 * receiving thread does not wait. When the loop ends, everything queued is written and flushed before
 * {@link #run()} returns or the loop's thread ends. Files are flushed when records have waited
 * {@value #FLUSH_INTERVAL_MILLIS} ms, busy or idle, so a reader of the files is at most that far behind, without a
 * write per datagram. Bad datagrams are counted, never thrown; in the steady state (one sender, known VNIs) a
 * datagram allocates nothing on the JDK transport (Netty's allocates a packet and a sender address per datagram).
 *
 * <p>A capture file is created with its header by {@link Builder#open()}, which fails there when it cannot be
 * written. Per-VNI files open at once are capped ({@link #maxOpenVniFiles()}), the least recently written closed and
 * later reopened for append. A file that cannot be opened drops its frame ({@link ReceiverCounters#droppedFileOpen()})
 * and the receiver goes on; a write that fails (a full disk) leaves the file with whole records only, counts what it
 * lost ({@link ReceiverCounters#droppedWriteFailed()}) and stops the loop with {@link StopReason#FAILED}.
 *
 * <p>Timestamps are the wall clock read once when the loop starts plus the monotonic time elapsed since, so
 * they never go backwards and cost no allocation; over a long run they may drift from a clock that is being
 * corrected by as much as that correction.
 *
 * <p>Threads: the loop runs on one thread, its own ({@link #start()}) or the caller's ({@link #run()}); it alone
 * touches the socket, the buffer and the decoder, and calls the handler; the writer thread alone touches the files.
 * {@link #stop()}, {@link #close()}, {@link #counters()} and
 * {@link #failure()} may be called from any thread. Interrupting the loop's thread stops it too (and closes the
 * socket, as for any interruptible channel).
 */
public final class MirrorReceiver implements Closeable
{
    /** The IANA VXLAN port, where mirror sessions send. */
    public static final int VXLAN_PORT = OuterHeadersEncoder.VXLAN_PORT;
    /** The IANA GENEVE port, where Gateway Load Balancer endpoints send. */
    public static final int GENEVE_PORT = GeneveHeaderDecoder.GENEVE_PORT;
    /** Receive buffer size: a UDP payload cannot be longer (16-bit length field), so nothing is ever cut. */
    public static final int RECEIVE_BUFFER_BYTES = 65_535;
    /** Longest time {@link #close()} waits for the loop to end before closing the socket under it. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** How far behind capture files may be: records are flushed once they have waited this long. */
    public static final long FLUSH_INTERVAL_MILLIS = 100;
    /** Default limit on per-VNI capture files open at once, where the process's open-file limit leaves room. */
    public static final int DEFAULT_MAX_VNI_FILES = 1024;
    /** The most per-VNI capture files that may be open at once (each holds a 64 KiB buffer). */
    public static final int MAX_VNI_FILES = 16_384;
    /** Default limit on the number of VNIs given files of their own. */
    public static final int DEFAULT_MAX_VNIS = 65_536;
    /** SO_RCVBUF asked for unless told otherwise: at 1 Gbit/s, about 70 ms of traffic the loop may fall behind. */
    public static final int DEFAULT_SOCKET_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
    /** Bytes of frames queued for the capture file writer unless told otherwise. */
    public static final int DEFAULT_WRITE_QUEUE_BYTES = 8 * 1024 * 1024;
    /** The longest rotation period: a leap year. */
    public static final Duration MAX_ROTATION_PERIOD = Duration.ofDays(366);
    /** The smallest write queue: room for two of the largest frames. */
    public static final int MIN_WRITE_QUEUE_BYTES = QueuedSink.MIN_CAPACITY;

    private static final System.Logger LOGGER = System.getLogger("io.trafficmirror.core.receiver");
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long FLUSH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(FLUSH_INTERVAL_MILLIS);

    private final DatagramPort port;
    private final DatagramTransport transport;
    private final int socketReceiveBufferAsked;
    private final int socketReceiveBufferGranted;
    private final InetSocketAddress localAddress;
    private final Encapsulation encapsulation;
    private final SenderAllowlist senders;
    private final int[] allowedVnis;
    /** Sorted VNIs of the configuration's sessions, or null to take every VNI. */
    private final int[] sessionVnis;
    private final FrameSink sink;
    private final boolean handlerSink;
    private final int maxOpenVniFiles;
    private final long maxFrames;
    private final long maxDurationNanos;

    private final ByteBuffer receiveBuffer;
    private final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
    private final LiveCounters counters;
    private final DatagramPort.Visitor visitor = this::onDatagram;

    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CountDownLatch loopEnded = new CountDownLatch(1);
    private final Object lifecycle = new Object();
    private volatile boolean stopRequested;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile StopReason stopReason;
    private volatile Thread thread;
    /** Guarded by {@code lifecycle}. */
    private boolean loopRunning;
    /** Guarded by {@code lifecycle}. */
    private boolean sinkClosed;

    /** Loop-thread state. */
    private long epochAnchorNanos;
    private long monotonicAnchorNanos;
    private long lastFlushNanos;
    private boolean unflushed;

    private MirrorReceiver(final Builder builder, final DatagramPort port, final DatagramTransport transport,
        final ByteBuffer receiveBuffer, final FrameSink sink, final LiveCounters counters, final int maxOpenVniFiles)
        throws IOException
    {
        this.port = port;
        this.transport = transport;
        this.receiveBuffer = receiveBuffer;
        this.socketReceiveBufferAsked = builder.socketReceiveBufferBytes;
        this.socketReceiveBufferGranted = port.grantedReceiveBufferBytes();
        this.localAddress = port.localAddress();
        this.encapsulation = builder.encapsulation != null ? builder.encapsulation
            : builder.bindAddress.getPort() == GENEVE_PORT ? Encapsulation.GENEVE : Encapsulation.VXLAN;
        this.senders = new SenderAllowlist(builder.allowedSenders);
        this.allowedVnis = builder.allowedVnis;
        this.sessionVnis = builder.sessionVnis();
        this.sink = sink;
        this.handlerSink = sink instanceof CallbackSink;
        this.counters = counters;
        this.maxOpenVniFiles = maxOpenVniFiles;
        this.maxFrames = builder.maxFrames;
        this.maxDurationNanos = builder.maxDuration == null ? Long.MAX_VALUE : builder.maxDuration.toNanos();
    }

    /**
     * Starts configuring a receiver.
     *
     * @return a builder bound to 0.0.0.0:4789 with no allowlists and no limits.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Where the socket is bound: with port 0, the port the system chose.
     *
     * @return the local address.
     */
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /**
     * How the socket is read, as chosen when it was opened.
     *
     * @return {@link DatagramTransport#JDK} or {@link DatagramTransport#NATIVE}, never AUTO.
     */
    public DatagramTransport transport()
    {
        return transport;
    }

    /**
     * The socket receive buffer (SO_RCVBUF) that was asked for.
     *
     * @return bytes, or 0 for the system's default.
     */
    public int socketReceiveBufferAsked()
    {
        return socketReceiveBufferAsked;
    }

    /**
     * The socket receive buffer the kernel granted, comparable with {@link #socketReceiveBufferAsked()} (on Linux,
     * half of what {@code getsockopt} reports, which counts the kernel's bookkeeping too, as the JDK reports it).
     * Linux grants at most
     * {@code net.core.rmem_max}: raise it with {@code sysctl -w net.core.rmem_max=BYTES}.
     *
     * @return bytes.
     */
    public int socketReceiveBufferGranted()
    {
        return socketReceiveBufferGranted;
    }

    /**
     * When the kernel granted less socket receive buffer than was asked for: says so, and how to raise the limit.
     *
     * @return one line, or empty when the buffer is what was asked for (or the system default was asked for).
     */
    public Optional<String> socketReceiveBufferWarning()
    {
        if (socketReceiveBufferAsked == 0 || socketReceiveBufferGranted >= socketReceiveBufferAsked)
        {
            return Optional.empty();
        }
        return Optional.of("receiver on port " + localAddress.getPort() + ": asked for a socket receive buffer of "
            + socketReceiveBufferAsked + " bytes, the kernel granted " + socketReceiveBufferGranted
            + (LINUX ? "; net.core.rmem_max caps it: raise it with sysctl -w net.core.rmem_max="
            + socketReceiveBufferAsked : ""));
    }

    /**
     * How many per-VNI capture files may be open at once: what {@link Builder#maxVniFiles} asked for (or
     * {@value #DEFAULT_MAX_VNI_FILES}), and no more than the process's open-file limit leaves room for beyond the
     * descriptors it holds and a margin. Past it, the least recently written file is closed and reopened for
     * append when its VNI comes back.
     *
     * @return the cap, or 0 when the receiver does not write per-VNI files.
     */
    public int maxOpenVniFiles()
    {
        return maxOpenVniFiles;
    }

    /**
     * What the datagrams are decoded as.
     *
     * @return VXLAN or GENEVE.
     */
    public Encapsulation encapsulation()
    {
        return encapsulation;
    }

    /**
     * Runs the loop on a new daemon thread named after the port.
     *
     * @throws IllegalStateException if the loop already ran or runs, or the receiver is closed.
     */
    public void start()
    {
        claim();
        final Thread loop = new Thread(() ->
        {
            try
            {
                loop();
            }
            catch (final IOException | RuntimeException e)
            {
                // Kept in failure(); nothing else to hand it to on this thread.
            }
        }, "mirror-receiver-" + localAddress.getPort());
        loop.setDaemon(true);
        thread = loop;
        loop.start();
    }

    /**
     * Runs the loop on the calling thread until {@link #stop()}, a limit, or a failure.
     *
     * @return why it ended.
     * @throws IOException if a capture file could not be written (also in {@link #failure()}); a pcap stream whose
     *     reader went away is not thrown but returned as {@link StopReason#OUTPUT_CLOSED}.
     * @throws IllegalStateException if the loop already ran or runs, or the receiver is closed.
     */
    public StopReason run() throws IOException
    {
        claim();
        thread = Thread.currentThread();
        return loop();
    }

    /** Asks the loop to end; returns at once. The loop notices within one datagram or one idle wait. */
    public void stop()
    {
        stopRequested = true;
        port.wakeup();
    }

    /**
     * Waits for the loop to end.
     *
     * @param timeout the longest wait.
     * @return true if the loop has ended (or never ran).
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    public boolean awaitStop(final Duration timeout) throws InterruptedException
    {
        if (!claimed.get())
        {
            return true;
        }
        return loopEnded.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Why the loop ended.
     *
     * @return the reason, or empty while it runs or if it never ran.
     */
    public Optional<StopReason> stopReason()
    {
        return Optional.ofNullable(stopReason);
    }

    /**
     * What ended the loop with {@link StopReason#FAILED}: an exception from the handler or from writing a file; or,
     * with {@link StopReason#OUTPUT_CLOSED}, why the pcap stream could not be written.
     *
     * @return the exception, or empty.
     */
    public Optional<Throwable> failure()
    {
        return Optional.ofNullable(failure);
    }

    /**
     * What has been counted so far; cheap, from any thread. The loop is the only writer of each counter and
     * publishes it with opaque stores; this reads them with opaque loads: each value is whole and recent, the
     * values are not taken at one instant while the loop runs, and agree once it has ended.
     *
     * @return a snapshot.
     */
    public ReceiverCounters counters()
    {
        return counters.snapshot();
    }

    /**
     * Stops the loop, waits for it at most {@link #CLOSE_TIMEOUT}, then closes the socket and the capture files.
     * If the loop is stuck in a handler past the timeout, the socket is closed under it and the loop closes the
     * files when it returns. Later calls do nothing.
     *
     * @throws IOException if a capture file could not be flushed or closed.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        stop();
        boolean ended = true;
        if (claimed.get() && thread != Thread.currentThread())
        {
            try
            {
                ended = loopEnded.await(CLOSE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                ended = false;
            }
        }
        IOException problem = null;
        try
        {
            port.close();
        }
        catch (final IOException e)
        {
            problem = e;
        }
        synchronized (lifecycle)
        {
            if (ended && !loopRunning)
            {
                problem = closeSink(problem);
            }
        }
        if (problem != null)
        {
            throw problem;
        }
    }

    private void claim()
    {
        if (closed)
        {
            throw new IllegalStateException("receiver on " + localAddress + " is closed");
        }
        if (!claimed.compareAndSet(false, true))
        {
            throw new IllegalStateException("receiver on " + localAddress + " already runs or ran");
        }
        synchronized (lifecycle)
        {
            loopRunning = true;
        }
    }

    private StopReason loop() throws IOException
    {
        StopReason reason = StopReason.STOPPED;
        boolean interrupted = false;
        try
        {
            port.attach();
            reason = receiveUntilDone();
            // Capture files are interruptible channels too: the last records must not be lost to an interrupt.
            interrupted = Thread.interrupted();
            sink.drain();
            return reason;
        }
        catch (final StreamClosedException e)
        {
            // The stream's reader went away: the end of this receiver's output, reported as a reason, not thrown.
            reason = StopReason.OUTPUT_CLOSED;
            failure = e;
            drainAfter(e);
            return reason;
        }
        catch (final ClosedChannelException | ClosedSelectorException e)
        {
            // close() from another thread, or an interrupt, which closes an interruptible channel: both mean stop.
            if (closed || e instanceof ClosedByInterruptException)
            {
                interrupted = Thread.interrupted();
                sink.drain();
                return reason;
            }
            reason = StopReason.FAILED;
            failure = e;
            drainAfter(e);
            throw e;
        }
        catch (final IOException | RuntimeException e)
        {
            reason = StopReason.FAILED;
            failure = e;
            drainAfter(e);
            throw e;
        }
        finally
        {
            stopReason = reason;
            detachPort();
            synchronized (lifecycle)
            {
                loopRunning = false;
                if (closed)
                {
                    final IOException problem = closeSink(null);
                    if (problem != null && failure == null)
                    {
                        failure = problem;
                    }
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
            loopEnded.countDown();
        }
    }

    /** After a failure: what is queued still goes out (or is counted as lost), so that the counts are final. */
    private void drainAfter(final Exception failure)
    {
        try
        {
            sink.drain();
        }
        catch (final IOException | RuntimeException e)
        {
            if (e != failure)
            {
                failure.addSuppressed(e);
            }
        }
    }

    private StopReason receiveUntilDone() throws IOException
    {
        final Instant now = Instant.now();
        monotonicAnchorNanos = System.nanoTime();
        epochAnchorNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        lastFlushNanos = monotonicAnchorNanos;
        final long deadline = maxDurationNanos == Long.MAX_VALUE ? Long.MAX_VALUE : monotonicAnchorNanos + maxDurationNanos;
        while (true)
        {
            if (maxFrames > 0 && counters.accepted.getPlain() >= maxFrames)
            {
                return StopReason.FRAME_LIMIT;
            }
            if (stopRequested || Thread.currentThread().isInterrupted())
            {
                return StopReason.STOPPED;
            }
            final long nanos = System.nanoTime();
            if (nanos - deadline >= 0 && deadline != Long.MAX_VALUE)
            {
                return StopReason.DURATION;
            }
            // Idle or not: the writer's failure, if any, comes to the loop through a flush.
            if (nanos - lastFlushNanos >= FLUSH_INTERVAL_NANOS)
            {
                flushSink(nanos);
            }
            port.receive(visitor, waitMillis(nanos, deadline));
        }
    }

    /** How long the port may wait when the socket is empty: until a flush is due, the deadline, or a while. */
    private long waitMillis(final long nanos, final long deadline)
    {
        long waitNanos = IDLE_WAIT_NANOS;
        if (unflushed)
        {
            waitNanos = Math.min(waitNanos, lastFlushNanos + FLUSH_INTERVAL_NANOS - nanos);
        }
        if (deadline != Long.MAX_VALUE)
        {
            waitNanos = Math.min(waitNanos, deadline - nanos);
        }
        // A zero wait could mean forever: at least a millisecond, rounded up so that deadlines are not missed.
        return Math.max(1, (waitNanos + 999_999) / 1_000_000);
    }

    /** One datagram, in the receive buffer from 0 to {@code length}; says whether to take more now. */
    private boolean onDatagram(final InetSocketAddress sender, final int length) throws IOException
    {
        final long nanos = System.nanoTime();
        LiveCounters.increment(counters.received);
        if (!senders.allows(sender))
        {
            LiveCounters.increment(counters.droppedSender);
            return !stopRequested;
        }
        final int result = encapsulation == Encapsulation.VXLAN
            ? decoder.decodeVxlanPayload(receiveBuffer, 0, length)
            : decoder.decodeGenevePayload(receiveBuffer, 0, length);
        if (result != ResultCode.OK)
        {
            LiveCounters.increment(counters.malformed);
            return !stopRequested;
        }
        if (decoder.innerProtocol() != GeneveHeaderDecoder.PROTOCOL_ETHERNET)
        {
            LiveCounters.increment(counters.droppedNotEthernet);
            return !stopRequested;
        }
        final int vni = decoder.vni();
        if (allowedVnis.length > 0 && Arrays.binarySearch(allowedVnis, vni) < 0)
        {
            LiveCounters.increment(counters.droppedVni);
            return !stopRequested;
        }
        if (sessionVnis != null && Arrays.binarySearch(sessionVnis, vni) < 0)
        {
            LiveCounters.increment(counters.droppedNoSession);
            return !stopRequested;
        }
        final int innerLength = decoder.innerLength();
        final long epochNanos = epochAnchorNanos + (nanos - monotonicAnchorNanos);
        final int outcome;
        try
        {
            outcome = sink.accept(vni, sender, epochNanos, receiveBuffer, decoder.innerOffset(), innerLength);
        }
        catch (final RuntimeException e)
        {
            if (handlerSink)
            {
                // Taken and lost: counted so before the loop stops on the handler's exception.
                LiveCounters.increment(counters.accepted);
                LiveCounters.add(counters.acceptedBytes, innerLength);
                counters.writeFailed(1, innerLength);
            }
            throw e;
        }
        if (outcome != FrameSink.ACCEPTED)
        {
            LiveCounters.increment(outcome == FrameSink.QUEUE_FULL ? counters.droppedWriterBehind : counters.droppedVni);
            return !stopRequested;
        }
        unflushed = true;
        LiveCounters.increment(counters.accepted);
        LiveCounters.add(counters.acceptedBytes, innerLength);
        return !stopRequested && (maxFrames == 0 || counters.accepted.getPlain() < maxFrames);
    }

    private void detachPort()
    {
        try
        {
            port.detach();
        }
        catch (final IOException | RuntimeException e)
        {
            if (failure == null)
            {
                failure = e;
            }
        }
    }

    private void flushSink(final long nanos) throws IOException
    {
        sink.flush();
        unflushed = false;
        lastFlushNanos = nanos;
    }

    /** Called with {@code lifecycle} held; closes the files once. */
    private IOException closeSink(final IOException earlier)
    {
        if (sinkClosed)
        {
            return earlier;
        }
        sinkClosed = true;
        try
        {
            sink.close();
            return earlier;
        }
        catch (final IOException e)
        {
            if (earlier != null)
            {
                earlier.addSuppressed(e);
                return earlier;
            }
            return e;
        }
    }

    /** Configures and opens a {@link MirrorReceiver}. Not thread-safe. */
    public static final class Builder
    {
        private InetSocketAddress bindAddress = new InetSocketAddress("0.0.0.0", VXLAN_PORT);
        private Encapsulation encapsulation;
        private List<Cidr> allowedSenders = List.of();
        private int[] allowedVnis = new int[0];
        private FrameHandler handler;
        private Path pcapFile;
        private Path pcapDirectory;
        private WritableByteChannel pcapStream;
        private String pcapStreamName;
        private long rotateBytes;
        private long rotateNanos;
        private Map<Integer, String> sessions;
        private TimestampResolution resolution = TimestampResolution.MICROSECONDS;
        private int maxVniFiles;
        private int maxVnis = DEFAULT_MAX_VNIS;
        private long maxFrames;
        private Duration maxDuration;
        private int socketReceiveBufferBytes = DEFAULT_SOCKET_RECEIVE_BUFFER_BYTES;
        private int writeQueueBytes = DEFAULT_WRITE_QUEUE_BYTES;
        private DatagramTransport transport = DatagramTransport.AUTO;
        private Runnable beforeEachWrite;

        private Builder()
        {
        }

        /**
         * Where to listen.
         *
         * @param address an address of this host (0.0.0.0 or :: for all) and a port (0 for any free one).
         * @return this.
         */
        public Builder bind(final InetSocketAddress address)
        {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * What the datagrams carry; by default GENEVE when bound to port 6081, VXLAN otherwise.
         *
         * @param encapsulation VXLAN or GENEVE.
         * @return this.
         */
        public Builder encapsulation(final Encapsulation encapsulation)
        {
            this.encapsulation = Objects.requireNonNull(encapsulation, "encapsulation");
            return this;
        }

        /**
         * Accept datagrams only from these blocks; an empty list (the default) accepts every sender.
         *
         * @param blocks IPv4 and IPv6 blocks.
         * @return this.
         */
        public Builder allowSenders(final List<Cidr> blocks)
        {
            this.allowedSenders = List.copyOf(blocks);
            return this;
        }

        /**
         * Accept frames only of these VNIs; none given (the default) accepts every VNI.
         *
         * @param vnis 0..16777215 each.
         * @return this.
         */
        public Builder allowVnis(final int... vnis)
        {
            for (final int vni : vnis)
            {
                if (vni < 0 || vni > VxlanHeaderDecoder.MAX_VNI)
                {
                    throw new IllegalArgumentException("receiver: VNI " + vni + " is outside 0..16777215");
                }
            }
            final int[] sorted = vnis.clone();
            Arrays.sort(sorted);
            this.allowedVnis = sorted;
            return this;
        }

        /**
         * Deliver frames to a handler on the receiving thread (instead of files).
         *
         * @param handler called once per accepted frame.
         * @return this.
         */
        public Builder handler(final FrameHandler handler)
        {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Write every frame to one pcap file (instead of a handler).
         *
         * @param file written at exactly this path, replaced if it exists, and created with its header by
         *     {@link #open()}; with rotation, numbered files made from it, the sequence before the extension:
         *     {@code out-000000.pcap}, {@code out-000001.pcap} and so on ({@code out-000000} without one).
         * @param rotateBytes 0 for no rotation, otherwise the most bytes per file (at least 1024).
         * @return this.
         */
        public Builder pcapFile(final Path file, final long rotateBytes)
        {
            this.pcapFile = Objects.requireNonNull(file, "file");
            this.rotateBytes = checkRotation(rotateBytes);
            return this;
        }

        /**
         * Write each VNI's frames to its own pcap file in a directory: {@code vni-<N>.pcap}, or with rotation
         * {@code vni-<N>-000000.pcap}, {@code vni-<N>-000001.pcap} and so on.
         *
         * @param directory an existing directory; files in it are replaced.
         * @param rotateBytes 0 for no rotation, otherwise the most bytes per file (at least 1024).
         * @return this.
         */
        public Builder pcapPerVni(final Path directory, final long rotateBytes)
        {
            this.pcapDirectory = Objects.requireNonNull(directory, "directory");
            this.rotateBytes = checkRotation(rotateBytes);
            return this;
        }

        /**
         * Write every frame to a pcap stream (instead of a handler or files): the header at once, then the records
         * as they are flushed, at most {@value MirrorReceiver#FLUSH_INTERVAL_MILLIS} ms after they were taken, so
         * that an analyzer reading a pipe ({@code tshark -i -}) sees traffic live. When the stream's reader goes
         * away (a broken pipe), the loop ends with {@link StopReason#OUTPUT_CLOSED}, what was lost counted as write
         * failures.
         *
         * @param channel a blocking channel, such as one over standard output; closed with the receiver.
         * @param name what to call it in messages: "standard output".
         * @return this.
         */
        public Builder pcapStream(final WritableByteChannel channel, final String name)
        {
            this.pcapStream = Objects.requireNonNull(channel, "channel");
            this.pcapStreamName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Rotate capture files by time as well as by size: each file holds one period, its start in the name, UTC,
         * to the second, after the name and before any size sequence: {@code out-20261202T031500Z.pcap},
         * {@code vni-7-20261202T031500Z-000001.pcap}. Periods are whole multiples of their length since 1970 (an hour
         * starts on the hour). Checked on the writer thread as each frame is written: a period without frames has
         * no file, and a file is closed when a frame of a later period arrives, or at the end. Not for a stream.
         *
         * @param period null or zero for none (the default); otherwise whole seconds, 1 second to 366 days.
         * @return this.
         */
        public Builder rotateEvery(final Duration period)
        {
            if (period == null || period.isZero())
            {
                this.rotateNanos = 0;
                return this;
            }
            if (period.isNegative() || period.getNano() != 0 || period.compareTo(MAX_ROTATION_PERIOD) > 0)
            {
                throw new IllegalArgumentException("receiver: rotation period " + period
                    + " is not a whole number of seconds from 1 to " + MAX_ROTATION_PERIOD.getSeconds());
            }
            this.rotateNanos = period.toNanos();
            return this;
        }

        /**
         * The sessions of a configuration, by VNI: per-VNI files are named after the session that owns the VNI
         * ({@code tms-0123456789abcdef0-vni-5569041.pcap}), and frames of VNIs that no session owns are dropped and
         * counted ({@link ReceiverCounters#droppedNoSession()}).
         *
         * @param sessionByVni each session's id under its VNI (0..16777215); characters other than letters, digits,
         *     '.', '_' and '-' become '_' in file names. Null (the default) takes every VNI.
         * @return this.
         */
        public Builder sessions(final Map<Integer, String> sessionByVni)
        {
            if (sessionByVni == null)
            {
                this.sessions = null;
                return this;
            }
            for (final Map.Entry<Integer, String> entry : sessionByVni.entrySet())
            {
                final int vni = entry.getKey();
                if (vni < 0 || vni > VxlanHeaderDecoder.MAX_VNI)
                {
                    throw new IllegalArgumentException("receiver: session " + entry.getValue() + ": VNI " + vni
                        + " is outside 0..16777215");
                }
                Objects.requireNonNull(entry.getValue(), "session id");
            }
            this.sessions = Map.copyOf(sessionByVni);
            return this;
        }

        /** The sessions' VNIs, sorted, or null when no sessions were given. */
        private int[] sessionVnis()
        {
            return sessions == null ? null : sessions.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        }

        /** The sessions' ids by VNI, made safe for file names, or null. */
        private VniTable<String> sessionNames()
        {
            if (sessions == null)
            {
                return null;
            }
            final VniTable<String> names = new VniTable<>();
            sessions.forEach((vni, id) -> names.put(vni, id.replaceAll("[^A-Za-z0-9._-]", "_")));
            return names;
        }

        /**
         * How many per-VNI files may be open at once; past that, the least recently written one is flushed and
         * closed, and reopened for append when its VNI comes back, so that a sender choosing VNIs cannot exhaust
         * the process's file descriptors. The receiver keeps to fewer where the open-file limit (RLIMIT_NOFILE)
         * leaves room for fewer ({@link MirrorReceiver#maxOpenVniFiles()}).
         *
         * @param maxFiles 1..{@value MirrorReceiver#MAX_VNI_FILES}; {@value MirrorReceiver#DEFAULT_MAX_VNI_FILES}
         *     unless set.
         * @return this.
         */
        public Builder maxVniFiles(final int maxFiles)
        {
            if (maxFiles < 1 || maxFiles > MAX_VNI_FILES)
            {
                throw new IllegalArgumentException("receiver: max VNI files " + maxFiles + " is outside 1.."
                    + MAX_VNI_FILES);
            }
            this.maxVniFiles = maxFiles;
            return this;
        }

        /**
         * How many VNIs get a file of their own; frames of further VNIs are dropped and counted as VNI drops, so
         * that a sender choosing VNIs cannot fill the directory with files.
         *
         * @param vnis 1..16777216; {@value MirrorReceiver#DEFAULT_MAX_VNIS} unless set.
         * @return this.
         */
        public Builder maxVnis(final int vnis)
        {
            if (vnis < 1 || vnis > VxlanHeaderDecoder.MAX_VNI + 1)
            {
                throw new IllegalArgumentException("receiver: max VNIs " + vnis + " is outside 1.."
                    + (VxlanHeaderDecoder.MAX_VNI + 1));
            }
            this.maxVnis = vnis;
            return this;
        }

        /**
         * Timestamp resolution of the capture files.
         *
         * @param resolution microseconds (the default) or nanoseconds.
         * @return this.
         */
        public Builder timestampResolution(final TimestampResolution resolution)
        {
            this.resolution = Objects.requireNonNull(resolution, "resolution");
            return this;
        }

        /**
         * Stop after accepting this many frames.
         *
         * @param frames 0 for no limit (the default).
         * @return this.
         */
        public Builder maxFrames(final long frames)
        {
            if (frames < 0)
            {
                throw new IllegalArgumentException("receiver: max frames " + frames + " is negative");
            }
            this.maxFrames = frames;
            return this;
        }

        /**
         * Stop after running this long.
         *
         * @param duration positive, or null for no limit (the default).
         * @return this.
         */
        public Builder maxDuration(final Duration duration)
        {
            if (duration != null && (duration.isNegative() || duration.isZero()))
            {
                throw new IllegalArgumentException("receiver: duration " + duration + " is not positive");
            }
            this.maxDuration = duration;
            return this;
        }

        /**
         * Ask the kernel for this much socket receive buffer (SO_RCVBUF), to ride out bursts; Linux caps it at
         * {@code net.core.rmem_max} (see {@link MirrorReceiver#socketReceiveBufferGranted()}).
         *
         * @param bytes 0 for the system default; {@value MirrorReceiver#DEFAULT_SOCKET_RECEIVE_BUFFER_BYTES} unless
         *     set.
         * @return this.
         */
        public Builder socketReceiveBuffer(final int bytes)
        {
            if (bytes < 0)
            {
                throw new IllegalArgumentException("receiver: socket receive buffer " + bytes + " is negative");
            }
            this.socketReceiveBufferBytes = bytes;
            return this;
        }

        /**
         * How many bytes of frames (each with 16 bytes of its own bookkeeping) may wait for the capture file
         * writer; past that, frames are dropped and counted. Not used with a handler.
         *
         * @param bytes at least {@value MirrorReceiver#MIN_WRITE_QUEUE_BYTES};
         *     {@value MirrorReceiver#DEFAULT_WRITE_QUEUE_BYTES} unless set.
         * @return this.
         */
        public Builder writeQueue(final int bytes)
        {
            if (bytes < MIN_WRITE_QUEUE_BYTES)
            {
                throw new IllegalArgumentException("receiver: write queue " + bytes + " bytes is below the minimum of "
                    + MIN_WRITE_QUEUE_BYTES);
            }
            this.writeQueueBytes = bytes;
            return this;
        }

        /**
         * How the socket is read: {@link DatagramTransport#AUTO} (the default) and {@link DatagramTransport#JDK} read
         * one datagram per call through the JDK's channel, straight into the receiver's one buffer;
         * {@link DatagramTransport#NATIVE} reads a batch per {@code recvmmsg} through Netty's epoll transport.
         * AUTO does not pick Netty here, unlike the engine's senders: measured on loopback, its receive path (an
         * object per datagram, its pipeline) received no more datagrams than the JDK's and cost 30 to 50% more CPU,
         * while the receiver's drops come from its socket buffer and its disk, which the large receive buffer and
         * the writer thread address.
         *
         * @param transport AUTO, JDK or NATIVE (which fails {@link #open()} where it is not available).
         * @return this.
         */
        public Builder transport(final DatagramTransport transport)
        {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Test hook: runs on the writer thread before each record is written (to make a slow disk). */
        Builder beforeEachWrite(final Runnable hook)
        {
            this.beforeEachWrite = hook;
            return this;
        }

        /**
         * Binds the socket and makes the receiver; the loop starts with {@link MirrorReceiver#start()} or
         * {@link MirrorReceiver#run()}.
         *
         * @return the receiver; close it.
         * @throws IOException if the address cannot be bound.
         * @throws FileSystemException naming the path and why, if the pcap file cannot be created (it
         *     is created here, with its header, so that a capture without traffic is a valid file) or the pcap
         *     directory is missing, not a directory or not writable, or the pcap stream's header cannot be written;
         *     the socket is closed again.
         * @throws IllegalStateException unless exactly one of handler, pcap file, pcap directory and pcap stream is
         *     set, or if a rotation period is set for a handler or a stream.
         */
        public MirrorReceiver open() throws IOException
        {
            final List<String> deliveries = new ArrayList<>();
            if (handler != null)
            {
                deliveries.add("handler");
            }
            if (pcapFile != null)
            {
                deliveries.add("pcapFile");
            }
            if (pcapDirectory != null)
            {
                deliveries.add("pcapPerVni");
            }
            if (pcapStream != null)
            {
                deliveries.add("pcapStream");
            }
            if (deliveries.size() != 1)
            {
                throw new IllegalStateException("receiver: set exactly one of handler, pcapFile, pcapPerVni and pcapStream; got "
                    + (deliveries.isEmpty() ? "none" : String.join(", ", deliveries)));
            }
            if (rotateNanos > 0 && (handler != null || pcapStream != null))
            {
                throw new IllegalStateException("receiver: a rotation period is for pcapFile and pcapPerVni, not "
                    + deliveries.get(0));
            }
            final boolean useNative = transport == DatagramTransport.NATIVE && transport.resolvesToNative();
            final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
            final DatagramPort port = useNative
                ? NettyDatagramPort.open(bindAddress, socketReceiveBufferBytes, receiveBuffer)
                : JdkDatagramPort.open(bindAddress, socketReceiveBufferBytes, receiveBuffer);
            try
            {
                final int portNumber = port.localAddress().getPort();
                final String writerName = "mirror-receiver-writer-" + portNumber;
                final LiveCounters counters = new LiveCounters();
                int maxOpen = 0;
                final FrameSink sink;
                if (handler != null)
                {
                    sink = new CallbackSink(handler);
                }
                else if (pcapFile != null)
                {
                    final Instant now = Instant.now();
                    sink = new QueuedSink(new PcapFileSink(pcapFile, rotateBytes, rotateNanos, resolution, counters,
                        now.getEpochSecond() * 1_000_000_000L + now.getNano()), counters, 0, writeQueueBytes,
                        beforeEachWrite, writerName);
                }
                else if (pcapStream != null)
                {
                    sink = new QueuedSink(new StreamPcapSink(pcapStream, pcapStreamName, resolution, counters), counters,
                        0, writeQueueBytes, beforeEachWrite, writerName);
                }
                else
                {
                    RotatingPcapFile.checkWritableDirectory(pcapDirectory);
                    maxOpen = maxOpenVniFiles(portNumber);
                    sink = new QueuedSink(new PerVniPcapSink(pcapDirectory, rotateBytes, rotateNanos, sessionNames(),
                        resolution, maxOpen, counters), counters, maxVnis, writeQueueBytes, beforeEachWrite, writerName);
                }
                final DatagramTransport chosen = useNative ? DatagramTransport.NATIVE : DatagramTransport.JDK;
                final MirrorReceiver receiver = new MirrorReceiver(this, port, chosen, receiveBuffer, sink, counters,
                    maxOpen);
                LOGGER.log(System.Logger.Level.INFO, "receiver on port " + portNumber + ": "
                    + (useNative ? NativeTransport.describe(DatagramTransport.NATIVE)
                        : "JDK DatagramChannel (one datagram per call)"));
                receiver.socketReceiveBufferWarning()
                    .ifPresent(warning -> LOGGER.log(System.Logger.Level.WARNING, warning));
                return receiver;
            }
            catch (final IOException | RuntimeException e)
            {
                closeQuietly(port::close, e);
                throw e;
            }
        }

        /** The cap on open per-VNI files: as asked (or the default), within what the open-file limit leaves. */
        private int maxOpenVniFiles(final int portNumber)
        {
            final int asked = maxVniFiles > 0 ? maxVniFiles : DEFAULT_MAX_VNI_FILES;
            final long room = OpenFileLimit.room();
            if (room < 0 || room >= asked)
            {
                return asked;
            }
            if (maxVniFiles > 0)
            {
                LOGGER.log(System.Logger.Level.WARNING, "receiver on port " + portNumber + ": at most " + room
                    + " per-VNI files open at once, not " + asked + ": the open-file limit of "
                    + OpenFileLimit.maximum() + " leaves no more room (ulimit -n raises it)");
            }
            return (int)room;
        }

        private static long checkRotation(final long rotateBytes)
        {
            if (rotateBytes != 0 && rotateBytes < 1024)
            {
                throw new IllegalArgumentException("receiver: rotation size " + rotateBytes
                    + " is neither 0 (off) nor at least 1024 bytes");
            }
            return rotateBytes;
        }

        private static void closeQuietly(final Closeable closeable, final Exception into)
        {
            try
            {
                closeable.close();
            }
            catch (final IOException e)
            {
                into.addSuppressed(e);
            }
        }
    }
}
