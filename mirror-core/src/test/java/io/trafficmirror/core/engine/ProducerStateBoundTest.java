package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

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
 * Threads that offer once and end leave nothing behind in the engine: what it keeps per producer does not grow
 * with the number of threads that ever offered, and every packet is counted.
 */
class ProducerStateBoundTest
{
    private static final int THREADS = 200_000;
    private static final int CONCURRENT = 32;
    private static final long BOUND_BYTES = 16L << 20;

    @Test
    @Timeout(600)
    void shouldKeepMemoryBoundedAndTotalsExactAcrossTwoHundredThousandOneShotThreads() throws Exception
    {
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 9).build(), 9001).build();
        final AtomicLong consumed = new AtomicLong();
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.consumer((session, vni, frame, length) -> consumed.incrementAndGet()))
            .build();
        engine.start();
        final SourceHandle source = engine.source(SOURCE);
        final ByteBuffer accepted = ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 120));
        final ByteBuffer rejected = ByteBuffer.wrap(ipv4(6, PEER_IP, SOURCE_IP, 40000, 22, 80));
        final AtomicLong queued = new AtomicLong();
        source.offer(accepted.duplicate());
        engine.metrics();

        final long heapBefore = heapAfterGc();
        final long directBefore = direct();
        final Thread[] batch = new Thread[CONCURRENT];
        for (int started = 0; started < THREADS; started += CONCURRENT)
        {
            for (int i = 0; i < CONCURRENT; i++)
            {
                final ByteBuffer frame = ((started + i) & 1) == 0 ? accepted : rejected;
                batch[i] = start(() ->
                {
                    if (source.offer(frame.duplicate()) == OfferResult.QUEUED)
                    {
                        queued.incrementAndGet();
                    }
                });
            }
            for (final Thread thread : batch)
            {
                thread.join();
            }
        }
        final long heapGrowth = heapAfterGc() - heapBefore;
        final long directGrowth = direct() - directBefore;
        assertThat(engine.close(Duration.ofSeconds(30))).isTrue();

        assertThat(heapGrowth).as("heap retained after %d one-shot threads", THREADS).isLessThan(BOUND_BYTES);
        assertThat(directGrowth).as("direct memory retained").isLessThan(BOUND_BYTES);
        final MetricsSnapshot metrics = engine.metrics();
        final MetricsSnapshot.SourceMetrics sourceMetrics = metrics.sources().get(SOURCE);
        final MetricsSnapshot.SessionMetrics sessionMetrics = metrics.sessions().get(SESSION);
        assertThat(sourceMetrics.offeredPackets()).isEqualTo(THREADS + 1);
        assertThat(sourceMetrics.notMirroredByReason()).containsEntry(NotMirroredReason.REJECTED, (long)THREADS / 2);
        assertThat(sessionMetrics.acceptedPackets()).isEqualTo(THREADS / 2 + 1);
        assertThat(sessionMetrics.copies().mirroredPackets() + sessionMetrics.copies().droppedPackets())
            .isEqualTo(THREADS / 2 + 1);
        assertThat(sessionMetrics.copies().mirroredPackets()).isEqualTo(consumed.get());
        assertThat(queued.get() + 1).isEqualTo(consumed.get());
    }

    /** A virtual thread where the runtime has them (Java 21+, found by reflection), else a platform thread. */
    private static Thread start(final Runnable task) throws ReflectiveOperationException
    {
        if (START_VIRTUAL != null)
        {
            return (Thread)START_VIRTUAL.invoke(null, task);
        }
        final Thread thread = new Thread(task);
        thread.start();
        return thread;
    }

    private static final Method START_VIRTUAL = startVirtualThread();

    private static Method startVirtualThread()
    {
        try
        {
            return Thread.class.getMethod("startVirtualThread", Runnable.class);
        }
        catch (final NoSuchMethodException ex)
        {
            return null;
        }
    }

    private static long heapAfterGc() throws InterruptedException
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long direct()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (pool.getName().equals("direct"))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
