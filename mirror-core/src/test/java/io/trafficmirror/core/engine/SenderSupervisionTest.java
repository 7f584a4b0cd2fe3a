package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.trafficmirror.testing.FrameBuilder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.trafficmirror.core.engine.EngineFixtures.PEER_IP;
import static io.trafficmirror.core.engine.EngineFixtures.gettingStartedFilter;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failing consumer costs only its own target: its copies are dropped and counted, the failures reach the error
 * handler, and the sender thread lives on; a hanging consumer holds only its own target's thread.
 */
class SenderSupervisionTest
{
    private static final int COPIES = 2_000;

    @Test
    @Timeout(120)
    void shouldDeliverEveryCopyToTheHealthyTargetWhileTheOtherConsumerThrowsErrors() throws Exception
    {
        final AtomicLong healthy = new AtomicLong();
        final MirroredPacketConsumer failing = (session, vni, frame, length) ->
        {
            throw new AssertionError("consumer bug");
        };
        final MirroredPacketConsumer counting = (session, vni, frame, length) -> healthy.incrementAndGet();
        final ConcurrentLinkedQueue<Map.Entry<String, Throwable>> reported = new ConcurrentLinkedQueue<>();
        final AtomicInteger threads = new AtomicInteger();
        final MirrorEngine engine = MirrorEngine.builder().configuration(twoSourcesTwoTargets())
            .bind("tmt-bad", TargetBinding.consumer(failing))
            .bind("tmt-good", TargetBinding.consumer(counting))
            .senderThreads(1)
            .isolateConsumers(false) // both targets on the one sender thread
            .threadFactory(task ->
            {
                threads.incrementAndGet();
                final Thread thread = new Thread(task, "test-sender");
                thread.setDaemon(true);
                return thread;
            })
            .errorHandler((targetId, failure) -> reported.add(Map.entry(String.valueOf(targetId), failure)))
            .slotsPerTarget(2 * COPIES)
            .build();
        engine.start();
        final SourceHandle toBad = engine.source("eni-a");
        final SourceHandle toGood = engine.source("eni-b");
        final ByteBuffer frameA = ByteBuffer.wrap(ipv4(17, PEER_IP, FrameBuilder.ip(10, 0, 0, 5), 1000, 2000, 200));
        final ByteBuffer frameB = ByteBuffer.wrap(ipv4(17, PEER_IP, FrameBuilder.ip(10, 0, 0, 6), 1000, 2000, 200));
        for (int i = 0; i < COPIES; i++)
        {
            assertThat(toBad.offer(frameA.duplicate())).isEqualTo(OfferResult.QUEUED);
            assertThat(toGood.offer(frameB.duplicate())).isEqualTo(OfferResult.QUEUED);
        }
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (healthy.get() < COPIES && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        assertThat(engine.close(Duration.ofSeconds(10))).isTrue();

        assertThat(threads.get()).as("one sender thread, from the application's factory").isEqualTo(1);
        assertThat(healthy.get()).isEqualTo(COPIES);
        final MetricsSnapshot metrics = engine.metrics();
        final MetricsSnapshot.CopyMetrics good = metrics.targets().get("tmt-good");
        final MetricsSnapshot.CopyMetrics bad = metrics.targets().get("tmt-bad");
        assertThat(good.mirroredPackets()).isEqualTo(COPIES);
        assertThat(good.droppedPackets()).isZero();
        assertThat(good.failures()).isZero();
        assertThat(bad.acceptedPackets()).isEqualTo(COPIES);
        assertThat(bad.mirroredPackets()).isZero();
        assertThat(bad.droppedFailure()).isEqualTo(COPIES);
        assertThat(bad.failures()).isEqualTo(COPIES);
        assertThat(bad.acceptedPackets()).isEqualTo(bad.mirroredPackets() + bad.droppedPackets());
        assertThat(metrics.sessions().get("tms-a").copies().droppedFailure()).isEqualTo(COPIES);
        assertThat(reported).hasSize(COPIES).allSatisfy(entry ->
        {
            assertThat(entry.getKey()).isEqualTo("tmt-bad");
            assertThat(entry.getValue()).isInstanceOf(AssertionError.class).hasMessage("consumer bug");
        });
    }

    @Test
    @Timeout(120)
    void shouldKeepMirroringToTheOtherTargetsWhileAConsumerHangs() throws Exception
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final MirroredPacketConsumer hanging = (session, vni, frame, length) ->
        {
            entered.countDown();
            while (release.getCount() > 0)
            {
                try
                {
                    release.await();
                }
                catch (final InterruptedException ex)
                {
                    // ignores interrupts, as a badly written consumer would
                }
            }
        };
        final AtomicLong healthy = new AtomicLong();
        final int slots = 64;
        final MirrorEngine engine = MirrorEngine.builder().configuration(twoSourcesTwoTargets())
            .bind("tmt-bad", TargetBinding.consumer(hanging))
            .bind("tmt-good", TargetBinding.consumer((session, vni, frame, length) -> healthy.incrementAndGet()))
            .senderThreads(1)
            .slotsPerTarget(slots)
            .build();
        engine.start();
        final SourceHandle toBad = engine.source("eni-a");
        final SourceHandle toGood = engine.source("eni-b");
        final ByteBuffer frameA = ByteBuffer.wrap(ipv4(17, PEER_IP, FrameBuilder.ip(10, 0, 0, 5), 1000, 2000, 200));
        final ByteBuffer frameB = ByteBuffer.wrap(ipv4(17, PEER_IP, FrameBuilder.ip(10, 0, 0, 6), 1000, 2000, 200));
        toBad.offer(frameA.duplicate());
        entered.await();
        long delivered = 0;
        for (int i = 0; i < COPIES; i++)
        {
            toBad.offer(frameA.duplicate());
            // Paced so the healthy target's queue never fills: every copy must arrive.
            assertThat(toGood.offer(frameB.duplicate())).isEqualTo(OfferResult.QUEUED);
            delivered++;
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (healthy.get() < delivered - slots / 2 && System.nanoTime() < deadline)
            {
                Thread.yield();
            }
        }
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (healthy.get() < COPIES && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        assertThat(healthy.get()).isEqualTo(COPIES);

        assertThat(engine.close(Duration.ofMillis(300))).isFalse();
        final MetricsSnapshot.CopyMetrics bad = engine.metrics().targets().get("tmt-bad");
        assertThat(bad.acceptedPackets()).isEqualTo(COPIES + 1);
        assertThat(bad.inFlightPackets()).as("the copy the consumer holds").isEqualTo(1);
        assertThat(bad.queuedPackets()).isZero();
        assertThat(bad.droppedShutdown()).isEqualTo(slots - 1);
        assertThat(bad.droppedQueueFull()).isEqualTo(COPIES + 1 - slots);
        assertThat(engine.metrics().targets().get("tmt-good").mirroredPackets()).isEqualTo(COPIES);
        release.countDown();
    }

    /** Source eni-a (10.0.0.5) mirrors to tmt-bad, eni-b (10.0.0.6) to tmt-good, each accepting all but SSH. */
    static MirrorConfiguration twoSourcesTwoTargets()
    {
        return MirrorConfiguration.builder()
            .quotas(Quotas.embedded())
            .addTarget(MirrorTarget.builder().id("tmt-bad").networkInterface("eni-t1").build())
            .addTarget(MirrorTarget.builder().id("tmt-good").networkInterface("eni-t2").build())
            .addFilter(gettingStartedFilter("tmf-1"))
            .addSource(MirrorSource.builder().networkInterfaceId("eni-a").privateIpAddress("10.0.0.5").build())
            .addSource(MirrorSource.builder().networkInterfaceId("eni-b").privateIpAddress("10.0.0.6").build())
            .addSession(MirrorSession.builder().id("tms-a").networkInterfaceId("eni-a").targetId("tmt-bad")
                .filterId("tmf-1").sessionNumber(1).virtualNetworkId(1).build())
            .addSession(MirrorSession.builder().id("tms-b").networkInterfaceId("eni-b").targetId("tmt-good")
                .filterId("tmf-1").sessionNumber(1).virtualNetworkId(2).build())
            .build();
    }
}
