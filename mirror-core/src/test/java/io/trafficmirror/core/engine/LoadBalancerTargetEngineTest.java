package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.TargetType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

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
 * How the engine cuts copies for load balancer targets: 8500 bytes by default for a Network Load Balancer's
 * sessions, and to a Gateway Load Balancer's 8500-byte MTU for its endpoints.
 */
class LoadBalancerTargetEngineTest
{
    private static final String NLB_ARN =
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/collectors/0123456789abcdef";

    private static MirrorConfiguration withTarget(final MirrorTarget target, final MirrorSession session)
    {
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session, 9001).build();
        return configuration.withTarget(target);
    }

    @Test
    void shouldCutCopiesToANetworkLoadBalancerTo8500BytesWhenTheSessionNamesNoPacketLength() throws Exception
    {
        final MirrorConfiguration configuration = withTarget(
            MirrorTarget.builder().id(TARGET).type(TargetType.NETWORK_LOAD_BALANCER).resourceId(NLB_ARN).build(),
            session(SESSION, 1, 21).build());
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).build();
            engine.start();
            final byte[] jumbo = ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 8600);

            assertThat(engine.source(SOURCE).offer(ByteBuffer.wrap(jumbo))).isEqualTo(OfferResult.QUEUED);
            final List<UdpSink.Received> received = sink.await(1, Duration.ofSeconds(10));
            engine.close();

            assertThat(received).singleElement().satisfies(r ->
            {
                assertThat(r.vni).isEqualTo(21);
                assertThat(r.inner).isEqualTo(Arrays.copyOf(jumbo, 8500));
            });
            assertThat(engine.metrics().sessions().get(SESSION).copies().truncatedPackets()).isEqualTo(1);
        }
    }

    @Test
    void shouldLetASessionsOwnPacketLengthWinForANetworkLoadBalancer() throws Exception
    {
        final MirrorConfiguration configuration = withTarget(
            MirrorTarget.builder().id(TARGET).type(TargetType.NETWORK_LOAD_BALANCER).resourceId(NLB_ARN).build(),
            session(SESSION, 1, 22).packetLength(200).build());
        final ConcurrentLinkedQueue<byte[]> copies = new ConcurrentLinkedQueue<>();
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.consumer((id, vni, frame, original) ->
            {
                final byte[] copy = new byte[frame.remaining()];
                frame.get(copy);
                copies.add(copy);
            }))
            .build();
        engine.start();
        final byte[] jumbo = ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 8600);

        assertThat(engine.source(SOURCE).offer(ByteBuffer.wrap(jumbo))).isEqualTo(OfferResult.QUEUED);
        assertThat(engine.close(Duration.ofSeconds(5))).isTrue();

        assertThat(copies).singleElement().isEqualTo(Arrays.copyOf(jumbo, 200));
    }

    @Test
    void shouldCutCopiesToAGatewayLoadBalancerEndpointSoThatTheVxlanPacketFits8500Bytes() throws Exception
    {
        final MirrorConfiguration configuration = withTarget(
            MirrorTarget.builder().id(TARGET).type(TargetType.GATEWAY_LOAD_BALANCER_ENDPOINT)
                .resourceId("vpce-0123456789abcdef0").build(),
            session(SESSION, 1, 23).build());
        final ConcurrentLinkedQueue<byte[]> copies = new ConcurrentLinkedQueue<>();
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.consumer((id, vni, frame, original) ->
            {
                final byte[] copy = new byte[frame.remaining()];
                frame.get(copy);
                copies.add(copy);
            }))
            .build();
        engine.start();
        final byte[] jumbo = ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 8600);
        final byte[] fits = ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 8464);

        assertThat(engine.source(SOURCE).offer(ByteBuffer.wrap(jumbo))).isEqualTo(OfferResult.QUEUED);
        assertThat(engine.source(SOURCE).offer(ByteBuffer.wrap(fits))).isEqualTo(OfferResult.QUEUED);
        assertThat(engine.close(Duration.ofSeconds(5))).isTrue();

        // 8500 - 20 (IPv4) - 8 (UDP) - 8 (VXLAN) = 8464 bytes of inner frame.
        assertThat(copies).containsExactly(Arrays.copyOf(jumbo, 8464), fits);
        assertThat(engine.metrics().sessions().get(SESSION).copies().truncatedPackets()).isEqualTo(1);
    }
}
