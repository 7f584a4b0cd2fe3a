package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.trafficmirror.core.engine.EngineFixtures.PEER_IP;
import static io.trafficmirror.core.engine.EngineFixtures.SESSION;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE_IP;
import static io.trafficmirror.core.engine.EngineFixtures.TARGET;
import static io.trafficmirror.core.engine.EngineFixtures.any;
import static io.trafficmirror.core.engine.EngineFixtures.configuration;
import static io.trafficmirror.core.engine.EngineFixtures.gettingStartedFilter;
import static io.trafficmirror.core.engine.EngineFixtures.session;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

class MirrorEngineConcurrencyTest
{
    private static final int PRODUCERS = 4;
    private static final int PACKETS_PER_PRODUCER = 1_000_000;

    @Test
    @Timeout(120)
    void shouldKeepTheAccountingExactWithFourProducersAndASlowTarget() throws Exception
    {
        final AtomicLong consumed = new AtomicLong();
        final MirroredPacketConsumer slow = (session, vni, frame, length) ->
        {
            consumed.incrementAndGet();
            LockSupport.parkNanos(20_000);
        };
        final MirrorConfiguration configuration = configuration(
            gettingStartedFilter("tmf-1"), session(SESSION, 1, 42).packetLength(64).build(), 9001).build();
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.consumer(slow)).slotsPerTarget(256).build();
        engine.start();

