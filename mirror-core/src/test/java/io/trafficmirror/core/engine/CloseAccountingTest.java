package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

import static io.trafficmirror.core.engine.EngineFixtures.PEER_IP;
import static io.trafficmirror.core.engine.EngineFixtures.SESSION;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE_IP;
import static io.trafficmirror.core.engine.EngineFixtures.configuration;
import static io.trafficmirror.core.engine.EngineFixtures.gettingStartedFilter;
import static io.trafficmirror.core.engine.EngineFixtures.session;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer that hangs through close, ignoring interrupts, leaves no copy unaccounted: the one it holds is in
 * flight, the queued ones are dropped at shutdown, and once it returns every copy is mirrored or dropped.
 */
class CloseAccountingTest
{
    private static final int SLOTS = 256;

    @Test
    @Timeout(60)
    void shouldAccountEveryCopyWhenAConsumerIgnoresInterruptsThroughClose() throws Exception
    {
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 5).build(), 9001).build();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final MirroredPacketConsumer deaf = (session, vni, frame, length) ->
        {
            entered.countDown();
            while (release.getCount() > 0)
            {
                LockSupport.parkNanos(1_000_000); // returns early when interrupted, and parks again
            }
        };
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(EngineFixtures.TARGET, TargetBinding.consumer(deaf)).slotsPerTarget(SLOTS).build();
        engine.start();
        final SourceHandle source = engine.source(SOURCE);
        final ByteBuffer frame = ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 300));
        source.offer(frame.duplicate());
        entered.await();
        for (int i = 1; i < SLOTS; i++)
        {
            source.offer(frame.duplicate());
        }

        assertThat(engine.close(Duration.ofMillis(300))).isFalse();

        final MetricsSnapshot.CopyMetrics atClose = engine.metrics().sessions().get(SESSION).copies();
        assertThat(atClose.acceptedPackets()).isEqualTo(SLOTS);
        assertThat(atClose.inFlightPackets()).as("the copy the consumer holds").isEqualTo(1);
        assertThat(atClose.queuedPackets()).isZero();
        assertThat(atClose.droppedShutdown()).isEqualTo(SLOTS - 1);
        assertThat(atClose.mirroredPackets()).isZero();
        release.countDown();
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        MetricsSnapshot.CopyMetrics copies = engine.metrics().sessions().get(SESSION).copies();
        while (copies.acceptedPackets() != copies.mirroredPackets() + copies.droppedPackets()
            && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
            copies = engine.metrics().sessions().get(SESSION).copies();
        }
        assertThat(copies.acceptedPackets()).isEqualTo(SLOTS);
        assertThat(copies.acceptedPackets()).as("settled: every copy mirrored or dropped")
            .isEqualTo(copies.mirroredPackets() + copies.droppedPackets());
        assertThat(copies.mirroredPackets()).as("the copy the consumer held").isEqualTo(1);
        assertThat(copies.inFlightPackets()).isZero();
    }

    @Test
    @Timeout(120)
    void shouldShowEveryCopyInExactlyOneStateInEverySnapshotWhileCopiesFlow() throws Exception
    {
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 5).build(), 9001).build();
        final MirroredPacketConsumer slow = (session, vni, frame, length) -> LockSupport.parkNanos(2_000);
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(EngineFixtures.TARGET, TargetBinding.consumer(slow)).slotsPerTarget(128).build();
        engine.start();
        final SourceHandle source = engine.source(SOURCE);
        final ByteBuffer frame = ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 300));
        final Thread producer = new Thread(() ->
        {
            for (int i = 0; i < 200_000; i++)
            {
                source.offer(frame.duplicate());
            }
        });
        producer.start();
        int snapshots = 0;
        long sawQueued = 0;
        long sawInFlight = 0;
        while (producer.isAlive() || snapshots == 0)
        {
            for (final MetricsSnapshot.CopyMetrics copies : List.of(
                engine.metrics().sessions().get(SESSION).copies(), engine.metrics().targets().get(EngineFixtures.TARGET)))
            {
                // Not an atomic snapshot: a copy that moves on while it is taken may still show in the earlier
                // state, so in flight can exceed the one copy a sender holds, but no count is ever negative.
                assertThat(copies.queuedPackets()).isNotNegative();
                assertThat(copies.inFlightPackets()).isNotNegative();
                assertThat(copies.acceptedPackets()).isEqualTo(copies.mirroredPackets() + copies.droppedPackets()
                    + copies.queuedPackets() + copies.inFlightPackets());
                sawQueued += copies.queuedPackets();
                sawInFlight += copies.inFlightPackets();
            }
            snapshots++;
        }
        producer.join();
        assertThat(engine.close(Duration.ofSeconds(30))).isTrue();

        final MetricsSnapshot.CopyMetrics settled = engine.metrics().sessions().get(SESSION).copies();
        assertThat(settled.acceptedPackets()).isEqualTo(200_000);
        assertThat(settled.acceptedPackets()).isEqualTo(settled.mirroredPackets() + settled.droppedPackets());
        assertThat(settled.queuedPackets()).isZero();
        assertThat(settled.inFlightPackets()).isZero();
        assertThat(sawQueued + sawInFlight).as("snapshots caught copies between states").isGreaterThan(0);
    }
}
