package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
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
 * A consumer target that an update brings in after the engine started gets a sender thread of its own that serves
 * it, however soon that thread runs: a dedicated sender that found no target yet would end at once and leave the
 * target's copies queued until close drops them.
 */
class DedicatedSenderStartTest
{
    @Test
    @Timeout(60)
    void shouldServeAConsumerTargetAddedByAnUpdateEvenWhenItsThreadRunsAtOnce()
    {
        // Each thread gets a head start: start() returns only once the thread has run for a while or ended.
        final ThreadFactory eager = task -> new Thread(task)
        {
            @Override
            public synchronized void start()
            {
                super.start();
                try
                {
                    join(200);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        };
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 5).build(), 9001).build();
        final AtomicLong first = new AtomicLong();
        final AtomicLong second = new AtomicLong();
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration).threadFactory(eager)
            .bind(TARGET, TargetBinding.consumer((session, vni, frame, length) -> first.incrementAndGet())).build();
        engine.start();
        final SourceHandle source = engine.source(SOURCE);
        final ByteBuffer frame = ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 300));
        assertThat(source.offer(frame.duplicate())).isEqualTo(OfferResult.QUEUED);

        engine.update(configuration,
            Map.of(TARGET, TargetBinding.consumer((session, vni, f, length) -> second.incrementAndGet())));
        assertThat(source.offer(frame.duplicate())).isEqualTo(OfferResult.QUEUED);

        assertThat(engine.close(Duration.ofSeconds(30))).isTrue();
        assertThat(first.get()).isEqualTo(1);
        assertThat(second.get()).as("the new target's sender served it").isEqualTo(1);
        final MetricsSnapshot.CopyMetrics copies = engine.metrics().sessions().get(SESSION).copies();
        assertThat(copies.mirroredPackets()).isEqualTo(2);
        assertThat(copies.droppedShutdown()).isZero();
    }
}