        final SourceHandle source = engine.source(SOURCE);
        final ByteBuffer[] frames = {
            ByteBuffer.wrap(ipv4(6, PEER_IP, SOURCE_IP, 40000, 22, 100)),    // SSH in: rejected
            ByteBuffer.wrap(ipv4(6, PEER_IP, SOURCE_IP, 40000, 443, 1500)),  // accepted, truncated to 64
            ByteBuffer.wrap(ipv4(17, SOURCE_IP, PEER_IP, 5000, 6000, 200)),  // accepted
            ByteBuffer.wrap(ipv4(17, PEER_IP, PEER_IP + 1, 1, 2, 90)),       // not this interface
        };
        final long[] results = new long[3];
        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int offset = p;
            final Thread producer = new Thread(() ->
            {
                final long[] local = new long[3];
                for (int i = 0; i < PACKETS_PER_PRODUCER; i++)
                {
                    local[source.offer(frames[(i + offset) & 3].duplicate())]++;
                }
                synchronized (results)
                {
                    for (int r = 0; r < 3; r++)
                    {
                        results[r] += local[r];
                    }
                }
            });
            producers.add(producer);
            producer.start();
        }
        for (final Thread producer : producers)
        {
            producer.join();
        }
        engine.close(Duration.ofSeconds(30));

        final MetricsSnapshot metrics = engine.metrics();
        final MetricsSnapshot.SourceMetrics sourceMetrics = metrics.sources().get(SOURCE);
        final MetricsSnapshot.SessionMetrics sessionMetrics = metrics.sessions().get(SESSION);
        final long total = (long)PRODUCERS * PACKETS_PER_PRODUCER;

        assertThat(sourceMetrics.offeredPackets()).isEqualTo(total);
        assertThat(sourceMetrics.offeredPackets())
            .isEqualTo(sourceMetrics.notMirroredPackets() + sessionMetrics.acceptedPackets());
        assertThat(sessionMetrics.acceptedPackets())
            .isEqualTo(sessionMetrics.copies().mirroredPackets() + sessionMetrics.copies().droppedPackets());
        final MetricsSnapshot.CopyMetrics target = metrics.targets().get(TARGET);
        assertThat(target.acceptedPackets()).isEqualTo(target.mirroredPackets() + target.droppedPackets());
        assertThat(sessionMetrics.acceptedPackets()).isEqualTo(total / 2);
        assertThat(sourceMetrics.notMirroredByReason()).containsEntry(NotMirroredReason.REJECTED, total / 4)
            .containsEntry(NotMirroredReason.NOT_THIS_INTERFACE, total / 4);
        assertThat(sessionMetrics.copies().droppedQueueFull()).as("the slow target cost drops, not waits")
            .isGreaterThan(0).isEqualTo(results[OfferResult.DROPPED_QUEUE_FULL]);
        assertThat(results[OfferResult.QUEUED]).isEqualTo(sessionMetrics.copies().mirroredPackets()
            + sessionMetrics.copies().droppedSendError() + sessionMetrics.copies().droppedShutdown());
        assertThat(consumed.get()).isEqualTo(sessionMetrics.copies().mirroredPackets());
        assertThat(sessionMetrics.copies().truncatedPackets()).isGreaterThan(0);
    }

    @Test
    @Timeout(120)
    void shouldJudgeEachPacketWhollyByOneConfigurationWhileUpdating() throws Exception
    {
        // Configuration A mirrors TCP only with VNI 100; B mirrors UDP only with VNI 200. A copy with the other
        // configuration's VNI would show a packet judged by one and queued by the other.
        final MirrorConfiguration tcpOnly = configuration(onlyProtocol(6), session(SESSION, 1, 100).build(), 9001).build();
        final MirrorConfiguration udpOnly = configuration(onlyProtocol(17), session(SESSION, 1, 200).build(), 9001).build();
        final ConcurrentHashMap<Integer, AtomicLong> mismatches = new ConcurrentHashMap<>();
        final AtomicLong consumed = new AtomicLong();
        final MirroredPacketConsumer check = (session, vni, frame, length) ->
        {
            consumed.incrementAndGet();
            final int protocol = frame.get(frame.position() + 23);
            if ((vni == 100) != (protocol == 6))
            {
                mismatches.computeIfAbsent(vni, v -> new AtomicLong()).incrementAndGet();
            }
        };
        final TargetBinding binding = TargetBinding.consumer(check);
        final MirrorEngine engine = MirrorEngine.builder().configuration(tcpOnly).bind(TARGET, binding)
            .slotsPerTarget(4096).build();
        engine.start();

        final SourceHandle source = engine.source(SOURCE);
        final AtomicBoolean running = new AtomicBoolean(true);
        final CountDownLatch started = new CountDownLatch(2);
        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 2; p++)
        {
            final ByteBuffer tcp = ByteBuffer.wrap(ipv4(6, PEER_IP, SOURCE_IP, 1000 + p, 80, 100));
            final ByteBuffer udp = ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000 + p, 53, 100));
            final Thread producer = new Thread(() ->
            {
                started.countDown();
                for (int i = 0; i < 300_000; i++)
                {
                    source.offer(((i & 1) == 0 ? tcp : udp).duplicate());
                }
            });
            producers.add(producer);
            producer.start();
        }
        started.await();
        int updates = 0;
        while (producers.stream().anyMatch(Thread::isAlive))
        {
            engine.update((updates++ & 1) == 0 ? udpOnly : tcpOnly);
            Thread.sleep(1);
        }
        running.set(false);
        for (final Thread producer : producers)
        {
            producer.join();
        }
        engine.close(Duration.ofSeconds(30));

        final MetricsSnapshot metrics = engine.metrics();
        final MetricsSnapshot.SourceMetrics sourceMetrics = metrics.sources().get(SOURCE);
        final MetricsSnapshot.SessionMetrics sessionMetrics = metrics.sessions().get(SESSION);
        assertThat(updates).isGreaterThan(2);
        assertThat(mismatches).isEmpty();
        assertThat(sourceMetrics.offeredPackets()).isEqualTo(600_000);
        assertThat(sourceMetrics.offeredPackets())
            .isEqualTo(sourceMetrics.notMirroredPackets() + sessionMetrics.acceptedPackets());
        assertThat(sessionMetrics.acceptedPackets())
            .isEqualTo(sessionMetrics.copies().mirroredPackets() + sessionMetrics.copies().droppedPackets());
        assertThat(consumed.get()).isEqualTo(sessionMetrics.copies().mirroredPackets()).isGreaterThan(0);
    }

    private static MirrorFilter onlyProtocol(final int protocol)
    {
        return MirrorFilter.builder().id("tmf-1")
            .addRule(any(TrafficDirection.INGRESS, 100, RuleAction.ACCEPT).protocol(protocol).build())
            .build();
    }
}
