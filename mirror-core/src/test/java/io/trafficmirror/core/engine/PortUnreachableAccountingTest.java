package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.transport.DatagramTransport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;

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
 * Copies to a UDP port where nothing listens, over loopback: the kernel answers each with an ICMP port unreachable,
 * which a connected socket reports on its next send, refusing that send. Each report is counted against the
 * endpoint, and the copy it refused is sent again once, so a copy is not lost for an earlier one's report.
 */
class PortUnreachableAccountingTest
{
    private static final int COPIES = 200;

    private final MirrorConfiguration configuration =
        configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 77).build(), 9001).build();

    @ParameterizedTest
    @MethodSource("io.trafficmirror.core.engine.Transports#both")
    @Timeout(60)
    void shouldCountIcmpReportsAgainstTheEndpointAndNotLoseTheCopiesTheyRefused(final DatagramTransport transport)
        throws Exception
    {
        Transports.assumeAvailable(transport);
        final InetSocketAddress endpoint = closedPort();
        final MirrorEngine engine = engine(transport, endpoint);
        engine.start();
        // Lossless, so that every copy reaches the socket: none is dropped for a full queue.
        final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofSeconds(10));
        for (int i = 0; i < COPIES; i++)
        {
            // Two lengths in turn as well as runs of one, so that the native transport sends both alone and in runs.
            offer(source, i % 3 == 0 ? 300 : 200);
        }
        assertAccounted(transport, engine, endpoint);
    }

    @ParameterizedTest
    @MethodSource("io.trafficmirror.core.engine.Transports#both")
    @Timeout(60)
    void shouldSendTheCopiesOfARunTheReportRefusedWholeAgainEachWithItsOwnRetry(final DatagramTransport transport)
        throws Exception
    {
        Transports.assumeAvailable(transport);
        final InetSocketAddress endpoint = closedPort();
        final MirrorEngine engine = engine(transport, endpoint);
        final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofSeconds(10));
        // Queued before the sender starts, all of one length: it takes them in batches, which the native transport
        // sends as segmentation-offload runs; the first run's reports refuse the second whole, and so on.
        for (int i = 0; i < COPIES; i++)
        {
            offer(source, 200);
        }
        engine.start();
        assertAccounted(transport, engine, endpoint);
    }

    private MirrorEngine engine(final DatagramTransport transport, final InetSocketAddress endpoint)
    {
        return MirrorEngine.builder().configuration(configuration).bind(TARGET, TargetBinding.udp(endpoint))
            .socketsPerEndpoint(1).slotsPerTarget(COPIES).transport(transport).build();
    }

    private static void offer(final SourceHandle source, final int payload)
    {
        assertThat(source.offer(ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1234, 5678, payload))))
            .isEqualTo(OfferResult.QUEUED);
    }

    private static void assertAccounted(
        final DatagramTransport transport, final MirrorEngine engine, final InetSocketAddress endpoint)
    {
        assertThat(engine.close(Duration.ofSeconds(20))).as("drained").isTrue();

        final MetricsSnapshot metrics = engine.metrics();
        final MetricsSnapshot.CopyMetrics copies = metrics.targets().get(TARGET);
        assertThat(metrics.endpoints()).hasSize(1);
        final MetricsSnapshot.EndpointMetrics reports = metrics.endpoints().get(0);
        assertThat(reports.targetId()).isEqualTo(TARGET);
        assertThat(reports.address()).isEqualTo(endpoint);
        final long unreachable = reports.unreachable();
        final String what = transport + ": " + copies + ", unreachable " + unreachable;

        assertThat(copies.acceptedPackets()).as(what).isEqualTo(COPIES);
        assertThat(copies.droppedQueueFull()).as(what).isZero();
        assertThat(copies.mirroredPackets() + copies.droppedSendError()).as(what).isEqualTo(COPIES);
        assertThat(unreachable).as(what).isPositive();
        // Each report is of a copy that left: only sent copies draw an ICMP.
        assertThat(unreachable).as(what).isLessThanOrEqualTo(copies.mirroredPackets());
        // A copy fails only when its one retry is refused too: two reports for each failed copy.
        assertThat(2 * copies.droppedSendError()).as(what).isLessThanOrEqualTo(unreachable);
        assertThat(copies.droppedFailure() + copies.failures()).as(what).isZero();
    }

    /** A loopback port that was bound and closed again: nothing listens on it. */
    private static InetSocketAddress closedPort() throws Exception
    {
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new InetSocketAddress(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress)probe.getLocalAddress()).getPort());
        }
    }
}
