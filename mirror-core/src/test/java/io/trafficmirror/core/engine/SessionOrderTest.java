package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.testing.FrameBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import static io.trafficmirror.core.engine.EngineFixtures.PEER_IP;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE_IP;
import static io.trafficmirror.core.engine.EngineFixtures.TARGET;
import static io.trafficmirror.core.engine.EngineFixtures.any;
import static io.trafficmirror.core.engine.EngineFixtures.source;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several sessions on one interface, through the engine: the first session by session number whose filter accepts a
 * packet mirrors it, every session consulted before it counts what its filter decided, and the copy leaves from the
 * flow's port however much of the packet the session keeps.
 */
class SessionOrderTest
{
    /** Session 1: rejects TCP to port 443 inbound. */
    private static final MirrorFilter REJECT_HTTPS = MirrorFilter.builder().id("tmf-reject-https")
        .addRule(any(TrafficDirection.INGRESS, 10, RuleAction.REJECT).protocol(6).destinationPortRange(443, 443).build())
        .build();
    /** Session 2: a rule for UDP only, so TCP matches nothing. */
    private static final MirrorFilter UDP_ONLY = MirrorFilter.builder().id("tmf-udp")
        .addRule(any(TrafficDirection.INGRESS, 20, RuleAction.ACCEPT).protocol(17).build())
        .build();
    /** Session 3: accepts everything inbound. */
    private static final MirrorFilter ACCEPT_ALL = MirrorFilter.builder().id("tmf-all")
        .addRule(any(TrafficDirection.INGRESS, 30, RuleAction.ACCEPT).build())
        .build();

    @Test
    @Timeout(60)
    void shouldMirrorByTheFirstAcceptingSessionAndCountEveryEarlierSessionsVerdict() throws Exception
    {
        // Session numbers are given out of list order on purpose: the engine orders by number.
        final MirrorConfiguration configuration = MirrorConfiguration.builder().quotas(Quotas.embedded())
            .addTarget(MirrorTarget.builder().id(TARGET).networkInterface("eni-target").build())
            .addFilter(REJECT_HTTPS).addFilter(UDP_ONLY).addFilter(ACCEPT_ALL)
            .addSource(source())
            .addSession(session("tms-all", 3, ACCEPT_ALL, 303, 60))
            .addSession(session("tms-https", 1, REJECT_HTTPS, 101, 0))
            .addSession(session("tms-udp", 2, UDP_ONLY, 202, 0))
            .build();
        final byte[] https = ipv4(6, PEER_IP, SOURCE_IP, 40000, 443, 1200);
        final byte[] ssh = ipv4(6, PEER_IP, SOURCE_IP, 40001, 22, 300);
        final byte[] dns = ipv4(17, PEER_IP, SOURCE_IP, 5353, 53, 100);

        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).build();
            engine.start();
            final SourceHandle handle = engine.source(SOURCE);
            assertThat(handle.inbound(ByteBuffer.wrap(https))).isEqualTo(OfferResult.QUEUED);
            assertThat(handle.inbound(ByteBuffer.wrap(ssh))).isEqualTo(OfferResult.QUEUED);
            assertThat(handle.inbound(ByteBuffer.wrap(dns))).isEqualTo(OfferResult.QUEUED);
            final List<UdpSink.Received> received = sink.await(3, Duration.ofSeconds(10));
            assertThat(engine.close(Duration.ofSeconds(5))).isTrue();

            // HTTPS: rejected by session 1, unmatched by 2, mirrored by 3 cut to its 60 bytes.
            // SSH: passed on by 1 (no rule), unmatched by 2, mirrored by 3. DNS: passed on by 1, mirrored by 2 whole.
            assertThat(received).hasSize(3);
            assertThat(received).filteredOn(r -> r.vni == 303).hasSize(2)
                .allSatisfy(r -> assertThat(r.inner).hasSize(60));
            assertThat(received).filteredOn(r -> r.vni == 202).singleElement()
                .satisfies(r -> assertThat(r.inner).isEqualTo(dns));

