package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.filter.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A lossless source handle: its copies wait for room instead of being dropped, so a producer faster than its
 * consumer loses nothing; and the wait always ends, counted, when the consumer hangs, the engine closes or an update
 * retires the target.
 */
class LosslessSourceTest
{
    private static final int SLOTS = 16;
    private static final MirrorConfiguration CONFIGURATION =
        configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 5).build(), 9001).build();

    /** Lengths 60..1459, so that the bytes delivered tell copies apart. */
    private static ByteBuffer frame(final int i)
    {
        return ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000 + i % 7, 2000, 60 + i % 1400));
    }

    private static long length(final int i)
    {
        return 60 + i % 1400;
    }

    private static MirrorEngine engine(final MirroredPacketConsumer consumer)
    {
        final MirrorEngine engine = MirrorEngine.builder().configuration(CONFIGURATION)
            .bind(TARGET, TargetBinding.consumer(consumer)).slotsPerTarget(SLOTS).build();
        engine.start();
        return engine;
    }

    @Test
    @Timeout(120)
    void shouldDeliverEveryCopyToAConsumerSlowerThanTheProducer()
    {
        final AtomicLong received = new AtomicLong();
        final AtomicLong receivedBytes = new AtomicLong();
        final MirrorEngine engine = engine((session, vni, frame, length) ->
        {
            LockSupport.parkNanos(20_000);
            receivedBytes.addAndGet(frame.remaining());
            received.incrementAndGet();
        });
        final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofSeconds(30));
        assertThat(source.isLossless()).isTrue();
        assertThat(engine.source(SOURCE).isLossless()).as("a live handle").isFalse();
        final int frames = 20 * SLOTS * 16;
        final int[] results = new int[4];
        long bytes = 0;
        for (int i = 0; i < frames; i++)
        {
            results[source.offer(frame(i))]++;
            bytes += length(i);
        }
        assertThat(engine.close(Duration.ofSeconds(30))).isTrue();

        assertThat(results[OfferResult.QUEUED]).isEqualTo(frames);
        final MetricsSnapshot.CopyMetrics copies = engine.metrics().sessions().get(SESSION).copies();
        assertThat(copies.acceptedPackets()).isEqualTo(frames);
        assertThat(copies.mirroredPackets()).isEqualTo(frames);
        assertThat(copies.mirroredBytes()).isEqualTo(bytes);
        assertThat(copies.droppedPackets()).isZero();
        assertThat(received.get()).isEqualTo(frames);
        assertThat(receivedBytes.get()).isEqualTo(bytes);
        assertThat(engine.metrics().targets().get(TARGET).mirroredPackets()).isEqualTo(frames);
    }

    @Test
    @Timeout(60)
    void shouldDropAndCountACopyThatWaitedItsLimitForAConsumerThatHangs() throws Exception
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final MirrorEngine engine = engine(hanging(entered, release));
        final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofMillis(200));
        assertThat(source.offer(frame(0))).isEqualTo(OfferResult.QUEUED);
        entered.await();
        // The consumer holds one slot; the others fill the queue.
        for (int i = 1; i < SLOTS; i++)
        {
            assertThat(source.offer(frame(i))).isEqualTo(OfferResult.QUEUED);
        }

        assertThat(source.offer(frame(SLOTS))).as("waited its limit").isEqualTo(OfferResult.DROPPED_QUEUE_FULL);
        assertThat(source.offer(frame(SLOTS + 1))).isEqualTo(OfferResult.DROPPED_QUEUE_FULL);

        final MetricsSnapshot.CopyMetrics waited = engine.metrics().sessions().get(SESSION).copies();
        assertThat(waited.acceptedPackets()).isEqualTo(SLOTS + 2);
        assertThat(waited.droppedQueueFull()).isEqualTo(2);
        assertThat(waited.queuedPackets()).isEqualTo(SLOTS - 1);
        assertThat(waited.inFlightPackets()).isEqualTo(1);

        assertThat(engine.close(Duration.ofMillis(300))).as("the consumer still holds a copy").isFalse();
        final MetricsSnapshot.CopyMetrics closed = engine.metrics().sessions().get(SESSION).copies();
        assertThat(closed.droppedShutdown()).isEqualTo(SLOTS - 1);
        assertThat(closed.inFlightPackets()).isEqualTo(1);
        assertThat(closed.acceptedPackets())
            .isEqualTo(closed.mirroredPackets() + closed.droppedPackets() + closed.inFlightPackets());
        release.countDown();
        assertSettled(engine, SLOTS + 2, 1);
    }

    @Test
    @Timeout(60)
    void shouldEndAWaitWhenTheEngineCloses() throws Exception
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final MirrorEngine engine = engine(hanging(entered, release));
        // A limit far beyond the test's timeout: only close can end the wait.
        final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofHours(1));
        final AtomicInteger last = new AtomicInteger(-1);
        final Thread producer = fillThenWait(source, last);
        entered.await();
        awaitAccepted(engine, SLOTS + 1);
        assertThat(producer.isAlive()).as("waiting for room").isTrue();

        assertThat(engine.close(Duration.ofSeconds(1))).as("the consumer still holds a copy").isFalse();
        producer.join();

        assertThat(last.get()).isEqualTo(OfferResult.DROPPED_SHUTDOWN);
        final MetricsSnapshot.CopyMetrics closed = engine.metrics().sessions().get(SESSION).copies();
        assertThat(closed.acceptedPackets()).isEqualTo(SLOTS + 1);
        assertThat(closed.droppedShutdown()).as("the queued copies and the waiting one").isEqualTo(SLOTS);
        assertThat(closed.droppedQueueFull()).isZero();
        assertThat(closed.queuedPackets()).isZero();
        assertThat(closed.inFlightPackets()).isEqualTo(1);
        release.countDown();
        assertSettled(engine, SLOTS + 1, 1);
    }

    @Test
    @Timeout(60)
    void shouldEndAWaitWhenAnUpdateRetiresTheTarget() throws Exception
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final MirrorEngine engine = engine(hanging(entered, release));
        final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofHours(1));
        final AtomicInteger last = new AtomicInteger(-1);
        final Thread producer = fillThenWait(source, last);
        entered.await();
        awaitAccepted(engine, SLOTS + 1);

        final AtomicLong replacement = new AtomicLong();
        engine.update(CONFIGURATION,
            Map.of(TARGET, TargetBinding.consumer((session, vni, frame, length) -> replacement.incrementAndGet())));
        producer.join();

        assertThat(last.get()).isEqualTo(OfferResult.DROPPED_SHUTDOWN);
        final MetricsSnapshot.CopyMetrics copies = engine.metrics().sessions().get(SESSION).copies();
        assertThat(copies.acceptedPackets()).isEqualTo(SLOTS + 1);
        assertThat(copies.droppedShutdown()).isEqualTo(1);
        // The next copy goes to the new target.
        assertThat(source.offer(frame(0))).isEqualTo(OfferResult.QUEUED);
        release.countDown();
        assertThat(engine.close(Duration.ofSeconds(30))).isTrue();
        assertThat(replacement.get()).isEqualTo(1);
        final MetricsSnapshot.CopyMetrics settled = engine.metrics().sessions().get(SESSION).copies();
        assertThat(settled.acceptedPackets()).isEqualTo(SLOTS + 2);
        assertThat(settled.mirroredPackets()).as("the old target's copies, then the new one's").isEqualTo(SLOTS + 1);
        assertThat(settled.droppedPackets()).isEqualTo(1);
    }

    @Test
    @Timeout(120)
    void shouldLoseNothingFromMoreProducerThreadsThanTheEngineHasContexts() throws Exception
    {
        assertAllDelivered(Executors.newFixedThreadPool(24));
    }

    @Test
    @Timeout(120)
    void shouldLoseNothingFromVirtualThreads() throws Exception
    {
        Method factory = null;
        try
        {
            factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
        }
        catch (final NoSuchMethodException ex)
        {
            // Before JDK 21.
        }
        assumeTrue(factory != null, "virtual threads need JDK 21 or later; this is " + Runtime.version());
        assertAllDelivered((ExecutorService)factory.invoke(null));
    }

    private static void assertAllDelivered(final ExecutorService executor) throws Exception
    {
        final AtomicLong received = new AtomicLong();
        final MirrorEngine engine = engine((session, vni, frame, length) ->
        {
            LockSupport.parkNanos(5_000);
            received.incrementAndGet();
        });
        final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofSeconds(60));
        final int producers = 24;
        final int each = 400;
        final List<Future<Integer>> queued = new ArrayList<>();
        try
        {
            for (int p = 0; p < producers; p++)
            {
                queued.add(executor.submit(() ->
                {
                    int count = 0;
                    for (int i = 0; i < each; i++)
                    {
                        count += source.offer(frame(i)) == OfferResult.QUEUED ? 1 : 0;
                    }
                    return count;
                }));
            }
            for (final Future<Integer> future : queued)
            {
                assertThat(future.get(100, TimeUnit.SECONDS)).isEqualTo(each);
            }
        }
        finally
        {
            executor.shutdownNow();
        }
        assertThat(engine.close(Duration.ofSeconds(30))).isTrue();
        final MetricsSnapshot.CopyMetrics copies = engine.metrics().sessions().get(SESSION).copies();
        assertThat(copies.acceptedPackets()).isEqualTo((long)producers * each);
        assertThat(copies.mirroredPackets()).isEqualTo((long)producers * each);
        assertThat(copies.droppedPackets()).isZero();
        assertThat(received.get()).isEqualTo((long)producers * each);
        assertThat(engine.metrics().sources().get(SOURCE).offeredPackets()).isEqualTo((long)producers * each);
    }

    @Test
    void shouldRefuseAWaitLimitOutOfRange()
    {
        final MirrorEngine engine = engine((session, vni, frame, length) ->
        {
        });
        try
        {
            for (final Duration bad : List.of(Duration.ZERO, Duration.ofMillis(-1), Duration.ofHours(2)))
            {
                assertThatThrownBy(() -> engine.losslessSource(SOURCE, bad))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining(SOURCE).hasMessageContaining("maxWait").hasMessageContaining(bad.toString())
                    .hasMessageContaining("1 nanosecond to 1 hour");
            }
        }
        finally
        {
            engine.close();
        }
    }

    /** A consumer that signals its first copy, then holds it until released, ignoring interrupts. */
    private static MirroredPacketConsumer hanging(final CountDownLatch entered, final CountDownLatch release)
    {
        return (session, vni, frame, length) ->
        {
            entered.countDown();
            while (release.getCount() > 0)
            {
                LockSupport.parkNanos(1_000_000);
            }
        };
    }

    private static void awaitAccepted(final MirrorEngine engine, final long accepted) throws InterruptedException
    {
        while (engine.metrics().sessions().get(SESSION).copies().acceptedPackets() < accepted)
        {
            Thread.sleep(1);
        }
    }

    /** Once the released consumer has returned: every copy mirrored or dropped. */
    private static void assertSettled(final MirrorEngine engine, final long accepted, final long mirrored)
        throws InterruptedException
    {
        MetricsSnapshot.CopyMetrics copies = engine.metrics().sessions().get(SESSION).copies();
        while (copies.inFlightPackets() > 0)
        {
            Thread.sleep(2);
            copies = engine.metrics().sessions().get(SESSION).copies();
        }
        assertThat(copies.acceptedPackets()).isEqualTo(accepted);
        assertThat(copies.mirroredPackets()).isEqualTo(mirrored);
        assertThat(copies.acceptedPackets()).isEqualTo(copies.mirroredPackets() + copies.droppedPackets());
    }

    /**
     * A producer that fills every slot, then offers one more copy, which must wait; its result goes to {@code last}.
     */
    private static Thread fillThenWait(final SourceHandle source, final AtomicInteger last)
    {
        final Thread producer = new Thread(() ->
        {
            for (int i = 0; i < SLOTS; i++)
            {
                source.offer(frame(i));
            }
            last.set(source.offer(frame(SLOTS)));
        });
        producer.start();
        return producer;
    }
}
