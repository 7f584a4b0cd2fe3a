package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.filter.TrafficDirection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

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
 * The AWS-named source metrics against what the test itself offered and what the target received: frames and
 * bytes counted here by direction, not read back from the engine's other counters.
 */
class CloudWatchMetricsTest
{
    private static final int PACKET_LENGTH = 120;
    /** UDP to this port makes the test's consumer throw. */
    private static final int FAILING_PORT = 666;
    private static final int IN = TrafficDirection.INGRESS.ordinal();
    private static final int OUT = TrafficDirection.EGRESS.ordinal();

    /** Per direction ordinal: what the test expects, counted as it offers and as the target receives. */
    private final long[] acceptedPackets = new long[2];
    private final long[] skippedPackets = new long[2];
    private final long[] skippedBytes = new long[2];
    private final AtomicLongArray receivedPackets = new AtomicLongArray(2);
    private final AtomicLongArray receivedBytes = new AtomicLongArray(2);
    /** The most bytes of a frame a copy holds in the test under way: the packet length or the MTU's room. */
    private int cut;

    @Test
    @Timeout(60)
    void shouldCountMirroredAndSkippedCopiesByDirectionWhenASlowConsumerFillsItsQueue() throws Exception
    {
        final MirrorConfiguration configuration = configuration(gettingStartedFilter("tmf-1"),
            session(SESSION, 1, 77).packetLength(PACKET_LENGTH).build(), 9001).build();
        cut = PACKET_LENGTH;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final MirroredPacketConsumer slow = (session, vni, inner, originalLength) ->
        {
            entered.countDown();
            try
            {
                gate.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (inner.getShort(inner.position() + 36) == FAILING_PORT)
            {
                throw new IllegalStateException("the consumer refuses port " + FAILING_PORT);
            }
            final int direction = inner.getInt(inner.position() + 30) == SOURCE_IP ? IN : OUT;
            receivedPackets.incrementAndGet(direction);
            receivedBytes.addAndGet(direction, inner.remaining());
        };
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.consumer(slow)).slotsPerTarget(4).errorHandler((target, failure) ->
            {
            }).build();
        engine.start();
        final SourceHandle source = engine.source(SOURCE);

        offer(source, ingress(17, 5000, 300), IN);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        // The consumer holds the first copy: three more slots fill, then every accepted copy is skipped.
        for (int i = 0; i < 40; i++)
        {
            offer(source, i % 3 == 0 ? egress(17, 4000 + i, 60 + i) : ingress(17, 4000 + i, 90 + 7 * i), i % 3 == 0 ? OUT : IN);
        }
        // SSH in, rejected by rule 100: neither mirrored nor skipped.
        for (int i = 0; i < 5; i++)
        {
            assertThat(source.offer(ByteBuffer.wrap(ipv4(6, PEER_IP, SOURCE_IP, 40000 + i, 22, 80))))
                .isEqualTo(OfferResult.NOT_MIRRORED);
        }
        gate.countDown();
        // Queued copies the consumer refuses are skipped too (a failure), in their own direction.
        waitUntilNothingQueued(engine);
        for (int i = 0; i < 3; i++)
        {
            offerAndSettle(engine, source, ingress(17, FAILING_PORT, 200), IN);
            offerAndSettle(engine, source, egress(17, FAILING_PORT, 70), OUT);
            offerAndSettle(engine, source, egress(6, 443, 1400), OUT);
        }
        assertThat(engine.close(Duration.ofSeconds(10))).isTrue();

        final MetricsSnapshot metrics = engine.metrics();
        final MetricsSnapshot.CloudWatchMetrics cloudWatch = metrics.sources().get(SOURCE).cloudWatch();
        assertThat(skippedPackets[IN]).as("the run forced drops in").isGreaterThan(10);
        assertThat(skippedPackets[OUT]).as("the run forced drops out").isGreaterThan(10);
        assertThat(cloudWatch.networkPacketsMirrorIn()).isEqualTo(receivedPackets.get(IN));
        assertThat(cloudWatch.networkPacketsMirrorOut()).isEqualTo(receivedPackets.get(OUT));
        assertThat(cloudWatch.networkMirrorIn()).isEqualTo(receivedBytes.get(IN));
        assertThat(cloudWatch.networkMirrorOut()).isEqualTo(receivedBytes.get(OUT));
        assertThat(cloudWatch.networkPacketsSkipMirrorIn()).isEqualTo(skippedPackets[IN]);
        assertThat(cloudWatch.networkPacketsSkipMirrorOut()).isEqualTo(skippedPackets[OUT]);
        assertThat(cloudWatch.networkSkipMirrorIn()).isEqualTo(skippedBytes[IN]);
        assertThat(cloudWatch.networkSkipMirrorOut()).isEqualTo(skippedBytes[OUT]);
        assertThat(cloudWatch.byAwsName()).containsExactly(
            entry("NetworkMirrorIn", receivedBytes.get(IN)), entry("NetworkMirrorOut", receivedBytes.get(OUT)),
            entry("NetworkPacketsMirrorIn", receivedPackets.get(IN)),
            entry("NetworkPacketsMirrorOut", receivedPackets.get(OUT)),
            entry("NetworkSkipMirrorIn", skippedBytes[IN]), entry("NetworkSkipMirrorOut", skippedBytes[OUT]),
            entry("NetworkPacketsSkipMirrorIn", skippedPackets[IN]),
            entry("NetworkPacketsSkipMirrorOut", skippedPackets[OUT]));

        // Mirror + skip add up to the copies accepted in each direction: as offered here, and as the session's
        // accept rule of that direction counted them.
        for (final TrafficDirection direction : TrafficDirection.values())
        {
            final int d = direction.ordinal();
            final boolean in = direction == TrafficDirection.INGRESS;
            final long mirrored = in ? cloudWatch.networkPacketsMirrorIn() : cloudWatch.networkPacketsMirrorOut();
            final long skipped = in ? cloudWatch.networkPacketsSkipMirrorIn() : cloudWatch.networkPacketsSkipMirrorOut();
            assertThat(mirrored + skipped).isEqualTo(acceptedPackets[d]).isEqualTo(acceptHits(metrics, direction));
            assertThat(metrics.sources().get(SOURCE).copies(direction).acceptedPackets()).isEqualTo(acceptedPackets[d]);
        }
        final MetricsSnapshot.SessionMetrics session = metrics.sessions().get(SESSION);
        assertThat(session.acceptedPackets()).isEqualTo(acceptedPackets[IN] + acceptedPackets[OUT]);
        assertThat(session.copies().skippedPackets()).isEqualTo(skippedPackets[IN] + skippedPackets[OUT]);
        assertThat(session.copies().skippedBytes()).isEqualTo(skippedBytes[IN] + skippedBytes[OUT]);
        assertThat(metrics.targets().get(TARGET).skippedBytes()).isEqualTo(skippedBytes[IN] + skippedBytes[OUT]);
    }

