package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.trafficmirror.core.engine.EngineFixtures.PEER_IP;
import static io.trafficmirror.core.engine.EngineFixtures.SESSION;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE_IP;
import static io.trafficmirror.core.engine.EngineFixtures.TARGET;
import static io.trafficmirror.core.engine.EngineFixtures.configuration;
import static io.trafficmirror.core.engine.EngineFixtures.gettingStartedFilter;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target an update replaces is closed once no producer can still reach it, however long a producer takes: a
 * producer held inside its offer across the update still finds the old target open and its copy is sent.
 */
class RetirementTest
{
    @Test
    @Timeout(60)
    void shouldKeepARetiredTargetOpenWhileAProducerHoldsTheStateThatUsesIt() throws Exception
    {
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), EngineFixtures.session(SESSION, 1, 31).build(), 9001).build();
        try (UdpSink oldSink = new UdpSink(true); UdpSink newSink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(oldSink.address())).socketsPerEndpoint(1).build();
            engine.start();
            final SourceHandle source = engine.source(SOURCE);
            final TargetRuntime retired = engine.runtime(TARGET);

            final HeldOffer offer = HeldOffer.start(source, ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 150));

            // The same target bound elsewhere: a new runtime, and the old one is retired.
            engine.update(configuration, Map.of(TARGET, TargetBinding.udp(newSink.address())));
            assertThat(engine.runtime(TARGET)).isNotSameAs(retired);
            // Thousands of the sender's duty cycles (seconds, with an idle sender parking up to 500 us per cycle).
            final long checksAtUpdate = retired.retirementChecks;
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!retired.closed && retired.retirementChecks < checksAtUpdate + 4_000 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertThat(retired.closed).as("closed while a producer could still reach it").isFalse();
            assertThat(retired.retirementChecks).as("the sender kept asking").isGreaterThanOrEqualTo(checksAtUpdate + 4_000);

            assertThat(offer.release()).isEqualTo(OfferResult.QUEUED);
            final List<UdpSink.Received> received = oldSink.await(1, Duration.ofSeconds(10));
            while (!retired.closed && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertThat(retired.closed).as("closed once the producer let go").isTrue();
            assertThat(engine.close(Duration.ofSeconds(5))).isTrue();

            assertThat(received).singleElement().satisfies(copy -> assertThat(copy.vni).isEqualTo(31));
            final MetricsSnapshot.CopyMetrics copies = engine.metrics().sessions().get(SESSION).copies();
            assertThat(copies.acceptedPackets()).isEqualTo(1);
            assertThat(copies.mirroredPackets()).isEqualTo(1);
            assertThat(copies.droppedPackets()).isZero();
            assertThat(newSink.count.get()).isZero();
        }
    }
}
