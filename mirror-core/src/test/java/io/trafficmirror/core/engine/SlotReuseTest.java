package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.transport.DatagramTransport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

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
 * A slot is reused for copies of every size: once the ring of slots wraps, a copy longer than the slot's previous
 * one must be taken as any other. A UDP send once left the slot's buffer limited to the previous copy, and the
 * producer's write then threw into the caller.
 */
class SlotReuseTest
{
    private static final int MTU = 9001;
    private static final int MAX_INNER = MTU - UdpTarget.IPV4_OVERHEAD;
    /** Sizes in an order where each slot of a small ring soon gets a longer copy than its last. */
    private static final int[] SIZES = {64, 1500, 90, 9000, 576, 128, 4000, 1514, 60, 8965, 300, 9001};

    @ParameterizedTest
    @MethodSource("io.trafficmirror.core.engine.Transports#both")
    @Timeout(60)
    void shouldMirrorEveryCopyWhateverTheSizeTheSlotHeldBefore(final DatagramTransport transport) throws Exception
    {
        Transports.assumeAvailable(transport);
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 77).build(), MTU).build();
        final int offers = 20_000;
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).slotsPerTarget(4).socketsPerEndpoint(1).transport(transport)
                .build();
            assertThat(engine.transport()).isEqualTo(transport);
            engine.start();
            final SourceHandle source = engine.source(SOURCE);
            final byte[][] frames = new byte[offers][];
            long queued = 0;
            for (int i = 0; i < offers; i++)
            {
                frames[i] = numbered(ipv4(17, PEER_IP, SOURCE_IP, 1000 + i % 7, 4000, SIZES[i % SIZES.length]), i);
                final int result = source.inbound(ByteBuffer.wrap(frames[i]));
                if (result == OfferResult.QUEUED)
                {
                    queued++;
                }
                else
                {
                    assertThat(result).isEqualTo(OfferResult.DROPPED_QUEUE_FULL);
                    Thread.yield();
                }
            }
            assertThat(engine.close(Duration.ofSeconds(10))).isTrue();

            final List<UdpSink.Received> received = sink.await(queued, Duration.ofSeconds(10));
            final MetricsSnapshot.CopyMetrics copies = engine.metrics().sessions().get(SESSION).copies();
            assertThat(copies.mirroredPackets()).isEqualTo(queued);
            assertThat(copies.droppedPackets()).isEqualTo(offers - queued);
            // Far more copies than slots went through, so every slot was reused with longer copies many times.
            assertThat(queued).isGreaterThan(1_000);
            assertThat(received).hasSize((int)queued);
            for (final UdpSink.Received copy : received)
            {
                final byte[] offered = frames[number(copy.inner)];
                assertThat(copy.inner).hasSize(Math.min(offered.length, MAX_INNER));
                assertThat(copy.inner).isEqualTo(Arrays.copyOf(offered, copy.inner.length));
            }
        }
    }

    /** Writes the frame's index into its UDP payload, so each received copy names the frame it copies. */
    private static byte[] numbered(final byte[] frame, final int index)
    {
        ByteBuffer.wrap(frame).putInt(42, index);
        return frame;
    }

    private static int number(final byte[] inner)
    {
        return ByteBuffer.wrap(inner).getInt(42);
    }
}
