package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.core.transport.DatagramTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

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

class MirrorEngineFaultTest
{
    private final MirrorConfiguration configuration =
        configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 77).build(), 9001).build();
    private final ByteBuffer frame = ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1234, 5678, 200));

    @ParameterizedTest
    @MethodSource("io.trafficmirror.core.engine.Transports#both")
    @Timeout(60)
    void shouldCountPortUnreachableAndRecoverWhenTheTargetComesBack(final DatagramTransport transport) throws Exception
    {
        Transports.assumeAvailable(transport);
        final int port;
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
        final InetSocketAddress endpoint = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.udp(endpoint)).socketsPerEndpoint(1).transport(transport).build();
        engine.start();
        final SourceHandle source = engine.source(SOURCE);

        // Nobody listens: the kernel answers ICMP port unreachable, which the connected socket reports.
        for (int i = 0; i < 50 && engine.metrics().endpoints().get(0).unreachable() == 0; i++)
        {
            source.offer(frame.duplicate());
            Thread.sleep(20);
        }
        assertThat(engine.metrics().endpoints().get(0).unreachable()).isGreaterThan(0);

        // The target restarts on the same port: copies arrive again, without restarting the engine.
        try (UdpSink restarted = new UdpSink(true, port))
        {
            for (int i = 0; i < 100 && restarted.count.get() == 0; i++)
            {
                source.offer(frame.duplicate());
                Thread.sleep(20);
            }
            assertThat(restarted.count.get()).isGreaterThan(0);
        }
        engine.close();
        final MetricsSnapshot.CopyMetrics target = engine.metrics().targets().get(TARGET);
        assertThat(target.acceptedPackets()).isEqualTo(target.mirroredPackets() + target.droppedPackets());
    }

    @Test
    @Timeout(60)
    void shouldCloseWithinItsTimeoutWhenTheTargetHangs() throws Exception
    {
        final CountDownLatch never = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final MirroredPacketConsumer hung = (session, vni, inner, length) ->
        {
            entered.countDown();
            try
            {
                never.await();
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException("interrupted while delivering", ex);
            }
        };
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.consumer(hung)).slotsPerTarget(16).build();
        engine.start();
        final SourceHandle source = engine.source(SOURCE);
        for (int i = 0; i < 100; i++)
        {
            source.offer(frame.duplicate());
        }
        entered.await();

        final boolean drained = engine.close(Duration.ofMillis(300));

        assertThat(drained).isFalse();
        final MetricsSnapshot.SessionMetrics session = engine.metrics().sessions().get(SESSION);
        assertThat(session.acceptedPackets()).isEqualTo(100);
        assertThat(session.copies().droppedQueueFull()).isGreaterThan(0);
        assertThat(session.copies().droppedShutdown()).isGreaterThan(0);
        assertThat(session.acceptedPackets())
            .isEqualTo(session.copies().mirroredPackets() + session.copies().droppedPackets());
        assertThat(source.offer(frame.duplicate())).isEqualTo(OfferResult.NOT_MIRRORED);
        assertThat(engine.metrics().sources().get(SOURCE).notMirroredByReason())
            .containsEntry(NotMirroredReason.ENGINE_CLOSED, 1L);
    }

    @Test
    void shouldRefuseATargetWithoutBinding()
    {
        final MirrorEngine.Builder builder = MirrorEngine.builder().configuration(configuration);

        assertThatThrownBy(builder::build)
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining("tmt-1: binding = (missing)");
    }
}