    @Test
    @Timeout(60)
    void shouldCountWhatALoopbackTargetReceivedByDirection() throws Exception
    {
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 88).build(), 1500).build();
        // 1500 less the outer IPv4, UDP and VXLAN headers.
        cut = 1500 - UdpTarget.IPV4_OVERHEAD;
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).slotsPerTarget(8).socketsPerEndpoint(1).build();
            final SourceHandle source = engine.source(SOURCE);
            // Before start nothing is sent: eight copies fill the slots, the rest are skipped.
            for (int i = 0; i < 30; i++)
            {
                offer(source, i % 2 == 0 ? ingress(17, 7000 + i, 100 + 40 * i) : egress(6, 7000 + i, 80 + 50 * i),
                    i % 2 == 0 ? IN : OUT);
            }
            engine.start();
            long expected = 8;
            // Then one at a time, each once the one before has arrived: all queued, none skipped.
            sink.await(expected, Duration.ofSeconds(5));
            for (int i = 0; i < 12; i++)
            {
                offer(source, i % 4 == 0 ? egress(17, 8000 + i, 1600) : ingress(6, 8000 + i, 64 + i), i % 4 == 0 ? OUT : IN);
                expected++;
                sink.await(expected, Duration.ofSeconds(5));
            }
            assertThat(engine.close(Duration.ofSeconds(10))).isTrue();
            final List<UdpSink.Received> received = sink.await(expected, Duration.ofSeconds(5));
            for (final UdpSink.Received copy : received)
            {
                final int direction = ByteBuffer.wrap(copy.inner).getInt(30) == SOURCE_IP ? IN : OUT;
                receivedPackets.incrementAndGet(direction);
                receivedBytes.addAndGet(direction, copy.inner.length);
            }

            final MetricsSnapshot.CloudWatchMetrics cloudWatch = engine.metrics().sources().get(SOURCE).cloudWatch();
            assertThat(skippedPackets[IN] + skippedPackets[OUT]).isEqualTo(22);
            assertThat(received).hasSize((int)expected);
            assertThat(cloudWatch.networkPacketsMirrorIn()).isEqualTo(receivedPackets.get(IN));
            assertThat(cloudWatch.networkPacketsMirrorOut()).isEqualTo(receivedPackets.get(OUT));
            assertThat(cloudWatch.networkMirrorIn()).isEqualTo(receivedBytes.get(IN));
            assertThat(cloudWatch.networkMirrorOut()).isEqualTo(receivedBytes.get(OUT));
            assertThat(cloudWatch.networkPacketsSkipMirrorIn()).isEqualTo(skippedPackets[IN]);
            assertThat(cloudWatch.networkPacketsSkipMirrorOut()).isEqualTo(skippedPackets[OUT]);
            assertThat(cloudWatch.networkSkipMirrorIn()).isEqualTo(skippedBytes[IN]);
            assertThat(cloudWatch.networkSkipMirrorOut()).isEqualTo(skippedBytes[OUT]);
            assertThat(cloudWatch.networkPacketsMirrorIn() + cloudWatch.networkPacketsSkipMirrorIn())
                .isEqualTo(acceptedPackets[IN]);
            assertThat(cloudWatch.networkPacketsMirrorOut() + cloudWatch.networkPacketsSkipMirrorOut())
                .isEqualTo(acceptedPackets[OUT]);
        }
    }

    private static byte[] ingress(final int protocol, final int port, final int length)
    {
        return ipv4(protocol, PEER_IP, SOURCE_IP, 33000, port, length);
    }

    private static byte[] egress(final int protocol, final int port, final int length)
    {
        return ipv4(protocol, SOURCE_IP, PEER_IP, 33000, port, length);
    }

    /**
     * Offers a frame the filter accepts and counts it: a queue-full drop is skipped with the bytes it would have
     * sent.
     */
    private void offer(final SourceHandle source, final byte[] frame, final int direction)
    {
        final int result = source.offer(ByteBuffer.wrap(frame));
        acceptedPackets[direction]++;
        if (result == OfferResult.DROPPED_QUEUE_FULL)
        {
            skippedPackets[direction]++;
            skippedBytes[direction] += Math.min(frame.length, cut);
        }
        else
        {
            assertThat(result).isEqualTo(OfferResult.QUEUED);
        }
    }

    /** Offers one copy once the queue is empty, so it is queued, and counts it as skipped when the consumer refuses it. */
    private void offerAndSettle(final MirrorEngine engine, final SourceHandle source, final byte[] frame, final int direction)
        throws InterruptedException
    {
        assertThat(source.offer(ByteBuffer.wrap(frame))).isEqualTo(OfferResult.QUEUED);
        acceptedPackets[direction]++;
        if (ByteBuffer.wrap(frame).getShort(36) == FAILING_PORT)
        {
            skippedPackets[direction]++;
            skippedBytes[direction] += Math.min(frame.length, cut);
        }
        waitUntilNothingQueued(engine);
    }

    private static void waitUntilNothingQueued(final MirrorEngine engine) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            final MetricsSnapshot.CopyMetrics copies = engine.metrics().targets().get(TARGET);
            if (copies.queuedPackets() == 0 && copies.inFlightPackets() == 0)
            {
                return;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("copies still queued after 10 s");
    }

    private static long acceptHits(final MetricsSnapshot metrics, final TrafficDirection direction)
    {
        // Rule 200 accepts in both directions of the getting-started filter.
        return metrics.rules().stream()
            .filter(rule -> rule.direction() == direction && rule.ruleNumber() == 200)
            .mapToLong(MetricsSnapshot.RuleMetrics::hitPackets)
            .sum();
    }

    private static Map.Entry<String, Long> entry(final String name, final long value)
    {
        return Map.entry(name, value);
    }
}
