package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

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
 * Deleting a source interface from the configuration in force deletes its sessions with it; the engine takes the
 * update without an error, a copy already on its way is still sent and counted, and later packets of the deleted
 * source are not mirrored.
 */
class DeletedSourceTest
{
    @Test
    @Timeout(60)
    void shouldSendACopyInFlightAndMirrorNothingMoreOnceTheSourceIsDeleted() throws Exception
    {
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), EngineFixtures.session(SESSION, 1, 41).build(), 9001).build();
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).socketsPerEndpoint(1).build();
            engine.start();
            final SourceHandle source = engine.source(SOURCE);

            final HeldOffer offer = HeldOffer.start(source, ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 150));

            final MirrorConfiguration withoutSource = configuration.withoutSource(SOURCE);
            engine.update(withoutSource);
            assertThat(engine.configuration().sessions()).isEmpty();

            assertThat(offer.release()).as("the offer began before the update").isEqualTo(OfferResult.QUEUED);
            final List<UdpSink.Received> received = sink.await(1, Duration.ofSeconds(10));
            assertThat(source.offer(ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 150))))
                .as("after the update").isEqualTo(OfferResult.NOT_MIRRORED);
            assertThat(engine.close(Duration.ofSeconds(5))).isTrue();

            assertThat(received).singleElement().satisfies(copy -> assertThat(copy.vni).isEqualTo(41));
            assertThat(sink.count.get()).isEqualTo(1);
            final MetricsSnapshot metrics = engine.metrics();
            for (final MetricsSnapshot.CopyMetrics copies :
                List.of(metrics.targets().get(TARGET), metrics.sessions().get(SESSION).copies()))
            {
                assertThat(copies.acceptedPackets()).isEqualTo(1);
                assertThat(copies.mirroredPackets()).isEqualTo(1);
                assertThat(copies.droppedPackets()).isZero();
                assertThat(copies.failures()).isZero();
            }
            final MetricsSnapshot.SourceMetrics sourceMetrics = metrics.sources().get(SOURCE);
            assertThat(sourceMetrics.offeredPackets()).isEqualTo(2);
            assertThat(sourceMetrics.notMirroredByReason()).containsEntry(NotMirroredReason.NO_SESSION, 1L);
        }
    }
}
