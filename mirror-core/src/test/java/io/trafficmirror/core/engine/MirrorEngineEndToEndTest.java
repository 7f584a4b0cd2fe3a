package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.testing.FrameBuilder;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
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

class MirrorEngineEndToEndTest
{
    private static final int VNI = 5569041;

    @Test
    void shouldMirrorAllButSshToALoopbackReceiverWithTheSessionsVni() throws Exception
    {
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorConfiguration configuration = configuration(
                gettingStartedFilter("tmf-1"), session(SESSION, 1, VNI).build(), 9001).build();
            final byte[] sshIn = ipv4(6, PEER_IP, SOURCE_IP, 40000, 22, 120);
            final byte[] sshOut = ipv4(6, SOURCE_IP, PEER_IP, 22, 40000, 200);
            final byte[] httpsIn = ipv4(6, PEER_IP, SOURCE_IP, 40001, 443, 1500);
            final byte[] dnsOut = ipv4(17, SOURCE_IP, FrameBuilder.ip(192, 0, 2, 53), 5000, 53, 90);
            final byte[] resolverDns = ipv4(17, SOURCE_IP, FrameBuilder.ip(10, 0, 0, 2), 5001, 53, 90);
            final byte[] notOurs = ipv4(17, FrameBuilder.ip(10, 9, 9, 9), FrameBuilder.ip(10, 9, 9, 8), 1, 2, 80);
            final byte[] arp = arpRequest();

            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).build();
            engine.start();
            final SourceHandle source = engine.source(SOURCE);
            final InetSocketAddress sinkAddress = sink.address();
            final byte[] ownOutput = ipv4(17, SOURCE_IP, FrameBuilder.ip(127, 0, 0, 1), 50000, sinkAddress.getPort(), 100);

            assertThat(source.offer(ByteBuffer.wrap(sshIn))).isEqualTo(OfferResult.NOT_MIRRORED);
            assertThat(source.offer(ByteBuffer.wrap(sshOut))).isEqualTo(OfferResult.NOT_MIRRORED);
            assertThat(source.offer(ByteBuffer.wrap(httpsIn))).isEqualTo(OfferResult.QUEUED);
            assertThat(source.offer(ByteBuffer.wrap(dnsOut))).isEqualTo(OfferResult.QUEUED);
            assertThat(source.offer(ByteBuffer.wrap(resolverDns))).isEqualTo(OfferResult.NOT_MIRRORED);
            assertThat(source.offer(ByteBuffer.wrap(notOurs))).isEqualTo(OfferResult.NOT_MIRRORED);
            assertThat(source.inbound(ByteBuffer.wrap(arp))).isEqualTo(OfferResult.NOT_MIRRORED);
            assertThat(source.offer(ByteBuffer.wrap(ownOutput))).isEqualTo(OfferResult.NOT_MIRRORED);
            assertThat(source.offer(ByteBuffer.allocate(10))).isEqualTo(OfferResult.NOT_MIRRORED);

            final List<UdpSink.Received> received = sink.await(2, Duration.ofSeconds(10));
            assertThat(engine.close(Duration.ofSeconds(5))).isTrue();

            assertThat(received).hasSize(2).allSatisfy(r -> assertThat(r.vni).isEqualTo(VNI));
            assertThat(received).anySatisfy(r -> assertThat(r.inner).isEqualTo(httpsIn));
            assertThat(received).anySatisfy(r -> assertThat(r.inner).isEqualTo(dnsOut));
            assertThat(received).allSatisfy(r -> assertThat(engine.localPorts()).contains(r.sourcePort));

