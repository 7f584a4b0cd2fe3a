package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.transport.DatagramTransport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.trafficmirror.core.engine.EngineFixtures.PEER_IP;
import static io.trafficmirror.core.engine.EngineFixtures.SESSION;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE_IP;
import static io.trafficmirror.core.engine.EngineFixtures.TARGET;
import static io.trafficmirror.core.engine.EngineFixtures.configuration;
import static io.trafficmirror.core.engine.EngineFixtures.gettingStartedFilter;
import static io.trafficmirror.core.engine.EngineFixtures.session;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two sender threads share one UDP target, a lane each: every copy still arrives once and whole, each flow from one
 * outer source port and in the order it was offered, and the counters add up, over both transports. The traffic is
 * mixed: 64 flows, sizes from 60 to 1,514 bytes, far more copies than slots, from two producer threads.
 */
class SenderLanesTest
{
    private static final int FLOWS = 64;
    private static final int OFFERS_PER_THREAD = 10_000;
    /** Copies at most on their way to the sink: about 1.5 MB of its 4 MiB receive buffer. */
    private static final int IN_FLIGHT_LIMIT = 2_000;

    @ParameterizedTest
    @MethodSource("io.trafficmirror.core.engine.Transports#both")
    @Timeout(60)
    void shouldKeepEachFlowOnOnePortAndInOrderAcrossLanes(final DatagramTransport transport) throws Exception
    {
        Transports.assumeAvailable(transport);
        mirrorAndCheck(transport, FLOWS, (random, i) -> 60 + random.nextInt(1514 - 60 + 1));
    }

    /**
     * Runs of copies of one length, as a bulk transfer's full-size frames and its acknowledgements make: the
     * native transport sends such runs as one segmentation-offload send, which the kernel splits again.
     */
    @ParameterizedTest
    @MethodSource("io.trafficmirror.core.engine.Transports#both")
    @Timeout(60)
    void shouldDeliverRunsOfOneLengthAsSeparateWholeDatagrams(final DatagramTransport transport) throws Exception
    {
        Transports.assumeAvailable(transport);
        mirrorAndCheck(transport, 4, (random, i) -> (i / 40) % 3 == 2 ? 66 : 1400);
    }

    private void mirrorAndCheck(final DatagramTransport transport, final int flows, final FrameSize sizes)
        throws Exception
    {
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 77).build(), 9001).build();
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).slotsPerTarget(64).senderThreads(2)
                .socketsPerEndpoint(4).transport(transport).build();
            engine.start();
            final SourceHandle source = engine.source(SOURCE);
            final byte[][][] frames = new byte[2][OFFERS_PER_THREAD][];
            final long[] queued = new long[2];
            final AtomicLong allQueued = new AtomicLong();
            final Thread[] producers = new Thread[2];
            for (int t = 0; t < 2; t++)
            {
                final int thread = t;
                producers[t] = new Thread(() ->
                {
                    final Random random = new Random(20_261_202L + thread);
                    for (int i = 0; i < OFFERS_PER_THREAD; i++)
                    {
                        final int flow = random.nextInt(flows);
                        final byte[] frame = ipv4(17, PEER_IP, SOURCE_IP, 2000 + flow, 4789 + thread,
                            sizes.of(random, i));
                        frames[thread][i] = stamp(frame, thread, i);
                        if (source.inbound(ByteBuffer.wrap(frame)) == OfferResult.QUEUED)
                        {
                            queued[thread]++;
                            allQueued.incrementAndGet();
                        }
                        else
                        {
                            LockSupport.parkNanos(1_000);
                        }
                        // Keep what the sink has yet to read well inside its socket buffer: a loopback socket that
                        // overflows drops datagrams the engine did send, which would tell nothing about the engine.
                        while (allQueued.get() - sink.count.get() > IN_FLIGHT_LIMIT)
                        {
                            LockSupport.parkNanos(100_000);
                        }
                    }
                });
                producers[t].start();
            }
            for (final Thread producer : producers)
            {
                producer.join();
            }
            assertThat(engine.close(Duration.ofSeconds(10))).isTrue();
            final long total = queued[0] + queued[1];
            final List<UdpSink.Received> received = sink.await(total, Duration.ofSeconds(10));

            final MetricsSnapshot.CopyMetrics copies = engine.metrics().targets().get(TARGET);
            assertThat(copies.mirroredPackets()).isEqualTo(total);
            assertThat(copies.acceptedPackets()).isEqualTo(2L * OFFERS_PER_THREAD);
            assertThat(copies.droppedPackets()).isEqualTo(2L * OFFERS_PER_THREAD - total);
            assertThat(total).isGreaterThan(1_000);
            assertThat(sink.malformed.get()).as("datagrams that were not VXLAN").isZero();
            assertThat(received).hasSize((int)total);

            final Map<Integer, Integer> portOfFlow = new HashMap<>();
            final Map<Integer, Integer> lastOfFlow = new HashMap<>();
            for (final UdpSink.Received copy : received)
            {
                final int thread = copy.inner[copy.inner.length - 3];
                final int index = (copy.inner[copy.inner.length - 2] & 0xFF) << 8 | copy.inner[copy.inner.length - 1] & 0xFF;
                final int flow = thread << 16 | ByteBuffer.wrap(copy.inner).getShort(34) & 0xFFFF;
                assertThat(copy.inner).isEqualTo(Arrays.copyOf(frames[thread][index], copy.inner.length));
                assertThat(portOfFlow.computeIfAbsent(flow, f -> copy.sourcePort)).as("outer port of flow %s", flow)
                    .isEqualTo(copy.sourcePort);
                final Integer last = lastOfFlow.put(flow, index);
                assertThat(last == null || last < index).as("flow %s: copy %s after %s", flow, index, last).isTrue();
            }
            // Both lanes carried copies: the flows' ports came from the sockets of both.
            assertThat(portOfFlow.values().stream().distinct().count()).isGreaterThan(1);
        }
    }

    /** The length of a producer's i-th frame. */
    private interface FrameSize
    {
        int of(Random random, int index);
    }

    /** The producer thread and offer index in the frame's last three bytes (its UDP payload). */
    private static byte[] stamp(final byte[] frame, final int thread, final int index)
    {
        frame[frame.length - 3] = (byte)thread;
        frame[frame.length - 2] = (byte)(index >>> 8);
        frame[frame.length - 1] = (byte)index;
        return frame;
    }
}
