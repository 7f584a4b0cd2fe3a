package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.filter.TrafficDirection;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.trafficmirror.core.engine.EngineFixtures.PEER_IP;
import static io.trafficmirror.core.engine.EngineFixtures.SESSION;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE_IP;
import static io.trafficmirror.core.engine.EngineFixtures.configuration;
import static io.trafficmirror.core.engine.EngineFixtures.gettingStartedFilter;
import static io.trafficmirror.core.engine.EngineFixtures.session;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketClassifierTest
{
    private final MirrorConfiguration configuration =
        configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 3).packetLength(100).build(), 9001).build();
    private final PacketClassifier classifier = PacketClassifier.of(configuration);

    @Test
    void shouldNameTheSessionRuleAndBytesOfAMirroredPacket()
    {
        final ByteBuffer https = ByteBuffer.wrap(ipv4(6, PEER_IP, SOURCE_IP, 40000, 443, 400));

        assertThat(classifier.direction(SOURCE, https, 0, 400)).contains(TrafficDirection.INGRESS);
        final PacketClassifier.Decision decision = classifier.classify(SOURCE, https, 0, 400, null);

        assertThat(decision.mirrored()).isTrue();
        assertThat(decision.session().orElseThrow().id()).isEqualTo(SESSION);
        assertThat(decision.ruleNumber()).hasValue(200);
        assertThat(decision.mirroredBytes()).isEqualTo(100);
        assertThat(decision.reason()).isEmpty();
    }

    @Test
    void shouldNameTheRejectingRuleAndReason()
    {
        final ByteBuffer ssh = ByteBuffer.wrap(ipv4(6, SOURCE_IP, PEER_IP, 22, 40000, 80));

        final PacketClassifier.Decision decision = classifier.classify(SOURCE, ssh, 0, 80, null);

        assertThat(decision.mirrored()).isFalse();
        assertThat(decision.ruleNumber()).hasValue(100);
        assertThat(decision.mirroredBytes()).isZero();
        assertThat(decision.reason()).contains(NotMirroredReason.REJECTED);
        assertThat(classifier.explain(SOURCE, ssh, 0, 80, TrafficDirection.EGRESS)).startsWith(SESSION + ": ");
    }

    @Test
    void shouldSayWhenAPacketIsNotTheInterfacesTraffic()
    {
        final ByteBuffer other = ByteBuffer.wrap(ipv4(17, PEER_IP, PEER_IP + 1, 1, 2, 80));

        assertThat(classifier.direction(SOURCE, other, 0, 80)).isEmpty();
        assertThat(classifier.classify(SOURCE, other, 0, 80, null).reason())
            .contains(NotMirroredReason.NOT_THIS_INTERFACE);
        assertThatThrownBy(() -> classifier.classify("eni-unknown", other, 0, 80, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eni-unknown");
    }

    @Test
    void shouldDecideEveryInterfaceFromOneParseByIndex()
    {
        final int source = classifier.sourceIndex(SOURCE);
        assertThat(classifier.sourceCount()).isEqualTo(1);
        assertThat(classifier.sourceId(source)).isEqualTo(SOURCE);
        assertThat(classifier.sessionCount(source)).isEqualTo(1);
        assertThat(classifier.session(source, 0).id()).isEqualTo(SESSION);

        final ByteBuffer https = ByteBuffer.wrap(ipv4(6, PEER_IP, SOURCE_IP, 40000, 443, 400));
        classifier.parse(https, 0, 400);
        assertThat(classifier.direction(source)).isEqualTo(TrafficDirection.INGRESS);
        assertThat(classifier.decide(source, TrafficDirection.INGRESS)).isZero();
        assertThat(classifier.ruleNumber()).isEqualTo(200);
        assertThat(classifier.mirroredBytes()).as("cut to the session's packet length").isEqualTo(100);
        assertThat(classifier.decision().session().orElseThrow().id()).isEqualTo(SESSION);

        final ByteBuffer ssh = ByteBuffer.wrap(ipv4(6, SOURCE_IP, PEER_IP, 22, 40000, 80));
        classifier.parse(ssh, 0, 80);
        assertThat(classifier.direction(source)).isEqualTo(TrafficDirection.EGRESS);
        assertThat(classifier.decide(source, TrafficDirection.EGRESS)).isNegative();
        assertThat(classifier.ruleNumber()).isEqualTo(100);
        assertThat(classifier.mirroredBytes()).isZero();
        assertThat(classifier.decision().reason()).contains(NotMirroredReason.REJECTED);
        assertThat(classifier.explain(source, TrafficDirection.EGRESS)).startsWith(SESSION + ": ");

        classifier.parse(ByteBuffer.wrap(ipv4(17, PEER_IP, PEER_IP + 1, 1, 2, 80)), 0, 80);
        assertThat(classifier.direction(source)).isNull();
        assertThatThrownBy(() -> classifier.sourceIndex("eni-unknown"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eni-unknown");
    }
}