            final MetricsSnapshot metrics = engine.metrics();
            final MetricsSnapshot.SourceMetrics sourceMetrics = metrics.sources().get(SOURCE);
            assertThat(sourceMetrics.offeredPackets()).isEqualTo(9);
            assertThat(sourceMetrics.notMirroredPackets()).isEqualTo(7);
            assertThat(sourceMetrics.notMirroredByReason()).containsEntry(NotMirroredReason.REJECTED, 2L)
                .containsEntry(NotMirroredReason.AMAZON_DNS_NOT_ENABLED, 1L)
                .containsEntry(NotMirroredReason.NOT_THIS_INTERFACE, 1L)
                .containsEntry(NotMirroredReason.EXCLUDED, 1L)
                .containsEntry(NotMirroredReason.OWN_OUTPUT, 1L)
                .containsEntry(NotMirroredReason.MALFORMED, 1L);
            final MetricsSnapshot.SessionMetrics sessionMetrics = metrics.sessions().get(SESSION);
            assertThat(sessionMetrics.acceptedPackets()).isEqualTo(2);
            assertThat(sessionMetrics.rejectedPackets()).isEqualTo(2);
            assertThat(sessionMetrics.copies().mirroredPackets()).isEqualTo(2);
            assertThat(sessionMetrics.copies().mirroredBytes()).isEqualTo(httpsIn.length + dnsOut.length);
            assertThat(metrics.targets().get(TARGET).mirroredPackets()).isEqualTo(2);
            assertThat(metrics.rules()).filteredOn(r -> r.ruleNumber() == 100)
                .extracting(MetricsSnapshot.RuleMetrics::hitPackets).containsExactly(1L, 1L);
            assertThat(metrics.rules()).filteredOn(r -> r.ruleNumber() == 200 && r.direction() == TrafficDirection.INGRESS)
                .singleElement().extracting(MetricsSnapshot.RuleMetrics::hitBytes).isEqualTo((long)httpsIn.length);
        }
    }

    @Test
    void shouldCutCopiesToThePacketLengthAndTheTargetMtu() throws Exception
    {
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorConfiguration configuration = configuration(gettingStartedFilter("tmf-1"),
                session(SESSION, 1, 7).packetLength(100).build(), 9001)
                .addSession(session("tms-2", 2, 8).filterId("tmf-1").build())
                .build();
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).build();
            engine.start();
            final byte[] big = ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 1500);

            engine.source(SOURCE).offer(ByteBuffer.wrap(big));
            final List<UdpSink.Received> cut = sink.await(1, Duration.ofSeconds(10));
            assertThat(cut).singleElement().satisfies(r ->
            {
                assertThat(r.vni).isEqualTo(7);
                assertThat(r.inner).isEqualTo(Arrays.copyOf(big, 100));
            });

            // A smaller MTU: the outer IPv4 packet (20 + 8 + 8 + inner) must fit 576 bytes.
            engine.update(configuration.withTarget(configuration.target(TARGET).orElseThrow().toBuilder().mtu(576).build())
                .withoutSession(SESSION));
            engine.source(SOURCE).offer(ByteBuffer.wrap(big));
            final List<UdpSink.Received> both = sink.await(2, Duration.ofSeconds(10));
            engine.close();

            assertThat(both).filteredOn(r -> r.vni == 8).singleElement()
                .satisfies(r -> assertThat(r.inner).isEqualTo(Arrays.copyOf(big, 576 - 36)));
            assertThat(engine.metrics().sessions().get("tms-2").copies().truncatedPackets()).isEqualTo(1);
        }
    }

    @Test
    void shouldSendBothDirectionsOfAFlowFromOneSourcePort() throws Exception
    {
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder()
                .configuration(configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 9).build(), 9001).build())
                .bind(TARGET, TargetBinding.udp(sink.address())).socketsPerEndpoint(8).build();
            engine.start();
            final SourceHandle source = engine.source(SOURCE);
            for (int flow = 0; flow < 32; flow++)
            {
                source.offer(ByteBuffer.wrap(ipv4(6, PEER_IP, SOURCE_IP, 30000 + flow, 443, 80)));
                source.offer(ByteBuffer.wrap(ipv4(6, SOURCE_IP, PEER_IP, 443, 30000 + flow, 80)));
            }
            final List<UdpSink.Received> received = sink.await(64, Duration.ofSeconds(10));
            engine.close();

            assertThat(received).hasSize(64);
            for (int flow = 0; flow < 32; flow++)
            {
                final int clientPort = 30000 + flow;
                assertThat(received.stream().filter(r -> flowPort(r.inner) == clientPort).mapToInt(r -> r.sourcePort)
                    .distinct().count()).as("flow %d", flow).isEqualTo(1);
            }
            assertThat(received.stream().mapToInt(r -> r.sourcePort).distinct().count())
                .as("flows spread over the socket pool").isGreaterThan(1);
        }
    }

    /** The non-443 port of a test frame: the client side of the flow. */
    private static int flowPort(final byte[] frame)
    {
        final ByteBuffer b = ByteBuffer.wrap(frame);
        final int source = b.getShort(34) & 0xFFFF;
        return source == 443 ? b.getShort(36) & 0xFFFF : source;
    }

    private static byte[] arpRequest()
    {
        final ByteBuffer b = ByteBuffer.allocate(42);
        b.put(new byte[]{-1, -1, -1, -1, -1, -1}).put(FrameBuilder.MAC_B).putShort((short)0x0806);
        b.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)1);
        b.put(FrameBuilder.MAC_B).putInt(PEER_IP).put(new byte[6]).putInt(SOURCE_IP);
        return b.array();
    }
}