            final MetricsSnapshot metrics = engine.metrics();
            final MetricsSnapshot.SessionMetrics first = metrics.sessions().get("tms-https");
            assertThat(first.offeredPackets()).isEqualTo(3);
            assertThat(first.rejectedPackets()).isEqualTo(1);
            assertThat(first.unmatchedPackets()).isEqualTo(2);
            assertThat(first.acceptedPackets()).isZero();
            final MetricsSnapshot.SessionMetrics second = metrics.sessions().get("tms-udp");
            assertThat(second.offeredPackets()).isEqualTo(3);
            assertThat(second.unmatchedPackets()).isEqualTo(2);
            assertThat(second.acceptedPackets()).isEqualTo(1);
            final MetricsSnapshot.SessionMetrics third = metrics.sessions().get("tms-all");
            assertThat(third.offeredPackets()).isEqualTo(2);
            assertThat(third.acceptedPackets()).isEqualTo(2);
            assertThat(third.copies().truncatedPackets()).isEqualTo(2);
            assertThat(metrics.rules()).anySatisfy(rule ->
            {
                assertThat(rule.sessionId()).isEqualTo("tms-https");
                assertThat(rule.ruleNumber()).isEqualTo(10);
                assertThat(rule.hitPackets()).isEqualTo(1);
            });
            assertThat(metrics.rules()).anySatisfy(rule ->
            {
                assertThat(rule.sessionId()).isEqualTo("tms-all");
                assertThat(rule.ruleNumber()).isEqualTo(30);
                assertThat(rule.hitPackets()).isEqualTo(2);
            });
        }
    }

    @Test
    @Timeout(60)
    void shouldSendBothDirectionsOfAFlowFromOnePortWhenOnlyOneDirectionIsCut() throws Exception
    {
        // Session 1 keeps 36 bytes of inbound HTTPS (the copy ends inside the TCP header); session 2 keeps whole
        // packets of both directions. Each flow's cut inbound copy and whole outbound copy must share a port.
        final MirrorFilter httpsIn = MirrorFilter.builder().id("tmf-https-in")
            .addRule(any(TrafficDirection.INGRESS, 1, RuleAction.ACCEPT).protocol(6).destinationPortRange(443, 443).build())
            .build();
        final MirrorFilter both = MirrorFilter.builder().id("tmf-both")
            .addRule(any(TrafficDirection.INGRESS, 1, RuleAction.ACCEPT).build())
            .addRule(any(TrafficDirection.EGRESS, 1, RuleAction.ACCEPT).build())
            .build();
        final MirrorConfiguration configuration = MirrorConfiguration.builder().quotas(Quotas.embedded())
            .addTarget(MirrorTarget.builder().id(TARGET).networkInterface("eni-target").build())
            .addFilter(httpsIn).addFilter(both)
            .addSource(source())
            .addSession(session("tms-cut", 1, httpsIn, 11, 36))
            .addSession(session("tms-whole", 2, both, 22, 0))
            .build();
        final int peers = 40;
        try (UdpSink sink = new UdpSink(true))
        {
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).socketsPerEndpoint(8).build();
            engine.start();
            final SourceHandle handle = engine.source(SOURCE);
            for (int i = 0; i < peers; i++)
            {
                final int peer = FrameBuilder.ip(198, 51, 100, 1 + i);
                assertThat(handle.inbound(ByteBuffer.wrap(ipv4(6, peer, SOURCE_IP, 30000 + i, 443, 400))))
                    .isEqualTo(OfferResult.QUEUED);
                assertThat(handle.outbound(ByteBuffer.wrap(ipv4(6, SOURCE_IP, peer, 443, 30000 + i, 900))))
                    .isEqualTo(OfferResult.QUEUED);
            }
            final List<UdpSink.Received> received = sink.await(2L * peers, Duration.ofSeconds(10));
            assertThat(engine.close(Duration.ofSeconds(5))).isTrue();
            assertThat(received).hasSize(2 * peers);
            for (int i = 0; i < peers; i++)
            {
                final int peer = FrameBuilder.ip(198, 51, 100, 1 + i);
                final UdpSink.Received cut = received.stream()
                    .filter(r -> r.vni == 11 && ByteBuffer.wrap(r.inner).getInt(26) == peer).findFirst().orElseThrow();
                final UdpSink.Received whole = received.stream()
                    .filter(r -> r.vni == 22 && ByteBuffer.wrap(r.inner).getInt(30) == peer).findFirst().orElseThrow();
                assertThat(cut.inner).hasSize(36);
                // The cut copy has no whole TCP header, yet it left from its flow's port: the producer's parse of
                // the whole frame chose it.
                assertThat(cut.sourcePort).as("flow of peer %d", i).isEqualTo(whole.sourcePort);
            }
            final long distinct = received.stream().mapToInt(r -> r.sourcePort).distinct().count();
            assertThat(distinct).as("the flows spread over the sockets").isGreaterThan(1);
        }
    }

    private static MirrorSession session(
        final String id, final int number, final MirrorFilter filter, final int vni, final int packetLength)
    {
        final MirrorSession.Builder builder = MirrorSession.builder().id(id).networkInterfaceId(SOURCE)
            .targetId(TARGET).filterId(filter.id()).sessionNumber(number).virtualNetworkId(vni);
        return (packetLength > 0 ? builder.packetLength(packetLength) : builder).build();
    }

}
