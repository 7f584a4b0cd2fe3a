package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

class LoadBalancedTargetTest
{
    private static final int FLOWS = 200;

    @Test
    void shouldPinEachFlowToOneEndpointAndMoveOnlyTheFlowsOfAnEndpointMarkedDown() throws Exception
    {
        try (UdpSink a = new UdpSink(true); UdpSink b = new UdpSink(true); UdpSink c = new UdpSink(true))
        {
            final List<UdpSink> sinks = List.of(a, b, c);
            final MirrorConfiguration configuration =
                configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 5).build(), 9001).build();
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.loadBalanced(List.of(a.address(), b.address(), c.address()))).build();
            engine.start();

            final Map<Integer, Integer> before = sendFlowsAndMap(engine, sinks, 0);
            assertThat(before).hasSize(FLOWS);
            assertThat(before.values()).contains(0, 1, 2);

            engine.markEndpoint(TARGET, b.address(), false);
            final Map<Integer, Integer> after = sendFlowsAndMap(engine, sinks, 2 * FLOWS);
            engine.close();

            for (final Map.Entry<Integer, Integer> flow : before.entrySet())
            {
                if (flow.getValue() == 1)
                {
                    assertThat(after.get(flow.getKey())).as("flow %d moves off the down endpoint", flow.getKey())
                        .isIn(0, 2);
                }
                else
                {
                    assertThat(after.get(flow.getKey())).as("flow %d stays", flow.getKey()).isEqualTo(flow.getValue());
                }
            }
        }
    }

    /**
     * Offers both directions of each flow; returns flow (client port) to the index of the one sink that got it.
     */
    private static Map<Integer, Integer> sendFlowsAndMap(final MirrorEngine engine, final List<UdpSink> sinks,
        final long alreadyReceived) throws Exception
    {
        final SourceHandle source = engine.source(SOURCE);
        for (int flow = 0; flow < FLOWS; flow++)
        {
            source.offer(ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 20000 + flow, 53, 80)));
            source.offer(ByteBuffer.wrap(ipv4(17, SOURCE_IP, PEER_IP, 53, 20000 + flow, 80)));
        }
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sinks.stream().mapToLong(s -> s.count.get()).sum() < alreadyReceived + 2 * FLOWS
            && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        final Map<Integer, Integer> flowToSink = new HashMap<>();
        for (int i = 0; i < sinks.size(); i++)
        {
            for (final UdpSink.Received received : sinks.get(i).await(0, Duration.ZERO))
            {
                final ByteBuffer inner = ByteBuffer.wrap(received.inner);
                final int sourcePort = inner.getShort(34) & 0xFFFF;
                final int client = sourcePort == 53 ? inner.getShort(36) & 0xFFFF : sourcePort;
                final Integer previous = flowToSink.put(client - 20000, i);
                assertThat(previous == null || previous == i).as("flow %d on one endpoint", client).isTrue();
            }
        }
        sinks.forEach(UdpSink::clear);
        return flowToSink;
    }

    @Test
    void shouldRejectBadEndpointLists()
    {
        assertThatThrownBy(() -> TargetBinding.loadBalanced(List.of()))
            .isInstanceOf(IllegalArgumentException.class);
        final InetSocketAddress one = new InetSocketAddress("127.0.0.1", 4789);
        assertThatThrownBy(() -> TargetBinding.loadBalanced(List.of(one, one)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(
            () -> TargetBinding.udp(InetSocketAddress.createUnresolved("example.invalid", 4789)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resolved");
    }
}
