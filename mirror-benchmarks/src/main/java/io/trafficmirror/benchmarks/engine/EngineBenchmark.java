package io.trafficmirror.benchmarks.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.core.engine.MetricsSnapshot;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.OfferResult;
import io.trafficmirror.core.engine.SourceHandle;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.vxlan.VxlanHeaderEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's producer call and its whole pipeline, beside a bare UDP send loop.
 * <ul>
 *   <li>{@link #classifyOnly}: parse and judge by a 10-rule filter whose last rule rejects everything, so every
 *       rule is consulted and nothing is copied: the floor under {@link #offer}.</li>
 *   <li>{@link #offer} and {@link #offerTwoThreads}: the call an application makes per packet (parse, match a
 *       10-rule filter, copy into a slot, queue) over 16 hot frames of mixed sizes, with 1 and 2 producer threads;
 *       the target is an in-process consumer that discards and keeps up, so this is the accepted path. The share
 *       of copies dropped is printed at teardown: it stays small only while the sender thread has a core of its
 *       own, and on a loaded machine a large share means the score mixes in the cheaper queue-full path.</li>
 *   <li>{@link #offerSessions}: the same with 1, 2 or 3 sessions on the source, the earlier ones rejecting, so all
 *       are consulted.</li>
 *   <li>{@link #offerVirtualThreads}: the same call from a fresh virtual thread per batch of 64 packets (Java 21
 *       and later, found by reflection; on older runtimes its setup fails saying so).</li>
 *   <li>{@link #endToEnd}: packets per second from the producer through the queue, the sender and a UDP socket
 *       to a loopback receiver; when the queue is full the producer parks briefly and offers again, so the score is the
 *       pipeline's sustained rate. Over the JDK's transport (a datagram per call) and the native one (a plain send, and
 *       segmentation offload for runs of one length), with 1 or 2 sender threads (lanes), for {@code mixed}
 *       traffic (1,024 frames of 64 to 1,500 bytes, many flows) and {@code bulk} traffic (1,400-byte frames of 8
 *       flows in bursts of 16).</li>
 *   <li>{@link #bareChannel}: the baseline, the same datagrams (VXLAN header and frame) sent by a plain
 *       {@link DatagramChannel} loop to the same kind of receiver.</li>
 * </ul>
 * The receivers never read: the kernel drops what overflows their buffers, which costs the sender the same in
 * both cases.
 *
 * <pre>java -jar mirror-benchmarks/target/benchmarks.jar EngineBenchmark -prof gc</pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EngineBenchmark
{
    private static final int FRAMES = 1024;
    private static final int HOT_FRAMES = 16;
    private static final int BATCH = 64;
    private static final int SOURCE_IP = 0x0A00_0005;
    private static final String TARGET = "tmt-bench";

    /**
     * An engine with a discarding consumer and 16 hot frames, shared by the producer threads.
     */
    @State(Scope.Benchmark)
    public static class Offer
    {
        ByteBuffer[] frames;
        MirrorEngine engine;
        SourceHandle source;

        /** Builds frames, a 10-rule filter and an engine with a discarding consumer. */
        @Setup(Level.Trial)
        public void setUp()
        {
            frames = hotFrames();
            engine = engine(configuration(1, RuleAction.ACCEPT));
            source = engine.source("eni-bench");
        }

        /**
         * Stops the engine and prints the share of copies dropped.
         *
         * @param params names the benchmark that ran.
         */
        @TearDown(Level.Trial)
        public void tearDown(final BenchmarkParams params)
        {
            closeAndReport(params.getBenchmark(), engine);
        }
    }

    /**
     * A producer thread's position in the frames.
     */
    @State(Scope.Thread)
    public static class Cursor
    {
        int next;
    }

    /**
     * An engine whose filter rejects everything at its last rule.
     */
    @State(Scope.Benchmark)
    public static class Reject
    {
        ByteBuffer[] frames;
        MirrorEngine engine;
        SourceHandle source;

        /** Builds frames and an engine that mirrors nothing. */
        @Setup(Level.Trial)
        public void setUp()
        {
            frames = hotFrames();
            engine = engine(configuration(1, RuleAction.REJECT));
            source = engine.source("eni-bench");
        }

        /** Stops the engine. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            engine.close();
        }
    }

    /**
     * An engine with 1 to 3 sessions on the source: all but the last reject everything at their last rule.
     */
    @State(Scope.Benchmark)
    public static class Sessions
    {
        /** Sessions on the source. */
        @Param({"1", "2", "3"})
        public int sessions;

        ByteBuffer[] frames;
        MirrorEngine engine;
        SourceHandle source;

        /** Builds frames and the engine. */
        @Setup(Level.Trial)
        public void setUp()
        {
            frames = hotFrames();
            engine = engine(configuration(sessions, RuleAction.ACCEPT));
            source = engine.source("eni-bench");
        }

        /**
         * Stops the engine and prints the share of copies dropped.
         *
         * @param params names the benchmark that ran.
         */
        @TearDown(Level.Trial)
        public void tearDown(final BenchmarkParams params)
        {
            closeAndReport(params.getBenchmark() + " sessions=" + sessions, engine);
        }
    }

    /**
     * Judging only: every rule consulted, the last rejects.
     *
     * @param reject the engine.
     * @param cursor this thread's position.
     * @return the offer's result.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int classifyOnly(final Reject reject, final Cursor cursor)
    {
        return reject.source.inbound(reject.frames[cursor.next++ & (HOT_FRAMES - 1)]);
    }

    /**
     * One producer thread offering to the engine.
     *
     * @param offer  the engine.
     * @param cursor this thread's position.
     * @return the offer's result.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(1)
    public int offer(final Offer offer, final Cursor cursor)
    {
        return offer.source.inbound(offer.frames[cursor.next++ & (HOT_FRAMES - 1)]);
    }

    /**
     * Two producer threads offering to the engine at once.
     *
     * @param offer  the engine.
     * @param cursor this thread's position.
     * @return the offer's result.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(2)
    public int offerTwoThreads(final Offer offer, final Cursor cursor)
    {
        return offer.source.inbound(offer.frames[cursor.next++ & (HOT_FRAMES - 1)]);
    }

    /**
     * One producer thread offering to a source with several sessions.
     *
     * @param state  the engine.
     * @param cursor this thread's position.
     * @return the offer's result.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int offerSessions(final Sessions state, final Cursor cursor)
    {
        return state.source.inbound(state.frames[cursor.next++ & (HOT_FRAMES - 1)]);
    }

    /**
     * A fresh virtual thread per batch of 64 offers, as a server with a virtual thread per request would make.
     */
    @State(Scope.Thread)
    public static class VirtualThreads
    {
        MethodHandle startVirtualThread;
        Runnable batch;
        int results;

        /**
         * Finds {@code Thread.startVirtualThread} and prepares the batch.
         *
         * @param offer the engine.
         */
        @Setup(Level.Trial)
        public void setUp(final Offer offer)
        {
            try
            {
                startVirtualThread = MethodHandles.publicLookup().findStatic(
                    Thread.class, "startVirtualThread", MethodType.methodType(Thread.class, Runnable.class));
            }
            catch (final NoSuchMethodException | IllegalAccessException ex)
            {
                throw new IllegalStateException("offerVirtualThreads skipped: Java " +
                    Runtime.version().feature() + " has no virtual threads (Java 21 or later needed)", ex);
            }
            final ByteBuffer[] frames = offer.frames;
            final SourceHandle source = offer.source;
            batch = () ->
            {
                int sum = 0;
                for (int i = 0; i < BATCH; i++)
                {
                    sum += source.inbound(frames[i & (HOT_FRAMES - 1)]);
                }
                results += sum;
            };
        }
    }

    /**
     * 64 offers from one fresh virtual thread; the score is per offer.
     *
     * @param state the thread starter.
     * @return the sum of the batch's results.
     * @throws Throwable when the thread cannot be started or joined.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(BATCH)
    public int offerVirtualThreads(final VirtualThreads state) throws Throwable
    {
        final Thread thread = (Thread)state.startVirtualThread.invokeExact(state.batch);
        thread.join();
        return state.results;
    }

    /**
     * The engine sending over UDP to a loopback receiver.
     */
    @State(Scope.Thread)
    public static class EndToEnd
    {
        /** How the sender sends: JDK (a datagram per call) or NATIVE (Netty's epoll, runs sent by segmentation offload). */
        @Param({"JDK", "NATIVE"})
        public DatagramTransport transport;
        /** Sender threads, each with a lane of the target and sockets of its own. */
        @Param({"1", "2"})
        public int senders;
        /** The frames: {@code mixed} sizes and flows, or {@code bulk} bursts of full-size frames per flow. */
        @Param({"mixed", "bulk"})
        public String traffic;

        ByteBuffer[] frames;
        DatagramChannel receiver;
        MirrorEngine engine;
        SourceHandle source;
        int next;

        /**
         * Builds frames, a receiver and an engine bound to it.
         *
         * @throws IOException if a loopback socket cannot be opened.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            frames = frames(traffic);
            receiver = receiver();
            engine = MirrorEngine.builder()
                .configuration(configuration())
                .bind("tmt-bench", TargetBinding.udp((InetSocketAddress)receiver.getLocalAddress()))
                .slotsPerTarget(4096)
                .transport(transport)
                .senderThreads(senders)
                .build();
            engine.start();
            source = engine.source("eni-bench");
        }

        /**
         * Stops the engine and the receiver.
         *
         * @throws IOException if closing a socket fails.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            engine.close();
            receiver.close();
            final MetricsSnapshot.CopyMetrics copies = engine.metrics().targets().get(TARGET);
            System.out.printf("%nendToEnd %s x%d %s: %d copies accepted, %d mirrored, %d dropped (queue full %d, send %d)%n",
                transport, senders, traffic, copies.acceptedPackets(), copies.mirroredPackets(), copies.droppedPackets(),
                copies.droppedQueueFull(), copies.droppedSendError());
        }
    }

    /**
     * One packet through the whole engine to the network.
     *
     * @param state the engine.
     * @return the offer's result.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int endToEnd(final EndToEnd state)
    {
        final ByteBuffer frame = state.frames[state.next++ & (FRAMES - 1)];
        int result;
        while ((result = state.source.inbound(frame)) == OfferResult.DROPPED_QUEUE_FULL)
        {
            // Leave the CPU to the sender while the queue is full: on two cores, spinning here would slow it.
            LockSupport.parkNanos(20_000);
        }
        return result;
    }

    /**
     * A bare channel sending the same datagrams.
     */
    @State(Scope.Thread)
    public static class Bare
    {
        /** The same frames as {@link EndToEnd#traffic}. */
        @Param({"mixed", "bulk"})
        public String traffic;

        ByteBuffer[] datagrams;
        DatagramChannel receiver;
        DatagramChannel sender;
        int next;

        /**
         * Prepares the datagrams: VXLAN header then frame, as the engine sends them.
         *
         * @throws IOException if a loopback socket cannot be opened.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            final ByteBuffer[] frames = frames(traffic);
            datagrams = new ByteBuffer[frames.length];
            for (int i = 0; i < frames.length; i++)
            {
                final ByteBuffer datagram = ByteBuffer.allocateDirect(VxlanHeaderEncoder.HEADER_LENGTH + frames[i].remaining());
                new VxlanHeaderEncoder().wrap(datagram, 0).encode(5569041);
                datagram.put(VxlanHeaderEncoder.HEADER_LENGTH, frames[i], 0, frames[i].remaining());
                datagrams[i] = datagram;
            }
            receiver = receiver();
            sender = DatagramChannel.open();
            sender.connect(receiver.getLocalAddress());
        }

        /**
         * Closes both channels.
         *
         * @throws IOException if closing a socket fails.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            sender.close();
            receiver.close();
        }
    }

    /**
     * One datagram through a bare channel.
     *
     * @param state the channel.
     * @return bytes sent.
     * @throws IOException never on loopback.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int bareChannel(final Bare state) throws IOException
    {
        final ByteBuffer datagram = state.datagrams[state.next++ & (FRAMES - 1)];
        datagram.clear();
        return state.sender.write(datagram);
    }

    private static MirrorEngine engine(final MirrorConfiguration configuration)
    {
        final MirrorEngine engine = MirrorEngine.builder()
            .configuration(configuration)
            .bind(TARGET, TargetBinding.consumer((session, vni, frame, length) -> { }))
            .build();
        engine.start();
        return engine;
    }

    private static void closeAndReport(final String name, final MirrorEngine engine)
    {
        engine.close();
        final MetricsSnapshot.CopyMetrics copies = engine.metrics().targets().get(TARGET);
        final long accepted = copies.acceptedPackets();
        System.out.printf("%n%s: %d copies accepted, %.3f%% dropped (queue full %d)%n", name, accepted,
            accepted == 0 ? 0.0 : 100.0 * copies.droppedPackets() / accepted, copies.droppedQueueFull());
    }

    private static DatagramChannel receiver() throws IOException
    {
        final DatagramChannel receiver = DatagramChannel.open();
        receiver.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return receiver;
    }

    /**
     * 10 rules: nine that reject TCP to ports no frame uses, then accept everything.
     */
    static MirrorConfiguration configuration()
    {
        return configuration(1, RuleAction.ACCEPT);
    }

    /**
     * {@code sessions} sessions on one source, each with a 10-rule filter: nine rules that reject TCP to ports no
     * frame uses, then one for everything, which accepts ({@code last}) in the last session and rejects in the
     * others.
     */
    static MirrorConfiguration configuration(final int sessions, final RuleAction last)
    {
        final MirrorConfiguration.Builder configuration = MirrorConfiguration.builder()
            .quotas(Quotas.embedded())
            .addFilter(filter("tmf-bench", last))
            .addFilter(filter("tmf-reject", RuleAction.REJECT))
            .addTarget(MirrorTarget.builder().id(TARGET).networkInterface("eni-target").build())
            .addSource(MirrorSource.builder().networkInterfaceId("eni-bench").privateIpAddress("10.0.0.5").build());
        for (int i = 1; i <= sessions; i++)
        {
            configuration.addSession(MirrorSession.builder().id("tms-bench-" + i).networkInterfaceId("eni-bench")
                .targetId(TARGET).filterId(i == sessions ? "tmf-bench" : "tmf-reject").sessionNumber(i)
                .virtualNetworkId(5569040 + i).build());
        }
        return configuration.build();
    }

    private static MirrorFilter filter(final String id, final RuleAction last)
    {
        final MirrorFilter.Builder filter = MirrorFilter.builder().id(id);
        for (int i = 1; i <= 9; i++)
        {
            filter.addRule(FilterRule.builder().direction(TrafficDirection.INGRESS).ruleNumber(i)
                .action(RuleAction.REJECT).protocol(6).destinationPortRange(1000 + i, 1000 + i)
                .sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("10.0.0.0/8").build());
        }
        filter.addRule(FilterRule.builder().direction(TrafficDirection.INGRESS).ruleNumber(100)
            .action(last).sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("0.0.0.0/0").build());
        return filter.build();
    }

    /**
     * The frames of a traffic mix: {@code mixed} ({@link #frames(long)}), or {@code bulk}: 1,400-byte TCP frames of
     * 8 flows in bursts of 16 per flow, as bulk transfers send them.
     */
    static ByteBuffer[] frames(final String traffic)
    {
        if ("mixed".equals(traffic))
        {
            return frames(20_261_129L);
        }
        if (!"bulk".equals(traffic))
        {
            throw new IllegalArgumentException("traffic " + traffic + ": mixed or bulk");
        }
        final ByteBuffer[] frames = new ByteBuffer[FRAMES];
        for (int i = 0; i < FRAMES; i++)
        {
            final int length = 1400;
            final int flow = (i / 16) % 8;
            final ByteBuffer frame = ByteBuffer.allocateDirect(length);
            frame.put(new byte[]{0x02, 0, 0, 0, 0, 0x0a, 0x02, 0, 0, 0, 0, 0x0b}).putShort((short)0x0800);
            frame.put((byte)0x45).put((byte)0).putShort((short)(length - 14)).putInt(0).put((byte)64)
                .put((byte)6).putShort((short)0).putInt(0xC633_6400 | flow).putInt(SOURCE_IP);
            frame.putShort((short)443).putShort((short)(40_000 + flow));
            frame.clear();
            frames[i] = frame;
        }
        return frames;
    }

    /**
     * The first 16 frames: a hot set that stays in cache, of mixed sizes and both protocols.
     */
    static ByteBuffer[] hotFrames()
    {
        final ByteBuffer[] all = frames(20_261_129L);
        final ByteBuffer[] hot = new ByteBuffer[HOT_FRAMES];
        System.arraycopy(all, 0, hot, 0, HOT_FRAMES);
        return hot;
    }

    /**
     * Inbound IPv4 TCP and UDP frames of 64 to 1,500 bytes between many flows, in direct buffers.
     */
    static ByteBuffer[] frames(final long seed)
    {
        final Random random = new Random(seed);
        final ByteBuffer[] frames = new ByteBuffer[FRAMES];
        for (int i = 0; i < FRAMES; i++)
        {
            final boolean tcp = random.nextBoolean();
            final int length = 64 + random.nextInt(1500 - 64 + 1);
            final ByteBuffer frame = ByteBuffer.allocateDirect(length);
            frame.put(new byte[]{0x02, 0, 0, 0, 0, 0x0a, 0x02, 0, 0, 0, 0, 0x0b}).putShort((short)0x0800);
            frame.put((byte)0x45).put((byte)0).putShort((short)(length - 14)).putInt(0).put((byte)64)
                .put((byte)(tcp ? 6 : 17)).putShort((short)0)
                .putInt(0xC633_6400 | random.nextInt(256)).putInt(SOURCE_IP);
            frame.putShort((short)(1024 + random.nextInt(60000))).putShort((short)(tcp ? 443 : 53));
            frame.clear();
            frames[i] = frame;
        }
        return frames;
    }
}
